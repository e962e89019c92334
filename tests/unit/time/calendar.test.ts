import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUCKET_MS, createStoreCalendar, DAY_MS, HOUR_MS } from '../../../gateway/infra/time/index.js';

const at = (iso: string) => Date.parse(iso);

function bucketsOfDay(timezone: string, day: string): number {
  const c = createStoreCalendar(timezone);
  const from = c.startOfLocalDay(day);
  const to = c.startOfLocalDay(c.addDays(day, 1));
  return [...c.bucketsBetween(from, to)].length;
}

/** Independent oracle: the local wall clock as Intl prints it. */
function wall(timezone: string, ts: number): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(ts);
}

describe('store calendar: DST days', () => {
  it('Europe/Berlin 2026-03-29 has 23 hours: 92 buckets', () => {
    const c = createStoreCalendar('Europe/Berlin');
    expect(bucketsOfDay('Europe/Berlin', '2026-03-29')).toBe(92);
    expect(c.startOfLocalDay('2026-03-30') - c.startOfLocalDay('2026-03-29')).toBe(23 * HOUR_MS);
    expect(c.format(c.startOfLocalDay('2026-03-29'))).toBe('2026-03-29T00:00:00+01:00');
    expect(c.format(c.startOfLocalDay('2026-03-30'))).toBe('2026-03-30T00:00:00+02:00');
  });

  it('Europe/Berlin 2026-10-25 has 25 hours: 100 buckets', () => {
    const c = createStoreCalendar('Europe/Berlin');
    expect(bucketsOfDay('Europe/Berlin', '2026-10-25')).toBe(100);
    expect(c.startOfLocalDay('2026-10-26') - c.startOfLocalDay('2026-10-25')).toBe(25 * HOUR_MS);
  });

  it('ordinary days have 96 buckets', () => {
    expect(bucketsOfDay('Europe/Berlin', '2026-03-28')).toBe(96);
    expect(bucketsOfDay('Asia/Shanghai', '2026-03-29')).toBe(96);
    expect(bucketsOfDay('America/St_Johns', '2026-06-15')).toBe(96);
  });

  it('America/St_Johns (−3:30/−2:30) DST days: 92 and 100 buckets', () => {
    expect(bucketsOfDay('America/St_Johns', '2026-03-08')).toBe(92);
    expect(bucketsOfDay('America/St_Johns', '2026-11-01')).toBe(100);
  });

  it('the repeated hour of a fall-back day gives two distinct buckets per quarter', () => {
    const c = createStoreCalendar('Europe/Berlin');
    const first = at('2026-10-25T00:10:00Z'); // 02:10 CEST
    const second = at('2026-10-25T01:10:00Z'); // 02:10 CET
    expect(c.format(c.bucketStart(first))).toBe('2026-10-25T02:00:00+02:00');
    expect(c.format(c.bucketStart(second))).toBe('2026-10-25T02:00:00+01:00');
    expect(c.bucketStart(second) - c.bucketStart(first)).toBe(HOUR_MS);
    expect(c.hourStart(second) - c.hourStart(first)).toBe(HOUR_MS);
  });

  it('hours of a spring-forward day skip the missing hour', () => {
    const c = createStoreCalendar('Europe/Berlin');
    const day = c.startOfLocalDay('2026-03-29');
    const hours: string[] = [];
    for (let h = day; h < c.nextDayStart(day); h = c.nextPeriodStart(h, 'hour')) hours.push(c.format(h).slice(11, 16));
    expect(hours).toHaveLength(23);
    expect(hours.slice(0, 4)).toEqual(['00:00', '01:00', '03:00', '04:00']);
  });

  it('Australia/Lord_Howe (+11 → +10:30 on 2026-04-05, back on 2026-10-04): half-hour shifts', () => {
    const c = createStoreCalendar('Australia/Lord_Howe');
    const hoursOf = (day: string) => {
      const start = c.startOfLocalDay(day);
      const hours: string[] = [];
      for (let h = start; h < c.nextDayStart(start); h = c.nextPeriodStart(h, 'hour')) hours.push(c.format(h));
      return { length: (c.nextDayStart(start) - start) / HOUR_MS, hours };
    };
    // 02:00 +11:00 falls back to 01:30 +10:30: 24.5 hours, 98 buckets; the repeated half
    // hour is an hour period of its own, starting at the transition.
    const autumn = hoursOf('2026-04-05');
    expect(autumn.length).toBe(24.5);
    expect(bucketsOfDay('Australia/Lord_Howe', '2026-04-05')).toBe(98);
    expect(autumn.hours.slice(0, 5)).toEqual([
      '2026-04-05T00:00:00+11:00',
      '2026-04-05T01:00:00+11:00',
      '2026-04-05T01:30:00+10:30',
      '2026-04-05T02:00:00+10:30',
      '2026-04-05T03:00:00+10:30',
    ]);
    expect(c.format(c.hourStart(at('2026-04-04T15:10:00Z')))).toBe('2026-04-05T01:30:00+10:30');
    expect(c.format(c.bucketStart(at('2026-04-04T15:10:00Z')))).toBe('2026-04-05T01:30:00+10:30');
    // 02:00 +10:30 springs forward to 02:30 +11:00: 23.5 hours, 94 buckets; hour 02 is 30 minutes.
    const spring = hoursOf('2026-10-04');
    expect(spring.length).toBe(23.5);
    expect(bucketsOfDay('Australia/Lord_Howe', '2026-10-04')).toBe(94);
    expect(spring.hours.slice(0, 4)).toEqual([
      '2026-10-04T00:00:00+10:30',
      '2026-10-04T01:00:00+10:30',
      '2026-10-04T02:30:00+11:00',
      '2026-10-04T03:00:00+11:00',
    ]);
  });

  it('opening time: skipped by DST moves forward; repeated by DST takes the first', () => {
    const c = createStoreCalendar('Europe/Berlin');
    expect(c.format(c.openingTs('2026-03-29', '02:30'))).toBe('2026-03-29T03:30:00+02:00');
    expect(c.format(c.openingTs('2026-10-25', '02:30'))).toBe('2026-10-25T02:30:00+02:00');
    expect(c.format(c.openingTs('2026-10-25', '09:30'))).toBe('2026-10-25T09:30:00+01:00');
  });
});

