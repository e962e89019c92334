/**
 * Store/HQ parity: the same facts give the same figures in the store's API and in HQ's.
 *
 * Store path: facts → FunnelAggregator (store-local 15-minute buckets) → BucketStore
 * (SQLite) → the store's GET /funnel route. HQ path: the same buckets → upstream funnel
 * messages (JSON bytes, decoded and checked as HQ's consumer does) → HQ's SQLite store →
 * HQ's GET /api/v1/stores/{id}/funnel. Every bucket and the totals must agree figure by
 * figure, in zones whose DST days are not 24 hours long (Lord_Howe's half-hour shift too).
 */

import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHqApi } from '../../../cloud-sink/api.js';
import { toRecord } from '../../../cloud-sink/consumer.js';
import { type FunnelRecord, type HealthRecord, SqliteStore, type VipRecord } from '../../../cloud-sink/db/index.js';
import { installErrorHandling } from '../../../common/http.js';
import { createStoreCalendar, type StoreCalendar } from '../../../gateway/infra/time/index.js';
import { bucketEndOf, funnelBucketMessage } from '../../../gateway/outputs/upstream/index.js';
import { type Fact, FunnelAggregator } from '../../../gateway/pipeline/correlate/index.js';
import { BucketStore } from '../../../gateway/pipeline/derive/buckets.js';
import { type Db, openDb } from '../../../gateway/pipeline/journal/index.js';
import { type ViewDeps, viewRoutes } from '../../../gateway/read/api/views.js';
import { decodeUpstreamMessage, type FunnelBucket, type FunnelMetrics } from '../../../protocols/index.js';
import { tempDir } from '../../support/tmp.js';

/** Days whose local length is not 24 h, and ordinary days in offsets that are not whole hours. */
const DAYS = [
  { timezone: 'Australia/Lord_Howe', day: '2026-04-05' }, // 24.5 h: +11:00 → +10:30
  { timezone: 'Australia/Lord_Howe', day: '2026-10-04' }, // 23.5 h
  { timezone: 'Europe/Berlin', day: '2026-03-29' }, // 23 h
  { timezone: 'Europe/Berlin', day: '2026-10-25' }, // 25 h
  { timezone: 'America/St_Johns', day: '2026-11-01' }, // 25 h at −3:30
  { timezone: 'Asia/Kathmandu', day: '2026-06-15' }, // +5:45
  { timezone: 'Asia/Shanghai', day: '2026-11-23' },
] as const;

const GRANULARITIES = ['15m', 'hour', 'day', 'week', 'month'] as const;

/** A fact that counts, at `offset` ms into the chosen day (bounded by the day's length). */
const countingFact = fc.oneof(
  fc.record({ type: fc.constant('visitor' as const), n: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ type: fc.constant('exit' as const), n: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ type: fc.constant('passerby' as const), n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ type: fc.constant('occupancy' as const), personMs: fc.integer({ min: 1, max: 10 * 900_000 }) }),
  fc.record({ type: fc.constant('session.counted' as const) }),
  fc.record({ type: fc.constant('item.tried' as const) }),
  fc.record({ type: fc.constant('tried.bought' as const) }),
  fc.record({
    type: fc.constant('transaction' as const),
    units: fc.integer({ min: 1, max: 9 }),
    // Mostly whole cents; some amounts with a third decimal, as a till may send them.
    revenue: fc.oneof(
      fc.integer({ min: 1, max: 2_000_000 }).map((c) => c / 100),
      fc.integer({ min: 1, max: 2_000_000 }).map((c) => c / 1000),
    ),
  }),
  fc.record({
    type: fc.constant('adjustment' as const),
    units: fc.integer({ min: -3, max: 0 }),
    revenue: fc.integer({ min: -500_000, max: 0 }).map((c) => c / 100),
  }),
);

type DrawnFact = typeof countingFact extends fc.Arbitrary<infer T> ? T : never;
type Drawn = { offset: number; fact: DrawnFact };

function toFact(d: Drawn, ts: number, i: number): Fact {
  const f = d.fact;
  switch (f.type) {
    case 'visitor':
    case 'exit':
    case 'passerby':
      return { type: f.type, ts, door: 'main', zone: 'entrance', n: f.n };
    case 'occupancy':
      return { type: 'occupancy', ts, personMs: f.personMs };
    case 'session.counted':
      return {
        type: 'session.counted',
        ts,
        session: `s${i}`,
        room: 'fr-1',
        start: ts,
        end: ts,
        counted: true,
        items: [],
        sizeSwap: false,
      };
    case 'item.tried':
      return { type: 'item.tried', ts, session: `s${i}`, room: 'fr-1', epc: `E${i}`, firstSeen: ts };
    case 'tried.bought':
      return {
        type: 'tried.bought',
        ts,
        receipt: `R${i}`,
        epc: `E${i}`,
        room: 'fr-1',
        session: `s${i}`,
        sessionEnd: ts,
        matchedBy: 'epc',
      };
    case 'transaction':
      return {
        type: 'transaction',
        ts,
        receipt: `R${i}`,
        device: 'pos-1',
        units: f.units,
        revenue: f.revenue,
        currency: 'CNY',
      };
    case 'adjustment':
      return {
        type: 'adjustment',
        ts,
        receipt: `R${i}`,
        device: 'pos-1',
        kind: 'refund',
        units: f.units,
        revenue: f.revenue,
        currency: 'CNY',
      };
  }
}

