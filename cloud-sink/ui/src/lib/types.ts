/** The HQ API's shapes the pages read (cloud-sink/api.ts, cloud-sink/auth.ts). */
export interface FunnelMetrics {
  readonly passersBy: number;
  readonly visitors: number;
  readonly tryOnSessions: number;
  readonly itemsTried: number;
  readonly transactions: number;
  readonly units: number;
  readonly revenue: number;
  readonly triedBought: number;
  readonly captureRate: number | null;
  readonly tryOnRate: number | null;
  readonly conversionRate: number | null;
  readonly atv: number | null;
  readonly upt: number | null;
}

export interface FunnelBucket extends FunnelMetrics {
  readonly start: string;
  readonly end: string;
}

export interface StoreFunnel {
  readonly store: string;
  readonly timezone: string;
  readonly from: string;
  readonly to: string;
  readonly buckets: FunnelBucket[];
  readonly totals: FunnelMetrics;
  readonly vip: { readonly arrivals: number };
}

export interface HqStoreInfo {
  readonly id: string;
  readonly name: string | null;
  readonly region: string;
  readonly timezone: string | null;
  readonly currency: string | null;
  readonly lastSeen: string | null;
  readonly online: boolean;
}

export interface RankingEntry {
  readonly rank: number;
  readonly store: string;
  readonly name: string | null;
  readonly region: string;
  readonly value: number | null;
  readonly totals: FunnelMetrics;
}

export interface Ranking {
  readonly timezone: string;
  readonly metric: string;
  readonly ranking: RankingEntry[];
}

export interface About {
  readonly timezone: string;
  readonly today: string;
  readonly now: string;
}

export interface HqUser {
  readonly name: string;
  readonly role: 'analyst' | 'admin';
  readonly mustChange: boolean;
}
