/**
 * Facts → funnel counters per store-local 15-minute bucket. Money is summed in integer
 * cents: each receipt total is rounded to cents once, where it enters the counters, so
 * sums are exact. The KPI figures themselves (rates, ATV, UPT, dwell) are computed by
 * protocols/funnel.ts, the one implementation the store and HQ share.
 */
import {
  atvOf,
  type FunnelMetrics,
  type FunnelCounters as FunnelWireCounters,
  ratio,
  toCents,
  toMetrics,
  uptOf,
} from '../../../protocols/funnel.js';
import type { StoreCalendar } from '../../infra/time/index.js';
import type { Fact } from './facts.js';

export { ratio, toCents };

/**
 * The shared counters with occupancy × time (person·ms) under the store's historic name
 * `occupancyMs` (the `person_ms` column; `personMs` on the wire and at HQ).
 */
export interface FunnelCounters extends Omit<FunnelWireCounters, 'personMs'> {
  /** Occupancy × time (person·ms), for estimated dwell. */
  occupancyMs: number;
}

export interface FunnelRates {
  /** visitors ÷ passers-by (进店率). */
  readonly captureRate: number | null;
  /** sessions ÷ visitors (试穿率). */
  readonly tryOnRate: number | null;
  /** transactions ÷ visitors (成交率). */
  readonly conversionRate: number | null;
  /** revenue ÷ transactions (客单价), in currency units rounded half away from zero to cents. */
  readonly atv: number | null;
  /** units ÷ transactions (连带率), rounded half away from zero to 2 decimals. */
  readonly upt: number | null;
  /** Little's law: average occupancy ÷ arrival rate = occupancy-time ÷ visitors, in ms. */
  readonly estimatedDwellMs: number | null;
}

/** The store's counters in the shared (wire) shape. */
export function wireCounters(c: Readonly<FunnelCounters>): FunnelWireCounters {
  const { occupancyMs, ...rest } = c;
  return { ...rest, personMs: occupancyMs };
}

/** The figures the APIs answer for the store's counters (protocols/funnel.ts toMetrics). */
export function funnelMetrics(c: Readonly<FunnelCounters>): FunnelMetrics {
  return toMetrics(wireCounters(c));
}

export function emptyCounters(): FunnelCounters {
  return {
    passersBy: 0,
    visitors: 0,
    exits: 0,
    tryOnSessions: 0,
    itemsTried: 0,
    transactions: 0,
    units: 0,
    revenueCents: 0,
    triedBought: 0,
    occupancyMs: 0,
  };
}

export function addCounters(into: FunnelCounters, add: Readonly<FunnelCounters>): FunnelCounters {
  into.passersBy += add.passersBy;
  into.visitors += add.visitors;
  into.exits += add.exits;
  into.tryOnSessions += add.tryOnSessions;
  into.itemsTried += add.itemsTried;
  into.transactions += add.transactions;
  into.units += add.units;
  into.revenueCents += add.revenueCents;
  into.triedBought += add.triedBought;
  into.occupancyMs += add.occupancyMs;
  return into;
}

/** Adds a fact's contribution to `into`; false when the fact counts nothing. */
export function countFact(fact: Fact, into: FunnelCounters): boolean {
  switch (fact.type) {
    case 'visitor':
      into.visitors += fact.n;
      return true;
    case 'exit':
      into.exits += fact.n;
      return true;
    case 'passerby':
      into.passersBy += fact.n;
      return true;
    case 'occupancy':
      into.occupancyMs += fact.personMs;
      return true;
    case 'session.counted':
      into.tryOnSessions += 1;
      return true;
    case 'item.tried':
      into.itemsTried += 1;
      return true;
    case 'transaction':
      into.transactions += 1;
      into.units += fact.units;
      into.revenueCents += toCents(fact.revenue);
      return true;
    case 'adjustment':
      into.units += fact.units;
      into.revenueCents += toCents(fact.revenue);
      return true;
    case 'tried.bought':
      into.triedBought += 1;
      return true;
    default:
      return false;
  }
}

/** The bucket a fact counts in and its counters, or undefined for facts that count nothing. */
export function bucketDelta(
  fact: Fact,
  calendar: StoreCalendar,
): { readonly bucketStart: number; readonly counters: FunnelCounters } | undefined {
  const counters = emptyCounters();
  if (!countFact(fact, counters)) return undefined;
  return { bucketStart: calendar.bucketStart(fact.ts), counters };
}

/** Sums facts into per-bucket counters; drain() hands them over (e.g. once per commit). */
export class FunnelAggregator {
  private buckets = new Map<number, FunnelCounters>();
  private scratch = emptyCounters();

  constructor(private readonly calendar: StoreCalendar) {}

  add(fact: Fact): void {
    if (!countFact(fact, this.scratch)) return;
    const start = this.calendar.bucketStart(fact.ts);
    const existing = this.buckets.get(start);
    if (existing) addCounters(existing, this.scratch);
    else this.buckets.set(start, this.scratch);
    this.scratch = existing ? zero(this.scratch) : emptyCounters();
  }

  addAll(facts: Iterable<Fact>): void {
    for (const f of facts) this.add(f);
  }

  get(bucketStart: number): Readonly<FunnelCounters> | undefined {
    return this.buckets.get(bucketStart);
  }

  /** Buckets touched since the last drain, by start. */
  peek(): ReadonlyMap<number, Readonly<FunnelCounters>> {
    return this.buckets;
  }

  drain(): Map<number, FunnelCounters> {
    const out = this.buckets;
    this.buckets = new Map();
    return out;
  }
}

function zero(c: FunnelCounters): FunnelCounters {
  c.passersBy = 0;
  c.visitors = 0;
  c.exits = 0;
  c.tryOnSessions = 0;
  c.itemsTried = 0;
  c.transactions = 0;
  c.units = 0;
  c.revenueCents = 0;
  c.triedBought = 0;
  c.occupancyMs = 0;
  return c;
}

export function funnelRates(c: Readonly<FunnelCounters>): FunnelRates {
  return {
    captureRate: ratio(c.visitors, c.passersBy),
    tryOnRate: ratio(c.tryOnSessions, c.visitors),
    conversionRate: ratio(c.transactions, c.visitors),
    atv: atvOf(c.revenueCents, c.transactions),
    upt: uptOf(c.units, c.transactions),
    estimatedDwellMs: ratio(c.occupancyMs, c.visitors),
  };
}

/** Revenue of counters in currency units. */
export function revenueOf(c: Readonly<FunnelCounters>): number {
  return c.revenueCents / 100;
}
