// Public surface of cloud-sink/ (HQ): sink, API, KV publishing, store backends.
export { buildHqApi, type HqApiOptions, UNASSIGNED_REGION } from './api.js';
export { GRANULARITIES, type Granularity, type ZoneCalendar, zoneCalendar } from './calendar.js';
export { main } from './cli.js';
export { type HqConfig, type HqNatsOptions, isTimeZone, loadHqConfig } from './config.js';
export { SinkConsumer, type SinkConsumerOptions, type SinkStats, toRecord } from './consumer.js';
export { catalogFromCsv, parseCsv, rosterFromCsv, rosterToCsv, storesFromCsv, toCsv } from './csv.js';
export * from './db/index.js';
export {
  BadRequestError,
  CsvImportError,
  HqConfigError,
  HqError,
  HqStoreError,
  HttpError,
  NotFoundError,
} from './errors.js';
export { type FunnelMetrics, ratio, toMetrics } from './funnel.js';
export { deleteMembers, importCatalog, importRoster, type KvImportResult, openBucket } from './kv-publish.js';
export { type RunningSink, type SinkOptions, startSink } from './main.js';
export { connectWithRetry, ensureConsumer, ensureStream, hqConnectionOptions } from './nats.js';
