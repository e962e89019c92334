/**
 * Derivation: runs correlation over each committed batch and writes what it produced
 * (facts, bucket counters, progress) in the SAME transaction as the journal rows, so derived
 * state on disk always matches a prefix of the journal.
 *
 * Restart: restore the last snapshot, replay the journal after it with writes suppressed
 * up to the recorded progress (those results are already on disk), then continue live.
 * Because correlation depends only on the order of its inputs, never on when ticks come,
 * the replayed state equals the state the gateway had.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../clock/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { CommitHook } from '../ingest/index.js';
import type { Db, Journal, JournalEvent, JournalRow } from '../journal/index.js';
import type { GatewayMetrics } from '../metrics/index.js';
import type { ReferenceData } from '../reference/index.js';
import { type CorrelationEngine, createEngine, type Fact, restoreEngine } from './engine.js';
import { FactWriter } from './fact-writer.js';

export interface DerivationContext {
  readonly db: Db;
  readonly journal: Journal;
  readonly config: GatewayConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
  readonly reference: ReferenceData;
  /** Queues HQ messages for changed buckets and facts, in the same transaction (the outbox). */
  readonly upstream?: {
    afterBatch(changed: Iterable<number>, facts: readonly Fact[], tick: number): void;
    reload(): void;
  };
  /** More writers of derived state (alerts, invitations), run in the same transaction. */
  readonly writers?: readonly ((rows: readonly JournalRow[], facts: readonly Fact[]) => void)[];
  /** Write a snapshot after this many journal rows or this much clock time, whichever first. */
  readonly snapshotEveryRows?: number;
  readonly snapshotEveryMs?: number;
}

export interface DerivedBatch {
  readonly facts: readonly Fact[];
}

interface Progress {
  appliedSeq: number;
  appliedTick: number;
  snapshotSeq: number | null;
  snapshotTick: number | null;
  snapshot: string | null;
}

export class Derivation implements CommitHook<DerivedBatch> {
  private engine!: CorrelationEngine;
  private lastTick = 0;
  private appliedSeq = 0;
  private stale = false;
  private rowsSinceSnapshot = 0;
  private lastSnapshotAt = 0;
  private readonly events = new EventEmitter();
  private readonly writer: FactWriter;
  private readonly readProgress;
  private readonly writeProgress;
  private readonly writeSnapshot;
  private readonly writeSnapshotBody;

  private constructor(private readonly ctx: DerivationContext) {
    this.writer = new FactWriter(ctx.db, ctx.config);
    this.readProgress = ctx.db.prepare(
      `SELECT applied_seq AS appliedSeq, applied_tick AS appliedTick, snapshot_seq AS snapshotSeq,
        snapshot_tick AS snapshotTick, (SELECT body FROM snapshot WHERE id = 1) AS snapshot
       FROM progress WHERE id = 1`,
    );
    this.writeProgress = ctx.db.prepare('UPDATE progress SET applied_seq = ?, applied_tick = ? WHERE id = 1');
    this.writeSnapshot = ctx.db.prepare('UPDATE progress SET snapshot_seq = ?, snapshot_tick = ? WHERE id = 1');
    this.writeSnapshotBody = ctx.db.prepare('INSERT OR REPLACE INTO snapshot (id, body) VALUES (1, ?)');
  }

  static open(ctx: DerivationContext): Derivation {
    const derivation = new Derivation(ctx);
    derivation.recover();
    return derivation;
  }

  /**
   * Recomputes all derived state from the journal: clears it, replays every event with
   * writes in batches, and ends at the tick the live gateway had reached, so the result
   * equals what the gateway computed live.
   */
  static rebuild(ctx: DerivationContext): { events: number; facts: number } {
    const { db } = ctx;
    const { appliedTick } = db.prepare('SELECT applied_tick AS appliedTick FROM progress WHERE id = 1').get() as {
      appliedTick: number;
    };
    db.transaction(() => {
      FactWriter.clear(db);
      db.prepare(
        'UPDATE progress SET applied_seq = 0, applied_tick = 0, snapshot_seq = NULL, snapshot_tick = NULL WHERE id = 1',
      ).run();
      db.prepare('DELETE FROM snapshot').run();
    })();
    const derivation = new Derivation(ctx);
    derivation.engine = createEngine(ctx.config, ctx.reference);
    let events = 0;
    let facts = 0;
    let batch: Fact[] = [];
    let rows: JournalRow[] = [];
    const flush = () => {
      db.transaction(() => {
        derivation.writer.write(batch);
        for (const write of ctx.writers ?? []) write(rows, batch);
        derivation.writeProgress.run(derivation.appliedSeq, derivation.lastTick);
      })();
      facts += batch.length;
      batch = [];
      rows = [];
    };
    for (const row of ctx.journal.readAfter(0)) {
      rows.push(row);
      derivation.feedEvent(row.event, batch);
      derivation.appliedSeq = row.seq;
      events++;
      if (batch.length >= 10_000 || events % 50_000 === 0) flush();
    }
    derivation.feedTick(appliedTick, batch);
    flush();
    db.transaction(() => derivation.snapshotNow())();
    return { events, facts };
  }

