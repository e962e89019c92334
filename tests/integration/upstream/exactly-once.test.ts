/**
 * Exactly once at HQ, end to end on a real nats-server and the real HQ database
 * (PostgreSQL when reachable, else SQLite — the describe names which one ran):
 * - a gateway's publisher PROCESS is SIGKILLed mid-drain and restarted: HQ's rows per store
 *   and bucket equal the newest revision of the outbox's source rows, nothing counted twice;
 * - a later revision wins over an earlier one delivered after it;
 * - two cloud-sink instances on the one durable consumer process every message once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHqConfig } from '../../../cloud-sink/config.js';
import type { FunnelRow, HqStore } from '../../../cloud-sink/db/index.js';
import { type RunningSink, startSink } from '../../../cloud-sink/main.js';
import { systemClock } from '../../../gateway/infra/clock/index.js';
import {
  bucketEndOf,
  funnelBucketMessage,
  NatsConnector,
  Outbox,
  OutboxPublisher,
} from '../../../gateway/outputs/upstream/index.js';
import type { BucketRow } from '../../../gateway/pipeline/derive/buckets.js';
import { openDb } from '../../../gateway/pipeline/journal/index.js';
import { tempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';
import { bucketRow } from './support/fixtures.js';
import { type TestHqDatabase, testHqDatabase } from './support/hq-store.js';
import { NatsServer } from './support/nats-server.js';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const CHILD = join(process.cwd(), 'tests', 'integration', 'upstream', 'support', 'publisher-process.ts');

const hqDb: TestHqDatabase = await testHqDatabase();
console.log(`[upstream exactly-once] HQ store: ${hqDb.label}`);

/** Enqueues `buckets` buckets, each at revisions 1..revs(i), and returns the newest row per bucket. */
function fillOutbox(dataDir: string, store: string, buckets: number, revs: (i: number) => number, seed: number) {
  const db = openDb(dataDir);
  const outbox = new Outbox(db, systemClock);
  const newest = new Map<number, BucketRow>();
  let messages = 0;
  db.transaction(() => {
    // Revisions of a bucket interleave with other buckets, as late events would make them.
    for (let rev = 1; rev <= 3; rev++) {
      for (let i = 0; i < buckets; i++) {
        if (rev > revs(i)) continue;
        const row = bucketRow(i, rev, seed);
        outbox.enqueue(funnelBucketMessage(store, 'acme', row, bucketEndOf(row.start)));
        newest.set(row.start, row);
        messages++;
      }
    }
  })();
  db.close();
  return { newest, messages };
}

function expectRowsEqual(actual: readonly FunnelRow[], store: string, expected: ReadonlyMap<number, BucketRow>): void {
  const rows = actual.filter((r) => r.store === store);
  expect(rows.length).toBe(expected.size);
  for (const row of rows) {
    const want = expected.get(row.bucketStart);
    expect(want, `bucket ${row.bucketStart}`).toBeDefined();
    if (!want) continue;
    expect({
      rev: row.rev,
      passersBy: row.passersBy,
      visitors: row.visitors,
      tryOnSessions: row.tryOnSessions,
      itemsTried: row.itemsTried,
      transactions: row.transactions,
      units: row.units,
      revenueCents: row.revenueCents,
      triedBought: row.triedBought,
      exits: row.exits,
      personMs: row.personMs,
    }).toEqual({
      rev: want.rev,
      passersBy: want.passersBy,
      visitors: want.visitors,
      tryOnSessions: want.tryOnSessions,
      itemsTried: want.itemsTried,
      transactions: want.transactions,
      units: want.units,
      revenueCents: want.revenueCents,
      triedBought: want.triedBought,
      exits: want.exits,
      personMs: want.occupancyMs,
    });
  }
}

async function hqMatches(store: HqStore, name: string, expected: ReadonlyMap<number, BucketRow>): Promise<boolean> {
  const rows = (await store.funnelRows(0, Number.MAX_SAFE_INTEGER, [name])).filter((r) => r.store === name);
  return rows.length === expected.size && rows.every((r) => expected.get(r.bucketStart)?.rev === r.rev);
}

async function drainInProcess(dataDir: string, url: string): Promise<void> {
  const db = openDb(dataDir);
  const outbox = new Outbox(db, systemClock);
  const connector = new NatsConnector({ url, reconnectTimeWaitMs: 100 }, log);
  const publisher = new OutboxPublisher({ outbox, connector, clock: systemClock, log });
  publisher.start();
  try {
    await waitFor(() => outbox.depth() === 0, `outbox of ${dataDir} drained`, 30_000);
  } finally {
    await publisher.stop();
    await connector.stop();
    db.close();
  }
}

