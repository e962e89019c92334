// Public surface of gateway/pipeline/correlate: the pure correlation core (no I/O, no clock).
export {
  addCounters,
  bucketDelta,
  countFact,
  emptyCounters,
  FunnelAggregator,
  type FunnelCounters,
  type FunnelRates,
  funnelMetrics,
  funnelRates,
  ratio,
  revenueOf,
  toCents,
  wireCounters,
} from './aggregate.js';
export {
  CORRELATION_DEFAULTS,
  type CorrelationConfig,
  correlationConfig,
  type ZoneConfig,
  type ZoneKind,
} from './config.js';
export {
  Correlator,
  type CorrelatorInput,
  type CorrelatorSnapshot,
  type VipInStore,
} from './correlator.js';
export type * from './facts.js';
export type { Invitation } from './invitations.js';
export { type CorrelatorLookups, gtin14, type MemberInfo, type ProductInfo } from './lookups.js';
export type { RoomInUse } from './rooms.js';
export { SnapshotError } from './snapshot-util.js';
