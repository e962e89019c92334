// Impinj reader emulator: the HTTP stream and webhook outputs of the IoT Device Interface.
export {
  type EmulatedRead,
  type ImpinjEvent,
  ImpinjReaderEmulator,
  type ImpinjReaderEmulatorOptions,
  impinjTagEvent,
  postImpinjWebhook,
  STREAM_PATH,
} from './reader-emulator.js';
