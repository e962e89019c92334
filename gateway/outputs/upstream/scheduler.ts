/**
 * When upstream messages are enqueued. The derivation calls these hooks INSIDE its commit
 * transaction, after the batch's facts and bucket counters are written and with the same
 * tick it records in `progress.applied_tick`; they only read SQLite and insert outbox rows.
 *
 * The rule (funnel and vipjourney alike):
 *
 *  1. A 15-minute bucket is CLOSED once `tick ≥ bucketEnd + grace` (grace defaults to 60 s,
 *     so facts decided a few seconds after their time, such as a try-on session confirmed
 *     after minDwell or the bucket's occupancy, make it into the first revision).
 *  2. When a bucket closes, it is enqueued once at its current revision (only buckets that
 *     have a row: an absent bucket means zero at HQ).
 *  3. Whenever a closed bucket changes later (late events re-open it), it is enqueued again
 *     at its new revision, in the same transaction as the change. Open buckets are never sent:
 *     the running bucket changes every second and HQ has no use for it.
 *
 * Funnel revisions are the bucket row's `rev` (+1 on every committed change). A vipjourney
 * revision is the number of VIP-related facts in the bucket (facts are append-only, so it
 * only grows). msgId = `{store}:{kind}:{bucketStart ms}:{rev}`; a repeat is a no-op.
 *
 * Restart: the watermark is `progress.applied_tick`, written in the same transactions as
 * these hooks ran in, so every bucket that closed before it was enqueued already and the
 * first tick after a restart (or a long power cut) enqueues exactly the buckets that closed
 * in between. Call `afterBatch` BEFORE the batch's progress row is written (then a rolled
 * back batch is covered again by the next one), and `reload()` from the derivation's
 * onRollback.
 */
import type { Logger } from 'pino';
import { UPSTREAM_BUCKET_MS } from '../../../protocols/index.js';
import { BucketStore } from '../../pipeline/derive/buckets.js';
import type { Db } from '../../pipeline/journal/index.js';
import { OutboxMessageTooLargeError } from './errors.js';
import {
  bucketEndOf,
  funnelBucketMessage,
  type Pseudonymizer,
  type VipBucketInput,
  type VipJourneyInput,
  vipJourneyMessage,
} from './messages.js';
import type { OutboxMessage } from './outbox.js';

/** The part of the Outbox the scheduler needs. */
export interface OutboxSink {
  enqueue(message: OutboxMessage): boolean;
}

/** The fields of correlation facts the scheduler reads (gateway/pipeline/correlate Fact is assignable). */
export interface UpstreamFact {
  readonly type: string;
  readonly ts: number;
  readonly member?: string;
}

export interface UpstreamSchedulerOptions {
  readonly db: Db;
  readonly outbox: OutboxSink;
  readonly storeId: string;
  readonly tenant: string;
  readonly pseudonymizer: Pseudonymizer;
  /** Store-local 15-minute bucket start of an instant (gateway/infra/time calendar.bucketStart). */
  readonly bucketStartOf: (ts: number) => number;
  /** The store's VIP tier: members with tier ≥ this are VIPs. */
  readonly vipTier: number;
  /** Current tier of a member (reference data), for purchases by VIPs not seen arriving. */
  readonly tierOf?: (memberId: string) => number | undefined;
  /** Delay after a bucket's end before it is first sent; default 60 s. */
  readonly graceMs?: number;
  readonly log?: Logger;
}

/** Facts that make a bucket's VIP journey (those with a member; all are kept in `facts`). */
const VIP_FACT_TYPES = ['vip.arrival', 'vip.departure', 'transaction', 'adjustment'] as const;

interface FactRow {
  readonly type: string;
  readonly ts: number;
  readonly body: string;
}

export class UpstreamScheduler {
  private readonly buckets: BucketStore;
  private readonly graceMs: number;
  private readonly selectVipFacts;
  private readonly selectAppliedTick;
  private watermark: number;
  private enqueued = 0;

