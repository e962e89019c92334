export { GatewayMetrics, type IngestResult } from './metrics.js';
