/**
 * Group commit: inputs that arrive within one turn of the event loop share one SQLite
 * transaction (synchronous=FULL), and each input's `done` runs only after that
 * transaction committed. This is what lets a QoS1 PUBACK wait for durability without
 * paying one fsync per message.
 */

import type { GatewayMetrics } from '../../infra/metrics/index.js';
import type { Db, Journal, JournalEvent, JournalRow, RejectedInput, RejectedStore } from '../journal/index.js';
import { isTransientStorageError } from './storage-health.js';

/** What became of a committed input: `fresh` of its events were new (0 for an input that was all duplicates). */
export interface InputOutcome {
  readonly fresh: number;
}

export type Done = (err?: Error, outcome?: InputOutcome) => void;

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
/** A batch refused by a lock (SQLITE_BUSY after the connection's busy timeout) is retried this often… */
const LOCK_RETRY_EVERY_MS = 250;
/** …for this long (real time) before its inputs fail and publishers must resend. */
const LOCK_RETRY_FOR_MS = 30_000;

export class GroupCommit<T> {
  private queue: PendingInput[] = [];
  private scheduled = false;
  private closed = false;
  private readonly observers: ((summary: CommitSummary) => void)[] = [];
  // --- failure path state (see retryLater) ---
  private retryTimer: NodeJS.Timeout | undefined;
  private lockedSince: number | undefined;
  private readonly failureListeners: ((err: unknown, retrying: boolean) => void)[] = [];

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
    // While a locked batch waits for its retry, nothing may commit ahead of it.
    while (this.queue.length > 0 && this.retryTimer === undefined) {
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
    this.failHeldInputs();
  }

  // --- failure path -------------------------------------------------------------------

  /** Told of every failed commit (`retrying`: its inputs are held and retried, not failed). */
  onFailure(listener: (err: unknown, retrying: boolean) => void): void {
    this.failureListeners.push(listener);
  }

  /**
   * A batch that failed because another process holds the database lock is kept, unacknowledged,
   * at the head of the queue and retried: publishers keep their connections and get their
   * PUBACKs once the lock is gone. Past LOCK_RETRY_FOR_MS it fails like any storage error
   * (publishers are disconnected and resend). Anything else (disk full, I/O error) fails at once:
   * the publishers hold those messages, not the gateway's memory.
   */
  private retryLater(batch: readonly PendingInput[], err: unknown): boolean {
    if (batch.length === 0 || this.closed || !isTransientStorageError(err)) return false;
    const now = Date.now();
    this.lockedSince ??= now;
    if (now - this.lockedSince > LOCK_RETRY_FOR_MS) {
      this.lockedSince = undefined;
      return false;
    }
    this.queue = [...batch, ...this.queue];
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flush();
      // No new retry was scheduled: the held batch committed or failed for good.
      if (this.retryTimer === undefined) this.lockedSince = undefined;
    }, LOCK_RETRY_EVERY_MS);
    return true;
  }

  /** Shutdown while a batch waits for a lock: it was never durable, so it is not acknowledged. */
  private failHeldInputs(): void {
    if (this.retryTimer === undefined) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const held = this.queue;
    this.queue = [];
    const failure = new StorageError('gateway is shutting down; not journaled');
    for (const input of held) input.done(failure);
  }

  private commit(batch: readonly PendingInput[]): void {
    const ingested = new Map<string, number>();
    const duplicates = new Map<string, number>();
    const rejectedCounts = new Map<string, number>();
    const rows: JournalRow[] = [];
    const freshOf = new Array<number>(batch.length).fill(0);
    let result: T;
    try {
      result = this.db.transaction(() => {
        rows.length = 0;
        freshOf.fill(0);
        // Index loops: entries() made an iterator and a pair per input, in the hottest loop.
        for (let i = 0; i < batch.length; i++) {
          const input = batch[i] as PendingInput;
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
          freshOf[i] = fresh;
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
      const retrying = this.retryLater(batch, err);
      for (const listener of this.failureListeners) listener(err, retrying);
      if (retrying) return;
      for (const input of batch) input.done(failure);
      return;
    }
    if (batch.length > 0) this.metrics.commitBatch.observe(batch.length);
    this.metrics.countBatch(ingested, 'ingested');
    this.metrics.countBatch(duplicates, 'duplicate');
    this.metrics.countBatch(rejectedCounts, 'rejected');
    for (let i = 0; i < batch.length; i++) {
      const input = batch[i] as PendingInput;
      if (input.rejected) this.metrics.rejections.inc({ code: input.rejected.code });
      input.done(undefined, { fresh: freshOf[i] ?? 0 });
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
