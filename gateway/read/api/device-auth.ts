/**
 * The onRequest hook of the device ingest routes (Impinj webhook, POS receipts): HTTP Basic
 * against the device's configured credentials (gateway/infra/auth/device-http.ts), checked before a
 * byte of the body is read. A refusal is answered 401, counted and logged; nothing is decoded
 * or journaled.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { checkDeviceHttpAuth } from '../../infra/auth/device-http.js';
import type { GatewayConfig } from '../../infra/config/index.js';
import type { GatewayMetrics } from '../../infra/metrics/index.js';

export interface DeviceAuthSecurity {
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
}

/** `expect(device)` throws (e.g. NotFoundError) when the route does not serve that device. */
export function deviceAuthHook(
  config: GatewayConfig,
  security: DeviceAuthSecurity,
  expect: (device: string) => unknown,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  return async (request, reply) => {
    const { device } = request.params as { device: string };
    expect(device);
    const auth = await checkDeviceHttpAuth(config, request.headers.authorization, device);
    if (auth.ok) return undefined;
    security.metrics.deviceHttpAuthFailures.inc({ device, reason: auth.reason });
    security.log.warn(
      { component: 'auth', device, reason: auth.reason, address: request.ip, url: request.url },
      'device HTTP request refused',
    );
    return reply
      .status(401)
      .header('www-authenticate', 'Basic realm="store-gateway devices", charset="UTF-8"')
      .send({
        error: { code: 'DEVICE_UNAUTHENTICATED', message: `device ${device} must authenticate (HTTP Basic)` },
      });
  };
}