interface Answer {
  readonly from: string;
  readonly to: string;
  readonly buckets: FunnelBucket[];
  readonly totals: FunnelMetrics;
}

describe('store and HQ show the same funnel', () => {
  const dir = tempDir('gw-parity-');
  let db: Db;
  let buckets: BucketStore;
  let hqStore: SqliteStore;
  let hq: FastifyInstance;
  const gateways = new Map<string, FastifyInstance>();
  let run = 0;

  /** The store's own API over the bucket table, in the store's zone (the /funnel route only). */
  async function storeApi(calendar: StoreCalendar): Promise<FastifyInstance> {
    let app = gateways.get(calendar.timezone);
    if (app) return app;
    app = Fastify();
    installErrorHandling(app);
    // Only what /funnel reads.
    const deps = { buckets, calendar, clock: { now: () => 0 } } as unknown as ViewDeps;
    await app.register(viewRoutes(deps), { prefix: '/api/v1' });
    gateways.set(calendar.timezone, app);
    return app;
  }

  beforeAll(async () => {
    db = openDb(`${dir.path}/gateway`, { synchronous: 'NORMAL' });
    buckets = new BucketStore(db);
    hqStore = new SqliteStore(`${dir.path}/hq`);
    await hqStore.migrate();
    hq = await buildHqApi({ store: hqStore, timezone: 'UTC', auth: 'off' });
  });

  afterAll(async () => {
    for (const app of gateways.values()) await app.close();
    await hq?.close();
    await hqStore?.close();
    db?.close();
    dir.remove();
  });

  async function bothSides(
    timezone: string,
    day: string,
    drawn: readonly Drawn[],
    granularity: (typeof GRANULARITIES)[number],
    days: number,
  ): Promise<{ store: Answer; hq: Answer }> {
    const calendar = createStoreCalendar(timezone);
    const dayStart = calendar.startOfLocalDay(day);
    const dayLength = calendar.nextDayStart(dayStart) - dayStart;
    const facts = drawn.map((d, i) => toFact(d, dayStart + (d.offset % dayLength), i));

    // Store: facts → buckets in SQLite.
    buckets.clear();
    const aggregator = new FunnelAggregator(calendar);
    aggregator.addAll(facts);
    db.transaction(() => buckets.apply(aggregator.drain()))();

    // Upstream: each bucket as the JSON message the gateway sends; HQ decodes and stores it.
    const storeId = `s${++run}`;
    const into = { funnel: [] as FunnelRecord[], vip: [] as VipRecord[], health: [] as HealthRecord[] };
    for (const row of buckets.range(dayStart - 86_400_000, dayStart + 3 * 86_400_000)) {
      const message = funnelBucketMessage(storeId, 'acme', row, bucketEndOf(row.start));
      const decoded = decodeUpstreamMessage(message.subject, Buffer.from(message.payload));
      if (!decoded.ok) throw new Error(`HQ rejected ${message.payload}: ${decoded.reason}`);
      toRecord(decoded.value, into);
    }
    into.health.push({ store: storeId, tenant: 'acme', at: 0, seenAt: 0, timezone, body: '{}' });
    await hqStore.applyBatch(into, 0);

    const to = calendar.addDays(day, days - 1);
    const query = `from=${day}&to=${to}&granularity=${granularity}`;
    const gw = await (await storeApi(calendar)).inject(`/api/v1/funnel?${query}`);
    const at = await hq.inject(`/api/v1/stores/${storeId}/funnel?${query}`);
    expect(gw.statusCode, gw.body).toBe(200);
    expect(at.statusCode, at.body).toBe(200);
    return { store: gw.json<Answer>(), hq: at.json<Answer>() };
  }

  it('51,205 cents over 2 transactions: ATV 256.03 on both sides', async () => {
    const sale = (revenue: number): Drawn => ({ offset: 3_600_000, fact: { type: 'transaction', units: 1, revenue } });
    const { store, hq } = await bothSides('Asia/Shanghai', '2026-11-23', [sale(256), sale(256.05)], 'day', 1);
    expect(store.totals.atv).toBe(256.03);
    expect(hq.totals.atv).toBe(256.03);
    expect(hq.buckets).toEqual(store.buckets);
  });

  it('every figure of every period agrees (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...DAYS),
        fc.array(fc.record({ offset: fc.integer({ min: 0, max: 25 * 3_600_000 - 1 }), fact: countingFact }), {
          maxLength: 60,
        }),
        fc.constantFrom(...GRANULARITIES),
        fc.integer({ min: 1, max: 2 }),
        async ({ timezone, day }, drawn, granularity, days) => {
          const { store, hq } = await bothSides(timezone, day, drawn, granularity, days);
          expect({ from: hq.from, to: hq.to }).toEqual({ from: store.from, to: store.to });
          expect(hq.buckets.length).toBe(store.buckets.length);
          for (let i = 0; i < store.buckets.length; i++) {
            expect(hq.buckets[i], `${timezone} ${day} ${granularity} period ${i}`).toEqual(store.buckets[i]);
          }
          expect(hq.totals).toEqual(store.totals);
        },
      ),
      { numRuns: 60 },
    );
  });
});
