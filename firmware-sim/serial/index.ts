// Serial device emulators (door counter firmware, R2000 reader) and socat pty pairs.
export { DevicePort, type DevicePortOptions } from './device-port.js';
export {
  DoorCounterFirmware,
  type DoorCounterFirmwareOptions,
  type DoorCounterState,
  type LineFault,
} from './door-counter-firmware.js';
export { PtyPair, PtyPairError, type PtyPairOptions } from './pty.js';
export { type EmulatedTag, R2000Emulator, type R2000EmulatorOptions } from './r2000-emulator.js';
