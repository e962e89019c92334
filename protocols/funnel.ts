/**
 * The funnel as the HTTP APIs answer it (DESIGN "HTTP API" and "Definitions"): the store's
 * `GET /api/v1/funnel` and `/live`, HQ's `/api/v1/funnel`, and the dashboard all speak this
 * shape, and both sides compute it here from the same counters, so a bucket shows the same
 * figures in the store and at HQ.
 *
 * Arithmetic: money is integer cents throughout; a figure that must be rounded (ATV, UPT,
 * dwell) is an exact integer division rounded half away from zero (0.5 → 1, −0.5 → −1,
 * the usual commercial rule, symmetric for refunds) and only then divided by 100 (or 10),
 * so it prints as that decimal. Rates with a zero denominator are null, never NaN or
 * Infinity. Pure: no I/O.
 */

/** Funnel counters of one bucket or period, as the upstream funnel message carries them. */
export interface FunnelCounters {
  passersBy: number;
  visitors: number;
  tryOnSessions: number;
  itemsTried: number;
  transactions: number;
  units: number;
  /** Revenue in integer cents of the store currency (refunds subtract). */
  revenueCents: number;
  triedBought: number;
  exits: number;
  /** Occupancy × time (person·ms), for estimated dwell. */
  personMs: number;
}

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
  /** visitors ÷ passers-by (进店率). */
  readonly captureRate: number | null;
  /** sessions ÷ visitors (试穿率). */
  readonly tryOnRate: number | null;
  /** transactions ÷ visitors (成交率). */
  readonly conversionRate: number | null;
  /** revenue ÷ transactions (客单价), rounded half away from zero to cents. */
  readonly atv: number | null;
  /** units ÷ transactions (连带率), rounded half away from zero to 2 decimals. */
  readonly upt: number | null;
  /** Little's law: average occupancy ÷ arrival rate = Σ person·time ÷ Σ visitors, in minutes (1 decimal). */
  readonly estimatedDwellMinutes: number | null;
}

/** One period: RFC 3339 start (inclusive) and end (exclusive) with the store's UTC offset. */
export interface FunnelBucket extends FunnelMetrics {
  readonly start: string;
  readonly end: string;
}

export function emptyCounters(): FunnelCounters {
  return {
    passersBy: 0,
    visitors: 0,
    tryOnSessions: 0,
    itemsTried: 0,
    transactions: 0,
    units: 0,
    revenueCents: 0,
    triedBought: 0,
    exits: 0,
    personMs: 0,
  };
}

export function addCounters(into: FunnelCounters, add: Readonly<FunnelCounters>): FunnelCounters {
  into.passersBy += add.passersBy;
  into.visitors += add.visitors;
  into.tryOnSessions += add.tryOnSessions;
  into.itemsTried += add.itemsTried;
  into.transactions += add.transactions;
  into.units += add.units;
  into.revenueCents += add.revenueCents;
  into.triedBought += add.triedBought;
  into.exits += add.exits;
  into.personMs += add.personMs;
  return into;
}

/**
 * A money amount (a decimal number in the store currency) in integer cents, rounded half
 * away from zero as the decimal it was written as: the binary noise of `1.005` or of
 * `100.105 * 100` is dropped (15 significant digits) before rounding.
 */
export function toCents(amount: number): number {
  const raw = Math.abs(amount) * 100;
  // Below 1e15 cents a double has more than 15 exact digits, so this only removes noise.
  const cents = Math.round(raw < 1e15 ? Number(raw.toPrecision(15)) : raw);
  return amount < 0 && cents !== 0 ? -cents : cents;
}

/**
 * numerator ÷ denominator for integers, rounded half away from zero, computed exactly
 * (remainder arithmetic, no float quotient). The denominator must be a positive integer.
 */
export function divRound(numerator: number, denominator: number): number {
  const n = Math.abs(numerator);
  const remainder = n % denominator;
  const quotient = (n - remainder) / denominator;
  const rounded = 2 * remainder >= denominator ? quotient + 1 : quotient;
  return numerator < 0 ? -rounded : rounded;
}

/** numerator ÷ denominator, or null when the denominator is 0 (never NaN or Infinity). */
export function ratio(numerator: number, denominator: number): number | null {
  if (denominator === 0 || !Number.isFinite(numerator) || !Number.isFinite(denominator)) return null;
  return numerator / denominator;
}

/** ATV (客单价): revenue ÷ transactions in currency units, rounded to cents; null without transactions. */
export function atvOf(revenueCents: number, transactions: number): number | null {
  return transactions > 0 ? divRound(Math.round(revenueCents), transactions) / 100 : null;
}

/** UPT (连带率): units ÷ transactions rounded to 2 decimals; null without transactions. */
export function uptOf(units: number, transactions: number): number | null {
  return transactions > 0 ? divRound(Math.round(units) * 100, transactions) / 100 : null;
}

/** Estimated dwell in minutes rounded to 1 decimal: person·ms ÷ visitors; null without visitors. */
export function dwellMinutesOf(personMs: number, visitors: number): number | null {
  return visitors > 0 ? divRound(Math.round(personMs), visitors * 6_000) / 10 : null;
}

/** Counters → the figures the APIs answer (DESIGN "Definitions"). */
export function toMetrics(c: Readonly<FunnelCounters>): FunnelMetrics {
  return {
    passersBy: c.passersBy,
    visitors: c.visitors,
    tryOnSessions: c.tryOnSessions,
    itemsTried: c.itemsTried,
    transactions: c.transactions,
    units: c.units,
    revenue: c.revenueCents / 100,
    triedBought: c.triedBought,
    exits: c.exits,
    captureRate: ratio(c.visitors, c.passersBy),
    tryOnRate: ratio(c.tryOnSessions, c.visitors),
    conversionRate: ratio(c.transactions, c.visitors),
    atv: atvOf(c.revenueCents, c.transactions),
    upt: uptOf(c.units, c.transactions),
    estimatedDwellMinutes: dwellMinutesOf(c.personMs, c.visitors),
  };
}
