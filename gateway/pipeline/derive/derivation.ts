/**
 * Derivation: runs correlation over the journal and writes what it produced (facts, bucket
 * counters, alerts) in the SAME transaction as the journal rows of each batch.
 *
 * Order independence. Correlation sees input in event-time order (ts, ties in arrival
 * order), whatever order devices delivered it in, so derived state is a function of the
 * set of events. Input that arrives in order is applied at once (a VIP's card read raises
 * its alert in milliseconds). Input older than what was already applied (a reader flushing
 * an hour of reads, a door counter that sends every minute, a POS syncing after an outage)
 * rewinds: the correlator is restored from the newest checkpoint before it, everything
 * derived since that checkpoint is taken back, and the journal from there is applied again
 * in event-time order. Buckets whose counters changed get a new revision (HQ gets them
 * again); a visitor that a late staff badge excuses is withdrawn; sessions are rebuilt
 * from flushed reads. Rewinds are paced (each waits a multiple of the last one's cost), so a
 * long flush costs a few replays, not one per message.
 *
 * Time. Deadlines (a held entrance crossing, a session's end) are decided `settle` behind
 * the gateway's clock: input up to that late is still in order. The correlator's own clock
 * is event time (gateway/pipeline/correlate).
 *
 * Restart and rebuild are rewinds too: restore the newest checkpoint (none: the empty
 * state) and apply the journal after it, re-deriving what is on disk from there.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Clock } from '../../infra/clock/index.js';
import type { GatewayConfig } from '../../infra/config/index.js';
import type { GatewayMetrics } from '../../infra/metrics/index.js';
import type { ReferenceData } from '../../infra/reference/index.js';
import type { CommitHook } from '../ingest/index.js';
import type { Db, Journal, JournalEvent, JournalRow } from '../journal/index.js';
import { type Checkpoint, CheckpointStore, GENESIS_CHECKPOINT } from './checkpoints.js';
import { type CorrelationEngine, createEngine, type Fact, restoreEngine } from './engine.js';
import { FactWriter, type RetractedFact } from './fact-writer.js';
import { isBefore, type Position } from './position.js';

/** Another writer of derived state (alerts, invitations), run in the same transaction. */
export interface DerivedWriter {
  /**
   * What a stretch of input derived. `rows` are the batch's newly journaled rows (empty
   * while a rewind re-applies the journal); `epoch` tags what is written, for `retract`.
   */
  write(rows: readonly JournalRow[], facts: readonly Fact[], epoch: number): void;
  /** A rewind takes back what epochs ≥ `fromEpoch` derived; they are derived again next. */
  retract?(fromEpoch: number): void;
  /** The rewind re-derived them: drop what was taken back and not derived again. */
  afterRewind?(): void;
}

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
    afterBatch(
      changed: Iterable<number>,
      facts: readonly { type: string; ts: number; member?: string }[],
      tick: number,
    ): void;
    reload(): void;
  };
  readonly writers?: readonly DerivedWriter[];
}

export interface DerivedBatch {
  readonly facts: readonly Fact[];
  /** The facts came from re-applying the journal after late input (many, mostly known). */
  readonly rewound: boolean;
}

/** A rewind may start this many times its last duration after it ended (≤ 20 % of the time). */
const REWIND_PACING = 4;
/** A checkpoint may cost at most 1 % of the time: this many times its last cost apart. */
const CHECKPOINT_PACING = 100;
/** Near the horizon, a checkpoint after this many inputs or this much event time. */
const CHECKPOINT_EVERY_INPUTS = 2000;
const CHECKPOINT_EVERY_MS = 10_000;
/** Checkpoints that close together this near the horizon; hourly further back (a rebuild). */
const RECENT_MS = 10 * 60_000;
const HOUR_MS = 3_600_000;
const PRUNE_EVERY_MS = 60_000;

interface Progress {
  appliedSeq: number;
  appliedTick: number;
}

export class Derivation implements CommitHook<DerivedBatch> {
  private engine!: CorrelationEngine;
  /** The last input or tick applied. */
  private applied: Position = GENESIS_CHECKPOINT.position;
  /** Tag of what is derived now: the epoch of the last checkpoint. */
  private epoch = 0;
  private nextEpoch = 1;
  private inputsSinceCheckpoint = 0;
  private checkpointTs = GENESIS_CHECKPOINT.position.ts;
  private checkpointCostMs = 0;
  private checkpointAt = 0;
  private prunedAt = 0;
  /** Earliest ts of late input not applied yet (a rewind is due). */
  private pendingFrom: number | undefined;
  private rewindAllowedAt = 0;
  private appliedSeq = 0;
  private stale = false;
  private readonly events = new EventEmitter();
  private readonly writer: FactWriter;
  private readonly checkpoints: CheckpointStore;
  private readonly writeProgress;
  private readonly readProgress;
  private readonly writeSnapshotSeq;

