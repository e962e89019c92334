/**
 * What the gateway serves for the screens: the built UI from memory (only files of the
 * build, with cache rules), /api/v1/store, and the SSE stream narrowed by `?events=`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { findUiDir } from '../../gateway/read/api/static.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const NOON = Date.parse('2026-11-23T12:00:00+08:00');

describe('dashboard serving', () => {
  let gateway: RunningGateway;
  let client: MqttClient;
  const dir = tempDir();
  const clock = new ManualClock(NOON);
  const root = () => `http://127.0.0.1:${gateway.httpPort}`;

  beforeAll(async () => {
    const config = loadConfig(undefined, {
      GW_MQTT_PORT: '0',
      GW_HTTP_PORT: '0',
      GW_DATA_DIR: dir.path,
      GW_HTTP_AUTH: 'off',
    });
    gateway = await startGateway({ config, clock, log: createLogger({ level: 'silent' }), tickEveryMs: 20 });
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'door-1',
      reconnectPeriod: 0,
    });
  });

  afterAll(async () => {
    await client?.endAsync();
    await gateway?.stop();
    dir.remove();
  });

  it('serves the dashboard and the staff app with revalidated pages and immutable assets', async () => {
    const page = await fetch(`${root()}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${root()}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const etag = asset.headers.get('etag') ?? '';
    expect((await fetch(`${root()}${script}`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    const staff = await fetch(`${root()}/staff`, { redirect: 'manual' });
    expect(staff.status).toBe(301);
    expect(staff.headers.get('location')).toBe('/staff/');
    expect((await fetch(`${root()}/staff/`)).status).toBe(200);
    const worker = await fetch(`${root()}/staff/sw.js`);
    expect(worker.headers.get('service-worker-allowed')).toBe('/staff/');
    expect(worker.headers.get('content-type')).toContain('text/javascript');
  });

  it('answers only files of the build: no path escapes it, API misses stay API errors', async () => {
    const uiDir = findUiDir();
    expect(uiDir).toBeDefined();
    expect(readdirSync(join(uiDir ?? '', 'assets')).length).toBeGreaterThan(0);
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/assets/../../package.json', '/nope.html']) {
      const res = await fetch(`${root()}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('"dependencies"');
    }
    const api = await fetch(`${root()}/api/v1/no-such-route`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBeDefined();
  });

  it('GET /store tells a screen how to present the store, with today by the gateway clock', async () => {
    const store = await (await fetch(`${root()}/api/v1/store`)).json();
    expect(store).toEqual({
      id: 's001',
      name: '旗舰店',
      currency: 'CNY',
      timezone: 'Asia/Shanghai',
      locale: 'zh-CN',
      openingTime: '09:30',
      today: '2026-11-23',
      // The default config names its demo campaigns (config `campaigns`).
      campaigns: expect.objectContaining({ 'vip-private-sale': { en: 'Winter private sale', 'zh-CN': '冬季私享会' } }),
    });
  });

  it('the stream carries only the events asked for', async () => {
    const abort = new AbortController();
    const open = async (query: string) => {
      const response = await fetch(`${root()}/api/v1/stream${query}`, { signal: abort.signal });
      const reader = response.body?.getReader();
      if (!reader) throw new Error('no stream');
      const got = { text: '' };
      void (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          got.text += new TextDecoder().decode(value);
        }
      })().catch(() => undefined);
      return got;
    };
    const everything = await open('');
    const alertsOnly = await open('?events=vip.arrival,vip.ack');
    await client.publishAsync(
      'retail/s001/door/door-1/event',
      JSON.stringify({
        v: 1,
        type: 'door.crossing',
        id: 'x1',
        ts: new Date(NOON).toISOString(),
        door: 'main',
        dir: 'in',
        n: 1,
      }),
      { qos: 1 },
    );
    // Past the staff window the crossing becomes a visitor fact.
    clock.advance(10_000);
    await waitFor(() => everything.text.includes('"type":"visitor"'), 'the visitor fact on the full stream');
    await new Promise((r) => setTimeout(r, 200));
    abort.abort();
    expect(alertsOnly.text).toContain('retry:');
    expect(alertsOnly.text).not.toContain('event: fact');
  });
});
