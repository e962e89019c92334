/**
 * Per-store NATS identities (issue 14 item 10) on a real nats-server 2.9 started with the
 * configuration `cloud-sink nats-config` writes. With store s002's login one could read the
 * whole VIP roster, write and purge the KV that s001 mirrors, and forge s001's funnel and
 * health. Must hold now:
 * - s001 publishes its own subjects (JetStream acks arrive) and HQ stores them;
 * - s002 cannot publish on s001's subjects (a forged rev 2^53-1 never reaches the stream),
 *   cannot read HQ's whole roster nor s001's view, cannot put or purge in any KV, cannot
 *   subscribe to `_INBOX.>` or `retail.>`;
 * - each store's gateway mirrors only its view: its own members and VIP-tier members;
 * - a health report dated 2099 does not make a store look alive: last_seen is HQ's time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHqConfig } from '../../../cloud-sink/config.js';
import { importRoster } from '../../../cloud-sink/kv-publish.js';
import { type RunningSink, startSink } from '../../../cloud-sink/main.js';
import { renderNatsConfig, writeNatsConfig } from '../../../cloud-sink/nats-config.js';
import { ReferenceData } from '../../../gateway/infra/reference/index.js';
import { KvMirror, NatsConnector } from '../../../gateway/outputs/upstream/index.js';
import { type Db, openDb } from '../../../gateway/pipeline/journal/index.js';
import {
  type FunnelMessage,
  KV_ROSTER_BUCKET,
  type RosterEntry,
  rosterKey,
  rosterViewBucket,
  storeInboxPrefix,
  upstreamMsgId,
  upstreamSubject,
} from '../../../protocols/index.js';
import { tempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';
import { NatsServer } from './support/nats-server.js';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const Q = 15 * 60_000;
const BUCKET = Math.floor(Date.now() / Q) * Q - 8 * Q;

function envFile(path: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('=', 2) as [string, string]),
  );
}

const member = (id: string, tier: number, stores?: string[]): RosterEntry => ({
  id,
  name: `Name of ${id}`,
  tier,
  phone: `+86 138 0000 ${id}`,
  cards: [`app:${id}`],
  notes: `notes of ${id}`,
  ...(stores ? { stores } : {}),
});

function funnel(store: string, rev: number): FunnelMessage {
  return {
    v: 1,
    tenant: 'acme',
    store,
    bucketStart: new Date(BUCKET).toISOString(),
    bucketEnd: new Date(BUCKET + Q).toISOString(),
    rev,
    passersBy: 40,
    visitors: 10,
    tryOnSessions: 3,
    itemsTried: 5,
    transactions: 2,
    units: 3,
    revenue: 399.5,
    triedBought: 1,
  };
}

/** Resolves with what happened to a promise within `ms`: 'ok', 'timeout' or the error message. */
async function outcome(work: () => Promise<unknown>, ms = 3000): Promise<string> {
  const timer = new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
  return Promise.race([
    work().then(
      () => 'ok',
      (err: unknown) => `refused: ${(err as Error).message}`,
    ),
    timer,
  ]);
}

