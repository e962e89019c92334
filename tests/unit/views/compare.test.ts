/** Like-for-like comparison periods: same days, same weekday, cut at the same time of day. */
import { describe, expect, it } from 'vitest';
import { createStoreCalendar } from '../../../gateway/infra/time/index.js';
import type { BucketStore } from '../../../gateway/pipeline/derive/buckets.js';
import { emptyCounters } from '../../../gateway/pipeline/derive/buckets.js';
import { comparisonTotals, periodShape, planComparisons } from '../../../gateway/read/views/compare.js';

const calendar = createStoreCalendar('Asia/Shanghai');
const at = (local: string) => Date.parse(`${local}+08:00`);

/** A bucket store with one visitor in each given 15-minute bucket. */
function store(visits: readonly string[]): BucketStore {
  const starts = visits.map((v) => calendar.bucketStart(at(v)));
  return {
    sum(from: number, to: number) {
      return { ...emptyCounters(), visitors: starts.filter((s) => s >= from && s < to).length };
    },
  } as unknown as BucketStore;
}

describe('comparison periods', () => {
  it('knows a day, an ISO week, a month and any other range', () => {
    expect(periodShape('2026-12-03', '2026-12-03')).toBe('day');
    expect(periodShape('2026-11-30', '2026-12-06')).toBe('week');
    expect(periodShape('2026-12-01', '2026-12-31')).toBe('month');
    expect(periodShape('2026-12-01', '2026-12-03')).toBe('range');
  });

  it('compares a running month with the same days of the month before, to the same time of day', () => {
    const now = at('2026-12-03T14:07:00');
    const buckets = store(['2026-11-01T10:00:00', '2026-11-03T14:00:00', '2026-11-03T15:00:00', '2026-11-20T10:00:00']);
    const plan = planComparisons(calendar, '2026-12-01', '2026-12-31', ['previous', 'lastYear'], now);
    const previous = comparisonTotals(calendar, buckets, plan, 'previous', '2026-12-01', '2026-12-31');
    expect(previous).toMatchObject({ rule: 'previousMonth', fromDay: '2026-11-01', toDay: '2026-11-03' });
    // Nov 1 10:00 and Nov 3 14:00 (the bucket holding 14:07) count; 15:00 and Nov 20 do not.
    expect(previous?.totals.visitors).toBe(2);
    expect(comparisonTotals(calendar, buckets, plan, 'lastYear', '2026-12-01', '2026-12-31')).toMatchObject({
      rule: 'sameMonthLastYear',
      fromDay: '2025-12-01',
      toDay: '2025-12-03',
    });
  });

  it('compares a finished month with the whole month before', () => {
    const plan = planComparisons(calendar, '2026-11-01', '2026-11-30', ['previous'], at('2026-12-03T14:07:00'));
    expect(plan.asOf).toBeNull();
    const r = comparisonTotals(calendar, store([]), plan, 'previous', '2026-11-01', '2026-11-30');
    expect(r).toMatchObject({ fromDay: '2026-10-01', toDay: '2026-10-30' });
  });

  it('compares a day with the same weekday last week (the Overview rule) and a running week to the same weekday', () => {
    const now = at('2026-12-03T14:07:00'); // a Thursday
    const day = planComparisons(calendar, '2026-12-03', '2026-12-03', ['previous', 'lastYear'], now);
    expect(comparisonTotals(calendar, store([]), day, 'previous', '2026-12-03', '2026-12-03')).toMatchObject({
      rule: 'sameWeekdayLastWeek',
      fromDay: '2026-11-26',
      toDay: '2026-11-26',
    });
    expect(comparisonTotals(calendar, store([]), day, 'lastYear', '2026-12-03', '2026-12-03')).toMatchObject({
      fromDay: '2025-12-04',
    });
    const week = planComparisons(calendar, '2026-11-30', '2026-12-06', ['previous'], now);
    const r = comparisonTotals(
      calendar,
      store(['2026-11-26T15:00:00', '2026-11-25T15:00:00']),
      week,
      'previous',
      '2026-11-30',
      '2026-12-06',
    );
    expect(r).toMatchObject({ rule: 'previousWeek', fromDay: '2026-11-23', toDay: '2026-11-26' });
    expect(r?.totals.visitors).toBe(1);
  });
});
