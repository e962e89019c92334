/**
 * The sink: pulls from the durable consumer `hq-sink` on RETAIL, validates each message
 * (protocols/upstream.ts), writes a batch in ONE database transaction with
 * upsert-if-newer-revision, and acks the batch's messages only after the commit.
 *
 * Exactly once at HQ follows from: the gateway re-sends until acked (at least once), the
 * stream drops repeats within its duplicate window, and what still comes twice (an ack lost
 * between commit and server, a re-send after the window) is an upsert of the same or an
 * older revision: a no-op. Several instances share the durable consumer; the server hands
 * each message to one of them, and the (store, bucket_start) key makes their writes commute.
 *
 * A message that fails validation is terminated (never redelivered) and counted. A database
 * failure naks the batch with a delay; the messages come back.
 */
import { type Consumer, type ConsumerMessages, type JsMsg, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { decodeUpstreamMessage, HQ_CONSUMER, UPSTREAM_STREAM, type UpstreamMessage } from '../protocols/index.js';
import type { FunnelRecord, HealthRecord, HqStore, SinkBatch, VipRecord } from './db/index.js';
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
}

export interface SinkStats {
  readonly received: number;
  readonly committed: number;
  readonly applied: number;
  readonly stale: number;
  readonly invalid: number;
  readonly failedBatches: number;
}

class SinkMetrics {
  readonly messages: Counter<'kind' | 'result'>;
  readonly batch: Histogram;
  readonly failures: Counter;

  constructor(registry: Registry) {
    this.messages = new Counter({
      name: 'hq_sink_messages_total',
      help: 'Upstream messages by kind and result (applied, stale, invalid).',
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
      help: 'Batches whose transaction failed (naked, redelivered later).',
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

export class SinkConsumer {
  private messages: ConsumerMessages | undefined;
  private pending: JsMsg[] = [];
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  private stopping = false;
  private readonly metrics: SinkMetrics | undefined;
  private stats = { received: 0, committed: 0, applied: 0, stale: 0, invalid: 0, failedBatches: 0 };
  private readonly batchSize: number;

  constructor(private readonly options: SinkConsumerOptions) {
    this.metrics = options.registry ? sinkMetrics(options.registry) : undefined;
    this.batchSize = options.batchSize ?? 500;
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
    const funnel: FunnelRecord[] = [];
    const vip: VipRecord[] = [];
    const health: HealthRecord[] = [];
    const good: JsMsg[] = [];
    const kinds = new Map<string, number>();
    for (const m of msgs) {
      const decoded = decodeUpstreamMessage(m.subject, m.data);
      if (!decoded.ok) {
        this.stats.invalid++;
        this.metrics?.messages.inc({ kind: 'unknown', result: 'invalid' });
        this.options.log.warn(
          { component: 'hq-sink', subject: m.subject, seq: m.seq, code: decoded.code, reason: decoded.reason },
          'upstream message rejected',
        );
        m.term();
        continue;
      }
      toRecord(decoded.value, { funnel, vip, health });
      kinds.set(decoded.value.kind, (kinds.get(decoded.value.kind) ?? 0) + 1);
      good.push(m);
    }
    if (good.length === 0) return;
    const batch: SinkBatch = { funnel, vip, health };
    try {
      const result = await this.options.store.applyBatch(batch, (this.options.clock ?? Date.now)());
      this.stats.committed += good.length;
      this.stats.applied += result.applied;
      this.stats.stale += result.stale;
      this.metrics?.batch.observe(good.length);
      for (const [kind, n] of kinds) this.metrics?.messages.inc({ kind, result: 'committed' }, n);
      if (result.stale > 0) this.metrics?.messages.inc({ kind: 'bucket', result: 'stale' }, result.stale);
    } catch (err) {
      this.stats.failedBatches++;
      this.metrics?.failures.inc();
      this.options.log.error(
        { component: 'hq-sink', err, messages: good.length },
        'sink batch failed; redelivery later',
      );
      for (const m of good) m.nak(2000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      return;
    }
    // Acknowledge only what is committed.
    for (const m of good) m.ack();
    this.options.onCommitted?.(good.map((m) => m.headers?.get('Nats-Msg-Id') ?? `${m.subject}#${m.seq}`));
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

/** Turns a validated message into rows (revenue to integer cents, times to epoch ms). */
export function toRecord(
  message: UpstreamMessage,
  into: { funnel: FunnelRecord[]; vip: VipRecord[]; health: HealthRecord[] },
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
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.timezone !== undefined ? { timezone: b.timezone } : {}),
        ...(b.currency !== undefined ? { currency: b.currency } : {}),
        body: JSON.stringify(b),
      });
      return;
    }
  }
}