describe('per-store NATS identities from `cloud-sink nats-config` (real nats-server 2.9)', () => {
  const dir = tempDir('nats-ids-');
  let server: NatsServer;
  let sink: RunningSink;
  let hq: NatsConnection;
  let creds: Record<string, Record<string, string>>;
  const stores: { db: Db; reference: ReferenceData; connector: NatsConnector; mirror: KvMirror }[] = [];
  const conns: NatsConnection[] = [];

  /** A store's own connection, as its gateway makes it (user, password, inbox prefix). */
  const storeConnection = async (store: string) => {
    const c = creds[store] as Record<string, string>;
    const nc = await connect({
      servers: server.url,
      user: c.GW_NATS_USER as string,
      pass: c.GW_NATS_PASS as string,
      inboxPrefix: storeInboxPrefix(store),
    });
    conns.push(nc);
    return nc;
  };

  beforeAll(async () => {
    const out = join(dir.path, 'ids');
    writeNatsConfig(out, { tenant: 'acme', stores: ['s001', 's002'] });
    creds = {
      hq: envFile(join(out, 'hq.env')),
      s001: envFile(join(out, 's001.env')),
      s002: envFile(join(out, 's002.env')),
    };
    server = await NatsServer.start({ configFile: join(out, 'nats-server.conf') });
    sink = await startSink({
      config: loadHqConfig({
        HQ_NATS_URL: server.url,
        HQ_DATA_DIR: join(dir.path, 'hq'),
        HQ_HTTP_AUTH: 'off',
        ...creds.hq,
      }),
      log,
      http: false,
    });
    await sink.consuming();
    hq = await connect({
      servers: server.url,
      user: String(creds.hq?.HQ_NATS_USER),
      pass: String(creds.hq?.HQ_NATS_PASS),
    });
    conns.push(hq);
    await importRoster(
      hq,
      [
        member('vip-1', 5, ['s001']),
        member('s001-regular', 1, ['s001']),
        member('s002-regular', 2, ['s002']),
        member('vip-2', 4),
      ],
      { stores: ['s001', 's002'] },
    );
    for (const store of ['s001', 's002']) {
      const db = openDb(join(dir.path, store));
      const reference = new ReferenceData(db);
      const c = creds[store] as Record<string, string>;
      const connector = new NatsConnector(
        {
          url: server.url,
          user: c.GW_NATS_USER as string,
          pass: c.GW_NATS_PASS as string,
          inboxPrefix: storeInboxPrefix(store),
          reconnectTimeWaitMs: 100,
        },
        log,
      );
      const mirror = new KvMirror({ connector, reference, storeId: store, log, retryMs: 200 });
      mirror.start();
      stores.push({ db, reference, connector, mirror });
    }
  });

  afterAll(async () => {
    for (const s of stores) {
      await s.mirror.stop();
      await s.connector.stop();
      s.db.close();
    }
    for (const nc of conns) await nc.close().catch(() => undefined);
    await sink?.stop();
    await server?.dispose();
    dir.remove();
  });

  it("each store's gateway mirrors only its own members and the VIP-tier members", async () => {
    const [s001, s002] = stores as [(typeof stores)[0], (typeof stores)[0]];
    const ids = (r: ReferenceData) => r.memberIds().sort();
    await waitFor(() => ids(s001.reference).length === 3 && ids(s002.reference).length === 3, 'views mirrored');
    expect(ids(s001.reference)).toEqual(['s001-regular', 'vip-1', 'vip-2']);
    expect(ids(s002.reference)).toEqual(['s002-regular', 'vip-1', 'vip-2']);
    expect(s001.mirror.status().roster).toMatchObject({ bucket: rosterViewBucket('s001'), watching: true });
    expect(s001.mirror.status().catalog.lastError).toBe('bucket not found');
  });

  it('s001 publishes its own subjects and HQ stores them', async () => {
    const nc = await storeConnection('s001');
    const js = jetstream(nc, { timeout: 3000 });
    const ack = await js.publish(upstreamSubject('acme', 's001', 'funnel'), JSON.stringify(funnel('s001', 1)), {
      msgID: upstreamMsgId('s001', 'funnel', BUCKET, 1),
    });
    expect(ack.stream).toBe('RETAIL');
    await waitFor(async () => (await sink.store.funnelRows(BUCKET, BUCKET + Q, ['s001'])).length === 1, 'stored');
  });

  it("s002 cannot publish on s001's subjects: a forged revision never reaches HQ", async () => {
    const nc = await storeConnection('s002');
    const js = jetstream(nc, { timeout: 2000 });
    const jsm = await jetstream(hq).jetstreamManager();
    const before = (await jsm.streams.info('RETAIL')).state.messages;
    const forged = await outcome(() =>
      js.publish(upstreamSubject('acme', 's001', 'funnel'), JSON.stringify(funnel('s001', 9007199254740991)), {
        msgID: upstreamMsgId('s001', 'funnel', BUCKET, 9007199254740991),
      }),
    );
    console.log(`[nats identities] s002 forging s001's funnel: ${forged}`);
    expect(forged).not.toBe('ok');
    const health = await outcome(() =>
      js.publish(
        upstreamSubject('acme', 's001', 'health'),
        JSON.stringify({
          v: 1,
          tenant: 'acme',
          store: 's001',
          ts: '2099-01-01T00:00:00Z',
          uptimeS: 1,
          outbox: { depth: 0, oldestAgeS: 0 },
        }),
      ),
    );
    expect(health).not.toBe('ok');
    // Its own subjects work: the identity is fine, the subject is what is refused.
    await js.publish(upstreamSubject('acme', 's002', 'funnel'), JSON.stringify(funnel('s002', 1)));
    await waitFor(async () => (await sink.store.funnelRows(BUCKET, BUCKET + Q, ['s002'])).length === 1, 's002 stored');
    expect((await jsm.streams.info('RETAIL')).state.messages).toBe(before + 1);
    const [row] = await sink.store.funnelRows(BUCKET, BUCKET + Q, ['s001']);
    expect(row?.rev).toBe(1);
  });

  it("s002 can neither read nor write HQ's roster or s001's view, nor tap inboxes or the stream", async () => {
    const nc = await storeConnection('s002');
    const kvm = new Kvm(nc);
    for (const bucket of [KV_ROSTER_BUCKET, rosterViewBucket('s001')]) {
      const read = await outcome(async () => {
        const kv = await kvm.open(bucket);
        const entry = await kv.get(rosterKey('s001-regular'));
        if (!entry) throw new Error('no entry');
      });
      expect(read, `read ${bucket}`).not.toBe('ok');
      const watch = await outcome(async () => {
        const kv = await kvm.open(bucket);
        const w = await kv.watch({ key: '>' });
        for await (const e of w) if (e.key) return;
      });
      expect(watch, `watch ${bucket}`).not.toBe('ok');
    }
    // Writes: not even in its own view.
    for (const bucket of [rosterViewBucket('s001'), rosterViewBucket('s002'), KV_ROSTER_BUCKET]) {
      const fake = await outcome(async () => {
        const kv = await kvm.open(bucket, { bindOnly: true });
        await kv.put(rosterKey('fake-vip'), JSON.stringify(member('fake-vip', 5)));
      });
      expect(fake, `put in ${bucket}`).not.toBe('ok');
      const purge = await outcome(async () => {
        const kv = await kvm.open(bucket, { bindOnly: true });
        await kv.purge(rosterKey('vip-1'));
      });
      expect(purge, `purge in ${bucket}`).not.toBe('ok');
    }
    const view = await new Kvm(hq).open(rosterViewBucket('s001'));
    expect((await view.get(rosterKey('vip-1')))?.operation).toBe('PUT');
    expect(await view.get(rosterKey('fake-vip'))).toBeNull();

    for (const subject of ['_INBOX.>', '>', 'retail.>', `${storeInboxPrefix('s001')}.>`]) {
      const sub = nc.subscribe(subject);
      const closed = await Promise.race([
        sub.closed.then((err) => (err ? `closed: ${err.message}` : 'closed')),
        new Promise<string>((resolve) => setTimeout(() => resolve('open'), 1500)),
      ]);
      expect(closed, `subscribe ${subject}`).toMatch(/closed/);
    }
  });

  it('the shipped template deploy/nats/nats-server.conf.template is what the generator writes', () => {
    const placeholders = new Map([
      ['hq', '<HQ-PASSWORD>'],
      ['s001', '<S001-PASSWORD>'],
      ['s002', '<S002-PASSWORD>'],
    ]);
    const shipped = readFileSync(new URL('../../../deploy/nats/nats-server.conf.template', import.meta.url), 'utf8');
    expect(shipped).toBe(renderNatsConfig({ tenant: 'acme', stores: ['s001', 's002'] }, placeholders));
  });

  it('a health report dated 2099 does not keep a store online: last_seen is HQ time', async () => {
    const nc = await storeConnection('s001');
    const js = jetstream(nc, { timeout: 3000 });
    await js.publish(
      upstreamSubject('acme', 's001', 'health'),
      JSON.stringify({
        v: 1,
        tenant: 'acme',
        store: 's001',
        ts: '2099-01-01T00:00:00Z',
        uptimeS: 1,
        outbox: { depth: 0, oldestAgeS: 0 },
      }),
    );
    const record = await waitFor(async () => {
      const r = await sink.store.store('s001');
      return r?.lastHealth ? r : undefined;
    }, 'health stored');
    expect(record.lastSeen).toBeLessThanOrEqual(Date.now());
    expect(record.lastSeen).toBeGreaterThan(Date.now() - 60_000);
  });
});