  private constructor(private readonly ctx: DerivationContext) {
    this.writer = new FactWriter(ctx.db, ctx.config);
    this.checkpoints = new CheckpointStore(ctx.db);
    this.nextEpoch = this.checkpoints.maxEpoch() + 1;
    this.readProgress = ctx.db.prepare(
      'SELECT applied_seq AS appliedSeq, applied_tick AS appliedTick FROM progress WHERE id = 1',
    );
    this.writeProgress = ctx.db.prepare('UPDATE progress SET applied_seq = ?, applied_tick = ? WHERE id = 1');
    // Retention keeps journal rows from the oldest checkpoint on (gateway/infra/auth/retention.ts).
    this.writeSnapshotSeq = ctx.db.prepare(
      'UPDATE progress SET snapshot_seq = (SELECT MIN(seq) FROM checkpoints), snapshot_tick = ? WHERE id = 1',
    );
  }

  static open(ctx: DerivationContext): Derivation {
    const derivation = new Derivation(ctx);
    derivation.recover();
    return derivation;
  }

  /**
   * Recomputes all derived state from the journal: drops every checkpoint and rewinds to the
   * empty state, ending at the tick the live gateway had reached, so the result equals
   * what the gateway computed live.
   */
  static rebuild(ctx: DerivationContext): { events: number; facts: number } {
    const derivation = new Derivation(ctx);
    const progress = derivation.readProgress.get() as Progress;
    let result = { events: 0, facts: 0 };
    ctx.db.transaction(() => {
      ctx.db.prepare('DELETE FROM checkpoints').run();
      const { inputs, derived } = derivation.rewind(GENESIS_CHECKPOINT, progress.appliedTick, false, 'rebuild');
      derivation.writeProgress.run(derivation.appliedSeq, derivation.applied.ts);
      derivation.checkpointNow();
      derivation.prune();
      result = { events: inputs, facts: derived };
    })();
    return result;
  }

  /** Facts of each committed batch, after they are durable (alerts, SSE). */
  onFacts(listener: (facts: readonly Fact[], rewound: boolean) => void): () => void {
    this.events.on('facts', listener);
    return () => this.events.off('facts', listener);
  }

  notReadyReason(): string | undefined {
    return this.stale ? 'derived state is being rebuilt after a failed commit' : undefined;
  }

  /** Late input is journaled but not applied yet (a paced rewind is due). */
  get lateInputPending(): boolean {
    return this.pendingFrom !== undefined;
  }

  get state(): CorrelationEngine {
    return this.engine;
  }

  // --- CommitHook -------------------------------------------------------------------

  inTransaction(rows: readonly JournalRow[]): DerivedBatch {
    if (this.stale) this.recover();
    const facts: Fact[] = [];
    for (const row of rows) {
      if (row.seq > this.appliedSeq) this.appliedSeq = row.seq;
      const at: Position = { ts: row.event.ts, seq: row.seq };
      if (isBefore(at, this.applied)) {
        this.late(row.event.ts);
        continue;
      }
      this.feed(row.event, facts);
      this.applied = at;
      this.inputsSinceCheckpoint++;
    }
    // Input carries its own time; the clock moves correlation on only when none comes. Ticking
    // past a stream of input would make all of it late when it is stamped a little behind
    // the clock (a device whose clock lags, messages stamped before a burst was sent).
    const horizon = this.horizon();
    if (rows.length === 0) this.feedTick(horizon, facts);
    let changed = this.writer.write(facts, this.epoch);
    for (const w of this.ctx.writers ?? []) w.write(rows, facts, this.epoch);
    let upstreamFacts: readonly { type: string; ts: number; member?: string }[] = facts;
    let rewound = false;
    // Paced while input flows; a batch without input (the clock's tick, once a second) may
    // always apply what is waiting, so late input lands within a second once the flood ends.
    if (this.pendingFrom !== undefined && (rows.length === 0 || performance.now() >= this.rewindAllowedAt)) {
      const target = this.checkpoints.latestBefore(this.pendingFrom);
      const result = this.rewind(target, horizon, true);
      changed = [...new Set([...changed, ...result.changed])];
      upstreamFacts = [...facts, ...result.retracted, ...result.facts];
      facts.push(...result.facts);
      rewound = true;
    }
    // The same tick as applied_tick: the scheduler restarts from that watermark.
    this.ctx.upstream?.afterBatch(changed, upstreamFacts, this.applied.ts);
    this.writeProgress.run(this.appliedSeq, this.applied.ts);
    this.maybeCheckpoint();
    return { facts, rewound };
  }

