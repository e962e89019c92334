// Public surface of protocols/: wire contracts only, no I/O. Siblings import from here.
export * from './events.js';
export * from './messages.js';
export * from './result.js';
export * from './topics.js';