describe(`exactly once across crashes and outages (HQ store: ${hqDb.kind})`, () => {
  let server: NatsServer;
  let dirs: ReturnType<typeof tempDir>;
  let store: HqStore;
  let sink: RunningSink;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await NatsServer.start();
    dirs = tempDir('upstream-eo-');
    store = await hqDb.open();
    sink = await startSink({
      config: loadHqConfig({ HQ_NATS_URL: server.url, HQ_DATA_DIR: join(dirs.path, 'hq') }),
      log,
      store,
      http: false,
    });
    await sink.consuming();
    nc = await connect({ servers: server.url });
  });

  afterAll(async () => {
    await sink?.stop();
    await nc?.close();
    await hqDb.dispose();
    await server?.dispose();
    dirs?.remove();
  });

  it('a publisher process killed mid-drain, then restarted: HQ holds each bucket once, at its newest revision', async () => {
    const dirA = join(dirs.path, 'gw-a');
    const dirB = join(dirs.path, 'gw-b');
    const a = fillOutbox(dirA, 'store-a', 2000, (i) => 1 + (i % 3), 11);
    const b = fillOutbox(dirB, 'store-b', 1500, (i) => 1 + (i % 2), 12);

    const probe = new Database(join(dirA, 'gateway.db'), { readonly: true });
    const depth = () => probe.prepare('SELECT count(*) FROM outbox').pluck().get() as number;
    expect(depth()).toBe(a.messages);
    // `node --import tsx` (not the tsx wrapper, which would survive as a grandchild): the kill hits the publisher.
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, dirA, server.url, '4'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitFor(() => depth() < a.messages * 0.75, 'child publisher made progress', 20_000, 5);
      child.kill('SIGKILL');
      await exited;
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const leftAtKill = depth();
    await new Promise((r) => setTimeout(r, 300));
    expect(depth(), 'the killed publisher is gone').toBe(leftAtKill);
    probe.close();
    console.log(`[upstream exactly-once] publisher killed with ${leftAtKill} of ${a.messages} rows left`);
    expect(leftAtKill).toBeGreaterThan(0);

    await Promise.all([drainInProcess(dirA, server.url), drainInProcess(dirB, server.url)]);
    await waitFor(
      async () => (await hqMatches(store, 'store-a', a.newest)) && (await hqMatches(store, 'store-b', b.newest)),
      'HQ caught up',
      30_000,
      100,
    );

    const rows = await store.funnelRows(0, Number.MAX_SAFE_INTEGER);
    expectRowsEqual(rows, 'store-a', a.newest);
    expectRowsEqual(rows, 'store-b', b.newest);
    // Totals equal the newest revisions' sums: no bucket counted twice.
    const sum = (list: Iterable<BucketRow>) => [...list].reduce((s, r) => s + r.visitors, 0);
    const hqSum = (name: string) => rows.filter((r) => r.store === name).reduce((s, r) => s + r.visitors, 0);
    expect(hqSum('store-a')).toBe(sum(a.newest.values()));
    expect(hqSum('store-b')).toBe(sum(b.newest.values()));
    expect((await store.stores()).map((s) => s.id)).toEqual(expect.arrayContaining(['store-a', 'store-b']));
  });

  it('keeps the newest revision when an older one arrives later, and ignores re-sends', async () => {
    const js = jetstream(nc);
    const send = async (rev: number, msgId: string) => {
      const m = funnelBucketMessage('store-c', 'acme', bucketRow(0, rev, 21), bucketEndOf(bucketRow(0, rev, 21).start));
      await js.publish(m.subject, m.payload, { msgID: msgId });
      return m;
    };
    const newest = await send(3, 'store-c:funnel:x:3');
    await send(2, 'store-c:funnel:x:2');
    await send(1, 'store-c:funnel:x:1');
    // A re-send of revision 3 after the duplicate window (a new msgID): harmless.
    await send(3, 'store-c:funnel:x:3:resend');
    const expected = new Map([[bucketRow(0, 3, 21).start, bucketRow(0, 3, 21)]]);
    await waitFor(
      async () => (sink.consumer()?.snapshot().committed ?? 0) >= 4 && hqMatches(store, 'store-c', expected),
      'HQ got store-c',
    );
    // Give the sink a moment to (wrongly) apply the older revisions if it would.
    await new Promise((r) => setTimeout(r, 300));
    expectRowsEqual(await store.funnelRows(0, Number.MAX_SAFE_INTEGER, ['store-c']), 'store-c', expected);
    expect(newest.body.rev).toBe(3);
  });

  it('two cloud-sink instances share the durable consumer: every message processed once, totals exact', async () => {
    await sink.stop();
    const seen: string[][] = [[], []];
    const sinks = await Promise.all(
      [0, 1].map(async (i) =>
        startSink({
          config: loadHqConfig({ HQ_NATS_URL: server.url, HQ_DATA_DIR: join(dirs.path, `hq-${i}`) }),
          log,
          store: await hqDb.open(),
          http: false,
          consumer: { pullSize: 64, batchSize: 64, onCommitted: (ids) => seen[i]?.push(...ids) },
        }),
      ),
    );
    try {
      await Promise.all(sinks.map((s) => s.consuming()));
      const dirD = join(dirs.path, 'gw-d');
      const d = fillOutbox(dirD, 'store-d', 3000, (i) => 1 + (i % 2), 31);
      await drainInProcess(dirD, server.url);
      const ofD = (ids: string[]) => ids.filter((id) => id.startsWith('store-d:'));
      await waitFor(
        () => ofD([...(seen[0] ?? []), ...(seen[1] ?? [])]).length >= d.messages,
        'both sinks done',
        30_000,
        50,
      );
      const all = ofD([...(seen[0] ?? []), ...(seen[1] ?? [])]);
      console.log(
        `[upstream exactly-once] sink instances processed ${ofD(seen[0] ?? []).length} + ${ofD(seen[1] ?? []).length} of ${d.messages} (${hqDb.kind})`,
      );
      expect(all.length).toBe(d.messages);
      expect(new Set(all).size).toBe(d.messages);
      expect(ofD(seen[0] ?? []).length).toBeGreaterThan(0);
      expect(ofD(seen[1] ?? []).length).toBeGreaterThan(0);
      const reader = await hqDb.open();
      expectRowsEqual(await reader.funnelRows(0, Number.MAX_SAFE_INTEGER, ['store-d']), 'store-d', d.newest);
    } finally {
      await Promise.all(sinks.map((s) => s.stop()));
    }
  });
});
