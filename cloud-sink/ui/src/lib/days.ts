/**
 * Calendar days as 'YYYY-MM-DD' strings: the HQ API resolves days in the store's zone (a
 * store's funnel) or HQ's zone (rankings), so the browser only does date arithmetic.
 * (The same rules as the store's dashboard: a copy, cloud-sink never imports gateway/.)
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
      const from = addDays(day, -((toUtc(day).getUTCDay() + 6) % 7));
      return { from, to: addDays(from, 6) };
    }
    case 'month': {
      const from = `${day.slice(0, 8)}01`;
      return { from, to: addDays(addMonths(from, 1), -1) };
    }
  }
}

export function previousPeriod(kind: PeriodKind, period: Period): Period {
  if (kind === 'month') return periodOf('month', addMonths(period.from, -1));
  const length = kind === 'day' ? 1 : 7;
  return { from: addDays(period.from, -length), to: addDays(period.to, -length) };
}

/** A year earlier: days and weeks go back 52 weeks (a Saturday against a Saturday), months a calendar year. */
export function lastYearPeriod(kind: PeriodKind, period: Period): Period {
  if (kind === 'month') return periodOf('month', addMonths(period.from, -12));
  return { from: addDays(period.from, -364), to: addDays(period.to, -364) };
}

/** A day breaks down by hour, a week or a month by day. */
export const BREAKDOWN: Readonly<Record<PeriodKind, 'hour' | 'day'>> = { day: 'hour', week: 'day', month: 'day' };
