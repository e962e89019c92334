/**
 * HQ HTTP API (JSON under /api/v1; times RFC 3339, money as decimals). It mirrors the
 * store's funnel shapes: `{buckets: [...], totals}` with the DESIGN's definitions and null
 * for a rate over zero.
 *
 *   GET /api/v1/about                                         (HQ's zone and today there, the server's time)
 *   GET /api/v1/stores
 *   GET /api/v1/stores/{id}/funnel?from&to&granularity        (periods in the store's zone)
 *   GET /api/v1/funnel?from&to&granularity&groupBy=store|region&region&tz
 *   GET /api/v1/ranking?from&to&metric&order&limit&region&tz
 *   GET /api/v1/export/funnel.csv?from&to&granularity&groupBy&region&tz&lang=en|zh-CN
 *   GET /api/v1/dead-letters?limit                              (admin: messages HQ could not store)
 *   POST /api/v1/auth/login|logout|password, GET /api/v1/auth/me, GET|POST|DELETE /api/v1/users (auth.ts)
 *   GET /healthz, /readyz, /metrics                              (open: probes and Prometheus, no data)
 *   GET /, /assets/…                                             (the HQ dashboard, cloud-sink/ui; open: it signs in)
 *
 * Every /api/v1 route needs a signed-in user (auth.ts) unless the API was built with
 * `auth: 'off'` (HQ_HTTP_AUTH=off).
 *
 * from/to: RFC 3339 or YYYY-MM-DD (a day in the view's zone; `to` as a day means its end);
 * default today. A store's region comes from `cloud-sink stores import FILE.csv`; stores
 * without one group as "unassigned".
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Static } from 'typebox';
import {
  BadRequestError,
  installErrorHandling,
  NotFoundError,
  optionalString,
  parseGranularity,
  parseLimit,
  parseRange,
} from '../common/http.js';
import { typed } from '../common/typed-routes.js';
import {
  About,
  CrossStoreQuery,
  HqCsvQuery,
  HqStores,
  LimitQuery,
  Ranking,
  RankingQuery,
  StoreFunnel,
  StoreFunnelQuery,
  StoreParams,
} from '../protocols/hq-api.js';
import type { HqAuth } from './auth.js';
import { type Granularity, type ZoneCalendar, zoneCalendar } from './calendar.js';
import { isTimeZone } from './config.js';
import { csvCell } from './csv.js';
import type { FunnelRow, HqStore, StoreRecord } from './db/index.js';
import {
  aggregate,
  emptyCounters,
  emptySeries,
  type FunnelMetrics,
  type FunnelSeries,
  periods,
  toMetrics,
} from './funnel.js';
import { findHqUiDir, hqUiRoutes } from './static.js';

export interface HqApiOptions {
  readonly store: HqStore;
  /** Users and roles, or 'off' for an open API (HQ_HTTP_AUTH=off: say so loudly where it is chosen). */
  readonly auth: HqAuth | 'off';
  /** PEM certificate and key: the API speaks HTTPS only. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly log?: Logger;
  readonly registry?: Registry;
  /** Zone of cross-store views unless ?tz= says otherwise. */
  readonly timezone: string;
  /** Why HQ is not ready (consumer not running…), or undefined when ready. */
  readonly notReadyReason?: () => string | undefined;
  readonly now?: () => number;
  /**
   * The built HQ dashboard to serve at `/` (dist/hq-ui): a directory, `false` for none (an
   * API-only instance), or undefined to look for it (static.ts findHqUiDir).
   */
  readonly ui?: string | false;
}

export const UNASSIGNED_REGION = 'unassigned';
/** A store whose last health report is older than this shows as offline. */
const ONLINE_WITHIN_MS = 3 * 60_000;

const RANKING_METRICS = [
  'visitors',
  'passersBy',
  'tryOnSessions',
  'transactions',
  'units',
  'revenue',
  'captureRate',
  'tryOnRate',
  'conversionRate',
  'atv',
  'upt',
  'triedBought',
] as const satisfies readonly (keyof FunnelMetrics)[];
type RankingMetric = (typeof RANKING_METRICS)[number];

