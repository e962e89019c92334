/**
 * The upstream outbox: the one source of truth for what HQ still has to receive.
 *
 * `enqueue` is a plain INSERT on the gateway's connection, so it runs inside whatever
 * transaction is open (the derivation's commit): a message exists exactly when the state
 * that produced it was committed. The publisher reads rows in `seq` order and deletes a
 * row only after JetStream acknowledged it, so a crash, a NATS outage or a lost PubAck can
 * only cause a re-publish (dropped by the stream's duplicate window, then by HQ's
 * upsert-if-newer), never a loss.
 */
import type { Clock } from '../../infra/clock/index.js';
import type { Db } from '../../pipeline/journal/index.js';
import { OutboxMessageTooLargeError } from './errors.js';

export interface OutboxMessage {
  readonly subject: string;
  /** Nats-Msg-Id: `{store}:{kind}:{bucketStart}:{rev}`. Unique in the outbox. */
  readonly msgId: string;
  /** UTF-8 JSON body. */
  readonly payload: string;
}

export interface OutboxRow extends OutboxMessage {
  readonly seq: number;
  /** Gateway clock when enqueued (epoch ms). */
  readonly created: number;
}

/** NATS refuses payloads above max_payload (1 MiB by default); stay well below it. */
export const MAX_OUTBOX_PAYLOAD_BYTES = 900 * 1024;

export class Outbox {
  private readonly insert;
  private readonly selectAfter;
  private readonly deleteOne;
  private readonly countRows;
  private readonly selectOldest;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.insert = db.prepare(
      'INSERT INTO outbox (subject, msg_id, payload, created) VALUES (?, ?, ?, ?) ON CONFLICT (msg_id) DO NOTHING',
    );
    this.selectAfter = db.prepare(
      'SELECT seq, subject, msg_id AS msgId, payload, created FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.deleteOne = db.prepare('DELETE FROM outbox WHERE seq = ?');
    this.countRows = db.prepare('SELECT count(*) AS n FROM outbox').pluck();
    this.selectOldest = db.prepare('SELECT created FROM outbox ORDER BY seq LIMIT 1').pluck();
  }

  /**
   * Adds a message; pure INSERT, no I/O beyond SQLite: call it inside the transaction that
   * produced the message. A message whose msgId is already waiting is ignored (false).
   */
  enqueue(message: OutboxMessage): boolean {
    const bytes = Buffer.byteLength(message.payload, 'utf8');
    if (bytes > MAX_OUTBOX_PAYLOAD_BYTES) throw new OutboxMessageTooLargeError(message.msgId, bytes);
    const added = this.insert.run(message.subject, message.msgId, message.payload, this.clock.now()).changes > 0;
    if (added) for (const listener of this.listeners) listener();
    return added;
  }

  /**
   * Called after each added row, synchronously (possibly inside an open transaction): a
   * listener must only note that there is work, never read or write the database.
   */
  onEnqueue(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Up to `limit` rows after `afterSeq`, oldest first. */
  read(afterSeq: number, limit: number): OutboxRow[] {
    return this.selectAfter.all(afterSeq, limit) as OutboxRow[];
  }

  /** Deletes acknowledged rows, in one transaction. */
  remove(seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    this.db.transaction(() => {
      for (const seq of seqs) this.deleteOne.run(seq);
    })();
  }

  depth(): number {
    return this.countRows.get() as number;
  }

  /** Enqueue time of the oldest waiting row, or undefined when the outbox is empty. */
  oldestCreated(): number | undefined {
    const created = this.selectOldest.get() as number | undefined;
    return created ?? undefined;
  }

  /** Depth and age of the oldest row (0 when empty), for metrics and the API. */
  backlog(): { depth: number; oldestAgeMs: number } {
    const oldest = this.oldestCreated();
    return { depth: this.depth(), oldestAgeMs: oldest === undefined ? 0 : Math.max(0, this.clock.now() - oldest) };
  }
}
