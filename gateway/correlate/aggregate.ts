/**
 * Facts → funnel counters per store-local 15-minute bucket, and the KPI rates exactly as
 * DESIGN "Definitions" states them. Money is summed in integer cents: each receipt total
 * is rounded to cents once, where it enters the counters, so sums are exact.
 */
import type { StoreCalendar } from '../time/index.js';
import type { Fact } from './facts.js';

export interface FunnelCounters {
  passersBy: number;
  visitors: number;
  exits: number;
  tryOnSessions: number;
  itemsTried: number;
  transactions: number;
  units: number;
  revenueCents: number;
  triedBought: number;
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
  /** revenue ÷ transactions (客单价), in currency units rounded to cents. */
  readonly atv: number | null;
  /** units ÷ transactions (连带率). */
  readonly upt: number | null;
  /** Little's law: average occupancy ÷ arrival rate = occupancy-time ÷ visitors, in ms. */
  readonly estimatedDwellMs: number | null;
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

/** A money amount in integer cents (round half away from zero). */
export function toCents(amount: number): number {
  return Math.sign(amount) * Math.round(Math.abs(amount) * 100);
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

/** numerator ÷ denominator, or null when the denominator is 0 (never NaN or Infinity). */
export function ratio(numerator: number, denominator: number): number | null {
  if (denominator === 0 || !Number.isFinite(numerator) || !Number.isFinite(denominator)) return null;
  return numerator / denominator;
}

export function funnelRates(c: Readonly<FunnelCounters>): FunnelRates {
  return {
    captureRate: ratio(c.visitors, c.passersBy),
    tryOnRate: ratio(c.tryOnSessions, c.visitors),
    conversionRate: ratio(c.transactions, c.visitors),
    atv: c.transactions === 0 ? null : toCents(c.revenueCents / c.transactions / 100) / 100,
    upt: ratio(c.units, c.transactions),
    estimatedDwellMs: ratio(c.occupancyMs, c.visitors),
  };
}

/** Revenue of counters in currency units. */
export function revenueOf(c: Readonly<FunnelCounters>): number {
  return c.revenueCents / 100;
}
