/**
 * Wall-clock time in an IANA zone ↔ epoch milliseconds, with Intl only (pure, no I/O).
 *
 * Network people counters write their local time without an offset (Axis `20170503112756`,
 * Hikvision search results `2017-01-30T00:00:00`): the driver reads it in the zone the
 * camera's clock is set to. In a DST overlap the earlier instant is taken; a time inside a
 * DST gap maps to the instant one offset-change later (as `new Date(y, m, d, h)` does).
 */

export interface LocalTime {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    // Throws RangeError for an unknown zone: callers validate their config with isTimeZone.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of an instant in `zone` (milliseconds dropped). */
export function localFields(ms: number, zone: string): LocalTime {
  const parts = formatter(zone).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
  };
}

function offsetAt(ms: number, zone: string): number {
  const f = localFields(ms, zone);
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** Epoch ms of a wall-clock time in `zone`. */
export function localToEpoch(t: LocalTime, zone: string): number {
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  // The offsets in force a day before and a day after bracket any DST change: a candidate is
  // right when the zone's offset at it gives back the wall time. Two right: an overlap.
  const before = wall - offsetAt(wall - 86_400_000, zone);
  const after = wall - offsetAt(wall + 86_400_000, zone);
  const ok = [before, after].filter((ms) => offsetAt(ms, zone) === wall - ms);
  if (ok.length > 0) return Math.min(...ok);
  return before; // in a gap
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `YYYYMMDD` of an instant in `zone` (the key of a counter's day). */
export function localDayKey(ms: number, zone: string): string {
  const f = localFields(ms, zone);
  return `${pad(f.year, 4)}${pad(f.month)}${pad(f.day)}`;
}

/** `YYYYMMDDhh` of an instant in `zone` (the key of a counter's hour). */
export function localHourKey(ms: number, zone: string): string {
  const f = localFields(ms, zone);
  return `${pad(f.year, 4)}${pad(f.month)}${pad(f.day)}${pad(f.hour)}`;
}

/** `YYYY-MM-DDThh:mm:ss` without offset (how Hikvision searches take local times). */
export function localIso(t: LocalTime): string {
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
}

/** `YYYYMMDD` → its fields at midnight, or undefined when it is not a date. */
export function parseDayKey(day: string): LocalTime | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(day);
  if (!m) return undefined;
  const t = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: 0, minute: 0, second: 0 };
  return validLocal(t) ? t : undefined;
}

/** True when the fields name a real calendar time (no 31 February, no hour 24). */
export function validLocal(t: LocalTime): boolean {
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.hour > 23 || t.minute > 59 || t.second > 59) return false;
  const d = new Date(Date.UTC(t.year, t.month - 1, t.day));
  return d.getUTCFullYear() === t.year && d.getUTCMonth() === t.month - 1 && d.getUTCDate() === t.day;
}
