/**
 * HQ funnel views: the store's shapes (gateway views/funnel.ts) computed from the 15-minute
 * rows HQ received. The figures (rates, ATV, UPT, dwell) come from protocols/funnel.ts, the
 * code the store runs too; periods from the store's calendar (common/calendar.ts).
 * (cloud-sink imports nothing from gateway/.)
 */
import {
  addCounters,
  emptyCounters,
  type FunnelBucket,
  type FunnelCounters,
  type FunnelMetrics,
  ratio,
  toMetrics,
} from '../protocols/funnel.js';
import type { Granularity, ZoneCalendar } from './calendar.js';
import type { FunnelRow } from './db/index.js';
import { BadRequestError } from './errors.js';

export type { FunnelBucket, FunnelMetrics };
export { addCounters, emptyCounters, ratio, toMetrics };

export interface FunnelSeries {
  readonly buckets: FunnelBucket[];
  readonly totals: FunnelMetrics;
}

export const MAX_PERIODS = 5000;

/** Period starts from the one holding `from` up to `to` (exclusive), plus the end of the last. */
export function periods(calendar: ZoneCalendar, from: number, to: number, granularity: Granularity): number[] {
  const starts: number[] = [];
  let start = calendar.periodStart(from, granularity);
  while (start < to) {
    starts.push(start);
    if (starts.length > MAX_PERIODS) {
      throw new BadRequestError(
        `more than ${MAX_PERIODS} ${granularity} periods: choose a coarser granularity`,
        'RANGE_TOO_LARGE',
      );
    }
    start = calendar.nextPeriodStart(start, granularity);
  }
  starts.push(start);
  return starts;
}

/** Index of the period holding ts (bounds[i] ≤ ts < bounds[i+1]), or -1. */
function periodIndex(bounds: readonly number[], ts: number): number {
  let lo = 0;
  let hi = bounds.length - 2;
  if (hi < 0 || ts < (bounds[0] as number) || ts >= (bounds[bounds.length - 1] as number)) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((bounds[mid] as number) <= ts) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Sums rows into per-group period series; `groupOf` returns the group key of a row. */
export function aggregate(
  rows: readonly FunnelRow[],
  bounds: readonly number[],
  calendar: ZoneCalendar,
  groupOf: (row: FunnelRow) => string,
): Map<string, FunnelSeries & { counters: FunnelCounters }> {
  const groups = new Map<string, { periods: FunnelCounters[]; totals: FunnelCounters }>();
  for (const row of rows) {
    const i = periodIndex(bounds, row.bucketStart);
    if (i < 0) continue;
    const key = groupOf(row);
    let group = groups.get(key);
    if (!group) {
      group = { periods: bounds.slice(0, -1).map(() => emptyCounters()), totals: emptyCounters() };
      groups.set(key, group);
    }
    addCounters(group.periods[i] as FunnelCounters, row);
    addCounters(group.totals, row);
  }
  const out = new Map<string, FunnelSeries & { counters: FunnelCounters }>();
  for (const [key, group] of groups) {
    out.set(key, { ...series(group.periods, group.totals, bounds, calendar), counters: group.totals });
  }
  return out;
}

export function series(
  periodCounters: readonly FunnelCounters[],
  totals: FunnelCounters,
  bounds: readonly number[],
  calendar: ZoneCalendar,
): FunnelSeries {
  return {
    buckets: periodCounters.map((c, i) => ({
      start: calendar.format(bounds[i] as number),
      end: calendar.format(bounds[i + 1] as number),
      ...toMetrics(c),
    })),
    totals: toMetrics(totals),
  };
}

/** An empty series over the bounds (a store or group with no rows in range). */
export function emptySeries(bounds: readonly number[], calendar: ZoneCalendar): FunnelSeries {
  return series(
    bounds.slice(0, -1).map(() => emptyCounters()),
    emptyCounters(),
    bounds,
    calendar,
  );
}

export type { Granularity };
