/**
 * Group commit: inputs that arrive within one turn of the event loop share one SQLite
 * transaction (synchronous=FULL), and each input's `done` runs only after that
 * transaction committed. This is what lets a QoS1 PUBACK wait for durability without
 * paying one fsync per message.
 */
import type { Db, Journal, JournalEvent, JournalRow, RejectedInput, RejectedStore } from '../journal/index.js';
import type { GatewayMetrics } from '../metrics/index.js';

export type Done = (err?: Error) => void;

export interface PendingInput {
  /** Device the counters are kept for ('' when the sender is not a configured device). */
  readonly device: string;
  readonly events: readonly JournalEvent[];
  readonly rejected: RejectedInput | undefined;
  readonly done: Done;
}

/**
 * What runs with each batch: `inTransaction` sees the newly journaled rows (duplicates
 * already dropped) and may write derived state in the same transaction; `afterCommit`
 * gets its result once the batch is durable; `onRollback` is told when it was not.
 */
export interface CommitHook<T> {
  inTransaction(rows: readonly JournalRow[]): T;
  afterCommit(result: T): void;
  onRollback(err: Error): void;
}

/** What one committed batch did, per device: for health views and counters. */
export interface CommitSummary {
  readonly rows: readonly JournalRow[];
  readonly ingested: ReadonlyMap<string, number>;
  readonly duplicates: ReadonlyMap<string, number>;
  readonly rejected: ReadonlyMap<string, number>;
}

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code = 'STORAGE_FAILED';
}

const MAX_BATCH = 4096;

export class GroupCommit<T> {
  private queue: PendingInput[] = [];
  private scheduled = false;
  private closed = false;
  private readonly observers: ((summary: CommitSummary) => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly journal: Journal,
    private readonly rejected: RejectedStore,
    private readonly hook: CommitHook<T>,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** Called after each durable batch (after the inputs were acknowledged). */
  observe(observer: (summary: CommitSummary) => void): void {
    this.observers.push(observer);
  }

  enqueue(input: PendingInput): void {
    if (this.closed) {
      input.done(new StorageError('gateway is shutting down'));
      return;
    }
    this.queue.push(input);
    if (!this.scheduled) {
      this.scheduled = true;
      // setImmediate runs after the current socket reads are dispatched, so a batch forms.
      setImmediate(() => this.flush());
    }
  }

  /** Commits everything queued now. Safe to call directly (shutdown, ticks). */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.length <= MAX_BATCH ? this.queue : this.queue.slice(0, MAX_BATCH);
      this.queue = this.queue.length <= MAX_BATCH ? [] : this.queue.slice(MAX_BATCH);
      this.commit(batch);
    }
  }

  /** Commits now even with nothing queued, so derived state sees the clock move. */
  flushTick(): void {
    if (this.closed) return;
    if (this.queue.length === 0) this.commit([]);
    else this.flush();
  }

  /** Stops accepting inputs and commits what is queued. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private commit(batch: readonly PendingInput[]): void {
    const ingested = new Map<string, number>();
    const duplicates = new Map<string, number>();
    const rejectedCounts = new Map<string, number>();
    const rows: JournalRow[] = [];
    let result: T;
    try {
      result = this.db.transaction(() => {
        rows.length = 0;
        for (const input of batch) {
          if (input.rejected) {
            this.rejected.add(input.rejected);
            bump(rejectedCounts, input.device);
            continue;
          }
          let fresh = 0;
          for (const event of input.events) {
            const seq = this.journal.append(event);
            if (seq !== undefined) {
              rows.push({ seq, event });
              fresh++;
            }
          }
          // An input counts as a duplicate when none of its events were new.
          bump(fresh > 0 || input.events.length === 0 ? ingested : duplicates, input.device);
        }
        if (rejectedCounts.size > 0) this.rejected.enforceBound();
        return this.hook.inTransaction(rows);
      })();
    } catch (err) {
      const failure = new StorageError('journal commit failed', { cause: err });
      this.metrics.commitFailures.inc();
      this.hook.onRollback(failure);
      for (const input of batch) input.done(failure);
      return;
    }
    if (batch.length > 0) this.metrics.commitBatch.observe(batch.length);
    this.metrics.countBatch(ingested, 'ingested');
    this.metrics.countBatch(duplicates, 'duplicate');
    this.metrics.countBatch(rejectedCounts, 'rejected');
    for (const input of batch) {
      if (input.rejected) this.metrics.rejections.inc({ code: input.rejected.code });
      input.done();
    }
    this.hook.afterCommit(result);
    if (this.observers.length > 0 && batch.length > 0) {
      const summary = { rows, ingested, duplicates, rejected: rejectedCounts };
      for (const observer of this.observers) observer(summary);
    }
  }
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
