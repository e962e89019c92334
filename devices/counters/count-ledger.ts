/**
 * Counts from a network people counter → `door.crossing` events whose ids can never count a
 * person twice, whichever way the count reaches the gateway.
 *
 * Each person is identified by an ordinal within a unit of the counter's own bookkeeping:
 * "the 17th person in on the camera's day 20261123" (a cumulative day count: AXIS live-sum,
 * Hikvision realTime) or "the 3rd person in during hour 2026112310" (Hikvision timeRange
 * periods, reconciled with the hourly search). The live path and the history backfill name
 * the same person with the same ordinal, so the event id `{prefix}{unit}:{dir}:{ordinal}` is
 * the same: a re-delivered poll, a backfilled interval the live path already counted, or the
 * whole day sent again after a gateway restart is deduped by the gateway on (device, id).
 * One event per person (n = 1) is what makes that possible: an event for a range of
 * ordinals would only dedupe against the very same range.
 *
 * The ledger remembers which ordinals this run has sent, so the same ones are not sent again
 * (the gateway would drop them, but they would cost journal lookups and show as duplicates).
 */
import { type DoorCrossingEvent, EventFlags } from '../../protocols/index.js';

export type Dir = 'in' | 'out';
type Range = [from: number, to: number];

/** Ordinals of one unit and direction: a person's unique place in the counter's count. */
export class OrdinalLedger {
  readonly #taken = new Map<string, Range[]>();

  /** Marks [from, to) sent; returns the parts of it that were not sent before. */
  take(unit: string, dir: Dir, from: number, to: number): Range[] {
    if (!(to > from)) return [];
    const key = `${unit}|${dir}`;
    const ranges = this.#taken.get(key) ?? [];
    const fresh: Range[] = [];
    let cursor = from;
    for (const [a, b] of ranges) {
      if (b <= cursor) continue;
      if (a >= to) break;
      if (a > cursor) fresh.push([cursor, a]);
      cursor = Math.max(cursor, b);
      if (cursor >= to) break;
    }
    if (cursor < to) fresh.push([cursor, to]);
    // Merge [from, to) in, keeping the list sorted and disjoint.
    const merged: Range[] = [];
    let lo = from;
    let hi = to;
    for (const r of ranges) {
      if (r[1] < lo || r[0] > hi) merged.push(r);
      else {
        lo = Math.min(lo, r[0]);
        hi = Math.max(hi, r[1]);
      }
    }
    merged.push([lo, hi]);
    merged.sort((x, y) => x[0] - y[0]);
    this.#taken.set(key, merged);
    return fresh;
  }

  /** Forgets units the predicate rejects (old days), to bound memory. */
  prune(keep: (unit: string) => boolean): void {
    for (const key of this.#taken.keys()) if (!keep(key.slice(0, key.lastIndexOf('|')))) this.#taken.delete(key);
  }
}

export interface CrossingSite {
  readonly device: string;
  readonly door: string;
  readonly zone: string;
  /** Put before every id (e.g. `ch1:` for a camera channel). */
  readonly idPrefix: string;
  /** A device time further ahead of the gateway's than this is replaced by rxTs and flagged. */
  readonly skewBoundMs: number;
}

/**
 * One event per ordinal in `ranges`: the person crossed in [ts, ts + period) (period 0: at
 * ts). Events keep the camera's time; a time beyond the skew bound in the future becomes rxTs.
 */
export function ordinalCrossings(
  site: CrossingSite,
  unit: string,
  dir: Dir,
  ranges: readonly Range[],
  ts: number,
  period: number,
  rxTs: number,
): DoorCrossingEvent[] {
  const out: DoorCrossingEvent[] = [];
  const future = ts > rxTs + site.skewBoundMs;
  const at = future ? rxTs : ts;
  const flags = future ? EventFlags.tsReplaced : 0;
  for (const [from, to] of ranges) {
    for (let i = from; i < to; i++) {
      out.push(
        Object.freeze({
          type: 'door.crossing',
          device: site.device,
          id: `${site.idPrefix}${unit}:${dir}:${i}`,
          ts: at,
          rxTs,
          flags,
          door: site.door,
          zone: site.zone,
          dir,
          n: 1,
          ...(period > 0 ? { period } : {}),
        }),
      );
    }
  }
  return out;
}

/**
 * Days whose counts the live path could not attribute (the driver started, the link broke,
 * the day rolled over unseen): each is reconciled from the counter's history until a closed
 * history interval reaches past the break, after which the live path covers the rest.
 */
export class DirtyDays {
  readonly #days = new Map<string, number>();

  mark(day: string, breakTs: number): void {
    this.#days.set(day, Math.max(breakTs, this.#days.get(day) ?? Number.NEGATIVE_INFINITY));
  }

  /** The days to reconcile, oldest first, with the time up to which history must be closed. */
  list(): [day: string, breakTs: number][] {
    return [...this.#days].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Clean once a closed interval ended at or after the break (or the day is over). */
  settle(day: string, closedUntil: number, dayOver: boolean): void {
    const breakTs = this.#days.get(day);
    if (breakTs !== undefined && (dayOver || closedUntil >= breakTs)) this.#days.delete(day);
  }

  get size(): number {
    return this.#days.size;
  }
}
