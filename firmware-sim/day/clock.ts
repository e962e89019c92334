/** The shape of a store day: key times and how busy each hour is. */
import { clockTime, HOUR, localMidnight, MINUTE } from '../time.js';
import type { DayClock } from './types.js';

export function dayClock(date: string, openingTime: string, offsetMinutes: number): DayClock {
  const midnight = localMidnight(date, offsetMinutes);
  const open = midnight + clockTime(openingTime);
  return {
    date,
    midnight,
    dayStart: open - 30 * MINUTE,
    open,
    lastEntry: midnight + 21 * HOUR + 45 * MINUTE,
    close: midnight + 22 * HOUR,
    dayEnd: midnight + 22 * HOUR + 30 * MINUTE,
    offsetMinutes,
  };
}

/** Relative busyness per local hour (index = hour): a lunch and a larger evening peak. */
export const VISITOR_CURVE: Readonly<Record<number, number>> = {
  9: 0.35,
  10: 0.55,
  11: 0.85,
  12: 1.35,
  13: 1.2,
  14: 0.8,
  15: 0.7,
  16: 0.8,
  17: 1.0,
  18: 1.35,
  19: 1.55,
  20: 1.3,
  21: 0.6,
};

/** The street is busy all day, with commuter and lunch bumps. */
export const STREET_CURVE: Readonly<Record<number, number>> = {
  9: 1.1,
  10: 0.8,
  11: 0.9,
  12: 1.4,
  13: 1.2,
  14: 0.8,
  15: 0.8,
  16: 0.9,
  17: 1.3,
  18: 1.5,
  19: 1.4,
  20: 1.1,
  21: 0.8,
  22: 0.5,
};

/**
 * Samples times in [from, to) with density following an hourly curve (piecewise constant),
 * by inverting the cumulative weight.
 */
export class TimeCurve {
  private readonly segments: { start: number; end: number; cum: number }[] = [];
  private readonly total: number;

  constructor(midnight: number, from: number, to: number, curve: Readonly<Record<number, number>>) {
    let cum = 0;
    for (let t = from; t < to; ) {
      const hour = Math.floor((t - midnight) / HOUR);
      const end = Math.min(to, midnight + (hour + 1) * HOUR);
      cum += ((end - t) / HOUR) * (curve[hour] ?? 0);
      this.segments.push({ start: t, end, cum });
      t = end;
    }
    this.total = cum;
  }

  /** Maps u ∈ [0, 1) to a time; integer ms. */
  at(u: number): number {
    const target = u * this.total;
    let prevCum = 0;
    for (const s of this.segments) {
      if (target < s.cum) {
        const share = s.cum === prevCum ? 0 : (target - prevCum) / (s.cum - prevCum);
        return Math.floor(s.start + share * (s.end - s.start));
      }
      prevCum = s.cum;
    }
    const last = this.segments[this.segments.length - 1];
    return last ? last.end - 1 : 0;
  }
}

/** Sorted, non-overlapping intervals where something must not happen (e.g. a visitor `in`). */
export class Forbidden {
  private readonly spans: { from: number; to: number }[] = [];

  add(from: number, to: number): void {
    this.spans.push({ from, to });
    this.spans.sort((a, b) => a.from - b.from);
  }

  /** The earliest time ≥ t outside every span (moved past a span by `step` ms). */
  clear(t: number, step = 1500): number {
    let moved = t;
    for (let changed = true; changed; ) {
      changed = false;
      for (const s of this.spans) {
        if (moved >= s.from && moved <= s.to) {
          moved = s.to + step;
          changed = true;
        }
      }
    }
    return moved;
  }

  contains(t: number): boolean {
    return this.spans.some((s) => t >= s.from && t <= s.to);
  }
}
