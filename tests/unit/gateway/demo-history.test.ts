/** The demo's history plan and clock: which days it backfills, and a clock that never outruns its input. */
import { describe, expect, it } from 'vitest';
import { variedDayOptions } from '../../../firmware-sim/index.js';
import { DemoClock } from '../../../gateway/demo-clock.js';
import { planHistory } from '../../../gateway/demo-history.js';
import { createStoreCalendar } from '../../../gateway/infra/time/index.js';

const calendar = createStoreCalendar('Asia/Shanghai');

describe('planHistory', () => {
  it('covers what the day, week and month views compare a Thursday early in the month with', () => {
    const plan = planHistory(calendar, '2026-12-03');
    expect(plan.views).toEqual(['day', 'week', 'month']);
    expect(plan.days).toEqual([
      // 52 weeks back: the week Mon 1 – Thu 4 Dec 2025 (day and week views), and Dec 1–3 2025 (month view).
      '2025-12-01',
      '2025-12-02',
      '2025-12-03',
      '2025-12-04',
      // The month before, up to the same day of the month.
      '2026-11-01',
      '2026-11-02',
      '2026-11-03',
      // The week before, Monday to the same weekday (the last one is the Overview's "last week").
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
      // This week and month so far.
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
    ]);
  });

  it('leaves the month view out when its days do not fit, never half of it', () => {
    const plan = planHistory(calendar, '2026-12-14');
    expect(plan.views).toEqual(['day', 'week']);
    expect(plan.days).toEqual(['2025-12-15', '2026-12-07']);
    expect(planHistory(calendar, '2026-12-13').days.length).toBeLessThanOrEqual(40);
    expect(planHistory(calendar, '2026-12-14', 100).views).toEqual(['day', 'week', 'month']);
  });
});

describe('variedDayOptions', () => {
  it('gives every day its own volume, the same for the same seed and date', () => {
    const days = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29'];
    const visitors = days.map((date) => variedDayOptions({ seed: 1, date }).visitors);
    expect(new Set(visitors).size).toBe(days.length);
    expect(variedDayOptions({ seed: 1, date: '2026-11-28' })).toEqual(
      variedDayOptions({ seed: 1, date: '2026-11-28' }),
    );
    expect(variedDayOptions({ seed: 2, date: '2026-11-28' })).not.toEqual(
      variedDayOptions({ seed: 1, date: '2026-11-28' }),
    );
  });
});

describe('DemoClock', () => {
  it('runs at the speed but never past the newest device time received, then at wall speed', () => {
    let wall = 1_000;
    const start = Date.parse('2026-12-03T01:00:00Z');
    const clock = new DemoClock(start, () => wall);
    expect(clock.now()).toBe(start);
    clock.anchor({ wall, scenario: start, speed: 10_000 });
    wall += 100; // 1,000 s due, but nothing received yet: the clock waits for the input
    expect(clock.now()).toBe(start);
    clock.observe(start + 30_000);
    expect(clock.now()).toBe(start + 30_000);
    clock.observe(start + 5_000_000); // a message ahead of its time does not pull the clock ahead
    expect(clock.now()).toBe(start + 1_000_000);
    clock.release(15 * 60_000);
    expect(clock.now()).toBe(start + 1_000_000 + 15 * 60_000);
    wall += 2_000;
    expect(clock.now()).toBe(start + 1_000_000 + 15 * 60_000 + 2_000);
  });
});
