/**
 * Numbers, money, times and durations per locale, always in the store's time zone (a
 * manager abroad still reads store hours). A missing value shows as "—", never NaN.
 */
import { type Locale, t, translate } from '../i18n/index.js';

export interface Formats {
  int(n: number): string;
  decimal(n: number | null, digits?: number): string;
  percent(rate: number | null): string;
  money(amount: number | null): string;
  time(ts: string | number | null): string;
  dateTime(ts: string | number | null): string;
  day(ts: string | number): string;
  /** Month and day only, for chart axes. */
  shortDay(ts: string | number): string;
  duration(ms: number | null): string;
  /** Relative change "+12.5%" between now and before (null when before is 0 or missing). */
  delta(now: number | null, before: number | null): { text: string; sign: -1 | 0 | 1 } | null;
}

export const NONE = '—';

export function createFormats(locale: Locale, currency: string, timeZone: string): Formats {
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const percent = new Intl.NumberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  const signed = new Intl.NumberFormat(locale, {
    style: 'percent',
    signDisplay: 'exceptZero',
    maximumFractionDigits: 1,
  });
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const dateTime = new Intl.DateTimeFormat(locale, {
    timeZone,
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const day = new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: 'short', day: 'numeric' });
  const shortDay = new Intl.DateTimeFormat(locale, { timeZone, month: 'numeric', day: 'numeric' });
  const decimals = new Map<number, Intl.NumberFormat>();
  const toDate = (ts: string | number) => new Date(ts);

  return {
    int: (n) => integer.format(n),
    decimal(n, digits = 2) {
      if (n === null || !Number.isFinite(n)) return NONE;
      let format = decimals.get(digits);
      if (!format) {
        format = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
        decimals.set(digits, format);
      }
      return format.format(n);
    },
    percent: (rate) => (rate === null || !Number.isFinite(rate) ? NONE : percent.format(rate)),
    money: (amount) => (amount === null || !Number.isFinite(amount) ? NONE : money.format(amount)),
    time: (ts) => (ts === null ? NONE : time.format(toDate(ts))),
    dateTime: (ts) => (ts === null ? NONE : dateTime.format(toDate(ts))),
    day: (ts) => day.format(toDate(ts)),
    shortDay: (ts) => shortDay.format(toDate(ts)),
    duration(ms) {
      if (ms === null || !Number.isFinite(ms)) return NONE;
      const seconds = Math.max(0, Math.round(ms / 1000));
      const h = Math.floor(seconds / 3600);
      const m = Math.floor((seconds % 3600) / 60);
      const s = seconds % 60;
      if (h > 0) return translate(locale, 'duration.hm', { h, m });
      if (m > 0) return translate(locale, 'duration.ms', { m, s });
      return translate(locale, 'duration.s', { s });
    },
    delta(now, before) {
      if (now === null || before === null || before === 0) return null;
      const change = (now - before) / before;
      return { text: signed.format(change), sign: change > 0 ? 1 : change < 0 ? -1 : 0 };
    },
  };
}

/** "3 stars" in words for screen readers; the stars themselves are decorative. */
export function stars(tier: number): string {
  return '★'.repeat(Math.max(0, Math.min(5, tier)));
}

export function tierLabel(tier: number): string {
  return t('vip.stars', { count: tier });
}
