/**
 * The HTTP server: API under /api/v1, health and metrics at the root, MQTT over WebSocket
 * at /mqtt. `buildApi` only builds (tests use `inject`); the caller listens.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { installSecurityHeaders } from '../../infra/auth/headers.js';
import { installErrorHandling } from './errors.js';
import { type HealthDeps, healthRoutes } from './health.js';
import { staticRoutes } from './static.js';

export interface ApiDeps extends HealthDeps {
  readonly log: Logger;
  /** Route plugins registered under /api/v1. */
  readonly routes: readonly ((app: FastifyInstance) => Promise<void> | void)[];
  /** Called with each WebSocket that asks for MQTT at /mqtt. */
  readonly onMqttWebSocket?: (ws: import('ws').WebSocket, request: import('node:http').IncomingMessage) => void;
  /** Serve HTTPS (and WSS) with this certificate and key (`http.tls`). */
  readonly https?: { readonly cert: Buffer; readonly key: Buffer };
  readonly maxWebSocketBytes?: number;
  /** The built dashboard (dist/ui); without it / answers 503 with how to build it. */
  readonly uiDir?: string | undefined;
}

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Per-request lines are info; the HTTP logger keeps warnings and errors only.
    loggerInstance: deps.log.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: 5 * 1024 * 1024,
    requestTimeout: 30_000,
    // Prototype poisoning in JSON bodies is refused, not stripped.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    ...(deps.https ? { https: { cert: deps.https.cert, key: deps.https.key } } : {}),
  });
  installErrorHandling(app);
  installSecurityHeaders(app);
  await app.register(healthRoutes(deps));
  await app.register(
    async (api) => {
      for (const route of deps.routes) await route(api);
    },
    { prefix: '/api/v1' },
  );
  await app.register(staticRoutes(deps.uiDir));

  const onMqttWebSocket = deps.onMqttWebSocket;
  if (onMqttWebSocket) {
    const wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxWebSocketBytes ?? 256 * 1024 });
    app.server.on('upgrade', (request, socket, head) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== '/mqtt') {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => onMqttWebSocket(ws, request));
    });
    app.addHook('onClose', async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });
  }
  return app;
}
