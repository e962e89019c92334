/**
 * Writes facts where the views read them: funnel counters into the 15-minute bucket of each
 * fact's own time, and the facts that screens list one by one (sessions, tried items,
 * alerts, invitation outcomes, member purchases) into the facts table.
 * Runs inside the derivation's transaction.
 */
import type { GatewayConfig } from '../config/index.js';
import type { Fact } from '../correlate/index.js';
import type { Db } from '../journal/index.js';
import { createStoreCalendar, type StoreCalendar } from '../time/index.js';
import { type BucketCounters, BucketStore, emptyCounters } from '../views/buckets.js';

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
  private readonly calendar: StoreCalendar;
  private readonly insertFact;

  constructor(db: Db, config: GatewayConfig) {
    this.buckets = new BucketStore(db);
    this.calendar = createStoreCalendar(config.store.timezone);
    this.insertFact = db.prepare('INSERT INTO facts (type, ts, member, body) VALUES (?, ?, ?, ?)');
  }

  /** Deletes every derived row (rebuild starts from nothing). */
  static clear(db: Db): void {
    db.exec('DELETE FROM buckets; DELETE FROM facts;');
  }

  /** Returns the bucket starts that changed, for upstream revisions. */
  write(facts: readonly Fact[]): number[] {
    if (facts.length === 0) return [];
    const deltas = new Map<number, BucketCounters>();
    const bucket = (ts: number): BucketCounters => {
      const start = this.calendar.bucketStart(ts);
      let counters = deltas.get(start);
      if (!counters) {
        counters = emptyCounters();
        deltas.set(start, counters);
      }
      return counters;
    };
    for (const fact of facts) {
      switch (fact.type) {
        case 'visitor':
          bucket(fact.ts).visitors += fact.n;
          break;
        case 'exit':
          bucket(fact.ts).exits += fact.n;
          break;
        case 'passerby':
          bucket(fact.ts).passersBy += fact.n;
          break;
        case 'occupancy':
          bucket(fact.ts).personMs += Math.round(fact.personMs);
          break;
        case 'session.counted':
          bucket(fact.ts).sessions += 1;
          break;
        case 'item.tried':
          bucket(fact.ts).itemsTried += 1;
          break;
        case 'transaction': {
          const b = bucket(fact.ts);
          b.transactions += 1;
          b.units += fact.units;
          b.revenueCents += Math.round(fact.revenue * 100);
          break;
        }
        case 'adjustment': {
          const b = bucket(fact.ts);
          b.units += fact.units;
          b.revenueCents += Math.round(fact.revenue * 100);
          break;
        }
        case 'tried.bought':
          bucket(fact.ts).triedBought += 1;
          break;
        default:
          break;
      }
      if (LISTED.has(fact.type)) {
        const member = 'member' in fact && typeof fact.member === 'string' ? fact.member : null;
        this.insertFact.run(fact.type, fact.ts, member, JSON.stringify(fact));
      }
    }
    this.buckets.apply(deltas);
    return [...deltas.keys()];
  }
}
