// Public surface of common/: pure helpers the gateway and HQ (and devices, simulators) share.
// Not here: common/nats.ts, the one module with I/O; its two users import it by path.
export * from './calendar.js';
export * from './csv.js';
export * from './http.js';
