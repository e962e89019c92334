/**
 * `GET /api/v1/upstream`: the HQ link's state for the dashboard and operators — connected or
 * not, outbox depth and the age of its oldest row, publish counters, KV mirror state.
 */
import type { FastifyInstance } from 'fastify';
import { typed } from '../../../common/typed-routes.js';
import { UpstreamState } from '../../../protocols/http-api.js';
import type { Upstream } from './upstream.js';

export function upstreamRoutes(upstream: Pick<Upstream, 'status'>) {
  return (untyped: FastifyInstance) => {
    const app = typed(untyped);
    app.get('/upstream', { schema: { response: { 200: UpstreamState } } }, async () => upstream.status());
  };
}
