/**
 * No member PII leaves the store: the assembled HQ link (Upstream: scheduler → outbox →
 * publisher, plus health reports) runs on a store whose roster has names, phones, notes and
 * cards, with VIP arrivals, departures and purchases in its buckets. Every message on
 * `retail.>` is captured and checked: valid against the wire contract, and free of every
 * name, phone, note, card and raw member id; VIPs appear only as HMAC pseudonyms.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import Fastify from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../gateway/infra/clock/index.js';
import { type GatewayConfig, loadConfig } from '../../../gateway/infra/config/index.js';
import { GatewayMetrics } from '../../../gateway/infra/metrics/index.js';
import { ReferenceData } from '../../../gateway/infra/reference/index.js';
import { STORE_SECRET_FILE, Upstream, upstreamRoutes } from '../../../gateway/outputs/upstream/index.js';
import { BucketStore, emptyCounters } from '../../../gateway/pipeline/derive/buckets.js';
import { type Db, openDb } from '../../../gateway/pipeline/journal/index.js';
import { decodeUpstreamMessage, type RosterEntry } from '../../../protocols/index.js';
import { tempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';
import { BUCKET_MS, T0 } from './support/fixtures.js';
import { NatsServer } from './support/nats-server.js';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

const members: RosterEntry[] = Array.from({ length: 6 }, (_, i) => ({
  id: `vip-${i}`,
  name: `Li Na ${i} 李娜${i}`,
  tier: i < 4 ? 5 : 2,
  phone: `+86 139 5555 00${i}${i}`,
  cards: [`E2000017221101441890AB${i}${i}`, `wechat-open-id-${i}`],
  notes: `Secret note ${i}: allergic to wool`,
}));

interface Captured {
  readonly subject: string;
  readonly msgId: string | undefined;
  readonly text: string;
}

describe('no member PII in any upstream message', () => {
  let server: NatsServer;
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let upstream: Upstream;
  let nc: NatsConnection;
  let clock: ManualClock;
  let config: GatewayConfig;
  const captured: Captured[] = [];

  beforeAll(async () => {
    server = await NatsServer.start();
    dir = tempDir('upstream-pii-');
    const base = loadConfig(undefined, { GW_DATA_DIR: dir.path, GW_NATS_URL: server.url, GW_STORE_ID: 's-pii' });
    config = { ...base, upstream: { ...base.upstream, tenant: 'acme' } };
    db = openDb(config.dataDir);
    const reference = new ReferenceData(db);
    reference.importMembers(members);
    clock = new ManualClock(T0);
    upstream = Upstream.create({
      db,
      config,
      clock,
      log,
      metrics: new GatewayMetrics(),
      reference,
      healthEveryMs: 200,
      version: 'test',
      link: { reconnectTimeWaitMs: 100 },
      kv: { enabled: false },
    });
    nc = await connect({ servers: server.url });
    const sub = nc.subscribe('retail.>');
    void (async () => {
      for await (const m of sub)
        captured.push({ subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id'), text: m.string() });
    })();
    await nc.flush();
  });

  afterAll(async () => {
    await upstream.stop();
    await nc.close();
    db.close();
    await server.dispose();
    dir.remove();
  });

  /** What the derivation does per batch: write facts and counters, then call the scheduler, in one transaction. */
  function commitBatch(facts: Record<string, unknown>[], tick: number): void {
    const buckets = new BucketStore(db);
    const insert = db.prepare('INSERT INTO facts (type, ts, body) VALUES (?, ?, ?)');
    db.transaction(() => {
      const deltas = new Map<number, ReturnType<typeof emptyCounters>>();
      for (const f of facts) {
        const ts = f.ts as number;
        const start = Math.floor(ts / BUCKET_MS) * BUCKET_MS;
        const c = deltas.get(start) ?? emptyCounters();
        if (f.type === 'visitor') c.visitors += 1;
        if (f.type === 'transaction') {
          c.transactions += 1;
          c.units += f.units as number;
          c.revenueCents += Math.round((f.revenue as number) * 100);
        }
        deltas.set(start, c);
        if (f.type !== 'visitor') insert.run(f.type, ts, JSON.stringify(f));
      }
      buckets.apply(deltas);
      upstream.scheduler.afterBatch(
        deltas.keys(),
        facts.map((f) => ({
          type: f.type as string,
          ts: f.ts as number,
          ...(typeof f.member === 'string' ? { member: f.member } : {}),
        })),
        tick,
      );
      db.prepare('UPDATE progress SET applied_tick = ? WHERE id = 1').run(tick);
    })();
  }

  it('sends funnel, vipjourney and health messages that carry no name, phone, note, card or member id', async () => {
    const facts: Record<string, unknown>[] = [];
    members.forEach((m, i) => {
      const ts = T0 + i * 5 * 60_000;
      facts.push({ type: 'visitor', ts, door: 'main', zone: 'entrance', n: 1 });
      if (m.tier >= 4) {
        facts.push({
          type: 'vip.arrival',
          ts,
          member: m.id,
          tier: m.tier,
          zone: 'entrance',
          via: 'card',
          ...(i === 0 ? { invitationId: 'inv-1' } : {}),
        });
        facts.push({
          type: 'vip.departure',
          ts: ts + 20 * 60_000,
          member: m.id,
          tier: m.tier,
          since: ts,
          reason: 'exit',
        });
      }
      facts.push({
        type: 'transaction',
        ts: ts + 60_000,
        receipt: `r-${i}`,
        device: 'pos-1',
        units: 2,
        revenue: 399.5,
        currency: 'CNY',
        member: m.id,
      });
    });
    clock.set(T0 + 3 * 3600_000);
    commitBatch(facts, clock.now());
    // A late purchase re-opens a closed bucket: new revisions of its funnel and VIP journey.
    commitBatch(
      [
        {
          type: 'transaction',
          ts: T0 + 2 * 60_000,
          receipt: 'late',
          device: 'pos-1',
          units: 1,
          revenue: 99,
          currency: 'CNY',
          member: 'vip-0',
        },
      ],
      clock.now() + 1000,
    );
    expect(upstream.outbox.depth()).toBeGreaterThan(0);

    upstream.start();
    await waitFor(() => upstream.outbox.depth() === 0, 'outbox drained');
    await waitFor(() => captured.some((c) => c.subject.endsWith('.health')), 'a health report');
    await nc.flush();

    const kinds = new Set(captured.map((c) => c.subject.split('.')[3]));
    expect([...kinds].sort()).toEqual(['funnel', 'health', 'vipjourney']);
    const forbidden = members.flatMap((m) => [m.name, m.phone ?? '', m.notes ?? '', m.id, ...m.cards]);
    for (const c of captured) {
      const decoded = decodeUpstreamMessage(c.subject, c.text);
      expect(decoded.ok, `${c.subject}: ${decoded.ok ? '' : decoded.reason}`).toBe(true);
      for (const secret of forbidden) {
        expect(c.text.includes(secret), `${c.subject} carries "${secret}"`).toBe(false);
        expect((c.msgId ?? '').includes(secret)).toBe(false);
      }
    }

    // VIPs are there, pseudonymised with the store secret that never left the store.
    const secret = readFileSync(join(dir.path, STORE_SECRET_FILE), 'utf8').trim();
    const pseudonym = (id: string) => createHmac('sha256', secret).update(id).digest('hex');
    const journeys = captured
      .filter((c) => c.subject === 'retail.acme.s-pii.vipjourney')
      .map(
        (c) =>
          JSON.parse(c.text) as {
            rev: number;
            bucketStart: string;
            journeys: { member: string; transactions: number }[];
          },
      );
    const members0 = journeys.flatMap((j) => j.journeys.map((x) => x.member));
    expect(new Set(members0)).toEqual(new Set(['vip-0', 'vip-1', 'vip-2', 'vip-3'].map(pseudonym)));
    expect(captured.some((c) => c.text.includes(secret))).toBe(false);
    // The late purchase re-sent bucket 0 at a higher revision (funnel: the bucket's rev;
    // VIP journey: the number of member facts in the bucket, 3 arrivals + 3 purchases, then 7).
    const firstBucket = new Date(T0).toISOString();
    expect(journeys.filter((j) => j.bucketStart === firstBucket).map((j) => j.rev)).toEqual([6, 7]);
    const funnelRevs = captured
      .filter((c) => c.subject.endsWith('.funnel'))
      .map((c) => JSON.parse(c.text) as { bucketStart: string; rev: number; transactions: number })
      .filter((f) => f.bucketStart === firstBucket);
    expect(funnelRevs.map((f) => [f.rev, f.transactions])).toEqual([
      [1, 3],
      [2, 4],
    ]);

    const health = captured.filter((c) => c.subject === 'retail.acme.s-pii.health').map((c) => JSON.parse(c.text));
    expect(health[0]).toMatchObject({ store: 's-pii', tenant: 'acme', version: 'test', reference: { members: 6 } });
    console.log(`[upstream pii] ${captured.length} upstream messages checked: ${[...kinds].join(', ')}`);
    const app = Fastify();
    upstreamRoutes(upstream)(app);
    const res = await app.inject({ method: 'GET', url: '/upstream' });
    expect(res.json()).toMatchObject({
      enabled: true,
      tenant: 'acme',
      outbox: { depth: 0 },
      publisher: { connected: true },
    });
    await app.close();
  });
});
