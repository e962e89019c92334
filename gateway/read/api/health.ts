/** Liveness, readiness and Prometheus metrics. */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface HealthDeps {
  readonly registry: Registry;
  /** Undefined when ready, else why not (recovering, broker not listening, storage failing). */
  readonly notReadyReason: () => string | undefined;
}

export function healthRoutes(deps: HealthDeps) {
  return async (app: FastifyInstance) => {
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_request, reply) => {
      const reason = deps.notReadyReason();
      if (reason !== undefined) return reply.status(503).send({ status: 'not-ready', reason });
      return { status: 'ready' };
    });
    app.get('/metrics', async (_request, reply) => {
      reply.header('content-type', deps.registry.contentType);
      return deps.registry.metrics();
    });
  };
}
