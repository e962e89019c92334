/**
 * The sink: pulls from the durable consumer `hq-sink` on RETAIL, validates each message
 * (protocols/upstream.ts, then the explicit bounds of bounds.ts), writes a batch in ONE
 * database transaction with upsert-if-newer-revision, and acks the batch's messages only
 * after the commit.
 *
 * Exactly once at HQ follows from: the gateway re-sends until acked (at least once), the
 * stream drops repeats within its duplicate window, and what still comes twice (an ack lost
 * between commit and server, a re-send after the window) is an upsert of the same or an
 * older revision: a no-op. Several instances share the durable consumer; the server hands
 * each message to one of them, and the (store, bucket_start) key makes their writes commute.
 *
 * One message must never stall every store (issue 14 item 11):
 * - A message that fails validation or the bounds goes to the dead-letter table at once and
 *   is terminated (never redelivered); counted and logged.
 * - A batch the database refuses while the database answers is split: every message is
 *   written alone, so the others commit; one the database still refuses is naked and, at its
 *   `maxDeliveries`-th delivery (default 5), dead-lettered and terminated. Delivery counts
 *   come from JetStream (`info.deliveryCount`), so they survive a restart of the sink.
 * - A database that does not answer at all naks the batch with a delay (nothing is
 *   dead-lettered for an outage); once writes have failed without any success for
 *   `stuckAfterMs`, `stuckReason()` says so and /readyz answers 503.
 */
import { type Consumer, type ConsumerMessages, type JsMsg, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  decodeUpstreamMessage,
  HQ_CONSUMER,
  parseUpstreamSubject,
  UPSTREAM_STREAM,
  type UpstreamMessage,
} from '../protocols/index.js';
import { outOfBounds } from './bounds.js';
import type { DeadLetter, FunnelRecord, HealthRecord, HqStore, SinkBatch, VipRecord } from './db/index.js';
import { type ConsumerSettings, ensureConsumer, ensureStream, jetstreamManager } from './nats.js';

export interface SinkConsumerOptions {
  readonly nc: NatsConnection;
  readonly store: HqStore;
  readonly log: Logger;
  readonly registry?: Registry;
  readonly settings?: ConsumerSettings;
  /** Messages per database transaction at most; default 500. */
  readonly batchSize?: number;
  /** Messages the client buffers from the server; default 1000. */
  readonly pullSize?: number;
  /** Called after each committed batch with the Nats-Msg-Id of every message in it (tests, audits). */
  readonly onCommitted?: (msgIds: readonly string[]) => void;
  readonly clock?: () => number;
  /** Deliveries of a message the database keeps refusing before it is dead-lettered; default 5. */
  readonly maxDeliveries?: number;
  /** Redelivery delay after a failed write; default 2000 ms. */
  readonly retryDelayMs?: number;
  /** Not ready once writes have failed with no success for this long; default 60 s. */
  readonly stuckAfterMs?: number;
}

export interface SinkStats {
  readonly received: number;
  readonly committed: number;
  readonly applied: number;
  readonly stale: number;
  readonly invalid: number;
  readonly deadLettered: number;
  readonly failedBatches: number;
}

/** Payload text kept in the dead-letter table at most. */
const DEAD_LETTER_PAYLOAD_CHARS = 64 * 1024;

class SinkMetrics {
  readonly messages: Counter<'kind' | 'result'>;
  readonly batch: Histogram;
  readonly failures: Counter;
  readonly deadLetters: Counter<'reason'>;
  readonly stuck: Gauge;

  constructor(registry: Registry) {
    this.messages = new Counter({
      name: 'hq_sink_messages_total',
      help: 'Upstream messages by kind and result (committed, stale, invalid).',
      labelNames: ['kind', 'result'] as const,
      registers: [registry],
    });
    this.batch = new Histogram({
      name: 'hq_sink_batch_size',
      help: 'Messages per database transaction.',
      buckets: [1, 8, 32, 128, 512],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'hq_sink_batch_failures_total',
      help: 'Database writes that failed (the messages are naked and come back, or are dead-lettered).',
      registers: [registry],
    });
    this.deadLetters = new Counter({
      name: 'hq_sink_dead_letters_total',
      help: 'Messages moved to the dead-letter table: invalid (schema, bounds) or store-failed (refused every time).',
      labelNames: ['reason'] as const,
      registers: [registry],
    });
    this.stuck = new Gauge({
      name: 'hq_sink_stuck',
      help: '1 while database writes have failed with no success for longer than stuckAfterMs.',
      registers: [registry],
    });
  }
}

