/** Fitting rooms now, sessions over a period, and products tried but not bought. */
import type { FastifyInstance } from 'fastify';
import { typed } from '../../common/typed-routes.js';
import { FittingRooms, LimitedRangeQuery, Sessions, TriedNotBoughtRanking } from '../../protocols/http-api.js';
import type { Clock } from '../clock/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { ItemTriedFact, SessionFact, TriedBoughtFact } from '../correlate/index.js';
import type { Db } from '../journal/index.js';
import type { ReferenceData } from '../reference/index.js';
import type { StoreCalendar } from '../time/index.js';
import type { LiveState } from '../views/live.js';
import { parseLimit, parseRange } from './query.js';

export function roomRoutes(deps: {
  config: GatewayConfig;
  db: Db;
  clock: Clock;
  calendar: StoreCalendar;
  reference: ReferenceData;
  state: () => LiveState;
}) {
  const factsOf = deps.db.prepare('SELECT body FROM facts WHERE type = ? AND ts >= ? AND ts < ? ORDER BY ts');
  const read = <T>(type: string, from: number, to: number): T[] =>
    (factsOf.all(type, from, to) as { body: string }[]).map((r) => JSON.parse(r.body) as T);

  return (untyped: FastifyInstance) => {
    const app = typed(untyped);
    app.get('/fitting-rooms', { schema: { response: { 200: FittingRooms } } }, async () => {
      const now = deps.clock.now();
      const dayStart = deps.calendar.dayStart(now);
      const today = read<SessionFact>('session.ended', dayStart, now + 1).filter((s) => s.counted);
      // The fitting-room funnel per room: sessions → items tried → tried→bought (each fact on its own day).
      const countByRoom = (type: string) => {
        const counts = new Map<string, number>();
        for (const f of read<{ room: string }>(type, dayStart, now + 1))
          counts.set(f.room, (counts.get(f.room) ?? 0) + 1);
        return counts;
      };
      const itemsTried = countByRoom('item.tried');
      const triedBought = countByRoom('tried.bought');
      const inUse = new Map(
        deps
          .state()
          .roomsInUse()
          .map((r) => [r.room, r]),
      );
      const rooms = Object.entries(deps.config.zones)
        .filter(([, z]) => z.kind === 'fitting-room')
        .map(([room]) => {
          const sessions = today.filter((s) => s.room === room);
          const busy = inUse.get(room);
          const totalMs = sessions.reduce((sum, s) => sum + (s.end - s.start), 0);
          return {
            room,
            inUse: busy !== undefined,
            since: busy ? deps.calendar.format(busy.since) : null,
            durationMs: busy ? Math.max(0, now - busy.since) : null,
            items: busy?.items ?? 0,
            sessionsToday: sessions.length,
            averageSessionMs: sessions.length === 0 ? null : Math.round(totalMs / sessions.length),
            itemsTriedToday: itemsTried.get(room) ?? 0,
            triedBoughtToday: triedBought.get(room) ?? 0,
          };
        });
      return { rooms };
    });

    const sessionsSchema = { querystring: LimitedRangeQuery, response: { 200: Sessions } };
    app.get('/sessions', { schema: sessionsSchema }, async (request) => {
      const { query } = request;
      const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
      const limit = parseLimit(query.limit, 1000, 20_000);
      const sessions = read<SessionFact>('session.ended', from, to)
        .filter((s) => s.counted)
        .slice(0, limit)
        .map((s) => ({
          id: s.session,
          room: s.room,
          start: deps.calendar.format(s.start),
          end: deps.calendar.format(s.end),
          durationMs: s.end - s.start,
          sizeSwap: s.sizeSwap,
          items: s.items,
        }));
      return { sessions };
    });

    const productsSchema = { querystring: LimitedRangeQuery, response: { 200: TriedNotBoughtRanking } };
    app.get('/products/tried-not-bought', { schema: productsSchema }, async (request) => {
      const { query } = request;
      const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
      const limit = parseLimit(query.limit, 50, 1000);
      type Row = {
        key: string;
        gtin?: string;
        sku?: string;
        style?: string;
        name?: string;
        tried: number;
        bought: number;
        sizeSwaps: number;
      };
      const rows = new Map<string, Row>();
      const keyOf = (f: { gtin?: string; sku?: string; epc: string }) => f.gtin ?? f.sku ?? f.epc;
      const row = (f: ItemTriedFact | TriedBoughtFact): Row => {
        const key = keyOf(f);
        let r = rows.get(key);
        if (!r) {
          const product = f.gtin
            ? deps.reference.productByGtin(f.gtin)
            : f.sku
              ? deps.reference.productBySku(f.sku)
              : undefined;
          const sku = f.sku ?? product?.sku;
          const style = f.style ?? product?.style;
          r = {
            key,
            ...(f.gtin ? { gtin: f.gtin } : {}),
            ...(sku ? { sku } : {}),
            ...(style ? { style } : {}),
            ...(product ? { name: product.name } : {}),
            tried: 0,
            bought: 0,
            sizeSwaps: 0,
          };
          rows.set(key, r);
        }
        return r;
      };
      for (const f of read<ItemTriedFact>('item.tried', from, to)) row(f).tried++;
      for (const f of read<TriedBoughtFact>('tried.bought', from, to)) row(f).bought++;
      // A size swap counts for every style swapped in the session.
      const swapStyles = new Map<string, number>();
      for (const s of read<SessionFact>('session.ended', from, to)) {
        if (!s.sizeSwap) continue;
        for (const style of new Set(s.items.map((i) => i.style).filter((x): x is string => x !== undefined))) {
          swapStyles.set(style, (swapStyles.get(style) ?? 0) + 1);
        }
      }
      for (const r of rows.values()) if (r.style) r.sizeSwaps = swapStyles.get(r.style) ?? 0;
      const ranking = [...rows.values()]
        .map((r) => ({ ...r, triedNotBought: Math.max(0, r.tried - r.bought) }))
        .filter((r) => r.triedNotBought > 0)
        .sort((a, b) => b.triedNotBought - a.triedNotBought || b.tried - a.tried || (a.key < b.key ? -1 : 1))
        .slice(0, limit);
      return { products: ranking };
    });
  };
}
