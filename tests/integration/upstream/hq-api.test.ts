/**
 * HQ API over the real HQ database (PostgreSQL when reachable, else SQLite; the describe
 * names which): stores with regions from `cloud-sink stores import`, a store's funnel in its
 * own zone (hour and DST-correct day periods), cross-store totals grouped by store or
 * region, a ranking and the CSV export — the same shapes and definitions as the store's API.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHqApi } from '../../../cloud-sink/api.js';
import { HqAuth } from '../../../cloud-sink/auth.js';
import { main as hqCli } from '../../../cloud-sink/cli.js';
import type { FunnelRecord, HqStore } from '../../../cloud-sink/db/index.js';
import { About, HqMe, HqStores, Ranking, StoreFunnel } from '../../../protocols/hq-api.js';
import { tempDir } from '../../support/tmp.js';
import { type TestHqDatabase, testHqDatabase } from './support/hq-store.js';

const hqDb: TestHqDatabase = await testHqDatabase();
console.log(`[upstream hq-api] HQ store: ${hqDb.label}`);

const Q = 15 * 60_000;
/** 2026-11-02 00:00 in Shanghai (+08:00). */
const SH_DAY = Date.UTC(2026, 10, 1, 16);

function row(
  store: string,
  bucketStart: number,
  visitors: number,
  transactions: number,
  revenueCents: number,
): FunnelRecord {
  return {
    store,
    tenant: 'acme',
    bucketStart,
    bucketEnd: bucketStart + Q,
    rev: 1,
    passersBy: visitors * 4,
    visitors,
    tryOnSessions: Math.floor(visitors / 2),
    itemsTried: visitors,
    transactions,
    units: transactions * 2,
    revenueCents,
    triedBought: transactions,
    exits: visitors,
    personMs: visitors * 600_000,
  };
}

