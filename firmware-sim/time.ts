/** Time helpers for simulated devices: epoch milliseconds in, RFC 3339 out. */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * RFC 3339 with milliseconds. Offset 0 gives the `Z` form; a device with a local clock (a
 * POS in Shanghai) writes its offset, e.g. `2025-03-14T12:00:00.000+08:00`.
 */
export function rfc3339(ms: number, offsetMinutes = 0): string {
  if (offsetMinutes === 0) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * MINUTE).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms of local midnight of a `YYYY-MM-DD` date in a fixed-offset zone. */
export function localMidnight(date: string, offsetMinutes: number): number {
  const m = DATE.exec(date);
  if (!m) throw new RangeError(`date must be YYYY-MM-DD: ${JSON.stringify(date)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  if (new Date(ms).getUTCDate() !== d) throw new RangeError(`no such date: ${date}`);
  return ms - offsetMinutes * MINUTE;
}

/** `HH:MM` → milliseconds after midnight. */
export function clockTime(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new RangeError(`time must be HH:MM: ${JSON.stringify(hhmm)}`);
  return Number(m[1]) * HOUR + Number(m[2]) * MINUTE;
}

/** Today's date (`YYYY-MM-DD`) in a fixed-offset zone. */
export function localDate(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * MINUTE).toISOString().slice(0, 10);
}
