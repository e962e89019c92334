/**
 * Writes facts where the views read them: funnel counters into the 15-minute bucket of each
 * fact's own time, and the facts that screens list one by one (sessions, tried items,
 * alerts, invitation outcomes, member purchases) into the facts table.
 * Runs inside the derivation's transaction.
 */
import type { GatewayConfig } from '../config/index.js';
import { type Fact, FunnelAggregator } from '../correlate/index.js';
import type { Db } from '../journal/index.js';
import { createStoreCalendar } from '../time/index.js';
import { BucketStore } from '../views/buckets.js';

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
]);

export class FactWriter {
  private readonly buckets: BucketStore;
  private readonly aggregator: FunnelAggregator;
  private readonly insertFact;

  constructor(db: Db, config: GatewayConfig) {
    this.buckets = new BucketStore(db);
    this.aggregator = new FunnelAggregator(createStoreCalendar(config.store.timezone));
    this.insertFact = db.prepare('INSERT INTO facts (type, ts, member, body) VALUES (?, ?, ?, ?)');
  }

  /** Deletes every derived row (rebuild starts from nothing). */
  static clear(db: Db): void {
    db.exec('DELETE FROM buckets; DELETE FROM facts;');
  }

  /** Returns the bucket starts that changed, for upstream revisions. */
  write(facts: readonly Fact[]): number[] {
    if (facts.length === 0) return [];
    // Correlation's own fact → counters mapping, so the gateway cannot count differently.
    for (const fact of facts) {
      this.aggregator.add(fact);
      if (LISTED.has(fact.type)) {
        const member = 'member' in fact && typeof fact.member === 'string' ? fact.member : null;
        this.insertFact.run(fact.type, fact.ts, member, JSON.stringify(fact));
      }
    }
    const deltas = this.aggregator.drain();
    this.buckets.apply(deltas);
    return [...deltas.keys()];
  }
}
