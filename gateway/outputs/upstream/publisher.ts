/**
 * Drains the outbox to JetStream: rows are published in `seq` order with up to 64 publishes
 * in flight (1 in flight gives ~5k msg/s here, 64 ~26k), each with its Nats-Msg-Id, and a
 * row is deleted only after its PubAck. Any failure (timeout, no responders, disconnect)
 * stops the pass: what is in flight settles, acknowledged rows are deleted, and the next
 * pass starts again from the oldest row left. A publish whose ack was lost is simply sent
 * again; the stream's duplicate window and HQ's upsert-if-newer make that harmless.
 *
 * The stream `RETAIL` is created when missing (2.9-compatible settings only) or checked.
 * Health reports are published directly on a timer while connected, not queued.
 */
import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { upstreamStreamConfig } from '../../../common/nats.js';
import { UPSTREAM_STREAM, UPSTREAM_SUBJECTS } from '../../../protocols/index.js';
import type { Clock } from '../../infra/clock/index.js';
import type { NatsConnector } from './connection.js';
import type { UpstreamMetrics } from './metrics.js';
import type { Outbox, OutboxMessage, OutboxRow } from './outbox.js';

export interface PublisherOptions {
  readonly outbox: Outbox;
  readonly connector: NatsConnector;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics?: UpstreamMetrics;
  /** Publishes awaiting their PubAck at once; default 64. */
  readonly maxInFlight?: number;
  /** Outbox rows read per query; default 1024. */
  readonly readBatch?: number;
  /** PubAck timeout; default 5 s. */
  readonly publishTimeoutMs?: number;
  /** Create the stream when missing (default true); false: publish only. */
  readonly ensureStream?: boolean;
  /** Health report to publish every `everyMs` while connected. */
  readonly health?: { readonly everyMs: number; readonly build: () => OutboxMessage };
}

export interface PublisherStatus {
  readonly connected: boolean;
  readonly state: string;
  readonly outbox: { readonly depth: number; readonly oldestAgeMs: number };
  readonly published: number;
  readonly duplicates: number;
  readonly failures: number;
  readonly lastAckAt: string | null;
  readonly lastError: string | null;
}

type PassResult = 'idle' | 'failed' | 'stopped';

export class OutboxPublisher {
  private readonly maxInFlight: number;
  private readonly readBatch: number;
  private readonly timeoutMs: number;
  private running: Promise<void> | undefined;
  private stopping = false;
  private signalStop: (() => void) | undefined;
  private readonly stopped = new Promise<void>((resolve) => (this.signalStop = resolve));
  private wakeUp: (() => void) | undefined;
  private workPending = false;
  private streamReadyFor: NatsConnection | undefined;
  private ensureAfter = 0;
  private healthTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private published = 0;
  private duplicates = 0;
  private failures = 0;
  private lastAckAt: number | undefined;
  private lastError: string | undefined;

