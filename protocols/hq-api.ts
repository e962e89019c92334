/**
 * HQ's HTTP contract (cloud-sink `/api/v1`): query strings, path parameters and the answers
 * the HQ dashboard reads. cloud-sink/api.ts and cloud-sink/auth.ts declare these schemas on
 * their routes; cloud-sink/ui imports the Static types. Same rules as the store's contract
 * (http-api.ts): query values stay strings for the parse functions to judge, objects are open.
 */
import { type Static, Type } from 'typebox';
import { FunnelBucket, FunnelMetrics, List, Nullable, QueryValue } from './http-api.js';

// --- requests ------------------------------------------------------------------------------

export const LimitQuery = Type.Object({ limit: QueryValue });
export const StoreFunnelQuery = Type.Object({ from: QueryValue, to: QueryValue, granularity: QueryValue });
/** Cross-store views: `groupBy=store|region`, `region` filters, `tz` is the view's zone (default HQ's). */
export const CrossStoreQuery = Type.Object({
  ...StoreFunnelQuery.properties,
  groupBy: QueryValue,
  region: QueryValue,
  tz: QueryValue,
});
/** Per store, by day: `groupBy` and `granularity` are not the caller's to choose (and are ignored). */
export const RankingQuery = Type.Object({
  from: QueryValue,
  to: QueryValue,
  region: QueryValue,
  tz: QueryValue,
  metric: QueryValue,
  /** asc | desc */
  order: QueryValue,
  limit: QueryValue,
});
export const HqCsvQuery = Type.Object({ ...CrossStoreQuery.properties, lang: QueryValue });
export const StoreParams = Type.Object({ id: Type.String() });
export const UserParams = Type.Object({ name: Type.String() });

// --- answers -------------------------------------------------------------------------------

export const About = Type.Object({
  /** HQ's zone, today there ('YYYY-MM-DD') and the server's time: the dashboard judges by these. */
  timezone: Type.String(),
  today: Type.String(),
  now: Type.String(),
});

export const HqStoreInfo = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  region: Type.String(),
  timezone: Nullable(Type.String()),
  currency: Nullable(Type.String()),
  lastSeen: Nullable(Type.String()),
  online: Type.Boolean(),
});
export const HqStores = Type.Object({ stores: List(HqStoreInfo) });

export const StoreFunnel = Type.Object({
  store: Type.String(),
  timezone: Type.String(),
  from: Type.String(),
  to: Type.String(),
  granularity: Type.String(),
  buckets: List(FunnelBucket),
  totals: FunnelMetrics,
  vip: Type.Object({ arrivals: Type.Number() }),
});

export const RankingEntry = Type.Object({
  rank: Type.Number(),
  store: Type.String(),
  name: Nullable(Type.String()),
  region: Type.String(),
  value: Nullable(Type.Number()),
  totals: FunnelMetrics,
});
export const Ranking = Type.Object({
  timezone: Type.String(),
  metric: Type.String(),
  ranking: List(RankingEntry),
});

export const HqUser = Type.Object({
  name: Type.String(),
  role: Type.Union([Type.Literal('analyst'), Type.Literal('admin')]),
  mustChange: Type.Boolean(),
});
export const HqMe = Type.Object({ user: Nullable(HqUser) });
export const HqUsers = Type.Object({ users: List(HqUser) });

// --- the Static types the HQ dashboard imports -------------------------------------------------

export type About = Static<typeof About>;
export type HqStoreInfo = Static<typeof HqStoreInfo>;
export type StoreFunnel = Static<typeof StoreFunnel>;
export type RankingEntry = Static<typeof RankingEntry>;
export type Ranking = Static<typeof Ranking>;
export type HqUser = Static<typeof HqUser>;