/** One set of sink metrics per registry (a consumer may be rebuilt after a failed start). */
const metricsByRegistry = new WeakMap<Registry, SinkMetrics>();
function sinkMetrics(registry: Registry): SinkMetrics {
  let metrics = metricsByRegistry.get(registry);
  if (!metrics) {
    metrics = new SinkMetrics(registry);
    metricsByRegistry.set(registry, metrics);
  }
  return metrics;
}

interface Decoded {
  readonly m: JsMsg;
  readonly message: UpstreamMessage;
}

export class SinkConsumer {
  private messages: ConsumerMessages | undefined;
  private pending: JsMsg[] = [];
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  private stopping = false;
  private readonly metrics: SinkMetrics | undefined;
  private stats = {
    received: 0,
    committed: 0,
    applied: 0,
    stale: 0,
    invalid: 0,
    deadLettered: 0,
    failedBatches: 0,
  };
  private readonly batchSize: number;
  private readonly clock: () => number;
  /** Since when writes fail with no success in between (undefined: the last write worked). */
  private failingSince: number | undefined;
  private lastError: string | undefined;

  constructor(private readonly options: SinkConsumerOptions) {
    this.metrics = options.registry ? sinkMetrics(options.registry) : undefined;
    this.batchSize = options.batchSize ?? 500;
    this.clock = options.clock ?? Date.now;
  }

  /** Ensures stream and consumer, then consumes in the background. */
  async start(): Promise<void> {
    const jsm = await jetstreamManager(this.options.nc);
    await ensureStream(jsm);
    await ensureConsumer(jsm, this.options.settings);
    const consumer: Consumer = await jetstream(this.options.nc).consumers.get(UPSTREAM_STREAM, HQ_CONSUMER);
    this.messages = await consumer.consume({
      max_messages: this.options.pullSize ?? 1000,
      callback: (m) => this.receive(m),
    });
    void this.watchStatus(this.messages);
    this.options.log.info({ component: 'hq-sink', consumer: HQ_CONSUMER }, 'sink consuming');
  }

  /** Stops pulling and finishes the batch in hand; idempotent, never throws. */
  async stop(): Promise<void> {
    if (this.stopping) {
      await this.chain;
      return;
    }
    this.stopping = true;
    try {
      await this.messages?.close();
    } catch {
      // already closed with the connection
    }
    this.kick();
    await this.chain;
  }

  get running(): boolean {
    return this.messages !== undefined && !this.stopping;
  }

  snapshot(): SinkStats {
    return { ...this.stats };
  }

  /** Why the consumer is stuck (writes failing with no success for stuckAfterMs), or undefined. */
  stuckReason(): string | undefined {
    const since = this.failingSince;
    const stuck = since !== undefined && this.clock() - since >= (this.options.stuckAfterMs ?? 60_000);
    this.metrics?.stuck.set(stuck ? 1 : 0);
    if (!stuck) return undefined;
    const seconds = Math.round((this.clock() - (since as number)) / 1000);
    return `consumer stuck: database writes failing for ${seconds} s (${this.lastError ?? 'unknown error'})`;
  }

  private receive(m: JsMsg): void {
    this.stats.received++;
    this.pending.push(m);
    if (this.pending.length >= this.batchSize) this.kick();
    else if (!this.scheduled) {
      this.scheduled = true;
      // Messages of the same socket read land in one batch.
      setImmediate(() => {
        this.scheduled = false;
        this.kick();
      });
    }
  }

