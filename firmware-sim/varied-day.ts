/**
 * How busy a simulated store day is, so that a run of days looks like a real store's: the
 * weekday pattern, "weather" (a quiet rainy day, a busy sunny one), a slow upward trend
 * year on year, and day-to-day drift in how many visitors try on and buy. A pure function
 * of (seed, date): a date is the same day whichever day the demo runs, so today's "last
 * week" is the day a run a week ago played as "today".
 */
import { Rng } from './prng.js';
import type { StoreDayOptions } from './scenario.js';

/** Visitors on a Thursday with ordinary weather, at the trend's reference date. */
const BASE_VISITORS = 1800;
/** Sunday … Saturday, relative to an ordinary weekday. */
const WEEKDAY_FACTOR = [1.2, 0.85, 0.9, 0.95, 1, 1.1, 1.3] as const;
/** Traffic grows this much a year (so 同比 shows a change, not a copy). */
const YEARLY_GROWTH = 0.06;
const TREND_REFERENCE = Date.UTC(2026, 0, 1);
const YEAR_MS = 365.25 * 86_400_000;

export interface VariedDayOptions {
  readonly seed: number;
  /** Store-local date, `YYYY-MM-DD`. */
  readonly date: string;
  /** Scales the visitors (and with them everything they do); 1 = a full store. */
  readonly traffic?: number;
}

/** Options for `generateStoreDay` that vary from day to day like a real store's. */
export function variedDayOptions(options: VariedDayOptions): StoreDayOptions {
  const rng = new Rng(`${options.seed}/${options.date}/volume`);
  const noon = Date.parse(`${options.date}T12:00:00Z`);
  if (Number.isNaN(noon)) throw new RangeError(`date must be YYYY-MM-DD: ${JSON.stringify(options.date)}`);
  const weekday = WEEKDAY_FACTOR[new Date(noon).getUTCDay()] ?? 1;
  const trend = (1 + YEARLY_GROWTH) ** ((noon - TREND_REFERENCE) / YEAR_MS);
  // One day in six is wet (fewer people walk by, fewer come in); the rest drift ±10 %.
  const wet = rng.chance(1 / 6);
  const weather = wet ? rng.between(0.65, 0.85) : rng.between(0.9, 1.1);
  const traffic = options.traffic ?? 1;
  const visitors = Math.max(20, Math.round(BASE_VISITORS * weekday * trend * weather * traffic));
  return {
    seed: options.seed,
    date: options.date,
    visitors,
    // Rain keeps the passers-by down more than the visitors (people who come, come anyway).
    passersPerVisitor: Math.round(rng.between(4.5, 6) * (wet ? 0.85 : 1) * 100) / 100,
    tryOnRate: Math.round(rng.between(0.17, 0.23) * 1000) / 1000,
    conversionRate: Math.round(rng.between(0.14, 0.2) * 1000) / 1000,
    // VIPs come when they come: not in step with the crowd.
    vipVisits: Math.min(24, Math.floor(visitors / 60), rng.int(14, 24)),
  };
}
