export { parseDuration } from './duration.js';
export { ConfigError, type Env, loadConfig, parseConfig } from './load.js';
export type { PosImport } from './schema.js';
export type { DeviceConfig, GatewayConfig } from './types.js';
