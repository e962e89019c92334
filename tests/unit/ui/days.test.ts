/** Report periods: calendar arithmetic on store-local days (the API resolves the zone). */
import { describe, expect, it } from 'vitest';
import { createStoreCalendar } from '../../../gateway/infra/time/index.js';
import { addMonths, lastYearPeriod, periodOf, previousPeriod, weekStart } from '../../../ui-shared/days.js';

describe('report periods', () => {
  it('weeks start on Monday (ISO), also across a year end', () => {
    expect(weekStart('2026-11-23')).toBe('2026-11-23'); // a Monday
    expect(weekStart('2026-11-29')).toBe('2026-11-23'); // Sunday
    expect(weekStart('2027-01-01')).toBe('2026-12-28');
    expect(periodOf('week', '2026-11-25')).toEqual({ from: '2026-11-23', to: '2026-11-29' });
  });

  it('months have their real length, leap years included', () => {
    expect(periodOf('month', '2028-02-10')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(periodOf('month', '2026-02-10')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
  });

  it('compares with the previous period and with the same weekday a year earlier', () => {
    const day = periodOf('day', '2026-11-23');
    expect(previousPeriod('day', day)).toEqual({ from: '2026-11-22', to: '2026-11-22' });
    // 52 weeks back: a Monday is compared with a Monday.
    expect(lastYearPeriod('day', day)).toEqual({ from: '2025-11-24', to: '2025-11-24' });
    expect(new Date('2025-11-24T00:00:00Z').getUTCDay()).toBe(1);
    const month = periodOf('month', '2026-03-15');
    expect(previousPeriod('month', month)).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(lastYearPeriod('month', month)).toEqual({ from: '2025-03-01', to: '2025-03-31' });
  });

  it('today (GET /store) is the store-local date, not the browser’s', () => {
    // 2026-11-23 20:00 UTC is already the 24th in Shanghai.
    const ts = Date.parse('2026-11-23T20:00:00Z');
    expect(createStoreCalendar('Asia/Shanghai').localDay(ts)).toBe('2026-11-24');
    expect(createStoreCalendar('America/New_York').localDay(ts)).toBe('2026-11-23');
  });
});
