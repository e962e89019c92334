/**
 * POST /ingest/impinj/{device}: an Impinj IoT reader's webhook (a JSON array of events). The
 * reader authenticates with HTTP Basic like an MQTT device (gateway/infra/auth/device-http.ts);
 * a refused request is answered 401 before anything is decoded or journaled.
 */
import type { FastifyInstance } from 'fastify';
import { typed } from '../../../common/typed-routes.js';
import { handleImpinjWebhook } from '../../../devices/index.js';
import { DeviceParams } from '../../../protocols/http-api.js';
import type { GatewayConfig } from '../../infra/config/index.js';
import { type DriverHost, driverContext } from '../../pipeline/drivers/drivers.js';
import { type DeviceAuthSecurity, deviceAuthHook } from './device-auth.js';
import { NotFoundError } from './errors.js';

export function impinjWebhookRoutes(host: DriverHost, config: GatewayConfig, security: DeviceAuthSecurity) {
  return (app: FastifyInstance) =>
    app.register(async (untyped) => {
      const scoped = typed(untyped);
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
      const authenticate = deviceAuthHook(config, security, readerOf);
      const options = { schema: { params: DeviceParams }, onRequest: authenticate };
      scoped.post('/ingest/impinj/:device', options, async (request, reply) => {
        const { device } = request.params;
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
