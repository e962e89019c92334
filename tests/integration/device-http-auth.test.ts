/**
 * Devices that post over HTTP authenticate like MQTT devices (docs/security.md "Devices over
 * HTTP"): the Impinj reader webhook needs HTTP Basic with the reader's own
 * `devices.<id>.username` and password; anything else is 401, journals nothing, is counted in
 * `gateway_http_device_auth_failures_total` and logged.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDeviceHttpAuth } from '../../gateway/infra/auth/device-http.js';
import { type GatewayConfig, parseConfig } from '../../gateway/infra/config/index.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { hashPassword } from '../../gateway/pipeline/broker/credentials.js';
import { memoryLogger } from '../support/secure-gateway.js';
import { tempDir } from '../support/tmp.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function batch(epcHex: string) {
  const now = new Date().toISOString();
  return JSON.stringify([
    {
      timestamp: now,
      eventType: 'tagInventory',
      tagInventoryEvent: { epcHex, antennaPort: 1, peakRssiCdbm: -5500 },
    },
  ]);
}

describe('Impinj reader webhook authentication', () => {
  const dir = tempDir();
  const { log, lines } = memoryLogger('info');
  let config: GatewayConfig;
  let gateway: RunningGateway;
  const url = (device: string) => `http://127.0.0.1:${gateway.httpPort}/api/v1/ingest/impinj/${device}`;
  const journaled = () =>
    (gateway.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'tag.seen'").get() as { n: number }).n;
  const post = (device: string, authorization?: string, body = batch('3074257BF7194E4000001A85')) =>
    fetch(url(device), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body,
    });

  beforeAll(async () => {
    config = parseConfig(
      `
version: 1
store: { id: s001, name: "店", timezone: Asia/Shanghai, currency: CNY, openingTime: "09:30", vipTier: 4, locale: en }
mqtt: { port: 0 }
http: { port: 0 }
dataDir: ${join(dir.path, 'data')}
zones: { entrance: { kind: entrance } }
devices:
  r700: { kind: rfid-reader, transport: mqtt, format: impinj-iot, antennas: { 1: entrance }, username: r700, passwordHash: "${hashPassword('r700-secret')}" }
  r701: { kind: rfid-reader, transport: mqtt, format: impinj-iot, antennas: { 1: entrance }, username: r701, passwordHash: "${hashPassword('r701-secret')}" }
  bare: { kind: rfid-reader, transport: mqtt, format: impinj-iot, antennas: { 1: entrance } }
`,
      'impinj-auth.yaml',
      { GW_HTTP_AUTH: 'off' },
    );
    gateway = await startGateway({ config, log });
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  it('refuses a forged arrival without credentials, with wrong ones or another reader’s, and journals nothing', async () => {
    const refusals = [
      await post('r700'),
      await post('r700', basic('r700', 'guess')),
      await post('r700', basic('r701', 'r701-secret')),
      await post('r700', 'Basic !!!'),
      await post('r700', 'Bearer r700-secret'),
      await post('bare'),
      await post('bare', basic('bare', 'anything')),
    ];
    for (const res of refusals) {
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('DEVICE_UNAUTHENTICATED');
    }
    expect(refusals[0]?.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(journaled()).toBe(0);
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    const count = (reason: string, device = 'r700') =>
      Number(
        new RegExp(`gateway_http_device_auth_failures_total\\{device="${device}",reason="${reason}"\\} (\\d+)`).exec(
          metrics,
        )?.[1] ?? 0,
      );
    expect(count('missing-credentials')).toBe(2);
    expect(count('bad-credentials')).toBe(2);
    expect(count('malformed')).toBe(1);
    expect(count('no-device-credentials', 'bare')).toBe(2);
    expect(lines.filter((l) => l.msg === 'device HTTP request refused')).toHaveLength(7);
  });

  it('accepts the reader with its own credentials', async () => {
    const ok = await post('r700', basic('r700', 'r700-secret'));
    expect(ok.status).toBe(204);
    expect(journaled()).toBe(1);
    // An unknown reader is still 404, with or without credentials.
    expect((await post('nope', basic('r700', 'r700-secret'))).status).toBe(404);
  });

  it('is one reusable check: anonymous devices only on an allowAnonymous bench', async () => {
    expect(await checkDeviceHttpAuth(config, undefined, 'bare')).toEqual({
      ok: false,
      reason: 'no-device-credentials',
    });
    const bench = { ...config, mqtt: { ...config.mqtt, allowAnonymous: true } };
    expect(await checkDeviceHttpAuth(bench, undefined, 'bare')).toEqual({ ok: true, anonymous: true });
    // A device with credentials needs them even on the bench.
    expect(await checkDeviceHttpAuth(bench, undefined, 'r700')).toEqual({ ok: false, reason: 'missing-credentials' });
    expect(await checkDeviceHttpAuth(bench, basic('r700', 'r700-secret'), 'r700')).toEqual({
      ok: true,
      anonymous: false,
    });
  });
});
