/** Fitting rooms now, sessions over a period, and products tried but not bought. */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock/index.js';
import type { StoreCalendar } from '../time/index.js';
import type { ProductsView } from '../views/products.js';
import type { RoomsView } from '../views/rooms.js';
import { parseLimit, parseRange } from './query.js';

export function roomRoutes(deps: { clock: Clock; calendar: StoreCalendar; rooms: RoomsView; products: ProductsView }) {
  return (app: FastifyInstance) => {
    app.get('/fitting-rooms', async () => deps.rooms.fittingRooms(deps.clock.now()));

    app.get('/sessions', async (request) => {
      const query = request.query as Record<string, unknown>;
      const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
      const limit = parseLimit(query.limit, 1000, 20_000);
      return deps.rooms.sessions(from, to, limit);
    });

    app.get('/products/tried-not-bought', async (request) => {
      const query = request.query as Record<string, unknown>;
      const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
      const limit = parseLimit(query.limit, 50, 1000);
      return deps.products.triedNotBought(from, to, limit);
    });
  };
}
