/** VIP alerts for staff and managers: list, and "I'm on it". */
import type { FastifyInstance } from 'fastify';
import { typed } from '../../../common/typed-routes.js';
import { AckedAlert, IdParams, LimitedRangeQuery, VipAlerts } from '../../../protocols/http-api.js';
import type { Clock } from '../../infra/clock/index.js';
import type { AlertDispatcher } from '../../outputs/alerts/dispatcher.js';
import type { AlertStore } from '../../outputs/alerts/store.js';
import { parseAck } from './ack-body.js';
import { NotFoundError } from './errors.js';
import { type LocalDays, parseLimit, parseRange } from './query.js';

export function vipRoutes(deps: { alerts: AlertStore; dispatcher: AlertDispatcher; clock: Clock; days: LocalDays }) {
  return (untyped: FastifyInstance) => {
    const app = typed(untyped);
    app.get(
      '/vip/alerts',
      { schema: { querystring: LimitedRangeQuery, response: { 200: VipAlerts } } },
      async (request) => {
        const { query } = request;
        const { from, to } = parseRange(query, deps.clock.now(), deps.days);
        return { alerts: deps.alerts.list(from, to, parseLimit(query.limit, 200, 1000)) };
      },
    );

    app.post(
      '/vip/alerts/:id/ack',
      { schema: { params: IdParams, response: { 200: AckedAlert } } },
      async (request) => {
        const { id } = request.params;
        const { staff, name } = parseAck(request.body);
        if (!deps.alerts.get(id)) throw new NotFoundError(`no alert ${id}`);
        const alert = deps.alerts.ack(id, staff, deps.clock.now(), name);
        if (!alert) throw new NotFoundError(`no alert ${id}`);
        deps.dispatcher.acknowledged(alert);
        return { alert };
      },
    );
  };
}
