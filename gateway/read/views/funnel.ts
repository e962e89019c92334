/**
 * The funnel as DESIGN defines it, per period (15m/hour/day/week/month in store-local
 * time), summed from the 15-minute buckets. Rates with a zero denominator are null.
 */

import { GRANULARITIES, type Granularity } from '../../../common/calendar.js';
import type { FunnelBucket, FunnelMetrics } from '../../../protocols/funnel.js';
import { funnelMetrics } from '../../pipeline/correlate/index.js';
import { addCounters, type BucketCounters, type BucketStore, emptyCounters } from '../../pipeline/derive/buckets.js';

export { GRANULARITIES, type Granularity };

/** Store-local period arithmetic (the views need only this much of the calendar). */
export interface PeriodCalendar {
  periodStart(ts: number, granularity: Granularity): number;
  nextPeriodStart(start: number, granularity: Granularity): number;
  /** RFC 3339 with the store's UTC offset at that instant, e.g. 2026-11-23T10:00:00+08:00. */
  format(ts: number): string;
}

export type { FunnelBucket, FunnelMetrics };

export interface FunnelResult {
  readonly from: string;
  readonly to: string;
  readonly granularity: Granularity;
  readonly buckets: FunnelBucket[];
  readonly totals: FunnelMetrics;
}

export class RangeTooLargeError extends Error {
  override readonly name = 'RangeTooLargeError';
  readonly code = 'RANGE_TOO_LARGE';
}

export const MAX_PERIODS = 5000;

/** The DESIGN figures of a bucket or period: protocols/funnel.ts, the same code HQ runs. */
export function toMetrics(c: Readonly<BucketCounters>): FunnelMetrics {
  return funnelMetrics(c);
}

/** Every period from the one holding `from` up to `to` (exclusive), empty ones included. */
export function queryFunnel(
  store: BucketStore,
  calendar: PeriodCalendar,
  from: number,
  to: number,
  granularity: Granularity,
): FunnelResult {
  const periods: { start: number; end: number; counters: BucketCounters }[] = [];
  let start = calendar.periodStart(from, granularity);
  while (start < to) {
    const end = calendar.nextPeriodStart(start, granularity);
    periods.push({ start, end, counters: emptyCounters() });
    if (periods.length > MAX_PERIODS) {
      throw new RangeTooLargeError(`more than ${MAX_PERIODS} ${granularity} periods: choose a coarser granularity`);
    }
    start = end;
  }
  const totals = emptyCounters();
  const rangeStart = periods[0]?.start ?? from;
  const rangeEnd = periods.at(-1)?.end ?? to;
  if (granularity === '15m') {
    // Few rows per period: walk the rows once.
    let i = 0;
    for (const row of store.range(rangeStart, rangeEnd)) {
      while (i < periods.length && (periods[i] as { end: number }).end <= row.start) i++;
      const period = periods[i];
      if (!period) break;
      addCounters(period.counters, row);
      addCounters(totals, row);
    }
  } else {
    // Long periods (a year by day is 35,040 buckets): let SQLite sum each one on its index.
    for (const period of periods) {
      period.counters = store.sum(period.start, period.end);
      addCounters(totals, period.counters);
    }
  }
  return {
    from: calendar.format(rangeStart),
    to: calendar.format(rangeEnd),
    granularity,
    buckets: periods.map((p) => ({
      start: calendar.format(p.start),
      end: calendar.format(p.end),
      ...toMetrics(p.counters),
    })),
    totals: toMetrics(totals),
  };
}
