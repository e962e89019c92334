/**
 * Read routes over derived state: funnel, live, staffing, devices, rejected inputs, CSV export.
 */
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { typed } from '../../../common/typed-routes.js';
import {
  DevicesAnswer,
  FunnelAnswer,
  FunnelCsvQuery,
  FunnelQuery,
  LiveSnapshot,
  RejectedInputs,
  RejectedQuery,
  StaffingQuery,
  StaffingResult,
  StoreInfo,
  type UpstreamState,
} from '../../../protocols/http-api.js';
import type { Clock } from '../../infra/clock/index.js';
import type { GatewayConfig } from '../../infra/config/index.js';
import type { DeviceRegistry } from '../../infra/health/registry.js';
import type { StoreCalendar } from '../../infra/time/index.js';
import type { BucketStore } from '../../pipeline/derive/buckets.js';
import type { RejectedStore } from '../../pipeline/journal/index.js';
import {
  COMPARISONS,
  type Comparison,
  type ComparisonResult,
  comparisonRow,
  comparisonTotals,
  planComparisons,
} from '../views/compare.js';
import { type CsvRow, funnelCsv } from '../views/csv.js';
import { type FunnelResult, queryFunnel, RangeTooLargeError } from '../views/funnel.js';
import type { LiveView } from '../views/live.js';
import { STAFFING_GRANULARITIES, type StaffingGranularity, type StaffingView } from '../views/staffing.js';
import { BadRequestError } from './errors.js';
import { optionalString, parseGranularity, parseLimit, parseRange } from './query.js';

export interface ViewDeps {
  readonly config: GatewayConfig;
  /** The funnel's aggregates (gateway/pipeline/derive/buckets.ts), read through gateway/views. */
  readonly buckets: BucketStore;
  readonly clock: Clock;
  readonly calendar: StoreCalendar;
  readonly live: LiveView;
  readonly devices: DeviceRegistry;
  readonly rejected: RejectedStore;
  /** Staff on the floor and shoppers per associate (gateway/read/views/staffing.ts). */
  readonly staffing: StaffingView;
  /** The HQ link's state (outbox depth and age), shown with device health. */
  readonly upstream: () => Static<typeof UpstreamState> | null;
}