  /** Facts of each committed batch, after they are durable (alerts, SSE). */
  onFacts(listener: (facts: readonly Fact[]) => void): () => void {
    this.events.on('facts', listener);
    return () => this.events.off('facts', listener);
  }

  notReadyReason(): string | undefined {
    return this.stale ? 'derived state is being rebuilt after a failed commit' : undefined;
  }

  get state(): CorrelationEngine {
    return this.engine;
  }

  // --- CommitHook -------------------------------------------------------------------

  inTransaction(rows: readonly JournalRow[]): DerivedBatch {
    if (this.stale) this.recover();
    const facts: Fact[] = [];
    for (const row of rows) {
      this.feedEvent(row.event, facts);
      this.appliedSeq = row.seq;
    }
    this.feedTick(this.ctx.clock.now(), facts);
    const changed = this.writer.write(facts);
    for (const write of this.ctx.writers ?? []) write(rows, facts);
    // The same tick as applied_tick: the scheduler restarts from that watermark.
    this.ctx.upstream?.afterBatch(changed, facts, this.lastTick);
    this.writeProgress.run(this.appliedSeq, this.lastTick);
    this.rowsSinceSnapshot += rows.length;
    this.maybeSnapshot();
    return { facts };
  }

  afterCommit(batch: DerivedBatch): void {
    if (batch.facts.length === 0) return;
    for (const fact of batch.facts) this.ctx.metrics.facts.inc({ type: fact.type });
    this.events.emit('facts', batch.facts);
  }

  onRollback(err: Error): void {
    // The engine already advanced in memory past what is on disk: rebuild before the next batch.
    this.stale = true;
    this.ctx.upstream?.reload();
    // Debug only: the storage health (gateway/ingest/storage-health.ts) logs the outage once,
    // and during a disk-full outage this runs on every retried batch.
    this.ctx.log.debug({ err }, 'derived state rolled back; will rebuild from snapshot and journal');
  }

  /** Writes a final snapshot (shutdown), so the next start replays little. */
  close(): void {
    try {
      this.ctx.db.transaction(() => this.snapshotNow())();
    } catch (err) {
      this.ctx.log.warn({ err }, 'final snapshot failed; next start replays more journal');
    }
  }

  // --- internals ----------------------------------------------------------------------

  private feedEvent(event: JournalEvent, facts: Fact[]): void {
    if (event.type === 'invitation.recorded') {
      this.feedTick(event.rxTs, facts);
      this.engine.stepInto({ kind: 'invitation', invitation: event.invitation }, facts);
      return;
    }
    // The correlator advances its own clock to an event's rxTs; only record how far it got.
    if (event.rxTs > this.lastTick) this.lastTick = event.rxTs;
    this.engine.stepInto({ kind: 'event', event }, facts);
  }

  /** Ticks never go backwards: the clock may, events' rxTs may be older than the last tick. */
  private feedTick(ts: number, facts: Fact[]): void {
    if (ts <= this.lastTick) return;
    this.lastTick = ts;
    this.engine.stepInto({ kind: 'tick', ts }, facts);
  }

  private recover(): void {
    const progress = this.readProgress.get() as Progress;
    const started = Date.now();
    this.engine =
      progress.snapshot !== null
        ? restoreEngine(this.ctx.config, this.ctx.reference, JSON.parse(progress.snapshot) as unknown)
        : createEngine(this.ctx.config, this.ctx.reference);
    this.lastTick = progress.snapshotTick ?? 0;
    this.appliedSeq = progress.snapshotSeq ?? 0;
    // Results up to appliedSeq/appliedTick are on disk already: replay without writing.
    const discard: Fact[] = [];
    let replayed = 0;
    for (const row of this.ctx.journal.readAfter(this.appliedSeq)) {
      if (row.seq > progress.appliedSeq) break;
      this.feedEvent(row.event, discard);
      discard.length = 0;
      this.appliedSeq = row.seq;
      replayed++;
    }
    this.feedTick(progress.appliedTick, discard);
    this.stale = false;
    this.rowsSinceSnapshot = replayed;
    this.lastSnapshotAt = this.ctx.clock.now();
    this.ctx.log.info(
      { replayed, fromSeq: progress.snapshotSeq ?? 0, toSeq: this.appliedSeq, ms: Date.now() - started },
      'derived state restored',
    );
  }

  private maybeSnapshot(): void {
    const everyRows = this.ctx.snapshotEveryRows ?? 50_000;
    const everyMs = this.ctx.snapshotEveryMs ?? 60_000;
    const now = this.ctx.clock.now();
    if (this.rowsSinceSnapshot >= everyRows || (this.rowsSinceSnapshot > 0 && now - this.lastSnapshotAt >= everyMs)) {
      this.snapshotNow();
    }
  }

  private snapshotNow(): void {
    this.writeSnapshot.run(this.appliedSeq, this.lastTick);
    this.writeSnapshotBody.run(JSON.stringify(this.engine.snapshot()));
    this.rowsSinceSnapshot = 0;
    this.lastSnapshotAt = this.ctx.clock.now();
  }
}
