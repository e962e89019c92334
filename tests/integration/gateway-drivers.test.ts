/**
 * The gateway runs the drivers its config names: a serial door counter on a real pty pair
 * (socat) feeds the journal and shows its link in device health; an Impinj reader's webhook
 * is accepted at POST /api/v1/ingest/impinj/{device}, bad JSON refused with a code.
 */
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DoorCounterFirmware, PtyPair } from '../../firmware-sim/serial/index.js';
import { parseConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

describe('drivers run by the gateway', () => {
  const dir = tempDir();
  let pair: PtyPair;
  let gateway: RunningGateway;
  let firmware: DoorCounterFirmware | undefined;
  const api = (path: string) => `http://127.0.0.1:${gateway.httpPort}/api/v1${path}`;

  beforeAll(async () => {
    pair = await PtyPair.open({ a: join(dir.path, 'counter'), b: join(dir.path, 'gateway-tty') });
    const config = parseConfig(
      `
version: 1
store: { id: s001, name: "店", timezone: Asia/Shanghai, currency: CNY, openingTime: "09:30", vipTier: 4, locale: zh-CN }
mqtt: { port: 0, allowAnonymous: true }
http: { port: 0 }
dataDir: ${join(dir.path, 'data')}
zones:
  entrance: { kind: entrance }
  fr-1: { kind: fitting-room, rssiMin: -70 }
devices:
  door-2: { kind: door-counter, transport: serial, path: ${pair.b}, baudRate: 9600, door: side, zone: entrance }
  impinj-1: { kind: rfid-reader, transport: mqtt, format: impinj-iot, antennas: { 1: fr-1 } }
`,
      'drivers.yaml',
      { GW_HTTP_AUTH: 'off' },
    );
    gateway = await startGateway({ config, log: createLogger({ level: 'silent' }) });
  });

  afterAll(async () => {
    await firmware?.close();
    await gateway?.stop();
    await pair?.close();
    dir.remove();
  });

  it("journals a serial counter's crossings and reports its link", async () => {
    await waitFor(async () => {
      const body = (await (await fetch(api('/devices'))).json()) as {
        devices: { id: string; link: { state: string } | null }[];
      };
      return body.devices.find((d) => d.id === 'door-2')?.link?.state === 'connected';
    }, 'door-2 connected');
    firmware = await DoorCounterFirmware.open({
      path: pair.a,
      device: 'cnt-2',
      door: 'side',
      totalIn: 100,
      totalOut: 90,
    });
    await firmware.sendLine(); // sets the base
    firmware.count('in', 5);
    firmware.count('out', 2);
    await firmware.sendLine();
    const sum = (dir: string) =>
      (
        gateway.db
          .prepare(
            "SELECT COALESCE(SUM(json_extract(body, '$.n')), 0) AS n FROM journal WHERE device = 'door-2' AND type = 'door.crossing' AND json_extract(body, '$.dir') = ?",
          )
          .get(dir) as { n: number }
      ).n;
    await waitFor(() => sum('in') === 5 && sum('out') === 2, 'crossings journaled');
  });

  it('accepts an Impinj webhook batch and refuses bad JSON with an error code', async () => {
    const now = new Date().toISOString();
    const good = [
      {
        timestamp: now,
        eventType: 'tagInventory',
        tagInventoryEvent: { epcHex: '3074257BF7194E4000001A85', antennaPort: 1, peakRssiCdbm: -5500 },
      },
      { timestamp: now, eventType: 'inventoryStatus', inventoryStatusEvent: { inventoryStatus: 'running' } },
    ];
    const ok = await fetch(api('/ingest/impinj/impinj-1'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(good),
    });
    expect(ok.status).toBe(204);
    expect(
      gateway.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE device = 'impinj-1' AND type = 'tag.seen'").get(),
    ).toEqual({ n: 1 });

    const bad = await fetch(api('/ingest/impinj/impinj-1'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[{"eventType": "tagInv',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toMatch(/^[A-Z_]+$/);

    const unknown = await fetch(api('/ingest/impinj/door-2'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    expect(unknown.status).toBe(404);
  });

  it('shows an MQTT device offline as soon as its connection drops, in /devices and the live feed', async () => {
    const status = async () => {
      const body = (await (await fetch(api('/devices'))).json()) as { devices: { id: string; status: string }[] };
      return body.devices.find((d) => d.id === 'impinj-1')?.status;
    };
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'impinj-1',
      reconnectPeriod: 0,
    });
    await waitFor(async () => (await status()) === 'online', 'online');
    const health = (await (await fetch(api('/devices'))).json()) as { upstream: unknown };
    // The HQ link's state shows with device health: off here (no NATS URL), outbox empty.
    expect(health.upstream).toMatchObject({ enabled: false, outbox: { depth: 0 } });
    const seen = gateway.feed.since(0).length;
    await client.endAsync();
    await waitFor(async () => (await status()) === 'offline', 'offline');
    await waitFor(
      () =>
        gateway.feed
          .since(0)
          .slice(seen)
          .some((m) => m.event === 'device' && JSON.stringify(m.data).includes('offline')),
      'offline in the feed',
    );
  });
});