export function viewRoutes(deps: ViewDeps) {
  const { buckets, staffing } = deps;

  function funnel(query: Static<typeof FunnelQuery>): FunnelResult {
    const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
    const granularity = parseGranularity(query.granularity);
    try {
      return queryFunnel(buckets, deps.calendar, from, to, granularity);
    } catch (err) {
      if (err instanceof RangeTooLargeError) throw new BadRequestError(err.message, err.code);
      throw err;
    }
  }

  /** `compare=previous,lastYear`: which like-for-like periods to add (gateway/read/views/compare.ts). */
  function parseCompare(value: string | undefined): Comparison[] {
    const text = optionalString(value, 'compare');
    if (text === undefined) return [];
    const kinds = text.split(',');
    for (const kind of kinds) {
      if (!(COMPARISONS as readonly string[]).includes(kind))
        throw new BadRequestError(`compare must be a list of ${COMPARISONS.join(', ')}`);
    }
    return [...new Set(kinds)] as Comparison[];
  }

  /** The period as local days (inclusive), the comparisons asked for and their plan. */
  function comparisonsFor(query: Static<typeof FunnelQuery>) {
    const wanted = parseCompare(query.compare);
    const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
    const fromDay = deps.calendar.localDay(from);
    const toDay = deps.calendar.localDay(to - 1);
    const plan = planComparisons(deps.calendar, fromDay, toDay, wanted, deps.clock.now());
    const results: Partial<Record<Comparison, ComparisonResult>> = {};
    for (const kind of wanted) {
      const r = comparisonTotals(deps.calendar, buckets, plan, kind, fromDay, toDay);
      if (r) results[kind] = r;
    }
    return { wanted, plan, results };
  }

  /** Rows of 15 minutes or an hour from the opening time to the last active row of each day. */
  function openHoursOnly(result: FunnelResult): FunnelResult['buckets'] {
    if (result.granularity !== '15m' && result.granularity !== 'hour') return result.buckets;
    const opening = deps.config.store.openingTime;
    const active = (b: FunnelResult['buckets'][number]) =>
      b.passersBy + b.visitors + b.exits + b.tryOnSessions + b.transactions + b.units > 0;
    const byDay = new Map<string, FunnelResult['buckets'][number][]>();
    for (const b of result.buckets) {
      const day = b.start.slice(0, 10);
      byDay.set(day, [...(byDay.get(day) ?? []), b]);
    }
    const out: FunnelResult['buckets'][number][] = [];
    for (const [day, rows] of byDay) {
      const openAt = deps.calendar.openingTs(day, opening);
      let last = rows.length - 1;
      while (last >= 0 && !active(rows[last] as FunnelResult['buckets'][number])) last--;
      // The row holding the opening time counts (09:30 opening: the 09:00 hour row).
      out.push(...rows.slice(0, last + 1).filter((b) => Date.parse(b.end) > openAt));
    }
    return out;
  }

  return (untyped: FastifyInstance) => {
    const app = typed(untyped);
    app.get('/funnel', { schema: { querystring: FunnelQuery, response: { 200: FunnelAnswer } } }, async (request) => {
      const { query } = request;
      const result = funnel(query);
      if (query.compare === undefined) return result;
      const { plan, results } = comparisonsFor(query);
      // Additive: the plain answer plus the like-for-like periods and where they were cut.
      return {
        ...result,
        asOf: plan.asOf === null ? null : deps.calendar.format(plan.asOf),
        comparisons: results,
      };
    });

    app.get('/export/funnel.csv', { schema: { querystring: FunnelCsvQuery } }, async (request, reply) => {
      const { query } = request;
      const result = funnel(query);
      const lang = optionalString(query.lang, 'lang');
      if (lang !== undefined && lang !== 'en' && lang !== 'zh-CN')
        throw new BadRequestError('lang must be en or zh-CN');
      const hours = optionalString(query.hours, 'hours');
      if (hours !== undefined && hours !== 'all' && hours !== 'open')
        throw new BadRequestError('hours must be all or open');
      const locale = lang ?? deps.config.store.locale;
      const { wanted, plan, results } = comparisonsFor(query);
      const shown = hours === 'open' ? openHoursOnly(result) : result.buckets;
      const rows: CsvRow[] = shown.map((b) => {
        const comparisons: Partial<Record<Comparison, { start: string; metrics: FunnelResult['totals'] } | null>> = {};
        for (const kind of wanted) {
          const cutoff = results[kind] && plan.asOf !== null ? Date.parse(results[kind].to) : null;
          const row = comparisonRow(deps.calendar, buckets, plan, kind, Date.parse(b.start), Date.parse(b.end), cutoff);
          comparisons[kind] = row ? { start: deps.calendar.format(row.start), metrics: row.metrics } : null;
        }
        return { start: b.start, end: b.end, metrics: b, comparisons };
      });
      const comparisonTotalsByKind: Partial<Record<Comparison, FunnelResult['totals']>> = {};
      for (const kind of wanted) if (results[kind]) comparisonTotalsByKind[kind] = results[kind].totals;
      const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
      const fromDay = deps.calendar.localDay(from);
      const toDay = deps.calendar.localDay(to - 1);
      const dates = fromDay === toDay ? fromDay : `${fromDay}_${toDay}`;
      const name = `funnel-${deps.config.store.id}-${dates}${hours === 'open' ? '-open-hours' : ''}.csv`;
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header(
        'content-disposition',
        `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      );
      return funnelCsv(result, rows, locale, { comparisons: wanted, comparisonTotals: comparisonTotalsByKind });
    });

    app.get('/live', { schema: { response: { 200: LiveSnapshot } } }, async () => deps.live.snapshot());

    app.get(
      '/staffing',
      { schema: { querystring: StaffingQuery, response: { 200: StaffingResult } } },
      async (request) => {
        const { query } = request;
        const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
        const granularity = optionalString(query.granularity, 'granularity') ?? 'hour';
        if (!(STAFFING_GRANULARITIES as readonly string[]).includes(granularity))
          throw new BadRequestError(`granularity must be one of ${STAFFING_GRANULARITIES.join(', ')}`);
        try {
          return staffing.query(from, to, granularity as StaffingGranularity);
        } catch (err) {
          if (err instanceof RangeTooLargeError) throw new BadRequestError(err.message, err.code);
          throw err;
        }
      },
    );

    // What a screen needs to present the store: name, currency, time zone, default language,
    // and today's date by the gateway's clock (the demo's clock is not the wall's).
    app.get('/store', { schema: { response: { 200: StoreInfo } } }, async () => {
      const { id, name, currency, timezone, locale, openingTime } = deps.config.store;
      return {
        id,
        name,
        currency,
        timezone,
        locale,
        openingTime,
        today: deps.calendar.localDay(deps.clock.now()),
        // Campaign slug → name in each language; screens fall back to the slug.
        campaigns: deps.config.campaigns,
      };
    });

    app.get('/devices', { schema: { response: { 200: DevicesAnswer } } }, async () => ({
      devices: deps.devices.list(),
      unknownSenders: deps.devices.unknownSenders,
      upstream: deps.upstream(),
    }));

    app.get(
      '/rejected',
      { schema: { querystring: RejectedQuery, response: { 200: RejectedInputs } } },
      async (request) => {
        const { query } = request;
        const limit = parseLimit(query.limit, 100, 1000);
        const device = optionalString(query.device, 'device');
        return {
          rejected: deps.rejected.list(limit, device).map((r) => ({
            id: r.id,
            at: new Date(r.rxTs).toISOString(),
            device: r.device,
            source: r.source,
            code: r.code,
            reason: r.reason,
            rawHex: r.raw ? r.raw.subarray(0, 256).toString('hex') : null,
          })),
        };
      },
    );
  };
}
