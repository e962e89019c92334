/**
 * The `date-time` format (RFC 3339) of the message schemas, checked on every device message.
 * TypeBox's own check splits the string with a regular expression and runs two more: about
 * 600 bytes of garbage per message under a burst (docs/benchmarks.md 19). This one reads the
 * characters in place and accepts exactly what TypeBox's accepts (tests/unit/protocols
 * compares the two); the rare forms it does not read itself, a leap second or an RFC 9557
 * `[…]` suffix, it hands to TypeBox's check.
 */
import { Format, IsDateTime } from 'typebox/format';

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two ASCII digits at `at` as a number, or -1. */
function twoDigits(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, calendar and clock ranges checked. */
export function isDateTime(s: string): boolean {
  if (s.includes('[')) return IsDateTime(s);
  if (s.length < 20) return false;
  const century = twoDigits(s, 0);
  const yy = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  if (century < 0 || yy < 0 || s[4] !== '-' || s[7] !== '-' || month < 1 || month > 12 || day < 1) return false;
  const year = century * 100 + yy;
  if (day > (month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month] ?? 0))) return false;
  const t = s[10];
  if (t !== 'T' && t !== 't') return false;
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  if (hour < 0 || hour > 23 || s[13] !== ':' || minute < 0 || minute > 59 || s[16] !== ':' || second < 0) return false;
  if (second > 59) return second === 60 && IsDateTime(s);
  let at = 19;
  if (s[at] === '.') {
    const digitsFrom = ++at;
    while (at < s.length && s.charCodeAt(at) >= 48 && s.charCodeAt(at) <= 57) at++;
    if (at === digitsFrom) return false;
  }
  const zone = s[at];
  if (zone === 'Z' || zone === 'z') return at + 1 === s.length;
  if (zone !== '+' && zone !== '-') return false;
  const zoneHour = twoDigits(s, at + 1);
  const zoneMinute = twoDigits(s, at + 4);
  return (
    at + 6 === s.length && zoneHour >= 0 && zoneHour <= 23 && s[at + 3] === ':' && zoneMinute >= 0 && zoneMinute <= 59
  );
}

/**
 * Makes `format: 'date-time'` in TypeBox schemas use isDateTime: TypeBox inlines a format's
 * function when it compiles a schema, so call this before compiling (protocols/messages.ts).
 */
export function useFastDateTimeFormat(): void {
  Format.Set('date-time', isDateTime);
}