describe(`HQ API (HQ store: ${hqDb.kind})`, () => {
  let store: HqStore;
  let app: FastifyInstance;
  let dir: ReturnType<typeof tempDir>;
  let token = '';
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const json = String(res.headers['content-type']).startsWith('application/json');
    return {
      status: res.statusCode,
      body: (json ? res.json() : {}) as Record<string, unknown>,
      text: res.body,
      headers: res.headers,
    };
  };

  beforeAll(async () => {
    dir = tempDir('hq-api-');
    store = await hqDb.open();
    const csv = join(dir.path, 'stores.csv');
    writeFileSync(
      csv,
      '\uFEFFid,name,region,timezone,currency\r\ns1,旗舰店,East,Asia/Shanghai,CNY\r\ns2,Mall,East,Asia/Shanghai,CNY\r\ns3,Berlin,West,Europe/Berlin,EUR\r\n',
    );
    expect(await hqCli(['stores', 'import', csv], { ...hqDb.env, HQ_LOG_LEVEL: 'silent' })).toBe(0);
    const funnel: FunnelRecord[] = [];
    // s1: 10:00–10:45 Shanghai time, three buckets; s2: one bucket at 10:00 with no visitors.
    for (let i = 0; i < 3; i++) funnel.push(row('s1', SH_DAY + 10 * 3600_000 + i * Q, 10 + i, 2, 40_000 + i * 100));
    funnel.push(row('s2', SH_DAY + 10 * 3600_000, 0, 0, 0));
    // s3 (Berlin): one bucket on each of 24, 25 (25 hours long: DST ends) and 26 Oct 2026.
    funnel.push(row('s3', Date.UTC(2026, 9, 24, 10), 5, 1, 1000));
    funnel.push(row('s3', Date.UTC(2026, 9, 25, 22, 30), 7, 1, 2000)); // 23:30 local on the 25th (+01:00)
    funnel.push(row('s3', Date.UTC(2026, 9, 26, 10), 9, 1, 3000));
    // s4 sent data but HQ never assigned it a region.
    funnel.push(row('s4', SH_DAY + 11 * 3600_000, 4, 1, 9999));
    await store.applyBatch(
      {
        funnel,
        vip: [],
        health: [
          {
            store: 's1',
            tenant: 'acme',
            at: Date.now(),
            seenAt: Date.now(),
            name: 'from-health',
            timezone: 'Asia/Shanghai',
            currency: 'CNY',
            body: JSON.stringify({ v: 1, store: 's1', outbox: { depth: 0, oldestAgeS: 0 } }),
          },
        ],
      },
      Date.now(),
    );
    // The API needs a signed-in user: an analyst (read-only) reads everything below.
    const auth = new HqAuth({ store, log: pino({ level: 'silent' }) });
    await auth.setUser('ana', 'analyst', 'analyst-password-1', false);
    app = await buildHqApi({ store, auth, timezone: 'Asia/Shanghai' });
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { name: 'ana', password: 'analyst-password-1' },
    });
    expect(login.statusCode).toBe(200);
    token = (login.json() as { token: string }).token;
  });

  afterAll(async () => {
    await app?.close();
    await hqDb.dispose();
    dir?.remove();
  });

  it('lists stores with their regions (unassigned when HQ gave none) and liveness', async () => {
    const { status, body } = await get('/api/v1/stores');
    expect(status).toBe(200);
    const stores = body.stores as {
      id: string;
      region: string;
      name: string | null;
      online: boolean;
      timezone: string;
    }[];
    expect(stores.map((s) => [s.id, s.region])).toEqual([
      ['s1', 'East'],
      ['s2', 'East'],
      ['s3', 'West'],
      ['s4', 'unassigned'],
    ]);
    // HQ's name wins over the store's own; s1 reported health just now.
    expect(stores[0]).toMatchObject({ name: '旗舰店', online: true, timezone: 'Asia/Shanghai' });
    expect(stores[2]).toMatchObject({ online: false, timezone: 'Europe/Berlin' });
  });

  it("serves a store's funnel in its own zone, with the store's shapes and null for zero denominators", async () => {
    const { status, body } = await get('/api/v1/stores/s1/funnel?from=2026-11-02&to=2026-11-02&granularity=hour');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      store: 's1',
      timezone: 'Asia/Shanghai',
      from: '2026-11-02T00:00:00+08:00',
      to: '2026-11-03T00:00:00+08:00',
    });
    const buckets = body.buckets as Record<string, unknown>[];
    expect(buckets).toHaveLength(24);
    expect(buckets[10]).toMatchObject({
      start: '2026-11-02T10:00:00+08:00',
      end: '2026-11-02T11:00:00+08:00',
      visitors: 33,
      passersBy: 132,
      transactions: 6,
      revenue: 1203,
      captureRate: 0.25,
      conversionRate: 6 / 33,
      atv: 200.5,
      upt: 2,
      estimatedDwellMinutes: 10,
    });
    expect(buckets[9]).toMatchObject({
      visitors: 0,
      captureRate: null,
      tryOnRate: null,
      conversionRate: null,
      atv: null,
      upt: null,
    });
    expect(body.totals).toMatchObject({ visitors: 33, transactions: 6, revenue: 1203 });

    const quarter = await get(
      '/api/v1/stores/s1/funnel?from=2026-11-02T10:00:00%2B08:00&to=2026-11-02T11:00:00%2B08:00',
    );
    expect((quarter.body.buckets as { visitors: number }[]).map((b) => b.visitors)).toEqual([10, 11, 12, 0]);
  });

  it('uses store-local days across DST (a 25-hour day in Berlin)', async () => {
    const { body } = await get('/api/v1/stores/s3/funnel?from=2026-10-24&to=2026-10-26&granularity=day');
    const buckets = body.buckets as { start: string; end: string; visitors: number }[];
    expect(buckets.map((b) => [b.start, b.end, b.visitors])).toEqual([
      ['2026-10-24T00:00:00+02:00', '2026-10-25T00:00:00+02:00', 5],
      ['2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00', 7],
      ['2026-10-26T00:00:00+01:00', '2026-10-27T00:00:00+01:00', 9],
    ]);
  });

  it('sums across stores, grouped by store or region', async () => {
    const all = await get('/api/v1/funnel?from=2026-11-02&to=2026-11-02&granularity=day');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ timezone: 'Asia/Shanghai', stores: 4, totals: { visitors: 37, transactions: 7 } });

    const byRegion = await get('/api/v1/funnel?from=2026-11-02&to=2026-11-02&granularity=day&groupBy=region');
    const groups = byRegion.body.groups as { key: string; totals: { visitors: number; revenue: number } }[];
    expect(groups.map((g) => [g.key, g.totals.visitors, g.totals.revenue])).toEqual([
      ['East', 33, 1203],
      ['West', 0, 0],
      ['unassigned', 4, 99.99],
    ]);
    const byStore = await get('/api/v1/funnel?from=2026-11-02&to=2026-11-02&granularity=day&groupBy=store&region=East');
    const stores = byStore.body.groups as {
      key: string;
      region: string;
      totals: { visitors: number; conversionRate: number | null };
    }[];
    expect(stores.map((g) => [g.key, g.region, g.totals.visitors, g.totals.conversionRate])).toEqual([
      ['s1', 'East', 33, 6 / 33],
      ['s2', 'East', 0, null],
    ]);
  });

  it('ranks stores by a metric, unknown values last', async () => {
    const { body } = await get('/api/v1/ranking?from=2026-11-02&to=2026-11-02&metric=conversionRate');
    const ranking = body.ranking as { rank: number; store: string; value: number | null }[];
    expect(ranking.map((r) => [r.rank, r.store])).toEqual([
      [1, 's4'],
      [2, 's1'],
      [3, 's2'],
      [4, 's3'],
    ]);
    expect(ranking[3]?.value).toBeNull();
  });

  it('exports CSV with a UTF-8 BOM, and answers bad input with {error: {code, message}}', async () => {
    const csv = await get('/api/v1/export/funnel.csv?from=2026-11-02&to=2026-11-02&granularity=day');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.startsWith('\uFEFF门店,开始时间')).toBe(true);
    expect(csv.text).toContain('s1,2026-11-02T00:00:00+08:00,2026-11-03T00:00:00+08:00,132,33,0.25');
    const en = await get('/api/v1/export/funnel.csv?from=2026-11-02&granularity=day&groupBy=region&lang=en');
    expect(en.text.split('\r\n')[0]).toBe(
      '\uFEFFRegion,Start,End,Passers-by,Visitors,Capture rate,Try-on sessions,Try-on rate,Items tried,Transactions,Conversion rate,Units,Revenue,ATV,UPT,Tried → bought',
    );

    const bad = await get('/api/v1/funnel?granularity=fortnight');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    const tooMany = await get('/api/v1/funnel?from=2020-01-01&to=2026-01-01&granularity=15m');
    expect(tooMany.body).toMatchObject({ error: { code: 'RANGE_TOO_LARGE' } });
    const missing = await get('/api/v1/stores/nope/funnel');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it("answers in the shapes of protocols/hq-api.ts, the HQ dashboard's types", async () => {
    const routes: [string, TSchema][] = [
      ['/api/v1/about', About],
      ['/api/v1/stores', HqStores],
      ['/api/v1/stores/s1/funnel?from=2026-11-02&to=2026-11-02&granularity=hour', StoreFunnel],
      ['/api/v1/ranking?from=2026-11-02&to=2026-11-02&metric=conversionRate', Ranking],
      ['/api/v1/auth/me', HqMe],
    ];
    for (const [url, schema] of routes) {
      const { status, body } = await get(url);
      expect(status, url).toBe(200);
      const check = Compile(schema);
      expect(check.Check(body) ? [] : check.Errors(body).map((e) => `${e.instancePath} ${e.message}`), url).toEqual([]);
    }
    // A repeated query key is the usual 400, not a crash or a silently picked value.
    const twice = await get('/api/v1/ranking?metric=visitors&metric=units');
    expect(twice.status).toBe(400);
    expect(twice.body).toEqual({ error: { code: 'BAD_REQUEST', message: 'metric must be given once' } });
    // Keys the route ignores stay ignored, repeated or not.
    expect((await get('/api/v1/ranking?granularity=day&granularity=hour')).status).toBe(200);
  });
});
