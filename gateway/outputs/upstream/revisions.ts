/**
 * Revisions across `store-gateway rebuild`. A rebuild recomputes the buckets from the journal
 * and restarts their `rev` counters at 1, but HQ keeps a bucket's highest revision and
 * ignores lower ones: without care, HQ would never see the rebuilt numbers (nor any later
 * change until the rev climbed past the old one). So around a rebuild:
 *
 *   const before = bucketRevisions(db);
 *   Derivation.rebuild(ctx);
 *   db.transaction(() => {
 *     continueRevisions(db, before);
 *     upstream.scheduler.resendRange(0, Number.MAX_SAFE_INTEGER, appliedTick);
 *   })();
 *
 * Every rebuilt bucket gets rev = old + new (always above what HQ has), and a bucket that
 * existed before but not after comes back as an all-zero row at old + 1, so HQ zeroes it.
 */
import type { Db } from '../../pipeline/journal/index.js';

/** Revision per bucket start, read before a rebuild clears the buckets. */
export function bucketRevisions(db: Db): Map<number, number> {
  const rows = db.prepare('SELECT start, rev FROM buckets').all() as { start: number; rev: number }[];
  return new Map(rows.map((r) => [r.start, r.rev]));
}

/** Lifts rebuilt revisions above the old ones (call inside a transaction); returns the starts touched. */
export function continueRevisions(db: Db, before: ReadonlyMap<number, number>): number[] {
  const raise = db.prepare('UPDATE buckets SET rev = rev + ? WHERE start = ?');
  const revive = db.prepare('INSERT INTO buckets (start, rev) VALUES (?, ?) ON CONFLICT (start) DO NOTHING');
  const touched: number[] = [];
  for (const [start, rev] of before) {
    if (raise.run(rev, start).changes === 0) revive.run(start, rev + 1);
    touched.push(start);
  }
  return touched;
}