  afterCommit(batch: DerivedBatch): void {
    if (batch.facts.length === 0) return;
    // One labelled inc per fact type, not per fact: prom-client hashes the labels on each call.
    const byType = new Map<string, number>();
    for (const fact of batch.facts) byType.set(fact.type, (byType.get(fact.type) ?? 0) + 1);
    for (const [type, n] of byType) this.ctx.metrics.facts.inc({ type }, n);
    this.events.emit('facts', batch.facts, batch.rewound);
  }

  onRollback(err: Error): void {
    // The engine already advanced in memory past what is on disk: rebuild before the next batch.
    this.stale = true;
    this.ctx.upstream?.reload();
    // Debug only: the storage health (gateway/pipeline/ingest/storage-health.ts) logs the outage once,
    // and during a disk-full outage this runs on every retried batch.
    this.ctx.log.debug({ err }, 'derived state rolled back; will rebuild from a checkpoint and the journal');
  }

  /** Applies late input still waiting and writes a final checkpoint (shutdown), so the next start replays little. */
  close(): void {
    try {
      this.ctx.db.transaction(() => {
        if (this.pendingFrom !== undefined) {
          const result = this.rewind(this.checkpoints.latestBefore(this.pendingFrom), this.applied.ts);
          // Revised buckets wait in the outbox for the next start's upstream link.
          this.ctx.upstream?.afterBatch(result.changed, result.retracted, this.applied.ts);
          this.writeProgress.run(this.appliedSeq, this.applied.ts);
        }
        if (this.inputsSinceCheckpoint > 0) this.checkpointNow();
      })();
    } catch (err) {
      this.ctx.log.warn({ err }, 'final checkpoint failed; next start replays more journal');
    }
  }

  // --- internals ----------------------------------------------------------------------

  /** Deadlines are decided this far behind the gateway's clock. */
  private horizon(): number {
    return this.ctx.clock.now() - this.ctx.config.correlation.settleMs;
  }

  /** Input older than what was applied: checkpoints after it are no longer true; rewind. */
  private late(ts: number): void {
    if (this.pendingFrom === undefined || ts < this.pendingFrom) {
      this.pendingFrom = ts;
      this.checkpoints.invalidateAfter(ts);
    }
    this.ctx.metrics.lateInputs.inc();
  }

  private feed(event: JournalEvent, facts: Fact[]): void {
    if (event.type === 'invitation.recorded') {
      this.engine.stepInto({ kind: 'invitation', invitation: event.invitation }, facts);
      return;
    }
    this.engine.stepInto({ kind: 'event', event }, facts);
  }

  /** Ticks never go back, and never past input already applied at the same time. */
  private feedTick(ts: number, facts: Fact[]): void {
    if (ts <= this.applied.ts) return;
    this.engine.stepInto({ kind: 'tick', ts }, facts);
    this.applied = { ts, seq: 0 };
  }

