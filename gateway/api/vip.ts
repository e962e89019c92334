/** VIP alerts for staff and managers: list, and "I'm on it". */
import type { FastifyInstance } from 'fastify';
import type { AlertDispatcher } from '../alerts/dispatcher.js';
import type { AlertStore } from '../alerts/store.js';
import { cleanDisplayName } from '../auth/users.js';
import type { Clock } from '../clock/index.js';
import { BadRequestError, NotFoundError } from './errors.js';
import { type LocalDays, parseLimit, parseRange } from './query.js';

export function vipRoutes(deps: { alerts: AlertStore; dispatcher: AlertDispatcher; clock: Clock; days: LocalDays }) {
  return (app: FastifyInstance) => {
    app.get('/vip/alerts', async (request) => {
      const query = request.query as Record<string, unknown>;
      const { from, to } = parseRange(query, deps.clock.now(), deps.days);
      return { alerts: deps.alerts.list(from, to, parseLimit(query.limit, 200, 1000)) };
    });

    app.post('/vip/alerts/:id/ack', async (request) => {
      const { id } = request.params as { id: string };
      const body = request.body as { staff?: unknown; staffName?: unknown } | undefined;
      const staff = body?.staff;
      const staffName = body?.staffName;
      if (typeof staff !== 'string' || staff.trim() === '' || staff.length > 64) {
        throw new BadRequestError('body must be {"staff": "<name or id>"}', 'INVALID_ACK');
      }
      // With sign-in on, gateway/auth sets both from the session; the open API takes the claim.
      const name =
        staffName === undefined ? undefined : typeof staffName === 'string' ? cleanDisplayName(staffName) : undefined;
      if (staffName !== undefined && name === undefined) {
        throw new BadRequestError('staffName must be 1 to 64 characters', 'INVALID_ACK');
      }
      if (!deps.alerts.get(id)) throw new NotFoundError(`no alert ${id}`);
      const alert = deps.alerts.ack(id, staff.trim(), deps.clock.now(), name);
      if (!alert) throw new NotFoundError(`no alert ${id}`);
      deps.dispatcher.acknowledged(alert);
      return { alert };
    });
  };
}