  constructor(private readonly options: UpstreamSchedulerOptions) {
    this.buckets = new BucketStore(options.db);
    this.graceMs = options.graceMs ?? 60_000;
    this.selectVipFacts = options.db.prepare(
      `SELECT type, ts, body FROM facts WHERE type IN (${VIP_FACT_TYPES.map(() => '?').join(', ')}) AND ts >= ? AND ts < ? ORDER BY ts, id`,
    );
    this.selectAppliedTick = options.db.prepare('SELECT applied_tick FROM progress WHERE id = 1').pluck();
    this.watermark = this.appliedTick();
  }

  /**
   * Re-reads the watermark from `progress.applied_tick` (the derivation's transaction rolled
   * back: what this instance enqueued in it is gone, so the buckets must close again).
   */
  reload(): void {
    this.watermark = this.appliedTick();
  }

  private appliedTick(): number {
    return (this.selectAppliedTick.get() as number | undefined) ?? 0;
  }

  /** The tick up to which closed buckets were enqueued. */
  get closedThrough(): number {
    return this.watermark;
  }

  /** Messages enqueued by this instance (for tests and logs). */
  get enqueuedCount(): number {
    return this.enqueued;
  }

  /** Whether the bucket starting at `start` is closed at tick `now`. */
  isClosed(start: number, now: number): boolean {
    return bucketEndOf(start) + this.graceMs <= now;
  }

  /**
   * The one call per committed batch: the bucket starts whose counters changed in it
   * (FactWriter.write's result), the batch's facts, and the tick recorded with it.
   */
  afterBatch(changedBuckets: Iterable<number>, facts: readonly UpstreamFact[], now: number): void {
    this.onBucketsChanged(changedBuckets, now);
    this.onFacts(facts, now);
    this.onTick(now);
  }

  /** Re-sends closed buckets whose counters changed (late events), at their new revision. */
  onBucketsChanged(starts: Iterable<number>, now: number): number {
    let n = 0;
    for (const start of starts) {
      if (!this.isClosed(start, now)) continue;
      const row = this.buckets.range(start, start + 1)[0];
      if (
        row &&
        this.enqueue(funnelBucketMessage(this.options.storeId, this.options.tenant, row, bucketEndOf(row.start)))
      )
        n++;
    }
    return n;
  }

  /** Re-sends the VIP journey of closed buckets that got VIP facts in this batch. */
  onFacts(facts: readonly UpstreamFact[], now: number): number {
    const starts = new Set<number>();
    for (const fact of facts) {
      if (fact.member === undefined || !(VIP_FACT_TYPES as readonly string[]).includes(fact.type)) continue;
      const start = this.options.bucketStartOf(fact.ts);
      if (this.isClosed(start, now)) starts.add(start);
    }
    let n = 0;
    for (const start of starts) n += this.enqueueVipJourneys(start, bucketEndOf(start));
    return n;
  }

  /** Enqueues every bucket that closed since the last tick (funnel, then its VIP journey). */
  onTick(now: number): number {
    // Called before the batch's progress row is written, the committed tick is the floor: a
    // batch that rolled back after this instance moved on is covered again.
    const since = Math.min(this.watermark, this.appliedTick());
    if (now <= since) return 0;
    const span = UPSTREAM_BUCKET_MS + this.graceMs;
    // Buckets whose end + grace lies in (since, now].
    const from = since - span + 1;
    const to = now - span + 1;
    this.watermark = now;
    if (to <= from) return 0;
    return this.enqueueRange(from, to);
  }

  /**
   * Enqueues every closed bucket starting in [from, to) at its current revision (backfill
   * after enabling upstream on a store with history, or after a rebuild). Call it inside a
   * transaction; duplicates of waiting messages are ignored.
   */
  resendRange(from: number, to: number, now: number): number {
    const lastClosedStart = now - UPSTREAM_BUCKET_MS - this.graceMs;
    return this.enqueueRange(from, Math.min(to, lastClosedStart + 1));
  }

  /** Enqueues the buckets STARTING in [from, to) (and their VIP journeys). */
  private enqueueRange(from: number, to: number): number {
    // Most batches close no bucket (the range is the second or so since the last batch): no
    // query then.
    if (to <= from || this.options.bucketStartOf(to - 1) < from) return 0;
    let n = 0;
    for (const row of this.buckets.range(from, to)) {
      if (this.enqueue(funnelBucketMessage(this.options.storeId, this.options.tenant, row, bucketEndOf(row.start))))
        n++;
    }
    n += this.enqueueVipJourneys(from, to);
    return n;
  }

