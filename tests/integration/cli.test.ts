/** The CLI as an installer meets it: check-config, and a taken port failing fast with the fix. */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/gateway-process.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';

const BROKEN = `
version: 1
store: { id: s001, name: "店", timezone: Mars/Base, currency: cny, openingTime: "25:00", vipTier: 7, locale: fr }
zones:
  entrance: { kind: entrance }
  fr-1: { kind: fitting-room, rssiMin: -300 }
devices:
  door-1: { kind: door-counter, transport: mqtt, door: main, zone: lobby }
  pos-1: { kind: pos, transport: carrier-pigeon }
correlation: { minDwell: soon }
`;

describe('store-gateway CLI', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it('check-config lists every bad path and exits 1', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const file = join(dir.path, 'broken.yaml');
    writeFileSync(file, BROKEN);
    const result = await runCli(['check-config', file]);
    expect(result.code).toBe(1);
    for (const path of [
      '/store/currency',
      '/store/openingTime',
      '/store/vipTier',
      '/store/locale',
      '/zones/fr-1/rssiMin',
      '/devices/pos-1',
      '/correlation/minDwell',
    ]) {
      expect(result.stderr).toContain(path);
    }
  });

  it('check-config accepts a good file and exits 0', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const file = join(dir.path, 'good.yaml');
    writeFileSync(
      file,
      BROKEN.replace('Mars/Base', 'Europe/Berlin')
        .replace('currency: cny', 'currency: EUR')
        .replace('"25:00"', '"10:00"')
        .replace('vipTier: 7', 'vipTier: 4')
        .replace('locale: fr', 'locale: en')
        .replace('-300', '-70')
        .replace('zone: lobby', 'zone: entrance')
        .replace('carrier-pigeon', 'mqtt')
        .replace('soon', '20s'),
    );
    const result = await runCli(['check-config', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('store s001');
  });

  it('a taken MQTT port fails fast, naming the setting to change', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', () => resolve()));
    cleanups.push(() => blocker.close());
    const taken = (blocker.address() as { port: number }).port;
    const result = await runCli(['start'], {
      GW_MQTT_PORT: String(taken),
      GW_HTTP_PORT: String(await freePort()),
      GW_DATA_DIR: dir.path,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`port ${taken} is already in use`);
    expect(result.stderr).toContain('mqtt.port');
    expect(result.stderr).toContain('GW_MQTT_PORT');
  });

  it('a taken HTTP port fails fast too', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', () => resolve()));
    cleanups.push(() => blocker.close());
    const taken = (blocker.address() as { port: number }).port;
    const result = await runCli(['start'], {
      GW_MQTT_PORT: String(await freePort()),
      GW_HTTP_PORT: String(taken),
      GW_DATA_DIR: dir.path,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('http.port');
    expect(result.stderr).toContain('GW_HTTP_PORT');
  });

  it('an unknown command prints usage and exits 1', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('usage: store-gateway');
  });
});
