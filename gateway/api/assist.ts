/** Fitting-room assistance: the cards and "on my way" for staff, the report for managers. */
import type { FastifyInstance } from 'fastify';
import type { AssistDispatcher } from '../alerts/assist-dispatcher.js';
import type { AssistStore } from '../alerts/assist-store.js';
import type { Clock } from '../clock/index.js';
import type { StoreCalendar } from '../time/index.js';
import type { AssistanceReporter } from '../views/assistance.js';
import { BadRequestError, NotFoundError } from './errors.js';
import { parseGranularity, parseLimit, parseRange } from './query.js';

export function assistRoutes(deps: {
  cards: AssistStore;
  dispatcher: AssistDispatcher;
  reporter: AssistanceReporter;
  clock: Clock;
  calendar: StoreCalendar;
}) {
  return (app: FastifyInstance) => {
    app.get('/assist/alerts', async (request) => {
      const query = request.query as Record<string, unknown>;
      const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
      return { alerts: deps.cards.list(from, to, parseLimit(query.limit, 200, 1000)) };
    });

    app.post('/assist/alerts/:id/ack', async (request) => {
      const { id } = request.params as { id: string };
      const staff = (request.body as { staff?: unknown } | undefined)?.staff;
      if (typeof staff !== 'string' || staff.trim() === '' || staff.length > 64) {
        throw new BadRequestError('body must be {"staff": "<name or id>"}', 'INVALID_ACK');
      }
      const card = deps.cards.get(id) && deps.cards.ack(id, staff.trim(), deps.clock.now());
      if (!card) throw new NotFoundError(`no assistance card ${id}`);
      deps.dispatcher.acknowledged(card);
      return { alert: card };
    });

    app.get('/fitting-rooms/assistance', async (request) => {
      const query = request.query as Record<string, unknown>;
      const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
      return deps.reporter.report(from, to, parseGranularity(query.granularity, 'day'));
    });
  };
}
