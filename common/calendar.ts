/**
 * Store-local calendar: 15-minute buckets, days, ISO weeks and months in the store's IANA
 * zone, correct across DST (also the 30-minute shifts of Australia/Lord_Howe), from
 * Intl.DateTimeFormat alone (no dependency, no I/O). The one calendar of the project: the
 * gateway's buckets and views and HQ's periods (cloud-sink/calendar.ts) both use it, so a
 * period has the same bounds in the store and at HQ.
 *
 * Everything is derived from one function, the zone's UTC offset at an instant. The
 * formatter is slow (formatToParts allocates), so offsets are cached per UTC hour together
 * with the exact instant of a transition inside that hour; bucketStart, the per-event
 * call, is then a map hit (usually a memo hit) and two additions.
 */

export const MINUTE_MS = 60_000;
export const BUCKET_MS = 15 * MINUTE_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export const GRANULARITIES = ['15m', 'hour', 'day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** Wall-clock fields of an instant in the store's zone. `weekday` is ISO: 1 = Monday … 7 = Sunday. */
export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  readonly weekday: number;
}

export interface StoreCalendar {
  readonly timezone: string;
  /** The zone's offset from UTC at `ts` (local wall time − UTC), in ms. */
  offsetMs(ts: number): number;
  /** Start of the store-local 15-minute bucket holding `ts`. */
  bucketStart(ts: number): number;
  /** Start of the bucket after the one starting at `start`. */
  nextBucketStart(start: number): number;
  /** Every bucket start from the bucket holding `from` while < `to`. */
  bucketsBetween(from: number, to: number): Generator<number, void, undefined>;
  /** Store-local date of `ts` as 'YYYY-MM-DD'. */
  localDay(ts: number): string;
  /** Start of the local day 'YYYY-MM-DD'; NaN when `day` is not a valid date. */
  startOfLocalDay(day: string): number;
  /** 'YYYY-MM-DD' `n` days after `day` (n may be negative). */
  addDays(day: string, n: number): string;
  /** The instant of local time `hhmm` ('HH:MM') on `day`; a time skipped by DST moves forward. */
  openingTs(day: string, hhmm: string): number;
  hourStart(ts: number): number;
  dayStart(ts: number): number;
  /** Start of the next local day after the day starting at `dayStart` (23–25 h later across DST). */
  nextDayStart(dayStart: number): number;
  /** Monday 00:00 of the ISO week holding `ts`. */
  weekStart(ts: number): number;
  monthStart(ts: number): number;
  periodStart(ts: number, granularity: Granularity): number;
  nextPeriodStart(start: number, granularity: Granularity): number;
  /** RFC 3339 with the store's offset at that instant, e.g. 2026-11-23T10:00:00+08:00. */
  format(ts: number): string;
  localParts(ts: number): LocalParts;
}