  private kick(): void {
    if (this.pending.length === 0) return;
    this.chain = this.chain.then(() => this.flush());
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const msgs = this.pending.splice(0, this.batchSize);
      await this.commit(msgs);
    }
  }

  private async commit(msgs: JsMsg[]): Promise<void> {
    const now = this.clock();
    const good: Decoded[] = [];
    const invalid: { m: JsMsg; reason: string }[] = [];
    for (const m of msgs) {
      const decoded = decodeUpstreamMessage(m.subject, m.data);
      const reason = decoded.ok ? outOfBounds(decoded.value, now) : `${decoded.code}: ${decoded.reason}`;
      if (!decoded.ok || reason !== undefined) {
        const code = decoded.ok ? 'out-of-bounds' : decoded.code;
        invalid.push({ m, reason: `invalid: ${decoded.ok ? `${code}: ${reason}` : reason}` });
        continue;
      }
      good.push({ m, message: decoded.value });
    }
    if (invalid.length > 0) {
      this.stats.invalid += invalid.length;
      this.metrics?.messages.inc({ kind: 'unknown', result: 'invalid' }, invalid.length);
      await this.bury(invalid, 'invalid');
    }
    if (good.length === 0) return;
    if (await this.write(good)) return;
    // The database answers but refused the batch: write each message alone, so one bad
    // message cannot hold back the others.
    if (!(await this.databaseAnswers())) {
      for (const { m } of good) m.nak(this.options.retryDelayMs ?? 2000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      return;
    }
    const refused: { m: JsMsg; reason: string }[] = [];
    for (const item of good) {
      if (await this.write([item])) continue;
      if (item.m.info.deliveryCount >= (this.options.maxDeliveries ?? 5)) {
        refused.push({ m: item.m, reason: `store-failed: ${this.lastError ?? 'unknown error'}` });
      } else {
        item.m.nak(this.options.retryDelayMs ?? 2000);
      }
    }
    if (refused.length > 0) await this.bury(refused, 'store-failed');
  }

  /** One transaction for `items`; acks them after the commit. False (and nothing acked) when it failed. */
  private async write(items: readonly Decoded[]): Promise<boolean> {
    const funnel: FunnelRecord[] = [];
    const vip: VipRecord[] = [];
    const health: HealthRecord[] = [];
    const kinds = new Map<string, number>();
    const now = this.clock();
    for (const { m, message } of items) {
      toRecord(message, { funnel, vip, health }, Math.min(storedAt(m) ?? now, now));
      kinds.set(message.kind, (kinds.get(message.kind) ?? 0) + 1);
    }
    const batch: SinkBatch = { funnel, vip, health };
    try {
      const result = await this.options.store.applyBatch(batch, now);
      this.stats.committed += items.length;
      this.stats.applied += result.applied;
      this.stats.stale += result.stale;
      this.metrics?.batch.observe(items.length);
      for (const [kind, n] of kinds) this.metrics?.messages.inc({ kind, result: 'committed' }, n);
      if (result.stale > 0) this.metrics?.messages.inc({ kind: 'bucket', result: 'stale' }, result.stale);
    } catch (err) {
      this.stats.failedBatches++;
      this.metrics?.failures.inc();
      this.noteFailure(err);
      this.options.log.error(
        { component: 'hq-sink', err, messages: items.length },
        'sink write failed; redelivery later',
      );
      return false;
    }
    this.progress();
    // Acknowledge only what is committed.
    for (const { m } of items) m.ack();
    this.options.onCommitted?.(items.map(({ m }) => msgIdOf(m)));
    return true;
  }

  /** Dead-letters and terminates `items`; when even that write fails they are naked (back later). */
  private async bury(items: readonly { m: JsMsg; reason: string }[], kind: 'invalid' | 'store-failed'): Promise<void> {
    const receivedAt = this.clock();
    const rows: DeadLetter[] = items.map(({ m, reason }) => ({
      streamSeq: m.seq,
      subject: m.subject,
      msgId: m.headers?.get('Nats-Msg-Id') || null,
      store: parseUpstreamSubject(m.subject)?.store ?? null,
      deliveries: m.info.deliveryCount,
      reason,
      payload: payloadText(m.data),
      receivedAt,
    }));
    try {
      await this.options.store.deadLetter(rows);
    } catch (err) {
      this.stats.failedBatches++;
      this.metrics?.failures.inc();
      this.noteFailure(err);
      this.options.log.error(
        { component: 'hq-sink', err, messages: items.length },
        'dead-letter write failed; redelivery later',
      );
      for (const { m } of items) m.nak(this.options.retryDelayMs ?? 2000);
      return;
    }
    this.progress();
    // No reason text: nats-server 2.9 does not know "+TERM reason".
    for (const { m } of items) m.term();
    this.stats.deadLettered += items.length;
    this.metrics?.deadLetters.inc({ reason: kind }, items.length);
    const first = rows[0] as DeadLetter;
    this.options.log.error(
      {
        component: 'hq-sink',
        reason: kind,
        messages: rows.length,
        stores: [...new Set(rows.map((r) => r.store))].slice(0, 10),
        subject: first.subject,
        seq: first.streamSeq,
        detail: first.reason.slice(0, 300),
      },
      'upstream messages dead-lettered',
    );
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.options.store.ping();
      return true;
    } catch (err) {
      this.noteFailure(err);
      return false;
    }
  }

  private noteFailure(err: unknown): void {
    this.lastError = err instanceof Error ? err.message : String(err);
    this.failingSince ??= this.clock();
  }

  private progress(): void {
    this.failingSince = undefined;
  }

  private async watchStatus(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const s of messages.status()) {
        if (s.type === 'heartbeats_missed' || s.type === 'consumer_not_found' || s.type === 'stream_not_found') {
          this.options.log.warn({ component: 'hq-sink', status: s.type }, 'sink consumer status');
        }
      }
    } catch {
      // ends with the consumer
    }
  }
}

