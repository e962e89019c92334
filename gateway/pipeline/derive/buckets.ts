/**
 * 15-minute funnel buckets in SQLite. Counters are added to in the transaction of the
 * batch that produced them; `rev` goes up on every change so HQ can keep the newest.
 *
 * Each addition is also kept per epoch (`bucket_epochs`, see gateway/pipeline/derive): when late
 * input rewinds derivation to a checkpoint, what the epochs after it added is subtracted
 * again before they are derived anew, and `rev` goes up only where the result differs.
 */
import { addCounters, emptyCounters, type FunnelCounters } from '../correlate/index.js';
import type { Db } from '../journal/index.js';

/** The funnel counters of one bucket: the same shape correlation counts facts into. */
export type BucketCounters = FunnelCounters;
export { addCounters, emptyCounters };

/** The counter columns of `buckets` and `bucket_epochs`, in their order. */
const COUNTER_COLUMNS = [
  'passers_by',
  'visitors',
  'exits',
  'sessions',
  'items_tried',
  'transactions',
  'units',
  'revenue_cents',
  'tried_bought',
  'person_ms',
] as const;

export interface BucketRow extends BucketCounters {
  readonly start: number;
  readonly rev: number;
}

export class BucketStore {
  private readonly upsert;
  private readonly upsertQuiet;
  private readonly upsertEpoch;
  private readonly selectRange;
  private readonly sumRange;
  private readonly sumFromEpoch;
  private readonly deleteFromEpoch;
  private readonly mergeEpochRange;
  private readonly deleteEpochRange;
  private readonly bumpRev;
  private readonly subtract;

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
    // The same without a revision: a rewind's subtract-and-re-add revises only what changed.
    this.upsertQuiet = db.prepare(`
      INSERT INTO buckets (start, passers_by, visitors, exits, sessions, items_tried, transactions, units, revenue_cents, tried_bought, person_ms, rev)
      VALUES (@start, @passersBy, @visitors, @exits, @tryOnSessions, @itemsTried, @transactions, @units, @revenueCents, @triedBought, @occupancyMs, 1)
      ON CONFLICT (start) DO UPDATE SET ${COUNTER_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`);
    this.upsertEpoch = db.prepare(`
      INSERT INTO bucket_epochs (epoch, start, ${COUNTER_COLUMNS.join(', ')})
      VALUES (@epoch, @start, @passersBy, @visitors, @exits, @tryOnSessions, @itemsTried, @transactions, @units, @revenueCents, @triedBought, @occupancyMs)
      ON CONFLICT (epoch, start) DO UPDATE SET ${COUNTER_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`);
    this.sumFromEpoch = db.prepare(`
      SELECT start, ${COUNTER_COLUMNS.map((c) => `SUM(${c}) AS ${c}`).join(', ')}
      FROM bucket_epochs WHERE epoch >= ? GROUP BY start`);
    this.deleteFromEpoch = db.prepare('DELETE FROM bucket_epochs WHERE epoch >= ?');
    this.mergeEpochRange = db.prepare(`
      INSERT INTO bucket_epochs (epoch, start, ${COUNTER_COLUMNS.join(', ')})
      SELECT @into, start, ${COUNTER_COLUMNS.map((c) => `SUM(${c})`).join(', ')}
      FROM bucket_epochs WHERE epoch > @into AND epoch < @before GROUP BY start
      ON CONFLICT (epoch, start) DO UPDATE SET ${COUNTER_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`);
    this.deleteEpochRange = db.prepare('DELETE FROM bucket_epochs WHERE epoch > ? AND epoch < ?');
    this.bumpRev = db.prepare('UPDATE buckets SET rev = rev + 1 WHERE start = ?');
    this.subtract = db.prepare(
      `UPDATE buckets SET ${COUNTER_COLUMNS.map((c) => `${c} = ${c} + @${c}`).join(', ')} WHERE start = @start`,
    );
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

  /**
   * Adds deltas per bucket start, and to `epoch`'s share of them. `quiet` leaves `rev` as it
   * is (a rewind revises at the end, where the result changed). Call inside a transaction.
   */
  apply(deltas: ReadonlyMap<number, BucketCounters>, epoch = 0, quiet = false): void {
    const upsert = quiet ? this.upsertQuiet : this.upsert;
    for (const [start, counters] of deltas) {
      const row = { start, epoch, ...counters, occupancyMs: Math.round(counters.occupancyMs) };
      upsert.run(row);
      this.upsertEpoch.run(row);
    }
  }

  /**
   * Takes back what epochs ≥ `epoch` added (a rewind), without revising. Returns the
   * starts it touched. Call inside a transaction.
   */
  subtractFromEpoch(epoch: number, beforeEach?: (start: number) => void): number[] {
    const rows = this.sumFromEpoch.all(epoch) as ({ start: number } & Record<string, number>)[];
    const starts: number[] = [];
    for (const row of rows) {
      beforeEach?.(row.start);
      const negated: Record<string, number> = { start: row.start };
      for (const c of COUNTER_COLUMNS) negated[c] = -(row[c] ?? 0);
      this.subtract.run(negated);
      starts.push(row.start);
    }
    this.deleteFromEpoch.run(epoch);
    return starts;
  }

  /** Folds the shares of epochs in (into, before) into `into`'s (their checkpoints are gone). */
  mergeEpochs(into: number, before: number): void {
    if (before <= into + 1) return;
    this.mergeEpochRange.run({ into, before });
    this.deleteEpochRange.run(into, before);
  }

  /** Forgets the shares of epochs below `epoch`: no rewind can reach them any more. */
  dropEpochsBelow(epoch: number): void {
    this.deleteEpochRange.run(-1, epoch);
  }

  revise(start: number): void {
    this.bumpRev.run(start);
  }

  /** One bucket's row (undefined when it has none). */
  get(start: number): BucketRow | undefined {
    return this.range(start, start + 1)[0];
  }

  range(from: number, to: number): BucketRow[] {
    return this.selectRange.all(from, to) as BucketRow[];
  }

  clear(): void {
    this.db.exec('DELETE FROM buckets');
  }
}
