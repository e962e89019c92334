/**
 * Writes facts where the views read them: funnel counters into the 15-minute bucket of each
 * fact's own time, and the facts that screens list one by one (sessions, tried items,
 * alerts, invitation outcomes, member purchases) into the facts table. Everything is tagged
 * with the epoch whose input derived it, so a rewind can take it back (`retract`).
 * Runs inside the derivation's transaction.
 */
import type { GatewayConfig } from '../../infra/config/index.js';
import { createStoreCalendar } from '../../infra/time/index.js';
import { type Fact, FunnelAggregator } from '../correlate/index.js';
import type { Db } from '../journal/index.js';
import { type BucketCounters, BucketStore, emptyCounters } from './buckets.js';

/** Facts kept row by row; counters-only facts (visitor, exit, passer-by, occupancy) are not. */
const LISTED: ReadonlySet<Fact['type']> = new Set([
  'session.ended',
  'item.tried',
  'tried.bought',
  'vip.arrival',
  'vip.departure',
  'invitation.outcome',
  'invitation.closed',
  'transaction',
  'adjustment',
  'counter.restart',
  'staff.badge',
]);

/** What a retracted fact row still tells (upstream re-sends the VIP journey of its bucket). */
export interface RetractedFact {
  readonly type: string;
  readonly ts: number;
  readonly member?: string;
}

export class FactWriter {
  private readonly buckets: BucketStore;
  private readonly aggregator: FunnelAggregator;
  private readonly insertFact;
  private readonly selectFrom;
  private readonly deleteFrom;
  /** During a rewind: each touched bucket's counters before it (undefined: had no row). */
  private before: Map<number, BucketCounters | undefined> | undefined;

  constructor(db: Db, config: GatewayConfig) {
    this.buckets = new BucketStore(db);
    this.aggregator = new FunnelAggregator(createStoreCalendar(config.store.timezone));
    this.insertFact = db.prepare('INSERT INTO facts (type, ts, member, body, epoch) VALUES (?, ?, ?, ?, ?)');
    this.selectFrom = db.prepare('SELECT type, ts, member FROM facts WHERE epoch >= ?');
    this.deleteFrom = db.prepare('DELETE FROM facts WHERE epoch >= ?');
  }

  /** Deletes every derived row (a rewind to the empty state starts from nothing). */
  static clear(db: Db): void {
    db.exec('DELETE FROM buckets; DELETE FROM bucket_epochs; DELETE FROM facts;');
  }

  /** Returns the bucket starts that changed (outside a rewind), for upstream revisions. */
  write(facts: readonly Fact[], epoch: number): number[] {
    if (facts.length === 0) return [];
    // Correlation's own fact → counters mapping, so the gateway cannot count differently.
    for (const fact of facts) {
      this.aggregator.add(fact);
      if (LISTED.has(fact.type)) {
        const member = 'member' in fact && typeof fact.member === 'string' ? fact.member : null;
        this.insertFact.run(fact.type, fact.ts, member, JSON.stringify(fact), epoch);
      }
    }
    const deltas = this.aggregator.drain();
    if (this.before) {
      for (const start of deltas.keys()) this.remember(start);
      this.buckets.apply(deltas, epoch, true);
      return [];
    }
    this.buckets.apply(deltas, epoch);
    return [...deltas.keys()];
  }

  /**
   * Starts a rewind: takes back everything epochs ≥ `fromEpoch` derived. Buckets are not
   * revised until `endRewind`, and then only where the re-derived counters differ.
   */
  beginRewind(fromEpoch: number): RetractedFact[] {
    this.before = new Map();
    const retracted = (this.selectFrom.all(fromEpoch) as { type: string; ts: number; member: string | null }[]).map(
      (r) => (r.member === null ? { type: r.type, ts: r.ts } : { type: r.type, ts: r.ts, member: r.member }),
    );
    this.deleteFrom.run(fromEpoch);
    this.buckets.subtractFromEpoch(fromEpoch, (start) => this.remember(start));
    return retracted;
  }

  /** Ends a rewind: revises the buckets whose counters changed and returns their starts. */
  endRewind(): number[] {
    const before = this.before;
    this.before = undefined;
    if (!before) return [];
    const changed: number[] = [];
    for (const [start, was] of before) {
      const now = this.buckets.get(start);
      if (sameCounters(was, now)) continue;
      this.buckets.revise(start);
      changed.push(start);
    }
    return changed;
  }

  /** Folds the bucket shares of epochs in (into, before) into `into` (their checkpoints are gone). */
  mergeEpochs(into: number, before: number): void {
    this.buckets.mergeEpochs(into, before);
  }

  /** Forgets the bucket shares of epochs below `epoch`: no rewind can reach them. */
  dropEpochsBelow(epoch: number): void {
    this.buckets.dropEpochsBelow(epoch);
  }

  private remember(start: number): void {
    if (this.before?.has(start) !== false) return;
    const row = this.buckets.get(start);
    this.before.set(start, row && countersOf(row));
  }
}

function countersOf(row: BucketCounters): BucketCounters {
  return {
    passersBy: row.passersBy,
    visitors: row.visitors,
    exits: row.exits,
    tryOnSessions: row.tryOnSessions,
    itemsTried: row.itemsTried,
    transactions: row.transactions,
    units: row.units,
    revenueCents: row.revenueCents,
    triedBought: row.triedBought,
    occupancyMs: row.occupancyMs,
  };
}

function sameCounters(a: BucketCounters | undefined, b: BucketCounters | undefined): boolean {
  const x = a ?? ZERO;
  const y = b ?? ZERO;
  return (
    x.passersBy === y.passersBy &&
    x.visitors === y.visitors &&
    x.exits === y.exits &&
    x.tryOnSessions === y.tryOnSessions &&
    x.itemsTried === y.itemsTried &&
    x.transactions === y.transactions &&
    x.units === y.units &&
    x.revenueCents === y.revenueCents &&
    x.triedBought === y.triedBought &&
    x.occupancyMs === y.occupancyMs
  );
}

const ZERO: BucketCounters = emptyCounters();
