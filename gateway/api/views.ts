/**
 * Read routes over derived state: funnel, live, devices, rejected inputs, CSV export.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { DeviceRegistry } from '../health/registry.js';
import type { Db, RejectedStore } from '../journal/index.js';
import { BucketStore } from '../views/buckets.js';
import { funnelCsv } from '../views/csv.js';
import { type FunnelResult, type PeriodCalendar, queryFunnel, RangeTooLargeError } from '../views/funnel.js';
import type { LiveView } from '../views/live.js';
import { BadRequestError } from './errors.js';
import { type LocalDays, optionalString, parseGranularity, parseLimit, parseRange } from './query.js';

export interface ViewDeps {
  readonly config: GatewayConfig;
  readonly db: Db;
  readonly clock: Clock;
  readonly calendar: PeriodCalendar & LocalDays & { localDay(ts: number): string };
  readonly live: LiveView;
  readonly devices: DeviceRegistry;
  readonly rejected: RejectedStore;
  /** The HQ link's state (outbox depth and age), shown with device health. */
  readonly upstream: () => unknown;
}

export function viewRoutes(deps: ViewDeps) {
  const buckets = new BucketStore(deps.db);

  function funnel(query: Record<string, unknown>): FunnelResult {
    const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
    const granularity = parseGranularity(query.granularity);
    try {
      return queryFunnel(buckets, deps.calendar, from, to, granularity);
    } catch (err) {
      if (err instanceof RangeTooLargeError) throw new BadRequestError(err.message, err.code);
      throw err;
    }
  }

  return (app: FastifyInstance) => {
    app.get('/funnel', async (request) => funnel(request.query as Record<string, unknown>));

    app.get('/export/funnel.csv', async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const result = funnel(query);
      const lang = optionalString(query.lang, 'lang');
      if (lang !== undefined && lang !== 'en' && lang !== 'zh-CN')
        throw new BadRequestError('lang must be en or zh-CN');
      const locale = lang ?? deps.config.store.locale;
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="funnel-${deps.config.store.id}.csv"`);
      return funnelCsv(result, locale);
    });

    app.get('/live', async () => deps.live.snapshot());

    // What a screen needs to present the store: name, currency, time zone, default language,
    // and today's date by the gateway's clock (the demo's clock is not the wall's).
    app.get('/store', async () => {
      const { id, name, currency, timezone, locale, openingTime } = deps.config.store;
      return {
        id,
        name,
        currency,
        timezone,
        locale,
        openingTime,
        today: deps.calendar.localDay(deps.clock.now()),
      };
    });

    app.get('/devices', async () => ({
      devices: deps.devices.list(),
      unknownSenders: deps.devices.unknownSenders,
      upstream: deps.upstream(),
    }));

    app.get('/rejected', async (request) => {
      const query = request.query as Record<string, unknown>;
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
    });
  };
}
