/** Query-string parsing shared by routes: validate, then trust the type. */
import { GRANULARITIES, type Granularity } from '../views/funnel.js';
import { BadRequestError } from './errors.js';

export interface LocalDays {
  /** Start of the store-local day 'YYYY-MM-DD' as epoch ms. */
  startOfLocalDay(day: string): number;
  /** Start of the store-local day holding ts. */
  dayStart(ts: number): number;
  /** Start of the next store-local day after the one starting at dayStart (23–25 h later). */
  nextDayStart(dayStart: number): number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** An instant from an RFC 3339 time or a store-local day (its start). */
export function parseInstant(value: string, name: string, days: LocalDays): number {
  if (DAY.test(value)) {
    const ts = days.startOfLocalDay(value);
    if (Number.isFinite(ts)) return ts;
  } else if (RFC3339.test(value)) {
    const ts = Date.parse(value);
    if (Number.isFinite(ts)) return ts;
  }
  throw new BadRequestError(`${name} must be an RFC 3339 time or a YYYY-MM-DD day, got ${JSON.stringify(value)}`);
}

/**
 * from/to with defaults: `from` defaults to the start of today (store-local), `to` to the
 * end of the day holding `from`. A `to` given as a day means the end of that day.
 */
export function parseRange(
  query: { from?: unknown; to?: unknown },
  now: number,
  days: LocalDays,
): { from: number; to: number } {
  const fromText = optionalString(query.from, 'from');
  const toText = optionalString(query.to, 'to');
  const from = fromText === undefined ? days.dayStart(now) : parseInstant(fromText, 'from', days);
  let to: number;
  if (toText === undefined) to = days.nextDayStart(days.dayStart(from));
  else if (DAY.test(toText)) to = days.nextDayStart(parseInstant(toText, 'to', days));
  else to = parseInstant(toText, 'to', days);
  if (to <= from) throw new BadRequestError('to must be after from');
  return { from, to };
}

export function parseGranularity(value: unknown, fallback: Granularity = '15m'): Granularity {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (GRANULARITIES as readonly string[]).includes(value)) return value as Granularity;
  throw new BadRequestError(`granularity must be one of ${GRANULARITIES.join(', ')}`);
}

export function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new BadRequestError(`${name} must be given once`);
  return value;
}

export function parseLimit(value: unknown, fallback: number, max: number): number {
  const text = optionalString(value, 'limit');
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new BadRequestError(`limit must be an integer from 1 to ${max}`);
  return n;
}
