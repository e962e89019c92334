// Network people counter emulators (Hikvision ISAPI, AXIS People Counter) behind digest auth.
export { AxisCounterEmulator, type AxisCounterEmulatorOptions } from './axis.js';
export {
  type CounterEmulatorOptions,
  type Crossing,
  compactStamp,
  isoLocal,
  localMidnight,
  type Outage,
} from './counter-device.js';
export { DigestGuard, type DigestUser } from './digest-auth.js';
export { HikvisionCounterEmulator, type HikvisionCounterEmulatorOptions } from './hikvision.js';
