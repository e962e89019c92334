/**
 * Outbox → JetStream against a real nats-server: rows drain in seq order with their
 * Nats-Msg-Id, rows go only after the PubAck, and NATS going away for a while loses nothing:
 * what was enqueued (or in flight) meanwhile is published once it returns.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../gateway/infra/clock/index.js';
import { GatewayMetrics } from '../../../gateway/infra/metrics/index.js';
import {
  bucketEndOf,
  funnelBucketMessage,
  NatsConnector,
  Outbox,
  OutboxPublisher,
  UpstreamMetrics,
} from '../../../gateway/outputs/upstream/index.js';
import { type Db, openDb } from '../../../gateway/pipeline/journal/index.js';
import { tempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';
import { bucketRow, readStream } from './support/fixtures.js';
import { NatsServer } from './support/nats-server.js';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

describe('outbox drain to JetStream (real nats-server 2.9)', () => {
  let server: NatsServer;
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let outbox: Outbox;
  let connector: NatsConnector;
  let publisher: OutboxPublisher;
  let metrics: GatewayMetrics;
  let observer: NatsConnection;

  beforeAll(async () => {
    server = await NatsServer.start();
    dir = tempDir('upstream-drain-');
    db = openDb(dir.path);
    outbox = new Outbox(db, systemClock);
    metrics = new GatewayMetrics();
    connector = new NatsConnector({ url: server.url, reconnectTimeWaitMs: 100, timeoutMs: 2000 }, log);
    publisher = new OutboxPublisher({
      outbox,
      connector,
      clock: systemClock,
      log,
      metrics: new UpstreamMetrics(metrics.registry, outbox),
      publishTimeoutMs: 1500,
    });
    observer = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });

  afterAll(async () => {
    await publisher.stop();
    await connector.stop();
    await observer.close();
    db.close();
    await server.dispose();
    dir.remove();
  });

  it('publishes every row in seq order with its Nats-Msg-Id, then deletes it', async () => {
    const expected: string[] = [];
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) {
        const message = funnelBucketMessage(
          's001',
          'acme',
          bucketRow(i, 1 + (i % 3)),
          bucketEndOf(bucketRow(i, 1).start),
        );
        outbox.enqueue(message);
        expected.push(message.msgId);
      }
    })();
    expect(outbox.depth()).toBe(2000);
    publisher.start();
    await waitFor(() => outbox.depth() === 0, 'outbox drained', 20_000);

    const stored = await readStream(observer);
    expect(stored.map((m) => m.msgId)).toEqual(expected);
    expect(stored.every((m) => m.subject === 'retail.acme.s001.funnel')).toBe(true);
    const seqs = stored.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(publisher.status().published).toBe(2000);

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/gateway_upstream_outbox_depth 0/);
    expect(text).toMatch(/gateway_upstream_published_total\{kind="funnel"\} 2000/);
  });

  it('loses nothing while NATS is down: the backlog drains in order when it returns', async () => {
    const before = (await readStream(observer)).length;
    const expected: string[] = [];
    const enqueue = (from: number, n: number) =>
      db.transaction(() => {
        for (let i = from; i < from + n; i++) {
          const m = funnelBucketMessage('s002', 'acme', bucketRow(i, 1, 2), bucketEndOf(bucketRow(i, 1, 2).start));
          outbox.enqueue(m);
          expected.push(m.msgId);
        }
      })();

    await server.stop();
    await waitFor(() => !connector.connected, 'publisher notices the outage');
    enqueue(0, 1500);
    await new Promise((r) => setTimeout(r, 1500));
    enqueue(1500, 1500);
    // Nothing may be deleted without a PubAck.
    expect(outbox.depth()).toBe(3000);
    const oldest = outbox.backlog().oldestAgeMs;
    expect(oldest).toBeGreaterThanOrEqual(1000);
    expect(await metrics.registry.metrics()).toMatch(/gateway_upstream_outbox_depth 3000/);

    await server.start();
    await waitFor(() => outbox.depth() === 0, 'backlog drained after NATS returned', 30_000);
    const stored = (await readStream(observer)).slice(before);
    expect(stored.map((m) => m.msgId)).toEqual(expected);
  });

  it('starts while NATS is down (the outbox fills) and drains once NATS first comes up', async () => {
    const later = await NatsServer.create();
    const laterDir = tempDir('upstream-late-');
    const laterDb = openDb(laterDir.path);
    const laterOutbox = new Outbox(laterDb, systemClock);
    const link = new NatsConnector({ url: later.url, reconnectTimeWaitMs: 100 }, log);
    const late = new OutboxPublisher({ outbox: laterOutbox, connector: link, clock: systemClock, log });
    try {
      late.start();
      for (let i = 0; i < 300; i++) {
        laterOutbox.enqueue(
          funnelBucketMessage('s009', 'acme', bucketRow(i, 1, 9), bucketEndOf(bucketRow(i, 1, 9).start)),
        );
      }
      await new Promise((r) => setTimeout(r, 800));
      expect(laterOutbox.depth()).toBe(300);
      expect(late.status()).toMatchObject({ connected: false, published: 0 });
      await later.start();
      await waitFor(() => laterOutbox.depth() === 0, 'drained once NATS came up', 20_000);
      expect(late.status().published).toBe(300);
    } finally {
      await late.stop();
      await link.stop();
      laterDb.close();
      await later.dispose();
      laterDir.remove();
    }
  });

  it('survives a hard kill of the server mid-drain: re-sent rows are deduplicated by msgID', async () => {
    const before = (await readStream(observer)).length;
    const expected: string[] = [];
    db.transaction(() => {
      for (let i = 0; i < 6000; i++) {
        const m = funnelBucketMessage('s003', 'acme', bucketRow(i, 1, 3), bucketEndOf(bucketRow(i, 1, 3).start));
        outbox.enqueue(m);
        expected.push(m.msgId);
      }
    })();
    await waitFor(() => outbox.depth() < 5000, 'drain under way');
    await server.stop(true);
    const left = outbox.depth();
    expect(left).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    await server.start();
    await waitFor(() => outbox.depth() === 0, 'drained after the restart', 30_000);
    const stored = (await readStream(observer)).slice(before);
    const ids = stored.map((m) => m.msgId);
    // Every message is in the stream exactly once (a re-sent one was dropped as a duplicate).
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...expected].sort());
  });
});
