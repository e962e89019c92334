/**
 * POST /ingest/impinj/{device}: an Impinj IoT reader's webhook (a JSON array of events). The
 * reader authenticates with HTTP Basic like an MQTT device (gateway/auth/device-http.ts);
 * a refused request is answered 401 before anything is decoded or journaled.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { handleImpinjWebhook } from '../../devices/index.js';
import { checkDeviceHttpAuth } from '../auth/device-http.js';
import type { GatewayConfig } from '../config/index.js';
import { type DriverHost, driverContext } from '../drivers/drivers.js';
import type { GatewayMetrics } from '../metrics/index.js';
import { NotFoundError } from './errors.js';

export function impinjWebhookRoutes(
  host: DriverHost,
  config: GatewayConfig,
  security: { readonly metrics: GatewayMetrics; readonly log: Logger },
) {
  return (app: FastifyInstance) =>
    app.register(async (scoped) => {
      // Raw bytes: the Impinj adapter decodes leniently and keeps the good events of a partly bad batch.
      scoped.removeAllContentTypeParsers();
      scoped.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 16 * 1024 * 1024 }, (_req, body, done) =>
        done(null, body),
      );
      const readerOf = (device: string) => {
        const cfg = Object.hasOwn(config.devices, device) ? config.devices[device] : undefined;
        if (cfg?.kind !== 'rfid-reader' || !('format' in cfg) || cfg.format !== 'impinj-iot') {
          throw new NotFoundError(`no Impinj IoT reader ${device} in the config`);
        }
        return cfg;
      };
      // onRequest: credentials are checked before a byte of the (up to 16 MiB) body is read.
      const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
        const { device } = request.params as { device: string };
        readerOf(device);
        const auth = await checkDeviceHttpAuth(config, request.headers.authorization, device);
        if (auth.ok) return undefined;
        security.metrics.deviceHttpAuthFailures.inc({ device, reason: auth.reason });
        security.log.warn(
          { component: 'auth', device, reason: auth.reason, address: request.ip },
          'device HTTP request refused',
        );
        return reply
          .status(401)
          .header('www-authenticate', 'Basic realm="store-gateway devices", charset="UTF-8"')
          .send({
            error: { code: 'DEVICE_UNAUTHENTICATED', message: `device ${device} must authenticate (HTTP Basic)` },
          });
      };
      scoped.post('/ingest/impinj/:device', { onRequest: authenticate }, async (request, reply) => {
        const { device } = request.params as { device: string };
        const cfg = readerOf(device);
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.from(JSON.stringify(request.body ?? null));
        const result = await handleImpinjWebhook(body, driverContext(host, device), cfg.antennas);
        if (result.status === 204) return reply.status(204).send();
        return reply.status(result.status).send({
          error: {
            code: (result.error?.code ?? 'bad-request').toUpperCase().replaceAll('-', '_'),
            message: result.error?.message ?? 'refused',
          },
        });
      });
    });
}