  /**
   * Builds and enqueues the VIP journey of each bucket starting in [from, to) that has VIP
   * facts: the facts of the whole bucket, up to its end, not only those in [from, to).
   */
  private enqueueVipJourneys(from: number, to: number): number {
    const end = bucketEndOf(this.options.bucketStartOf(to - 1));
    const rows = this.selectVipFacts.all(...VIP_FACT_TYPES, from, end) as FactRow[];
    if (rows.length === 0) return 0;
    const byBucket = new Map<number, FactRow[]>();
    for (const row of rows) {
      const start = this.options.bucketStartOf(row.ts);
      // A bucket that started before `from` closed (and was sent) before this range.
      if (start < from) continue;
      const list = byBucket.get(start);
      if (list) list.push(row);
      else byBucket.set(start, [row]);
    }
    let n = 0;
    for (const [start, list] of byBucket) {
      const input = this.vipBucket(start, list);
      if (input.journeys.length === 0) continue;
      const message = vipJourneyMessage(this.options.storeId, this.options.tenant, input, this.options.pseudonymizer);
      if (this.enqueue(message)) n++;
    }
    return n;
  }

  private vipBucket(start: number, rows: readonly FactRow[]): VipBucketInput {
    const journeys = new Map<string, Mutable<VipJourneyInput>>();
    const journey = (memberId: string, tier: number): Mutable<VipJourneyInput> => {
      let j = journeys.get(memberId);
      if (!j) {
        j = {
          memberId,
          tier,
          arrivals: 0,
          departures: 0,
          dwellMs: 0,
          invited: false,
          transactions: 0,
          revenueCents: 0,
        };
        journeys.set(memberId, j);
      }
      return j;
    };
    const purchases: { member: string; kind: string; revenue: number }[] = [];
    let rev = 0;
    for (const row of rows) {
      const fact = parseFact(row.body);
      if (!fact || typeof fact.member !== 'string') continue;
      rev++;
      const tier = typeof fact.tier === 'number' && Number.isInteger(fact.tier) ? clampTier(fact.tier) : undefined;
      if (row.type === 'vip.arrival' && tier !== undefined) {
        const j = journey(fact.member, tier);
        j.arrivals++;
        if (typeof fact.invitationId === 'string') j.invited = true;
      } else if (row.type === 'vip.departure' && tier !== undefined) {
        const j = journey(fact.member, tier);
        j.departures++;
        if (typeof fact.since === 'number') j.dwellMs += Math.max(0, row.ts - fact.since);
      } else if (row.type === 'transaction' || row.type === 'adjustment') {
        purchases.push({
          member: fact.member,
          kind: row.type,
          revenue: typeof fact.revenue === 'number' ? fact.revenue : 0,
        });
      }
    }
    for (const p of purchases) {
      let j = journeys.get(p.member);
      if (!j) {
        const tier = this.options.tierOf?.(p.member);
        if (tier === undefined || tier < this.options.vipTier) continue;
        j = journey(p.member, clampTier(tier));
      }
      if (p.kind === 'transaction') j.transactions++;
      j.revenueCents += Math.round(p.revenue * 100);
    }
    return { bucketStart: start, bucketEnd: bucketEndOf(start), rev, journeys: [...journeys.values()] };
  }

  private enqueue(message: OutboxMessage): boolean {
    try {
      const added = this.options.outbox.enqueue(message);
      if (added) this.enqueued++;
      return added;
    } catch (err) {
      // Never fail the derivation's transaction over one message that can never be sent.
      if (err instanceof OutboxMessageTooLargeError) {
        this.options.log?.error(
          { component: 'upstream', msgId: err.msgId, bytes: err.bytes },
          'upstream message dropped: too large',
        );
        return false;
      }
      throw err;
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface ParsedFact {
  readonly member?: unknown;
  readonly tier?: unknown;
  readonly since?: unknown;
  readonly revenue?: unknown;
  readonly invitationId?: unknown;
}

function parseFact(body: string): (ParsedFact & { member?: unknown }) | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as ParsedFact) : undefined;
  } catch {
    return undefined;
  }
}

function clampTier(tier: number): number {
  return Math.min(5, Math.max(1, Math.round(tier)));
}
