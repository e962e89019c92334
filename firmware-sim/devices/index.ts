// Device simulators: each turns simulated happenings into the exact MQTT wire messages.
export * from './device-sim.js';
export * from './door-counter.js';
export * from './member-app.js';
export * from './pos.js';
export * from './rfid-reader.js';
