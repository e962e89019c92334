// Public surface of protocols/: wire contracts only, no I/O. Siblings import from here.
export * from './axis-people-counter.js';
export * from './door-line.js';
export * from './epc.js';
export * from './events.js';
export * from './funnel.js';
export * from './hikvision-isapi.js';
export * from './impinj.js';
export * from './invitation.js';
export * from './messages.js';
export * from './r2000.js';
export * from './result.js';
export * from './text.js';
export * from './topics.js';
export * from './upstream.js';
export * from './zoned-time.js';