export async function buildHqApi(options: HqApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: (options.log ?? pino({ level: 'silent' })).child(
      { component: 'hq-api' },
      { level: 'warn' },
    ) as FastifyBaseLogger,
    return503OnClosing: true,
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
  }) as unknown as FastifyInstance;
  const now = options.now ?? Date.now;
  installErrorHandling(app, 'hq-api');
  if (options.auth !== 'off') options.auth.install(app);

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    const reason = options.notReadyReason?.();
    try {
      await options.store.ping();
    } catch {
      return reply.status(503).send({ ready: false, reason: 'database unreachable' });
    }
    if (reason !== undefined) return reply.status(503).send({ ready: false, reason });
    return { ready: true };
  });
  const registry = options.registry;
  if (registry) {
    app.get('/metrics', async (_request, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  }

  const api = typed(app);
  api.get('/api/v1/dead-letters', { schema: { querystring: LimitQuery } }, async (request) => {
    const limit = parseLimit(request.query.limit, 100, 10_000);
    const rows = await options.store.deadLetters(limit);
    return {
      deadLetters: rows.map((d) => ({ ...d, receivedAt: new Date(d.receivedAt).toISOString() })),
    };
  });

  // What the dashboard needs to pick "today" and judge staleness by HQ's clock, not the browser's.
  api.get('/api/v1/about', { schema: { response: { 200: About } } }, async () => {
    const at = now();
    const calendar = zoneCalendar(options.timezone);
    return { timezone: options.timezone, today: calendar.localDay(at), now: new Date(at).toISOString() };
  });

  api.get('/api/v1/stores', { schema: { response: { 200: HqStores } } }, async () => {
    const stores = await options.store.stores();
    const at = now();
    return { stores: stores.map((s) => describeStore(s, at)) };
  });

  const storeFunnelSchema = { params: StoreParams, querystring: StoreFunnelQuery, response: { 200: StoreFunnel } };
  api.get('/api/v1/stores/:id/funnel', { schema: storeFunnelSchema }, async (request) => {
    const { query } = request;
    const record = await options.store.store(request.params.id);
    if (!record) throw new NotFoundError(`no store ${request.params.id}`);
    const calendar = zoneCalendar(storeZone(record, options.timezone));
    const { from, to } = parseRange(query, now(), calendar);
    const granularity = parseGranularity(query.granularity);
    const bounds = periods(calendar, from, to, granularity);
    const rows = await options.store.funnelRows(bounds[0] as number, bounds.at(-1) as number, [record.id]);
    const result = aggregate(rows, bounds, calendar, () => record.id).get(record.id) ?? emptySeries(bounds, calendar);
    const vip = await options.store.vipTotals(record.id, bounds[0] as number, bounds.at(-1) as number);
    return {
      store: record.id,
      timezone: calendar.timezone,
      from: calendar.format(bounds[0] as number),
      to: calendar.format(bounds.at(-1) as number),
      granularity,
      buckets: result.buckets,
      totals: result.totals,
      vip: {
        arrivals: vip.arrivals,
        members: vip.members,
        invitedArrivals: vip.invitedArrivals,
        transactions: vip.transactions,
        revenue: vip.revenueCents / 100,
      },
    };
  });

  api.get('/api/v1/funnel', { schema: { querystring: CrossStoreQuery } }, async (request) => {
    const view = await crossStore(options, request.query, now());
    if (view.groupBy === undefined) {
      const all =
        aggregate(view.rows, view.bounds, view.calendar, () => '*').get('*') ?? emptySeries(view.bounds, view.calendar);
      return { ...view.header, stores: view.stores.length, buckets: all.buckets, totals: all.totals };
    }
    const groups = groupSeries(view);
    return { ...view.header, groupBy: view.groupBy, groups, totals: totalsOf(view.rows) };
  });

  api.get('/api/v1/ranking', { schema: { querystring: RankingQuery, response: { 200: Ranking } } }, async (request) => {
    const { query } = request;
    const metric = parseMetric(query.metric);
    const order = optionalString(query.order, 'order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') throw new BadRequestError('order must be asc or desc');
    const limit = parseLimit(query.limit, 50, 1000);
    const view = await crossStore(options, { ...query, groupBy: 'store', granularity: 'day' }, now());
    const byStore = new Map(groupSeries(view).map((g) => [g.key, g]));
    const entries = view.stores.map((s) => {
      const totals = byStore.get(s.id)?.totals ?? toMetrics(emptyCounters());
      return { store: s.id, name: s.name, region: s.region ?? UNASSIGNED_REGION, value: totals[metric], totals };
    });
    entries.sort((a, b) => {
      if (a.value === null || b.value === null) return a.value === b.value ? 0 : a.value === null ? 1 : -1;
      return order === 'desc' ? b.value - a.value : a.value - b.value;
    });
    return {
      ...view.header,
      metric,
      order,
      ranking: entries.slice(0, limit).map((e, i) => ({ rank: i + 1, ...e })),
    };
  });

  api.get('/api/v1/export/funnel.csv', { schema: { querystring: HqCsvQuery } }, async (request, reply) => {
    const { query } = request;
    const groupBy = optionalString(query.groupBy, 'groupBy') ?? 'store';
    const view = await crossStore(options, { ...query, groupBy }, now());
    const en = optionalString(query.lang, 'lang') === 'en';
    const groups = groupSeries(view);
    const keyLabel = view.groupBy === 'region' ? (en ? 'Region' : '区域') : en ? 'Store' : '门店';
    const lines: string[] = [[keyLabel, ...CSV_COLUMNS.map((c) => (en ? c.en : c.zh))].map(csvCell).join(',')];
    for (const g of groups) {
      for (const b of g.buckets) lines.push([g.key, ...CSV_COLUMNS.map((c) => b[c.key])].map(csvCell).join(','));
      lines.push(
        [
          g.key,
          ...CSV_COLUMNS.map((c) =>
            c.key === 'start' ? (en ? 'Total' : '合计') : c.key === 'end' ? '' : g.totals[c.key],
          ),
        ]
          .map(csvCell)
          .join(','),
      );
    }
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', 'attachment; filename="hq-funnel.csv"');
    return `\uFEFF${lines.join('\r\n')}\r\n`;
  });

  if (options.ui !== false) hqUiRoutes(app, options.ui ?? findHqUiDir());

  return app;
}

const CSV_COLUMNS: readonly { key: keyof FunnelMetrics | 'start' | 'end'; en: string; zh: string }[] = [
  { key: 'start', en: 'Start', zh: '开始时间' },
  { key: 'end', en: 'End', zh: '结束时间' },
  { key: 'passersBy', en: 'Passers-by', zh: '过店客数' },
  { key: 'visitors', en: 'Visitors', zh: '进店客数' },
  { key: 'captureRate', en: 'Capture rate', zh: '进店率' },
  { key: 'tryOnSessions', en: 'Try-on sessions', zh: '试穿次数' },
  { key: 'tryOnRate', en: 'Try-on rate', zh: '试穿率' },
  { key: 'itemsTried', en: 'Items tried', zh: '试穿件数' },
  { key: 'transactions', en: 'Transactions', zh: '成交笔数' },
  { key: 'conversionRate', en: 'Conversion rate', zh: '成交率' },
  { key: 'units', en: 'Units', zh: '销售件数' },
  { key: 'revenue', en: 'Revenue', zh: '销售额' },
  { key: 'atv', en: 'ATV', zh: '客单价' },
  { key: 'upt', en: 'UPT', zh: '连带率' },
  { key: 'triedBought', en: 'Tried → bought', zh: '试穿成交件数' },
];

interface CrossStoreView {
  readonly calendar: ZoneCalendar;
  readonly bounds: number[];
  readonly rows: FunnelRow[];
  readonly stores: StoreRecord[];
  readonly regionOf: Map<string, string>;
  readonly groupBy: 'store' | 'region' | undefined;
  readonly header: { from: string; to: string; granularity: Granularity; timezone: string; region?: string };
}

async function crossStore(
  options: HqApiOptions,
  query: Static<typeof CrossStoreQuery>,
  now: number,
): Promise<CrossStoreView> {
  const tz = optionalString(query.tz, 'tz') ?? options.timezone;
  if (!isTimeZone(tz)) throw new BadRequestError(`tz is not an IANA zone: ${tz}`);
  const calendar = zoneCalendar(tz);
  const { from, to } = parseRange(query, now, calendar);
  const granularity = parseGranularity(query.granularity);
  const groupByText = optionalString(query.groupBy, 'groupBy');
  if (groupByText !== undefined && groupByText !== 'store' && groupByText !== 'region') {
    throw new BadRequestError('groupBy must be store or region');
  }
  const region = optionalString(query.region, 'region');
  const bounds = periods(calendar, from, to, granularity);
  let stores = await options.store.stores();
  if (region !== undefined) stores = stores.filter((s) => (s.region ?? UNASSIGNED_REGION) === region);
  const regionOf = new Map(stores.map((s) => [s.id, s.region ?? UNASSIGNED_REGION]));
  const rows = await options.store.funnelRows(
    bounds[0] as number,
    bounds.at(-1) as number,
    region !== undefined ? stores.map((s) => s.id) : undefined,
  );
  return {
    calendar,
    bounds,
    rows,
    stores,
    regionOf,
    groupBy: groupByText,
    header: {
      from: calendar.format(bounds[0] as number),
      to: calendar.format(bounds.at(-1) as number),
      granularity,
      timezone: tz,
      ...(region !== undefined ? { region } : {}),
    },
  };
}

function groupSeries(view: CrossStoreView): ({ key: string; name?: string; region?: string } & FunnelSeries)[] {
  const byRegion = view.groupBy === 'region';
  const keyOf = (row: FunnelRow) => (byRegion ? (view.regionOf.get(row.store) ?? UNASSIGNED_REGION) : row.store);
  const series = aggregate(view.rows, view.bounds, view.calendar, keyOf);
  const keys = byRegion
    ? [...new Set([...view.regionOf.values(), ...series.keys()])]
    : [...new Set([...view.stores.map((s) => s.id), ...series.keys()])];
  keys.sort();
  const names = new Map(view.stores.map((s) => [s.id, s.name]));
  return keys.map((key) => {
    const s = series.get(key) ?? emptySeries(view.bounds, view.calendar);
    const name = byRegion ? undefined : names.get(key);
    return {
      key,
      ...(name !== undefined && name !== null ? { name } : {}),
      ...(byRegion ? {} : { region: view.regionOf.get(key) ?? UNASSIGNED_REGION }),
      buckets: s.buckets,
      totals: s.totals,
    };
  });
}

function totalsOf(rows: readonly FunnelRow[]): FunnelMetrics {
  const totals = emptyCounters();
  for (const row of rows) {
    totals.passersBy += row.passersBy;
    totals.visitors += row.visitors;
    totals.tryOnSessions += row.tryOnSessions;
    totals.itemsTried += row.itemsTried;
    totals.transactions += row.transactions;
    totals.units += row.units;
    totals.revenueCents += row.revenueCents;
    totals.triedBought += row.triedBought;
    totals.exits += row.exits;
    totals.personMs += row.personMs;
  }
  return toMetrics(totals);
}

function describeStore(s: StoreRecord, now: number) {
  let lastHealth: unknown = null;
  if (s.lastHealth !== null) {
    try {
      lastHealth = JSON.parse(s.lastHealth) as unknown;
    } catch {
      lastHealth = null;
    }
  }
  return {
    id: s.id,
    tenant: s.tenant,
    name: s.name,
    region: s.region ?? UNASSIGNED_REGION,
    timezone: s.timezone,
    currency: s.currency,
    firstSeen: s.firstSeen === null ? null : new Date(s.firstSeen).toISOString(),
    lastSeen: s.lastSeen === null ? null : new Date(s.lastSeen).toISOString(),
    online: s.lastSeen !== null && now - s.lastSeen <= ONLINE_WITHIN_MS,
    lastHealth,
  };
}

function storeZone(record: StoreRecord, fallback: string): string {
  return record.timezone !== null && isTimeZone(record.timezone) ? record.timezone : fallback;
}

// --- query parsing (from/to/granularity/limit: common/http.ts) ---------------------------

function parseMetric(value: string | undefined): RankingMetric {
  const text = optionalString(value, 'metric') ?? 'visitors';
  if ((RANKING_METRICS as readonly string[]).includes(text)) return text as RankingMetric;
  throw new BadRequestError(`metric must be one of ${RANKING_METRICS.join(', ')}`);
}
