/** Fitting rooms now, sessions over a period, and products tried but not bought. */
import type { FastifyInstance } from 'fastify';
import { typed } from '../../../common/typed-routes.js';
import { FittingRooms, LimitedRangeQuery, Sessions, TriedNotBoughtRanking } from '../../../protocols/http-api.js';
import type { Clock } from '../../infra/clock/index.js';
import type { StoreCalendar } from '../../infra/time/index.js';
import type { ProductsView } from '../views/products.js';
import type { RoomsView } from '../views/rooms.js';
import { parseLimit, parseRange } from './query.js';

export function roomRoutes(deps: { clock: Clock; calendar: StoreCalendar; rooms: RoomsView; products: ProductsView }) {
  return (untyped: FastifyInstance) => {
    const app = typed(untyped);
    app.get('/fitting-rooms', { schema: { response: { 200: FittingRooms } } }, async () =>
      deps.rooms.fittingRooms(deps.clock.now()),
    );

    const sessionsSchema = { querystring: LimitedRangeQuery, response: { 200: Sessions } };
    app.get('/sessions', { schema: sessionsSchema }, async (request) => {
      const { query } = request;
      const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
      const limit = parseLimit(query.limit, 1000, 20_000);
      return deps.rooms.sessions(from, to, limit);
    });

    const productsSchema = { querystring: LimitedRangeQuery, response: { 200: TriedNotBoughtRanking } };
    app.get('/products/tried-not-bought', { schema: productsSchema }, async (request) => {
      const { query } = request;
      const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
      const limit = parseLimit(query.limit, 50, 1000);
      return deps.products.triedNotBought(from, to, limit);
    });
  };
}
