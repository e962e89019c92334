/**
 * Checkpoints: the correlator's state after every input up to a position in event-time
 * order, each starting an epoch of derived output. Late input rewinds to the newest
 * checkpoint before it; a checkpoint after late input no longer describes a prefix of the
 * journal and is dropped in the transaction that journals that input.
 *
 * Kept: every checkpoint of the last RECENT_MS of event time (late-by-seconds input
 * rewinds a few seconds), then the first of each hour back to lateWindow (a flushed
 * buffer rewinds to the hour before it), then one older than that. Epoch 0 is the empty
 * state before all input and is never stored.
 */
import type { Db } from '../journal/index.js';
import { GENESIS, type Position } from './position.js';

export interface Checkpoint {
  readonly epoch: number;
  readonly position: Position;
}

export const GENESIS_CHECKPOINT: Checkpoint = { epoch: 0, position: GENESIS };

const RECENT_MS = 10 * 60_000;
const HOUR_MS = 3_600_000;

export class CheckpointStore {
  private readonly insert;
  private readonly selectLatestAtOrBefore;
  private readonly selectBody;
  private readonly deleteAfter;
  private readonly selectAll;
  private readonly deleteOne;
  private readonly selectMaxEpoch;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO checkpoints (epoch, ts, seq, body) VALUES (?, ?, ?, ?)');
    this.selectLatestAtOrBefore = db.prepare(
      'SELECT epoch, ts, seq FROM checkpoints WHERE ts <= ? ORDER BY epoch DESC LIMIT 1',
    );
    this.selectBody = db.prepare('SELECT body FROM checkpoints WHERE epoch = ?').pluck();
    this.deleteAfter = db.prepare('DELETE FROM checkpoints WHERE ts > ?');
    this.selectAll = db.prepare('SELECT epoch, ts FROM checkpoints ORDER BY epoch');
    this.deleteOne = db.prepare('DELETE FROM checkpoints WHERE epoch = ?');
    this.selectMaxEpoch = db
      .prepare(
        `SELECT MAX(e) FROM (SELECT MAX(epoch) AS e FROM checkpoints UNION ALL SELECT MAX(epoch) FROM facts
         UNION ALL SELECT MAX(epoch) FROM bucket_epochs UNION ALL SELECT MAX(epoch) FROM alerts)`,
      )
      .pluck();
  }

  /** The highest epoch anything derived carries (new epochs count on from it). */
  maxEpoch(): number {
    return (this.selectMaxEpoch.get() as number | null) ?? 0;
  }

  save(epoch: number, position: Position, body: string): void {
    this.insert.run(epoch, position.ts, position.seq, body);
  }

  /** The newest checkpoint that holds no input at or after time `ts`; genesis if none. */
  latestBefore(ts: number): Checkpoint {
    // A checkpoint at (t, seq) holds inputs up to it; late input at `ts` has a newer seq
    // than any stored, so every checkpoint with t ≤ ts is before it.
    const row = this.selectLatestAtOrBefore.get(ts) as { epoch: number; ts: number; seq: number } | undefined;
    return row ? { epoch: row.epoch, position: { ts: row.ts, seq: row.seq } } : GENESIS_CHECKPOINT;
  }

  latest(): Checkpoint {
    return this.latestBefore(Number.MAX_SAFE_INTEGER);
  }

  body(epoch: number): string | undefined {
    return this.selectBody.get(epoch) as string | undefined;
  }

  /** Input at `ts` arrived late: checkpoints after it miss it. */
  invalidateAfter(ts: number): void {
    this.deleteAfter.run(ts);
  }

  /**
   * Drops checkpoints no rewind needs (see the file comment). `merge(into, before)` is told
   * each run of dropped epochs so their shares fold into the checkpoint before them;
   * `dropBelow(epoch)` when everything below the oldest kept one can never be rewound to.
   */
  prune(lateWindowMs: number, merge: (into: number, before: number) => void, dropBelow: (epoch: number) => void): void {
    const all = this.selectAll.all() as { epoch: number; ts: number }[];
    const newest = all.at(-1);
    if (!newest) return;
    const recentFrom = newest.ts - RECENT_MS;
    const hourlyFrom = newest.ts - lateWindowMs - HOUR_MS;
    const keep = new Set<number>();
    let lastHour: number | undefined;
    let base: { epoch: number; ts: number } | undefined;
    for (const c of all) {
      if (c.ts >= recentFrom) keep.add(c.epoch);
      else if (c.ts >= hourlyFrom) {
        const hour = Math.floor(c.ts / HOUR_MS);
        if (hour !== lastHour) keep.add(c.epoch);
        lastHour = hour;
      } else base = c;
    }
    if (base) keep.add(base.epoch);
    let previousKept = 0;
    for (const c of all) {
      if (keep.has(c.epoch)) {
        merge(previousKept, c.epoch);
        previousKept = c.epoch;
      } else this.deleteOne.run(c.epoch);
    }
    // Epochs after the newest checkpoint are live: nothing to fold there.
    if (base) dropBelow(base.epoch);
  }
}