  constructor(private readonly options: PublisherOptions) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 64);
    this.readBatch = Math.max(this.maxInFlight, options.readBatch ?? 1024);
    this.timeoutMs = options.publishTimeoutMs ?? 5000;
  }

  /** Starts draining in the background; idempotent. The connector is started too. */
  start(): void {
    if (this.running || this.stopping) return;
    this.options.connector.start();
    const offEnqueue = this.options.outbox.onEnqueue(() => this.wake());
    const offState = this.options.connector.onState((state) => {
      this.options.metrics?.connected.set(state === 'connected' ? 1 : 0);
      if (state === 'connected') {
        this.wake();
        this.publishHealth();
      }
    });
    this.unsubscribe = () => {
      offEnqueue();
      offState();
    };
    const health = this.options.health;
    if (health) {
      this.healthTimer = setInterval(() => this.publishHealth(), health.everyMs);
      this.healthTimer.unref();
    }
    this.running = this.loop().catch((err: unknown) => {
      this.options.log.error({ component: 'upstream', err }, 'outbox publisher failed');
    });
  }

  /** Stops after the publishes in flight settle; idempotent, never throws. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.signalStop?.();
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.wakeUp?.();
    try {
      await this.running;
    } catch {
      // loop() never rejects; keep stop() total anyway.
    }
  }

  /** Notes new work (called when a row is enqueued). */
  wake(): void {
    this.workPending = true;
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }

  status(): PublisherStatus {
    let outbox = { depth: 0, oldestAgeMs: 0 };
    try {
      outbox = this.options.outbox.backlog();
    } catch {
      // database closed during shutdown
    }
    return {
      connected: this.options.connector.connected,
      state: this.options.connector.state,
      outbox,
      published: this.published,
      duplicates: this.duplicates,
      failures: this.failures,
      lastAckAt: this.lastAckAt === undefined ? null : new Date(this.lastAckAt).toISOString(),
      lastError: this.lastError ?? this.options.connector.lastError ?? null,
    };
  }

  private async loop(): Promise<void> {
    let backoff = 250;
    while (!this.stopping) {
      const nc = await Promise.race([this.options.connector.ready(), this.stopped.then(() => undefined)]);
      if (!nc || this.stopping) return;
      if (this.streamReadyFor !== nc && this.options.ensureStream !== false && Date.now() >= this.ensureAfter) {
        try {
          await ensureUpstreamStream(nc, this.options.log);
          this.streamReadyFor = nc;
        } catch (err) {
          // Credentials may allow publishing but not the JetStream API: publish anyway (a
          // missing stream shows as failing publishes) and look at the stream again later.
          this.noteError(err, 'upstream stream not verified; publishing anyway');
          this.ensureAfter = Date.now() + 30_000;
        }
      }
      this.workPending = false;
      const result = await this.pass(jetstream(nc, { timeout: this.timeoutMs }));
      if (result === 'stopped') return;
      if (result === 'failed') {
        await this.idle(backoff);
        backoff = Math.min(backoff * 2, 5000);
      } else {
        backoff = 250;
        if (!this.workPending) await this.idle(1000);
      }
    }
  }

  /** One drain pass: publish rows in seq order, pipelined, until the outbox is empty or a publish fails. */
  private async pass(js: JetStreamClient): Promise<PassResult> {
    const { outbox } = this.options;
    let cursor = 0;
    let inFlight = 0;
    let failure: unknown;
    let freed: (() => void) | undefined;
    const acked: OutboxRow[] = [];
    const release = () => {
      inFlight--;
      const f = freed;
      freed = undefined;
      f?.();
    };
    let rows: OutboxRow[] = [];
    let i = 0;
    while (failure === undefined && !this.stopping && this.options.connector.connected) {
      if (i >= rows.length) {
        this.removeAcked(acked);
        rows = outbox.read(cursor, this.readBatch);
        i = 0;
        if (rows.length === 0) break;
      }
      const row = rows[i++] as OutboxRow;
      cursor = row.seq;
      inFlight++;
      void js
        .publish(row.subject, row.payload, { msgID: row.msgId, timeout: this.timeoutMs })
        .then(
          (ack) => {
            acked.push(row);
            if (ack.duplicate) this.duplicates++;
          },
          (err: unknown) => {
            failure ??= err;
          },
        )
        .finally(release);
      if (inFlight >= this.maxInFlight) await new Promise<void>((resolve) => (freed = resolve));
      // Each delete is a FULL commit (an fsync): after 1,024 acks, not 256, so a backlog's
      // drain spends a quarter of the time waiting for the disk. Later deletes are only later:
      // after a crash the rows are published again, and the stream's duplicate window (2 min),
      // then HQ's upsert-if-newer, drop what HQ already has.
      if (acked.length >= 1024) this.removeAcked(acked);
    }
    while (inFlight > 0) await new Promise<void>((resolve) => (freed = resolve));
    this.removeAcked(acked);
    if (failure !== undefined) {
      this.failures++;
      this.options.metrics?.publishFailures.inc();
      this.noteError(failure, 'upstream publish failed; will retry from the outbox');
      return 'failed';
    }
    if (this.stopping) return 'stopped';
    return this.options.connector.connected ? 'idle' : 'failed';
  }

  /** Deletes acknowledged rows (one transaction) and counts them. */
  private removeAcked(acked: OutboxRow[]): void {
    if (acked.length === 0) return;
    const rows = acked.splice(0, acked.length);
    this.options.outbox.remove(rows.map((r) => r.seq));
    this.published += rows.length;
    this.lastAckAt = this.options.clock.now();
    const metrics = this.options.metrics;
    if (metrics) {
      const byKind = new Map<string, number>();
      for (const row of rows) {
        const kind = row.subject.slice(row.subject.lastIndexOf('.') + 1);
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      }
      for (const [kind, n] of byKind) metrics.published.inc({ kind }, n);
    }
  }

  private publishHealth(): void {
    const health = this.options.health;
    const nc = this.options.connector.connection;
    if (!health || !nc || this.stopping) return;
    let message: OutboxMessage;
    try {
      message = health.build();
    } catch (err) {
      this.options.log.warn({ component: 'upstream', err }, 'health report not built');
      return;
    }
    jetstream(nc, { timeout: this.timeoutMs })
      .publish(message.subject, message.payload, { msgID: message.msgId, timeout: this.timeoutMs })
      .catch((err: unknown) => {
        this.options.log.debug({ component: 'upstream', err: (err as Error).message }, 'health report not published');
      });
  }

  private noteError(err: unknown, message: string): void {
    this.lastError = err instanceof Error ? err.message : String(err);
    this.options.log.warn({ component: 'upstream', err: this.lastError }, message);
  }

  private idle(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wakeUp === done) self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = done;
    });
  }
}

/**
 * Creates the RETAIL stream when missing, with settings nats-server 2.9 accepts (file
 * storage, limits retention, 2-minute duplicate window, 30-day age), or checks an existing
 * one (its owner may be HQ): a stream not covering `retail.>` or without a usable duplicate
 * window is logged, not changed.
 */
export async function ensureUpstreamStream(nc: NatsConnection, log: Logger): Promise<'created' | 'exists'> {
  const jsm = await jetstreamManager(nc);
  try {
    const info = await jsm.streams.info(UPSTREAM_STREAM);
    const subjects = info.config.subjects ?? [];
    if (!UPSTREAM_SUBJECTS.every((s) => subjects.includes(s))) {
      log.warn({ component: 'upstream', stream: UPSTREAM_STREAM, subjects }, 'upstream stream does not cover retail.>');
    }
    if (info.config.duplicate_window < nanos(60_000)) {
      log.warn(
        { component: 'upstream', stream: UPSTREAM_STREAM, duplicateWindowMs: info.config.duplicate_window / 1e6 },
        'upstream stream duplicate window is short',
      );
    }
    return 'exists';
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || err.code !== JetStreamApiCodes.StreamNotFound) throw err;
  }
  try {
    await jsm.streams.add(upstreamStreamConfig());
  } catch (err) {
    // Another gateway or HQ created it first.
    if (!(err instanceof JetStreamApiError)) throw err;
    await jsm.streams.info(UPSTREAM_STREAM);
    return 'exists';
  }
  log.info({ component: 'upstream', stream: UPSTREAM_STREAM }, 'upstream stream created');
  return 'created';
}