function msgIdOf(m: JsMsg): string {
  return m.headers?.get('Nats-Msg-Id') ?? `${m.subject}#${m.seq}`;
}

/** When the HQ NATS server stored the message (epoch ms), if it says. */
function storedAt(m: JsMsg): number | undefined {
  const nanos = Number(m.info.timestampNanos);
  return Number.isFinite(nanos) && nanos > 0 ? Math.floor(nanos / 1e6) : undefined;
}

function payloadText(data: Uint8Array): string {
  const text = Buffer.from(data.subarray(0, DEAD_LETTER_PAYLOAD_CHARS * 4)).toString('utf8');
  // PostgreSQL TEXT cannot hold NUL.
  return text.replaceAll('\u0000', '\uFFFD').slice(0, DEAD_LETTER_PAYLOAD_CHARS);
}

/** Turns a validated message into rows (revenue to integer cents, times to epoch ms). */
export function toRecord(
  message: UpstreamMessage,
  into: { funnel: FunnelRecord[]; vip: VipRecord[]; health: HealthRecord[] },
  /** When HQ's side saw the message (health liveness); default: now. */
  seenAt: number = Date.now(),
): void {
  switch (message.kind) {
    case 'funnel': {
      const b = message.body;
      into.funnel.push({
        store: message.store,
        tenant: message.tenant,
        bucketStart: Date.parse(b.bucketStart),
        bucketEnd: Date.parse(b.bucketEnd),
        rev: b.rev,
        passersBy: b.passersBy,
        visitors: b.visitors,
        tryOnSessions: b.tryOnSessions,
        itemsTried: b.itemsTried,
        transactions: b.transactions,
        units: b.units,
        revenueCents: Math.round(b.revenue * 100),
        triedBought: b.triedBought,
        exits: b.exits ?? 0,
        personMs: b.personMs ?? 0,
      });
      return;
    }
    case 'vipjourney': {
      const b = message.body;
      into.vip.push({
        store: message.store,
        tenant: message.tenant,
        bucketStart: Date.parse(b.bucketStart),
        bucketEnd: Date.parse(b.bucketEnd),
        rev: b.rev,
        arrivals: b.arrivals,
        members: b.members,
        invitedArrivals: b.invitedArrivals,
        transactions: b.transactions,
        revenueCents: Math.round(b.revenue * 100),
        journeys: JSON.stringify(b.journeys),
      });
      return;
    }
    case 'health': {
      const b = message.body;
      into.health.push({
        store: message.store,
        tenant: message.tenant,
        at: Date.parse(b.ts),
        seenAt,
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.timezone !== undefined ? { timezone: b.timezone } : {}),
        ...(b.currency !== undefined ? { currency: b.currency } : {}),
        body: JSON.stringify(b),
      });
      return;
    }
  }
}
