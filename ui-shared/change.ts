/**
 * Changes between two figures, as both dashboards show them: rates in percentage points
 * ("+2.7 pp"), amounts in relative percent ("+12.5%"), rounded before the sign is taken so
 * "+0.0%" never shows in a colour. Colours follow the locale (zh-CN: red up, en: green up;
 * see base.css). A missing value shows as NONE, never NaN.
 */
import type { Locale } from './locales.js';

export const NONE = '—';

/** A change with its direction. */
export interface Change {
  readonly text: string;
  readonly sign: -1 | 0 | 1;
}

export interface ChangeFormats {
  /** Relative change; null when either value is missing or before is 0. */
  relative(now: number | null, before: number | null): Change | null;
  /** Change of a rate in percentage points; null when either value is missing. */
  points(now: number | null, before: number | null): Change | null;
}

function signOf(x: number): -1 | 0 | 1 {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

function known(n: number | null): n is number {
  return n !== null && Number.isFinite(n);
}

/** `pointsText` puts the signed number into the locale's words ("+2.7 pp" / "+2.7个百分点"). */
export function createChangeFormats(locale: Locale, pointsText: (value: string) => string): ChangeFormats {
  const signedPercent = new Intl.NumberFormat(locale, {
    style: 'percent',
    signDisplay: 'exceptZero',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  const signedPoints = new Intl.NumberFormat(locale, {
    signDisplay: 'exceptZero',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  return {
    relative(now, before) {
      if (!known(now) || !known(before) || before === 0) return null;
      const change = Math.round(((now - before) / before) * 1000) / 1000;
      return { text: signedPercent.format(change), sign: signOf(change) };
    },
    points(now, before) {
      if (!known(now) || !known(before)) return null;
      const pp = Math.round((now - before) * 1000) / 10;
      return { text: pointsText(signedPoints.format(pp)), sign: signOf(pp) };
    },
  };
}

/** Rates as "19.1%". */
export function percentFormat(locale: Locale): Intl.NumberFormat {
  return new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
}
