// Public surface of devices/: drivers that turn device bytes into protocol events.
// Siblings (the gateway) import from here; devices/ imports only protocols/ and npm packages.
export { Backoff, type BackoffOptions, sleep } from './backoff.js';
export { AxisPeopleCounter, type AxisPeopleCounterOptions } from './counters/axis-people-counter.js';
export { DirtyDays, OrdinalLedger, ordinalCrossings } from './counters/count-ledger.js';
export {
  HIKVISION_ALERT_STREAM_PATH,
  HikvisionPeopleCounter,
  type HikvisionPeopleCounterOptions,
  hikvisionCountingSearchPath,
} from './counters/hikvision-people-counter.js';
export {
  type PeopleCounterOptions,
  PeopleCounterSource,
  type PeopleCounterStats,
} from './counters/people-counter.js';
export {
  DeviceError,
  type DeviceErrorCode,
  DriverConfigError,
  GpioUnavailableError,
  ReaderError,
  SerialLinkError,
  SourceStateError,
  StreamError,
} from './errors.js';
export {
  createDeviceSource,
  type DriverConfig,
  type DriverExtras,
  type GpioDoorCounterConfig,
  type SerialDoorCounterConfig,
  type SerialRfidReaderConfig,
} from './factory.js';
export {
  type Beam,
  BeamCounter,
  type BeamCounterOptions,
  type BeamCounterStats,
  type BeamOutcome,
  BeamTracker,
} from './gpio/beam-counter.js';
export { type GpioPin, type GpioPinFactory, gpioFix, onoffPinFactory, type PinValue } from './gpio/pin.js';
export { type Credentials, DigestClient, pickChallenge } from './http/digest-client.js';
export {
  IMPINJ_STREAM_PATH,
  ImpinjStreamClient,
  type ImpinjStreamOptions,
  type ImpinjStreamStats,
} from './impinj/stream-client.js';
export {
  handleImpinjWebhook,
  type ImpinjWebhookError,
  type ImpinjWebhookOptions,
  type ImpinjWebhookResult,
} from './impinj/webhook.js';
export {
  DriverLifecycle,
  type LifecycleOptions,
  type LifecyclePhase,
  type LoopStep,
  loopStep,
} from './lifecycle.js';
export { EventOutbox, type OutboxOptions, type OutboxStats } from './outbox.js';
export {
  type DoorCounterBase,
  type DoorCounterStats,
  type DoorDelta,
  DoorLineCounter,
  SerialDoorCounter,
  type SerialDoorCounterOptions,
} from './serial/door-counter.js';
export { SerialLink, type SerialLinkHandlers, type SerialLinkOptions } from './serial/port.js';
export {
  R2000_MAX_POLLED_ANTENNA,
  R2000Reader,
  type R2000ReaderOptions,
  type R2000ReaderStats,
} from './serial/r2000-reader.js';
export {
  type Clock,
  type DriverContext,
  type Source,
  type SourceRejection,
  type SourceState,
  type SourceStatus,
  sourceStatus,
} from './source.js';
export { parseAntennaMap, TagFolder, type TagFolderOptions } from './tags.js';
