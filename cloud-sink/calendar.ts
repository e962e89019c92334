/**
 * Period arithmetic in an IANA zone for HQ views (15m, hour, day, ISO week, month), from
 * Intl alone. A store's funnel uses the store's zone, so HQ's "day" is the store's day;
 * cross-store views use one zone (HQ_TIMEZONE or ?tz=). Offsets are cached per UTC hour.
 */

export const GRANULARITIES = ['15m', 'hour', 'day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface ZoneCalendar {
  readonly timezone: string;
  offsetMs(ts: number): number;
  periodStart(ts: number, granularity: Granularity): number;
  nextPeriodStart(start: number, granularity: Granularity): number;
  /** Start of the local day 'YYYY-MM-DD' (NaN when not a date). */
  startOfLocalDay(day: string): number;
  dayStart(ts: number): number;
  nextDayStart(dayStart: number): number;
  /** RFC 3339 with the zone's offset, e.g. 2026-11-23T10:00:00+08:00. */
  format(ts: number): string;
}

const calendars = new Map<string, ZoneCalendar>();

export function zoneCalendar(timezone: string): ZoneCalendar {
  let calendar = calendars.get(timezone);
  if (!calendar) {
    calendar = new IntlCalendar(timezone);
    calendars.set(timezone, calendar);
  }
  return calendar;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

class IntlCalendar implements ZoneCalendar {
  private readonly formatter: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  constructor(readonly timezone: string) {
    this.formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  offsetMs(ts: number): number {
    // Offsets change on quarter hours at the finest; cache per 15 minutes of UTC.
    const key = Math.floor(ts / (15 * MINUTE));
    let offset = this.offsets.get(key);
    if (offset === undefined) {
      const p = this.parts(key * 15 * MINUTE);
      offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - key * 15 * MINUTE;
      if (this.offsets.size > 100_000) this.offsets.clear();
      this.offsets.set(key, offset);
    }
    return offset;
  }

  periodStart(ts: number, granularity: Granularity): number {
    switch (granularity) {
      case '15m':
        return this.floorLocal(ts, 15 * MINUTE);
      case 'hour':
        return this.floorLocal(ts, HOUR);
      case 'day':
        return this.dayStart(ts);
      case 'week': {
        const local = new Date(ts + this.offsetMs(ts));
        const weekday = (local.getUTCDay() + 6) % 7; // Monday = 0
        return this.localMidnight(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate() - weekday);
      }
      case 'month': {
        const local = new Date(ts + this.offsetMs(ts));
        return this.localMidnight(local.getUTCFullYear(), local.getUTCMonth() + 1, 1);
      }
    }
  }

  nextPeriodStart(start: number, granularity: Granularity): number {
    switch (granularity) {
      case '15m':
        return start + 15 * MINUTE;
      case 'hour': {
        const next = this.floorLocal(start + HOUR, HOUR);
        return next > start ? next : start + HOUR;
      }
      case 'day':
        return this.nextDayStart(start);
      case 'week': {
        const local = new Date(start + this.offsetMs(start));
        return this.localMidnight(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate() + 7);
      }
      case 'month': {
        const local = new Date(start + this.offsetMs(start));
        return this.localMidnight(local.getUTCFullYear(), local.getUTCMonth() + 2, 1);
      }
    }
  }

  startOfLocalDay(day: string): number {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
    if (!m) return Number.NaN;
    const [year, month, date] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const probe = new Date(Date.UTC(year, month - 1, date));
    if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== date) {
      return Number.NaN;
    }
    return this.localMidnight(year, month, date);
  }

  dayStart(ts: number): number {
    const local = new Date(ts + this.offsetMs(ts));
    return this.localMidnight(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate());
  }

  nextDayStart(dayStart: number): number {
    const local = new Date(dayStart + this.offsetMs(dayStart) + 12 * HOUR);
    return this.localMidnight(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate() + 1);
  }

  format(ts: number): string {
    const offset = this.offsetMs(ts);
    const local = new Date(ts + offset).toISOString().slice(0, 19);
    const minutes = Math.round(Math.abs(offset) / MINUTE);
    const sign = offset < 0 ? '-' : '+';
    return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  }

  /** Floors local wall time to a multiple of `unit` and maps it back to an instant. */
  private floorLocal(ts: number, unit: number): number {
    const offset = this.offsetMs(ts);
    return Math.floor((ts + offset) / unit) * unit - offset;
  }

  /** The instant of local 00:00 on a (normalised) date; a midnight skipped by DST moves to the transition. */
  private localMidnight(year: number, month: number, day: number): number {
    const wall = Date.UTC(year, month - 1, day);
    const before = this.offsetMs(wall - DAY);
    const after = this.offsetMs(wall + DAY);
    let best = Number.POSITIVE_INFINITY;
    for (const offset of before === after ? [before] : [before, after]) {
      const ts = wall - offset;
      if (this.offsetMs(ts) === offset && ts < best) best = ts;
    }
    return Number.isFinite(best) ? best : wall - Math.min(before, after);
  }

  private parts(ts: number): Parts {
    const out: Parts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of this.formatter.formatToParts(new Date(ts))) {
      if (part.type in out) out[part.type as keyof Parts] = Number(part.value);
    }
    return out;
  }
}
