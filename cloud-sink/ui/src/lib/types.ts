/**
 * The HQ API's shapes the pages read: the Static types of the route schemas in
 * protocols/hq-api.ts, which cloud-sink/api.ts and cloud-sink/auth.ts declare. Type-only.
 */

export type { About, HqStoreInfo, HqUser, Ranking, RankingEntry, StoreFunnel } from '../../../../protocols/hq-api.js';
export type { FunnelBucket, FunnelMetrics } from '../../../../protocols/http-api.js';
