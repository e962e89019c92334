/**
 * Numbers, money and times per locale (a missing value shows as "—", never NaN). Rates
 * change in percentage points, amounts in percent, as on the store dashboard
 * (ui-shared/change.ts); colours follow the locale (zh-CN: red up, en: green up).
 */
import { type Change, createChangeFormats, NONE, percentFormat } from '../../../../ui-shared/change.js';
import { type Locale, translate } from '../i18n/index.js';

export { type Change, NONE };

export type FigureKind = 'int' | 'percent' | 'money' | 'decimal';

export interface Formats {
  figure(kind: FigureKind, value: number | null, currency?: string | null): string;
  change(kind: FigureKind, now: number | null, before: number | null): Change | null;
  day(day: string): string;
  /** A bucket start in its own zone: the hour of a day, or the day of a week or month. */
  when(iso: string, timeZone: string, hourly: boolean): string;
  dateTime(iso: string, timeZone?: string): string;
}

export function createFormats(locale: Locale): Formats {
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const two = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const percent = percentFormat(locale);
  const changes = createChangeFormats(locale, (value) => translate(locale, 'delta.pp', { value }));
  const moneys = new Map<string, Intl.NumberFormat>();
  const money = (currency: string) => {
    let format = moneys.get(currency);
    if (!format) {
      format = new Intl.NumberFormat(locale, { style: 'currency', currency });
      moneys.set(currency, format);
    }
    return format;
  };
  const day = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
  return {
    figure(kind, value, currency) {
      if (value === null || !Number.isFinite(value)) return NONE;
      switch (kind) {
        case 'int':
          return integer.format(value);
        case 'percent':
          return percent.format(value);
        case 'money':
          return money(currency ?? 'CNY').format(value);
        case 'decimal':
          return two.format(value);
      }
    },
    change: (kind, now, before) => (kind === 'percent' ? changes.points(now, before) : changes.relative(now, before)),
    day: (d) => day.format(new Date(`${d}T00:00:00Z`)),
    when(iso, timeZone, hourly) {
      const options: Intl.DateTimeFormatOptions = hourly
        ? { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : { timeZone, month: 'short', day: 'numeric', weekday: 'short' };
      return new Intl.DateTimeFormat(locale, options).format(new Date(iso));
    },
    dateTime(iso, timeZone) {
      return new Intl.DateTimeFormat(locale, {
        ...(timeZone ? { timeZone } : {}),
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(new Date(iso));
    },
  };
}
