/**
 * Calendar days as 'YYYY-MM-DD' strings. The APIs take days and resolve them in a time zone
 * themselves (the gateway in the store's zone, and GET /store says which day is today there;
 * HQ in the store's or HQ's zone), so the browser only does date arithmetic, never zones.
 */
function toUtc(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

function fromUtc(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  const date = toUtc(day);
  date.setUTCDate(date.getUTCDate() + n);
  return fromUtc(date);
}

export function addMonths(day: string, n: number): string {
  const date = toUtc(day);
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + n, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return fromUtc(target);
}

/** Monday of the ISO week holding `day`. */
export function weekStart(day: string): string {
  const weekday = (toUtc(day).getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}

export function monthStart(day: string): string {
  return `${day.slice(0, 8)}01`;
}

export function monthEnd(day: string): string {
  return addDays(addMonths(monthStart(day), 1), -1);
}

export type PeriodKind = 'day' | 'week' | 'month';

export interface Period {
  readonly from: string;
  /** Inclusive last day. */
  readonly to: string;
}

export function periodOf(kind: PeriodKind, day: string): Period {
  switch (kind) {
    case 'day':
      return { from: day, to: day };
    case 'week': {
      const from = weekStart(day);
      return { from, to: addDays(from, 6) };
    }
    case 'month':
      return { from: monthStart(day), to: monthEnd(day) };
  }
}

export function previousPeriod(kind: PeriodKind, period: Period): Period {
  if (kind === 'month') return periodOf('month', addMonths(period.from, -1));
  const length = kind === 'day' ? 1 : 7;
  return { from: addDays(period.from, -length), to: addDays(period.to, -length) };
}

/**
 * The same period a year earlier. Days and weeks go back 52 weeks so weekdays line up (a
 * Saturday is compared with a Saturday, as retail does); months go back a calendar year.
 */
export function lastYearPeriod(kind: PeriodKind, period: Period): Period {
  if (kind === 'month') return periodOf('month', addMonths(period.from, -12));
  return { from: addDays(period.from, -364), to: addDays(period.to, -364) };
}
