/** Fitting-room assistance: the cards and "on my way" for staff, the report for managers. */
import type { FastifyInstance } from 'fastify';
import { typed } from '../../../common/typed-routes.js';
import {
  AckedAssistAlert,
  AssistAlerts,
  AssistanceQuery,
  AssistanceReport,
  IdParams,
  LimitedRangeQuery,
} from '../../../protocols/http-api.js';
import type { Clock } from '../../infra/clock/index.js';
import type { StoreCalendar } from '../../infra/time/index.js';
import type { AssistDispatcher } from '../../outputs/alerts/assist-dispatcher.js';
import type { AssistStore } from '../../outputs/alerts/assist-store.js';
import type { AssistanceReporter } from '../views/assistance.js';
import { parseAck } from './ack-body.js';
import { NotFoundError } from './errors.js';
import { parseGranularity, parseLimit, parseRange } from './query.js';

export function assistRoutes(deps: {
  cards: AssistStore;
  dispatcher: AssistDispatcher;
  reporter: AssistanceReporter;
  clock: Clock;
  calendar: StoreCalendar;
}) {
  return (untyped: FastifyInstance) => {
    const app = typed(untyped);
    app.get(
      '/assist/alerts',
      { schema: { querystring: LimitedRangeQuery, response: { 200: AssistAlerts } } },
      async (request) => {
        const { query } = request;
        const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
        return { alerts: deps.cards.list(from, to, parseLimit(query.limit, 200, 1000)) };
      },
    );

    app.post(
      '/assist/alerts/:id/ack',
      { schema: { params: IdParams, response: { 200: AckedAssistAlert } } },
      async (request) => {
        const { id } = request.params;
        const { staff, name } = parseAck(request.body);
        const card = deps.cards.get(id) && deps.cards.ack(id, staff, deps.clock.now(), name);
        if (!card) throw new NotFoundError(`no assistance card ${id}`);
        deps.dispatcher.acknowledged(card);
        return { alert: card };
      },
    );

    app.get(
      '/fitting-rooms/assistance',
      { schema: { querystring: AssistanceQuery, response: { 200: AssistanceReport } } },
      async (request) => {
        const { query } = request;
        const { from, to } = parseRange(query, deps.clock.now(), deps.calendar);
        return deps.reporter.report(from, to, parseGranularity(query.granularity, 'day'));
      },
    );
  };
}
