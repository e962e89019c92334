/**
 * 15-minute funnel buckets in SQLite. Counters are added to in the transaction of the
 * batch that produced them; `rev` goes up on every change so HQ can keep the newest.
 */
import { addCounters, emptyCounters, type FunnelCounters } from '../correlate/index.js';
import type { Db } from '../journal/index.js';

/** The funnel counters of one bucket: the same shape correlation counts facts into. */
export type BucketCounters = FunnelCounters;
export { addCounters, emptyCounters };

export interface BucketRow extends BucketCounters {
  readonly start: number;
  readonly rev: number;
}

export class BucketStore {
  private readonly upsert;
  private readonly selectRange;
  private readonly sumRange;

  constructor(private readonly db: Db) {
    this.upsert = db.prepare(`
      INSERT INTO buckets (start, passers_by, visitors, exits, sessions, items_tried, transactions, units, revenue_cents, tried_bought, person_ms, rev)
      VALUES (@start, @passersBy, @visitors, @exits, @tryOnSessions, @itemsTried, @transactions, @units, @revenueCents, @triedBought, @occupancyMs, 1)
      ON CONFLICT (start) DO UPDATE SET
        passers_by = passers_by + excluded.passers_by,
        visitors = visitors + excluded.visitors,
        exits = exits + excluded.exits,
        sessions = sessions + excluded.sessions,
        items_tried = items_tried + excluded.items_tried,
        transactions = transactions + excluded.transactions,
        units = units + excluded.units,
        revenue_cents = revenue_cents + excluded.revenue_cents,
        tried_bought = tried_bought + excluded.tried_bought,
        person_ms = person_ms + excluded.person_ms,
        rev = rev + 1`);
    this.selectRange = db.prepare(`
      SELECT start, passers_by AS passersBy, visitors, exits, sessions AS tryOnSessions, items_tried AS itemsTried,
             transactions, units, revenue_cents AS revenueCents, tried_bought AS triedBought, person_ms AS occupancyMs, rev
      FROM buckets WHERE start >= ? AND start < ? ORDER BY start`);
    this.sumRange = db.prepare(`
      SELECT COALESCE(SUM(passers_by), 0) AS passersBy, COALESCE(SUM(visitors), 0) AS visitors,
             COALESCE(SUM(exits), 0) AS exits, COALESCE(SUM(sessions), 0) AS tryOnSessions,
             COALESCE(SUM(items_tried), 0) AS itemsTried, COALESCE(SUM(transactions), 0) AS transactions,
             COALESCE(SUM(units), 0) AS units, COALESCE(SUM(revenue_cents), 0) AS revenueCents,
             COALESCE(SUM(tried_bought), 0) AS triedBought, COALESCE(SUM(person_ms), 0) AS occupancyMs
      FROM buckets WHERE start >= ? AND start < ?`);
  }

  /** Counters summed over [from, to) inside SQLite (no row objects for long periods). */
  sum(from: number, to: number): BucketCounters {
    return this.sumRange.get(from, to) as BucketCounters;
  }

  /** Adds deltas per bucket start. Call inside a transaction. */
  apply(deltas: ReadonlyMap<number, BucketCounters>): void {
    for (const [start, counters] of deltas) {
      this.upsert.run({ start, ...counters, occupancyMs: Math.round(counters.occupancyMs) });
    }
  }

  range(from: number, to: number): BucketRow[] {
    return this.selectRange.all(from, to) as BucketRow[];
  }

  clear(): void {
    this.db.exec('DELETE FROM buckets');
  }
}