describe('store calendar: offsets that are not whole hours', () => {
  it('America/St_Johns buckets align on local quarter hours', () => {
    const c = createStoreCalendar('America/St_Johns');
    const ts = at('2026-06-15T13:37:12Z'); // 11:07:12 local (−2:30)
    expect(c.format(ts)).toBe('2026-06-15T11:07:12-02:30');
    expect(c.format(c.bucketStart(ts))).toBe('2026-06-15T11:00:00-02:30');
    expect(c.format(c.hourStart(ts))).toBe('2026-06-15T11:00:00-02:30');
    expect(c.hourStart(ts) % HOUR_MS).toBe(30 * 60_000);
    expect(c.format(c.dayStart(at('2026-01-15T03:00:00Z')))).toBe('2026-01-14T00:00:00-03:30');
  });

  it('Asia/Kathmandu (+5:45) days and buckets', () => {
    const c = createStoreCalendar('Asia/Kathmandu');
    const ts = at('2026-01-01T00:00:00Z');
    expect(c.format(c.bucketStart(ts))).toBe('2026-01-01T05:45:00+05:45');
    expect(c.format(c.dayStart(ts))).toBe('2026-01-01T00:00:00+05:45');
  });
});

describe('store calendar: Asia/Shanghai', () => {
  const c = createStoreCalendar('Asia/Shanghai');

  it('local day changes at local midnight, not UTC midnight', () => {
    expect(c.localDay(at('2026-03-01T15:59:59.999Z'))).toBe('2026-03-01');
    expect(c.localDay(at('2026-03-01T16:00:00Z'))).toBe('2026-03-02');
    expect(c.startOfLocalDay('2026-03-02')).toBe(at('2026-03-01T16:00:00Z'));
  });

  it('15-minute buckets, hour, day, ISO week (Monday) and month starts', () => {
    const ts = at('2026-03-04T10:52:30+08:00'); // a Wednesday
    expect(c.bucketStart(ts)).toBe(at('2026-03-04T10:45:00+08:00'));
    expect(c.nextBucketStart(c.bucketStart(ts))).toBe(at('2026-03-04T11:00:00+08:00'));
    expect(c.hourStart(ts)).toBe(at('2026-03-04T10:00:00+08:00'));
    expect(c.dayStart(ts)).toBe(at('2026-03-04T00:00:00+08:00'));
    expect(c.weekStart(ts)).toBe(at('2026-03-02T00:00:00+08:00'));
    expect(c.weekStart(at('2026-03-08T23:59:00+08:00'))).toBe(at('2026-03-02T00:00:00+08:00'));
    expect(c.weekStart(at('2026-03-09T00:00:00+08:00'))).toBe(at('2026-03-09T00:00:00+08:00'));
    expect(c.monthStart(ts)).toBe(at('2026-03-01T00:00:00+08:00'));
    expect(c.nextPeriodStart(c.monthStart(at('2026-12-15T00:00:00+08:00')), 'month')).toBe(
      at('2027-01-01T00:00:00+08:00'),
    );
    expect(c.nextPeriodStart(c.weekStart(ts), 'week')).toBe(at('2026-03-09T00:00:00+08:00'));
  });

  it('opening time and day arithmetic', () => {
    expect(c.openingTs('2026-03-02', '09:30')).toBe(at('2026-03-02T09:30:00+08:00'));
    expect(c.addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(c.addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(c.addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(() => c.openingTs('2026-03-02', '9:30')).toThrow(RangeError);
  });

  it('a malformed or impossible day is NaN', () => {
    expect(c.startOfLocalDay('2026-02-30')).toBeNaN();
    expect(c.startOfLocalDay('2026-13-01')).toBeNaN();
    expect(c.startOfLocalDay('yesterday')).toBeNaN();
  });

  it('formats RFC 3339 with the local offset (milliseconds only when present)', () => {
    expect(c.format(at('2026-11-23T02:00:00Z'))).toBe('2026-11-23T10:00:00+08:00');
    expect(c.format(at('2026-11-23T02:00:00.250Z'))).toBe('2026-11-23T10:00:00.250+08:00');
    expect(Date.parse(c.format(at('2026-11-23T02:00:00.250Z')))).toBe(at('2026-11-23T02:00:00.250Z'));
  });

  it('an unknown zone fails at construction', () => {
    expect(() => createStoreCalendar('Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('store calendar: properties against Intl', () => {
  const zones = ['Europe/Berlin', 'Asia/Shanghai', 'America/St_Johns', 'Asia/Kathmandu', 'America/New_York'];
  const calendars = new Map(zones.map((z) => [z, createStoreCalendar(z)]));
  const instant = fc.integer({ min: at('2025-01-01T00:00:00Z'), max: at('2028-01-01T00:00:00Z') });

  it('bucketStart: ≤ ts < next bucket, a local quarter hour, 15 minutes long', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instant, (zone, ts) => {
        const c = calendars.get(zone);
        if (!c) throw new Error('zone');
        const start = c.bucketStart(ts);
        expect(start).toBeLessThanOrEqual(ts);
        expect(c.nextBucketStart(start)).toBeGreaterThan(ts);
        expect(c.nextBucketStart(start) - start).toBe(BUCKET_MS);
        expect(c.bucketStart(start)).toBe(start);
        const local = wall(zone, start);
        expect(Number(local.slice(14, 16)) % 15).toBe(0);
        expect(local.slice(17, 19)).toBe('00');
      }),
      { numRuns: 2000 },
    );
  });

  it('localDay, format and dayStart agree with Intl', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instant, (zone, ts) => {
        const c = calendars.get(zone);
        if (!c) throw new Error('zone');
        const w = wall(zone, ts);
        expect(c.localDay(ts)).toBe(w.slice(0, 10));
        expect(c.format(ts).slice(0, 19).replace('T', ' ')).toBe(w);
        const dayStart = c.dayStart(ts);
        expect(dayStart).toBeLessThanOrEqual(ts);
        expect(c.nextDayStart(dayStart)).toBeGreaterThan(ts);
        expect(c.localDay(dayStart)).toBe(c.localDay(ts));
        expect(c.localDay(dayStart - 1)).not.toBe(c.localDay(ts));
        const length = c.nextDayStart(dayStart) - dayStart;
        expect([23 * HOUR_MS, DAY_MS, 25 * HOUR_MS]).toContain(length);
      }),
      { numRuns: 2000 },
    );
  });
});
