/**
 * Like-for-like comparison periods for the funnel (docs/decisions.md "Comparisons").
 *
 * One rule everywhere: a day is compared with the same weekday a week earlier (the
 * Overview's rule, since weekdays differ more than weeks do), a week with the week before,
 * a month with the same days of the month before, any other range with the same number of
 * days just before it; "last year" (同比) goes back 52 weeks for days and weeks (weekdays
 * line up) and a calendar year for months. A period that is still running is compared up
 * to the same day and time of day: Dec 1–3 until 14:07 against Nov 1–3 until 14:07.
 */

import type { StoreCalendar } from '../../infra/time/index.js';
import { addCounters, type BucketCounters, type BucketStore, emptyCounters } from '../../pipeline/derive/buckets.js';
import { type FunnelMetrics, toMetrics } from './funnel.js';

export const COMPARISONS = ['previous', 'lastYear'] as const;
export type Comparison = (typeof COMPARISONS)[number];
export type PeriodShape = 'day' | 'week' | 'month' | 'range';

/** How a comparison period was chosen, for the screen to state it. */
export type CompareRule =
  | 'sameWeekdayLastWeek'
  | 'previousWeek'
  | 'previousMonth'
  | 'previousDays'
  | 'sameWeekdayLastYear'
  | 'sameMonthLastYear';

export interface ComparisonResult {
  readonly rule: CompareRule;
  /** First local day of the comparison period, 'YYYY-MM-DD'. */
  readonly fromDay: string;
  /** Last local day of the comparison period (inclusive). */
  readonly toDay: string;
  readonly from: string;
  /** Exclusive end: the day after toDay, or the cut-off time when the current period is still running. */
  readonly to: string;
  readonly totals: FunnelMetrics;
}

export interface ComparePlan {
  readonly shape: PeriodShape;
  /** The running period's cut-off ("as of" this instant), or null for a finished period. */
  readonly asOf: number | null;
  readonly comparisons: ReadonlyMap<Comparison, Shift>;
}