/** Offsets during one UTC hour: `before` until `switchAt`, `after` from it (no transition: equal). */
interface HourOffsets {
  readonly before: number;
  readonly after: number;
  readonly switchAt: number;
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const HHMM_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** A year of hours; the cache is cleared beyond this so a long-running process stays bounded. */
const MAX_CACHED_HOURS = 24 * 400;

function mod(a: number, m: number): number {
  const r = a % m;
  return r < 0 ? r + m : r;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Date.UTC that also works for years 0–99 (which Date.UTC maps to 1900–1999); fields may overflow. */
function wallMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  // 400 Gregorian years are exactly 146,097 days, so shifting by them keeps every field.
  if (year >= 0 && year < 100) return Date.UTC(year + 400, month - 1, day, hour, minute, second) - 146_097 * DAY_MS;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

export function parseLocalDay(day: string): { year: number; month: number; day: number } | undefined {
  const m = DAY_PATTERN.exec(day);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const dom = Number(m[3]);
  if (month < 1 || month > 12 || dom < 1) return undefined;
  const check = new Date(wallMs(year, month, dom));
  if (check.getUTCDate() !== dom) return undefined;
  return { year, month, day: dom };
}

/** 'HH:MM' → minutes after midnight; throws on anything else. */
export function parseHhmm(hhmm: string): number {
  const m = HHMM_PATTERN.exec(hhmm);
  if (!m) throw new RangeError(`time of day must be HH:MM (00:00–23:59), got ${JSON.stringify(hhmm)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

class IntlStoreCalendar implements StoreCalendar {
  private readonly formatter: Intl.DateTimeFormat;
  private readonly hours = new Map<number, HourOffsets>();
  private memoHour = Number.NaN;
  private memo: HourOffsets = { before: 0, after: 0, switchAt: 0 };

  constructor(readonly timezone: string) {
    // Throws RangeError for an unknown zone: a bad config fails at construction, not per event.
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
    const hour = Math.floor(ts / HOUR_MS);
    let entry: HourOffsets;
    if (hour === this.memoHour) {
      entry = this.memo;
    } else {
      entry = this.hours.get(hour) ?? this.computeHour(hour);
      this.memoHour = hour;
      this.memo = entry;
    }
    return ts < entry.switchAt ? entry.before : entry.after;
  }

  bucketStart(ts: number): number {
    return this.alignedStart(ts, BUCKET_MS);
  }

  nextBucketStart(start: number): number {
    return this.nextAligned(start, BUCKET_MS);
  }

  *bucketsBetween(from: number, to: number): Generator<number, void, undefined> {
    for (let s = this.bucketStart(from); s < to; s = this.nextBucketStart(s)) yield s;
  }

  localDay(ts: number): string {
    return new Date(ts + this.offsetMs(ts)).toISOString().slice(0, 10);
  }

  startOfLocalDay(day: string): number {
    const d = parseLocalDay(day);
    if (!d) return Number.NaN;
    return this.wallToInstant(wallMs(d.year, d.month, d.day));
  }

  addDays(day: string, n: number): string {
    const d = parseLocalDay(day);
    if (!d) throw new RangeError(`not a YYYY-MM-DD day: ${JSON.stringify(day)}`);
    return new Date(wallMs(d.year, d.month, d.day) + n * DAY_MS).toISOString().slice(0, 10);
  }

  openingTs(day: string, hhmm: string): number {
    const d = parseLocalDay(day);
    if (!d) throw new RangeError(`not a YYYY-MM-DD day: ${JSON.stringify(day)}`);
    const minutes = parseHhmm(hhmm);
    return this.wallToInstant(wallMs(d.year, d.month, d.day) + minutes * MINUTE_MS);
  }

  hourStart(ts: number): number {
    return this.alignedStart(ts, HOUR_MS);
  }

  dayStart(ts: number): number {
    const local = ts + this.offsetMs(ts);
    return this.wallToInstant(local - mod(local, DAY_MS));
  }

  nextDayStart(dayStart: number): number {
    const local = dayStart + this.offsetMs(dayStart);
    return this.wallToInstant(local - mod(local, DAY_MS) + DAY_MS);
  }

  weekStart(ts: number): number {
    const local = ts + this.offsetMs(ts);
    const midnight = local - mod(local, DAY_MS);
    const isoWeekday = ((new Date(midnight).getUTCDay() + 6) % 7) + 1;
    return this.wallToInstant(midnight - (isoWeekday - 1) * DAY_MS);
  }

  monthStart(ts: number): number {
    const local = new Date(ts + this.offsetMs(ts));
    return this.wallToInstant(wallMs(local.getUTCFullYear(), local.getUTCMonth() + 1, 1));
  }

  periodStart(ts: number, granularity: Granularity): number {
    switch (granularity) {
      case '15m':
        return this.bucketStart(ts);
      case 'hour':
        return this.hourStart(ts);
      case 'day':
        return this.dayStart(ts);
      case 'week':
        return this.weekStart(ts);
      case 'month':
        return this.monthStart(ts);
    }
  }

  nextPeriodStart(start: number, granularity: Granularity): number {
    switch (granularity) {
      case '15m':
        return this.nextBucketStart(start);
      case 'hour':
        return this.nextAligned(start, HOUR_MS);
      case 'day':
        return this.nextDayStart(this.dayStart(start));
      case 'week': {
        const weekStart = this.weekStart(start);
        const local = weekStart + this.offsetMs(weekStart);
        return this.wallToInstant(local - mod(local, DAY_MS) + 7 * DAY_MS);
      }
      case 'month': {
        const local = new Date(start + this.offsetMs(start));
        return this.wallToInstant(wallMs(local.getUTCFullYear(), local.getUTCMonth() + 2, 1));
      }
    }
  }

  format(ts: number): string {
    const offset = this.offsetMs(ts);
    const iso = new Date(ts + offset).toISOString();
    const ms = mod(ts, 1000);
    const abs = Math.abs(Math.round(offset / MINUTE_MS));
    const sign = offset < 0 ? '-' : '+';
    return `${iso.slice(0, ms === 0 ? 19 : 23)}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  }

  localParts(ts: number): LocalParts {
    const d = new Date(ts + this.offsetMs(ts));
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      millisecond: d.getUTCMilliseconds(),
      weekday: ((d.getUTCDay() + 6) % 7) + 1,
    };
  }

  // --- internals ---------------------------------------------------------------------

  /**
   * Floors `ts` to a multiple of `unit` in local time. Normally that is the answer; only
   * when a transition lies between that local boundary and `ts` (a unit cut short by DST,
   * e.g. a 30-minute shift) does the unit start at the transition instead.
   */
  private alignedStart(ts: number, unit: number): number {
    const offset = this.offsetMs(ts);
    const start = ts - mod(ts + offset, unit);
    if (this.offsetMs(start) === offset) return start;
    return this.transitionBetween(start, ts);
  }

  private nextAligned(start: number, unit: number): number {
    const next = this.alignedStart(start + unit, unit);
    return next > start ? next : start + unit;
  }

  /** First instant in (lo, hi] whose offset equals the offset at hi (second resolution). */
  private transitionBetween(lo: number, hi: number): number {
    const target = this.offsetMs(hi);
    let a = lo;
    let b = hi;
    while (b - a > 1000) {
      const mid = a + Math.floor((b - a) / 2000) * 1000;
      if (this.offsetMs(mid) === target) b = mid;
      else a = mid;
    }
    return b;
  }

  /**
   * Local wall time (as epoch ms of the same fields in UTC) → instant. In a DST overlap the
   * earlier instant wins; in a gap the time moves forward by the gap (02:30 → 03:30), the
   * usual "compatible" rule.
   */
  private wallToInstant(wall: number): number {
    const before = this.offsetMs(wall - DAY_MS);
    const after = this.offsetMs(wall + DAY_MS);
    const tBefore = wall - before;
    if (before === after) return tBefore;
    const tAfter = wall - after;
    const beforeValid = this.offsetMs(tBefore) === before;
    const afterValid = this.offsetMs(tAfter) === after;
    if (beforeValid && afterValid) return Math.min(tBefore, tAfter);
    if (afterValid) return tAfter;
    return tBefore;
  }

  private computeHour(hour: number): HourOffsets {
    const start = hour * HOUR_MS;
    const before = this.rawOffset(start);
    const after = this.rawOffset(start + HOUR_MS - 1000);
    let switchAt = Number.POSITIVE_INFINITY;
    if (before !== after) {
      // Transitions happen on whole seconds (in practice whole minutes): bisect on seconds.
      let lo = start;
      let hi = start + HOUR_MS - 1000;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (this.rawOffset(mid) === before) lo = mid;
        else hi = mid;
      }
      switchAt = hi;
    }
    const entry = { before, after, switchAt };
    if (this.hours.size >= MAX_CACHED_HOURS) this.hours.clear();
    this.hours.set(hour, entry);
    return entry;
  }

  private rawOffset(ts: number): number {
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of this.formatter.formatToParts(ts)) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        default:
          break;
      }
    }
    return wallMs(year, month, day, hour, minute, second) - (ts - mod(ts, 1000));
  }
}

/** A calendar for one IANA zone; throws RangeError for an unknown zone. */
export function createStoreCalendar(timezone: string): StoreCalendar {
  return new IntlStoreCalendar(timezone);
}