  /**
   * Restores `target`, takes back what was derived after it, and applies the journal from
   * it in event-time order up to now, then ticks to `horizon`. Call inside a transaction.
   */
  private rewind(
    target: Checkpoint,
    horizon: number,
    collect = false,
    why: 'late input' | 'restart' | 'rebuild' = 'late input',
  ): { inputs: number; facts: Fact[]; derived: number; retracted: RetractedFact[]; changed: number[] } {
    const started = performance.now();
    const { ctx } = this;
    const body = target.epoch === 0 ? undefined : this.checkpoints.body(target.epoch);
    if (target.epoch !== 0 && body === undefined) throw new Error(`checkpoint ${target.epoch} vanished`);
    if (target.epoch === 0) FactWriter.clear(ctx.db);
    for (const w of ctx.writers ?? []) w.retract?.(target.epoch);
    const retracted = this.writer.beginRewind(target.epoch);
    this.engine =
      body === undefined
        ? createEngine(ctx.config, ctx.reference)
        : restoreEngine(ctx.config, ctx.reference, JSON.parse(body) as unknown);
    this.applied = target.position;
    this.epoch = target.epoch;
    this.checkpointTs = target.position.ts;
    this.inputsSinceCheckpoint = 0;
    this.pendingFrom = undefined;

    // Collected only for a live rewind (alerts and screens); a rebuild derives months.
    const all: Fact[] = [];
    let derived = 0;
    let pending: Fact[] = [];
    let inputs = 0;
    const flush = () => {
      this.writer.write(pending, this.epoch);
      for (const w of ctx.writers ?? []) w.write([], pending, this.epoch);
      if (collect) for (const f of pending) all.push(f);
      derived += pending.length;
      pending = [];
    };
    const recentFrom = Math.max(horizon, ctx.journal.lastTs()) - RECENT_MS;
    for (const row of ctx.journal.readInEventOrder(target.position)) {
      this.feed(row.event, pending);
      this.applied = { ts: row.event.ts, seq: row.seq };
      if (row.seq > this.appliedSeq) this.appliedSeq = row.seq;
      this.inputsSinceCheckpoint++;
      inputs++;
      if (this.checkpointDue(recentFrom, false)) {
        flush();
        this.checkpointNow();
      }
    }
    this.feedTick(horizon, pending);
    flush();
    const changed = this.writer.endRewind();
    for (const w of ctx.writers ?? []) w.afterRewind?.();
    const ms = performance.now() - started;
    this.rewindAllowedAt = performance.now() + REWIND_PACING * ms;
    if (why === 'late input') ctx.metrics.rewinds.inc();
    // Small rewinds are routine (devices a few seconds apart); big ones are worth a line.
    const notable = why !== 'restart' && (inputs >= 1000 || ms >= 100);
    ctx.log[notable ? 'info' : 'debug'](
      {
        why,
        fromTs: target.position.ts,
        epoch: target.epoch,
        inputs,
        facts: derived,
        revised: changed.length,
        ms: Math.round(ms),
      },
      'derived state recomputed from a checkpoint',
    );
    return { inputs, facts: all, derived, retracted, changed };
  }

  private recover(): void {
    const started = performance.now();
    const progress = this.readProgress.get() as Progress;
    this.appliedSeq = progress.appliedSeq;
    this.ctx.db.transaction(() => {
      const { inputs, changed, retracted } = this.rewind(
        this.checkpoints.latest(),
        progress.appliedTick,
        false,
        'restart',
      );
      // Late input that was waiting at a crash (or a first start after an upgrade) revises
      // buckets here: HQ gets them like any revision.
      this.ctx.upstream?.afterBatch(changed, retracted, this.applied.ts);
      this.writeProgress.run(this.appliedSeq, this.applied.ts);
      this.ctx.log.info(
        { replayed: inputs, toSeq: this.appliedSeq, ms: Math.round(performance.now() - started) },
        'derived state restored',
      );
    })();
    this.rewindAllowedAt = 0;
    this.stale = false;
    this.checkpointAt = performance.now();
  }

  /**
   * Every CHECKPOINT_EVERY_INPUTS inputs or CHECKPOINT_EVERY_MS of event time from `recentFrom`
   * on; hourly before it (a rebuild goes through months the clock left behind).
   */
  private checkpointDue(recentFrom: number, live: boolean): boolean {
    if (this.inputsSinceCheckpoint === 0 || this.pendingFrom !== undefined) return false;
    const recent = this.applied.ts >= recentFrom;
    if (!recent) return Math.floor(this.applied.ts / HOUR_MS) !== Math.floor(this.checkpointTs / HOUR_MS);
    if (
      this.inputsSinceCheckpoint < CHECKPOINT_EVERY_INPUTS &&
      this.applied.ts - this.checkpointTs < CHECKPOINT_EVERY_MS
    )
      return false;
    return !live || performance.now() - this.checkpointAt >= CHECKPOINT_PACING * this.checkpointCostMs;
  }

  private maybeCheckpoint(): void {
    if (!this.checkpointDue(Number.MIN_SAFE_INTEGER, true)) return;
    this.checkpointNow();
    if (performance.now() - this.prunedAt >= PRUNE_EVERY_MS) this.prune();
  }

  private checkpointNow(): void {
    const started = performance.now();
    const epoch = this.nextEpoch++;
    this.checkpoints.save(epoch, this.applied, JSON.stringify(this.engine.snapshot()));
    this.writeSnapshotSeq.run(this.applied.ts);
    this.epoch = epoch;
    this.checkpointTs = this.applied.ts;
    this.inputsSinceCheckpoint = 0;
    this.checkpointAt = performance.now();
    this.checkpointCostMs = this.checkpointAt - started;
  }

  private prune(): void {
    this.prunedAt = performance.now();
    this.checkpoints.prune(
      this.ctx.config.correlation.lateWindowMs,
      (into, before) => this.writer.mergeEpochs(into, before),
      (epoch) => this.writer.dropEpochsBelow(epoch),
    );
  }
}