interface Shift {
  readonly rule: CompareRule;
  /** The comparison day for a day of the current period; null when it has none (Feb 30). */
  strict(day: string): string | null;
  /** The same, clamped to the month's end (for range ends). */
  clamped(day: string): string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayParts(day: string): { y: number; m: number; d: number } {
  const match = DAY.exec(day);
  if (!match) throw new RangeError(`not a day: ${day}`);
  return { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

function monthShift(n: number, clamp: boolean) {
  return (day: string): string | null => {
    const { y, m, d } = dayParts(day);
    const index = y * 12 + (m - 1) + n;
    const ty = Math.floor(index / 12);
    const tm = (index % 12) + 1;
    const last = daysInMonth(ty, tm);
    if (d > last && !clamp) return null;
    return `${ty}-${pad(tm)}-${pad(Math.min(d, last))}`;
  };
}

function dayShift(calendar: StoreCalendar, n: number, rule: CompareRule): Shift {
  return { rule, strict: (day) => calendar.addDays(day, n), clamped: (day) => calendar.addDays(day, n) };
}

function byMonths(n: number, rule: CompareRule): Shift {
  const strict = monthShift(n, false);
  const clamped = monthShift(n, true);
  return { rule, strict, clamped: (day) => clamped(day) as string };
}

/** What kind of period from..to (local days, inclusive) is. */
export function periodShape(fromDay: string, toDay: string): PeriodShape {
  if (fromDay === toDay) return 'day';
  const length = daysBetween(fromDay, toDay) + 1;
  const from = dayParts(fromDay);
  if (length === 7 && new Date(Date.UTC(from.y, from.m - 1, from.d)).getUTCDay() === 1) return 'week';
  const to = dayParts(toDay);
  if (from.d === 1 && to.y === from.y && to.m === from.m && to.d === daysInMonth(to.y, to.m)) return 'month';
  return 'range';
}

export function planComparisons(
  calendar: StoreCalendar,
  fromDay: string,
  toDay: string,
  wanted: readonly Comparison[],
  now: number,
): ComparePlan {
  const shape = periodShape(fromDay, toDay);
  const end = calendar.nextDayStart(calendar.startOfLocalDay(toDay));
  const start = calendar.startOfLocalDay(fromDay);
  const asOf = now >= start && now < end ? now : null;
  const comparisons = new Map<Comparison, Shift>();
  for (const kind of wanted) {
    if (kind === 'previous') {
      if (shape === 'day') comparisons.set(kind, dayShift(calendar, -7, 'sameWeekdayLastWeek'));
      else if (shape === 'week') comparisons.set(kind, dayShift(calendar, -7, 'previousWeek'));
      else if (shape === 'month') comparisons.set(kind, byMonths(-1, 'previousMonth'));
      else comparisons.set(kind, dayShift(calendar, -(daysBetween(fromDay, toDay) + 1), 'previousDays'));
    } else if (shape === 'month') {
      comparisons.set(kind, byMonths(-12, 'sameMonthLastYear'));
    } else {
      comparisons.set(kind, dayShift(calendar, -364, 'sameWeekdayLastYear'));
    }
  }
  return { shape, asOf, comparisons };
}

/** The same local wall time on the shifted day (seconds kept). */
function shiftInstant(calendar: StoreCalendar, ts: number, day: string): number {
  const p = calendar.localParts(ts);
  return calendar.openingTs(day, `${pad(p.hour)}:${pad(p.minute)}`) + p.second * 1000 + p.millisecond;
}

function sumCounters(buckets: BucketStore, from: number, to: number): BucketCounters {
  if (to <= from) return emptyCounters();
  const total = emptyCounters();
  addCounters(total, buckets.sum(from, to));
  return total;
}

/**
 * The comparison period's totals. A running period is cut at the same time of day, and
 * the 15-minute bucket holding that time counts (as GET /live does for last week).
 */
export function comparisonTotals(
  calendar: StoreCalendar,
  buckets: BucketStore,
  plan: ComparePlan,
  kind: Comparison,
  fromDay: string,
  toDay: string,
): ComparisonResult | undefined {
  const shift = plan.comparisons.get(kind);
  if (!shift) return undefined;
  const compFromDay = shift.clamped(fromDay);
  const from = calendar.startOfLocalDay(compFromDay);
  let to: number;
  let compToDay: string;
  if (plan.asOf !== null) {
    compToDay = shift.clamped(calendar.localDay(plan.asOf));
    to = shiftInstant(calendar, plan.asOf, compToDay) + 1;
  } else {
    compToDay = shift.clamped(toDay);
    to = calendar.nextDayStart(calendar.startOfLocalDay(compToDay));
  }
  return {
    rule: shift.rule,
    fromDay: compFromDay,
    toDay: compToDay,
    from: calendar.format(from),
    to: calendar.format(to),
    totals: toMetrics(sumCounters(buckets, from, to)),
  };
}

/**
 * The comparison figures for one row of a breakdown (an hour, a day): the same period
 * shifted, cut where the comparison period is cut. Undefined when it has no counterpart.
 */
export function comparisonRow(
  calendar: StoreCalendar,
  buckets: BucketStore,
  plan: ComparePlan,
  kind: Comparison,
  rowStart: number,
  rowEnd: number,
  cutoff: number | null,
): { start: number; metrics: FunnelMetrics } | undefined {
  const shift = plan.comparisons.get(kind);
  if (!shift) return undefined;
  const startDay = shift.strict(calendar.localDay(rowStart));
  if (startDay === null) return undefined;
  const start = shiftInstant(calendar, rowStart, startDay);
  // The end is the next row's start shifted (a month row ends on the 1st of the next month).
  const endDay = shift.clamped(calendar.localDay(rowEnd));
  let end = shiftInstant(calendar, rowEnd, endDay);
  if (cutoff !== null) end = Math.min(end, cutoff);
  if (end <= start) return undefined;
  return { start, metrics: toMetrics(sumCounters(buckets, start, end)) };
}
