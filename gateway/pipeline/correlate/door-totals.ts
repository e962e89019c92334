/**
 * Cumulative door totals → crossings. The first totals of a counter only set its base;
 * afterwards each message counts the increase. A counter that restarted (a new boot id,
 * or a total that went down) counts from zero again: its new totals are the crossings
 * since the restart, so they are counted once, and nothing is ever negative.
 */
import type { DoorTotalsEvent } from '../../../protocols/index.js';
import { asArray, asNumber } from './snapshot-util.js';

interface CounterState {
  boot: string;
  totalIn: number;
  totalOut: number;
  /** Boots this counter had before the current one: a stale message from one is ignored. */
  oldBoots: string[];
}

export interface TotalsDelta {
  readonly dIn: number;
  readonly dOut: number;
  readonly restart?: 'boot' | 'decrease';
}

const NO_DELTA: TotalsDelta = { dIn: 0, dOut: 0 };
/** Enough to recognise a late message from a recent boot; counters do not reboot often. */
const KEPT_BOOTS = 4;

export type DoorTotalsSnapshot = [key: string, boot: string, totalIn: number, totalOut: number, oldBoots: string[]][];

export class DoorTotals {
  private readonly counters = new Map<string, CounterState>();

  /** Crossings since the previous totals of the same device and door. */
  delta(e: DoorTotalsEvent): TotalsDelta {
    const key = `${e.device}\u0000${e.door}`;
    const totalIn = Math.max(0, e.totalIn);
    const totalOut = Math.max(0, e.totalOut);
    const c = this.counters.get(key);
    if (!c) {
      this.counters.set(key, { boot: e.boot, totalIn, totalOut, oldBoots: [] });
      return NO_DELTA;
    }
    if (e.boot !== c.boot) {
      if (c.oldBoots.includes(e.boot)) return NO_DELTA;
      c.oldBoots.push(c.boot);
      if (c.oldBoots.length > KEPT_BOOTS) c.oldBoots.shift();
      c.boot = e.boot;
      c.totalIn = totalIn;
      c.totalOut = totalOut;
      return { dIn: totalIn, dOut: totalOut, restart: 'boot' };
    }
    if (totalIn < c.totalIn || totalOut < c.totalOut) {
      // Without a boot id we only know the direction that went down restarted; the other
      // counts its increase, so it is never counted twice.
      const dIn = totalIn < c.totalIn ? totalIn : totalIn - c.totalIn;
      const dOut = totalOut < c.totalOut ? totalOut : totalOut - c.totalOut;
      c.totalIn = totalIn;
      c.totalOut = totalOut;
      return { dIn, dOut, restart: 'decrease' };
    }
    const dIn = totalIn - c.totalIn;
    const dOut = totalOut - c.totalOut;
    c.totalIn = totalIn;
    c.totalOut = totalOut;
    return dIn === 0 && dOut === 0 ? NO_DELTA : { dIn, dOut };
  }

  snapshot(): DoorTotalsSnapshot {
    return [...this.counters].map(([k, c]) => [k, c.boot, c.totalIn, c.totalOut, [...c.oldBoots]]);
  }

  static restore(data: unknown): DoorTotals {
    const totals = new DoorTotals();
    for (const row of asArray(data, 'doorTotals')) {
      const [key, boot, totalIn, totalOut, oldBoots] = asArray(row, 'doorTotals row');
      totals.counters.set(String(key), {
        boot: String(boot),
        totalIn: asNumber(totalIn, 'totalIn'),
        totalOut: asNumber(totalOut, 'totalOut'),
        oldBoots: asArray(oldBoots, 'oldBoots').map(String),
      });
    }
    return totals;
  }
}
