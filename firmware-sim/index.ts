// Public surface of firmware-sim: device simulators, the demo store, the store-day generator
// and the MQTT publisher. It depends on protocols/ only.
export * from './day/truth.js';
export type { Invitation, Member, Product, StaffMember, TimedMessage } from './day/types.js';
export * from './demo-store.js';
export * from './devices/index.js';
export { Rng } from './prng.js';
export * from './runner.js';
export * from './scenario.js';
export * from './varied-day.js';
