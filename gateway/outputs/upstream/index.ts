// Public surface of gateway/outputs/upstream: the HQ link (outbox → JetStream, KV → reference data).
export {
  type LinkState,
  NatsConnector,
  type NatsLinkOptions,
  type NatsTlsFiles,
  natsLinkOptions,
  toConnectionOptions,
} from './connection.js';
export { OutboxMessageTooLargeError, StoreSecretError, UpstreamConfigError } from './errors.js';
export { type BucketMirrorStatus, KvMirror, type KvMirrorOptions } from './kv-mirror.js';
export {
  type BuiltMessage,
  bucketEndOf,
  funnelBucketMessage,
  HEALTH_PERIOD_MS,
  type HealthInput,
  healthMessage,
  loadStoreSecret,
  MAX_JOURNEYS_PER_MESSAGE,
  Pseudonymizer,
  STORE_SECRET_FILE,
  type VipBucketInput,
  type VipJourneyInput,
  vipJourneyMessage,
} from './messages.js';
export { type BacklogSource, UpstreamMetrics } from './metrics.js';
export { MAX_OUTBOX_PAYLOAD_BYTES, Outbox, type OutboxMessage, type OutboxRow } from './outbox.js';
export { ensureUpstreamStream, OutboxPublisher, type PublisherOptions, type PublisherStatus } from './publisher.js';
export { bucketRevisions, continueRevisions } from './revisions.js';
export { upstreamRoutes } from './routes.js';
export { type OutboxSink, type UpstreamFact, UpstreamScheduler, type UpstreamSchedulerOptions } from './scheduler.js';
export { Upstream, type UpstreamOptions, type UpstreamStatus } from './upstream.js';
