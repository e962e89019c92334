/**
 * The append-only event journal, the store's source of truth. Appends run inside the
 * caller's transaction (see GroupCommit); a (device, id) pair already present is ignored,
 * which is how duplicates from QoS1 retries and device re-sends are dropped.
 */
import type { Db } from './db.js';
import type { JournalEvent } from './events.js';

export interface JournalRow {
  readonly seq: number;
  readonly event: JournalEvent;
}

export class Journal {
  private readonly insert;
  private readonly selectFrom;
  private readonly selectMaxSeq;
  private readonly selectInEventOrder;
  private readonly selectMaxTs;

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO journal (device, msg_id, type, ts, rx_ts, body) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.selectFrom = db.prepare('SELECT seq, body FROM journal WHERE seq > ? ORDER BY seq LIMIT ?');
    this.selectMaxSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM journal');
    this.selectMaxTs = db.prepare('SELECT MAX(ts) FROM journal').pluck();
    // Event-time order, ties in arrival order: the order derivation applies events in.
    this.selectInEventOrder = db.prepare(
      'SELECT seq, body FROM journal INDEXED BY journal_ts WHERE (ts, seq) > (?, ?) ORDER BY ts, seq LIMIT ?',
    );
  }

  /** Appends one event; returns its seq, or undefined when (device, id) was already journaled. Call inside a transaction. */
  append(event: JournalEvent): number | undefined {
    const info = this.insert.run(event.device, event.id, event.type, event.ts, event.rxTs, JSON.stringify(event));
    return info.changes === 1 ? Number(info.lastInsertRowid) : undefined;
  }

  /** The newest event time journaled (0 when empty). */
  lastTs(): number {
    return (this.selectMaxTs.get() as number | null) ?? 0;
  }

  lastSeq(): number {
    return (this.selectMaxSeq.get() as { seq: number }).seq;
  }

  /**
   * Reads events after position (ts, seq) in event-time order (ts, then seq), in pages. This
   * is the order correlation sees whatever order devices delivered in (gateway/pipeline/derive).
   */
  *readInEventOrder(after: { readonly ts: number; readonly seq: number }, pageSize = 5000): Generator<JournalRow> {
    let ts = after.ts;
    let seq = after.seq;
    for (;;) {
      const rows = this.selectInEventOrder.all(ts, seq, pageSize) as { seq: number; body: string }[];
      for (const row of rows) {
        const event = JSON.parse(row.body) as JournalEvent;
        ts = event.ts;
        seq = row.seq;
        yield { seq: row.seq, event };
      }
      if (rows.length < pageSize) return;
    }
  }

  /** Reads events after `seq` in journal order, in pages, so a replay of months never loads them all. */
  *readAfter(seq: number, pageSize = 5000): Generator<JournalRow> {
    let cursor = seq;
    for (;;) {
      const rows = this.selectFrom.all(cursor, pageSize) as { seq: number; body: string }[];
      for (const row of rows) yield { seq: row.seq, event: JSON.parse(row.body) as JournalEvent };
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) return;
      cursor = last.seq;
    }
  }
}
