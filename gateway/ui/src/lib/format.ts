/**
 * Numbers, money, times and durations per locale, always in the store's time zone (a
 * manager abroad still reads store hours). A missing value shows as "—", never NaN.
 */
import { type Change, createChangeFormats, NONE, percentFormat } from '../../../../ui-shared/change.js';
import { type Locale, t, translate } from '../i18n/index.js';

export { type Change, NONE };

export interface Formats {
  int(n: number): string;
  decimal(n: number | null, digits?: number): string;
  percent(rate: number | null): string;
  money(amount: number | null): string;
  time(ts: string | number | null): string;
  dateTime(ts: string | number | null): string;
  day(ts: string | number): string;
  /** Weekday, month and day ("Thu, Nov 26" / "11月26日周四"), for stating a comparison day. */
  weekday(ts: string | number): string;
  /** Month and day only, for chart axes. */
  shortDay(ts: string | number): string;
  duration(ms: number | null): string;
  /** Relative change "+12.5%" between now and before (null when before is 0 or missing). */
  delta(now: number | null, before: number | null): Change | null;
  /** Change of a rate in percentage points: 19.1% → 21.8% is "+2.7 pp" ("+2.7个百分点"). */
  points(now: number | null, before: number | null): Change | null;
  /** The change a figure of this kind shows: points for rates, relative percent otherwise. */
  change(kind: 'rate' | 'amount', now: number | null, before: number | null): Change | null;
}

export function createFormats(locale: Locale, currency: string, timeZone: string): Formats {
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const percent = percentFormat(locale);
  const changes = createChangeFormats(locale, (value) => translate(locale, 'delta.pp', { value }));
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
  const weekday = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'short', month: 'short', day: 'numeric' });
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
    weekday: (ts) => weekday.format(toDate(ts)),
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
    delta: (now, before) => changes.relative(now, before),
    points: (now, before) => changes.points(now, before),
    change(kind, now, before) {
      return kind === 'rate' ? this.points(now, before) : this.delta(now, before);
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
