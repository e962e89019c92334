/**
 * The funnel as the HTTP APIs answer it (DESIGN "HTTP API"): the store's
 * `GET /api/v1/funnel` and `/live`, HQ's `/api/v1/funnel`, and the dashboard all speak this
 * shape. Rates with a zero denominator are null, never NaN or Infinity.
 */
export interface FunnelMetrics {
  readonly passersBy: number;
  readonly visitors: number;
  readonly tryOnSessions: number;
  readonly itemsTried: number;
  readonly transactions: number;
  readonly units: number;
  /** In the store currency, as a decimal number. */
  readonly revenue: number;
  readonly triedBought: number;
  readonly exits: number;
  readonly captureRate: number | null;
  readonly tryOnRate: number | null;
  readonly conversionRate: number | null;
  readonly atv: number | null;
  readonly upt: number | null;
  /** Little's law: average occupancy ÷ arrival rate = Σ person·time ÷ Σ visitors, in minutes. */
  readonly estimatedDwellMinutes: number | null;
}

/** One period: RFC 3339 start (inclusive) and end (exclusive) with the store's UTC offset. */
export interface FunnelBucket extends FunnelMetrics {
  readonly start: string;
  readonly end: string;
}
