/**
 * Issue 2 acceptance: a real mqtt client publishes 20,000 QoS1 messages of every device
 * type, 200 exact duplicates and 200 bad inputs into the real gateway (embedded aedes,
 * SQLite journal with synchronous=FULL). The journal must hold the 20,000 exactly once.
 */
import { connect as tcpConnect } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const TOTAL = 20_000;
const STORE = 's001';
const base = Date.now();
const iso = (offsetMs: number) => new Date(base - 3_600_000 + offsetMs).toISOString();

interface Outgoing {
  topic: string;
  payload: string;
  device: string;
  id: string;
}

/** Message i of the good stream: every device payload type in turn. */
function goodMessage(i: number): Outgoing {
  const id = `g-${i}`;
  const ts = iso(i * 10);
  switch (i % 6) {
    case 0:
      return door('door-1', {
        v: 1,
        type: 'door.crossing',
        id,
        ts,
        door: 'main',
        dir: i % 12 === 0 ? 'in' : 'out',
        n: 1,
      });
    case 1:
      return door('street-1', {
        v: 1,
        type: 'door.totals',
        id,
        ts,
        door: 'street',
        totalIn: i,
        totalOut: i,
        boot: 'b1',
      });
    case 2:
      return {
        topic: `retail/${STORE}/rfid/rfid-fr/reads`,
        device: 'rfid-fr',
        id,
        payload: JSON.stringify({
          v: 1,
          type: 'rfid.reads',
          id,
          ts,
          reads: [
            {
              epc: `30740000000000000000${(i % 65536).toString(16).padStart(4, '0')}`,
              ant: 1 + (i % 4),
              rssi: -50,
              ts,
            },
          ],
        }),
      };
    case 3:
      return {
        topic: `retail/${STORE}/pos/pos-1/receipt`,
        device: 'pos-1',
        id,
        payload: JSON.stringify({
          v: 1,
          type: 'pos.receipt',
          id,
          ts,
          receipt: `R${i}`,
          kind: 'sale',
          lines: [{ sku: `SKU-${i % 50}`, qty: 1, price: 199 }],
          total: 199,
          currency: 'CNY',
        }),
      };
    case 4:
      return {
        topic: `retail/${STORE}/member/app/seen`,
        device: 'app',
        id,
        payload: JSON.stringify({
          v: 1,
          type: 'member.seen',
          id,
          ts,
          member: `M${i % 100}`,
          zone: 'floor',
          via: 'app',
        }),
      };
    default:
      return {
        topic: `retail/${STORE}/device/door-1/status`,
        device: 'door-1',
        id,
        payload: JSON.stringify({ v: 1, type: 'device.status', id, ts, uptime: i, fw: '1.2.3', errors: 0 }),
      };
  }
}

function door(device: string, payload: object): Outgoing {
  const p = payload as { id: string };
  return { topic: `retail/${STORE}/door/${device}/event`, device, id: p.id, payload: JSON.stringify(payload) };
}

/** 199 bad inputs (the 200th, an oversized packet, goes on its own connection). */
function badMessages(): { topic: string; payload: string; code: string }[] {
  const ts = iso(0);
  const out: { topic: string; payload: string; code: string }[] = [];
  const kinds = [
    {
      code: 'malformed-json',
      topic: `retail/${STORE}/door/door-1/event`,
      payload: (i: number) => `{"v":1,"type":"door.crossing","id":"b${i}",`,
    },
    {
      code: 'schema',
      topic: `retail/${STORE}/door/door-1/event`,
      payload: (i: number) =>
        JSON.stringify({ v: 1, type: 'door.crossing', id: `b${i}`, ts, door: 'main', dir: 'in', n: 'one' }),
    },
    {
      code: 'schema',
      topic: `retail/${STORE}/pos/pos-1/receipt`,
      payload: (i: number) =>
        JSON.stringify({ v: 1, type: 'pos.receipt', id: `b${i}`, ts, kind: 'sale', lines: [], currency: 'CNY' }),
    },
    {
      code: 'unknown-device',
      topic: `retail/${STORE}/door/door-77/event`,
      payload: (i: number) =>
        JSON.stringify({ v: 1, type: 'door.crossing', id: `b${i}`, ts, door: 'main', dir: 'in', n: 1 }),
    },
    {
      code: 'wrong-store',
      topic: 'retail/s999/door/door-1/event',
      payload: (i: number) =>
        JSON.stringify({ v: 1, type: 'door.crossing', id: `b${i}`, ts, door: 'main', dir: 'in', n: 1 }),
    },
  ];
  for (let i = 0; i < 199; i++) {
    const kind = kinds[i % kinds.length] as (typeof kinds)[number];
    out.push({ topic: kind.topic, payload: kind.payload(i), code: kind.code });
  }
  return out;
}

async function connectClient(port: number, clientId: string): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, reconnectPeriod: 0, protocolVersion: 4 });
}

describe('ingest through the embedded broker', () => {
  let gateway: RunningGateway;
  const dir = tempDir();

  beforeAll(async () => {
    const config = {
      ...loadConfig(undefined, { GW_MQTT_PORT: '0', GW_HTTP_PORT: '0', GW_DATA_DIR: dir.path, GW_HTTP_AUTH: 'off' }),
    };
    gateway = await startGateway({ config, log: createLogger({ level: 'silent' }) });
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  it('journals 20,000 messages exactly once, drops duplicates, rejects and counts bad input, survives an oversized packet', async () => {
    const client = await connectClient(gateway.mqttPort, 'load-test');
    const factsSeen = new Map<string, number>();
    const stopCounting = gateway.derivation.onFacts((facts) => {
      for (const f of facts) factsSeen.set(f.type, (factsSeen.get(f.type) ?? 0) + 1);
    });
    const good = Array.from({ length: TOTAL }, (_, i) => goodMessage(i));
    const duplicates = Array.from({ length: 200 }, (_, i) => good[i * 97] as Outgoing);
    const bad = badMessages();

    // Interleave: duplicates and bad inputs arrive among the good ones.
    const stream: { topic: string; payload: string }[] = [];
    for (let i = 0; i < good.length; i++) {
      stream.push(good[i] as Outgoing);
      if (i % 100 === 50) stream.push(duplicates[i / 100 - 0.5] as Outgoing);
      if (i % 100 === 75 && bad.length > 0) stream.push(bad.shift() as { topic: string; payload: string });
    }
    stream.push(...bad.splice(0));

    // The oversized packet (the 200th bad input): announce 256 MiB and try to send 32 MiB of
    // it on a raw connection. The gateway must hang up after the header, buffering nothing.
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    expect(await sendOversizedPacket(gateway.mqttPort, 256 * 1024 * 1024, 32 * 1024 * 1024)).toBe('closed by gateway');
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(16 * 1024 * 1024);

    const acks = await Promise.all(stream.map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })));
    expect(acks).toHaveLength(TOTAL + 200 + 199);

    // Journal: each good message exactly once (RFID messages fold into tag.seen rows id#k).
    const rows = gateway.db.prepare('SELECT device, msg_id AS id FROM journal').all() as {
      device: string;
      id: string;
    }[];
    const messageKeys = rows.map((r) => `${r.device}|${r.id.replace(/#\d+$/, '')}`);
    const distinct = new Set(messageKeys);
    expect(distinct.size).toBe(TOTAL);
    expect(rows.length).toBe(TOTAL); // one read per RFID message here → one row each
    for (const m of good) expect(distinct.has(`${m.device}|${m.id}`)).toBe(true);

    // Rejected table: the 199 bad inputs with readable reasons.
    const rejected = gateway.db.prepare('SELECT code, reason, raw FROM rejected').all() as {
      code: string;
      reason: string;
      raw: Buffer;
    }[];
    expect(rejected).toHaveLength(199);
    const byCode = new Map<string, number>();
    for (const r of rejected) byCode.set(r.code, (byCode.get(r.code) ?? 0) + 1);
    expect(Object.fromEntries(byCode)).toEqual({
      'malformed-json': 40,
      schema: 80,
      'unknown-device': 40,
      'wrong-store': 39,
    });
    for (const r of rejected) {
      expect(r.reason.length).toBeGreaterThan(5);
      expect(r.raw.length).toBeGreaterThan(0);
    }

    // Metrics: per-device counters and the oversized connection.
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    expect(metrics).toContain('gateway_messages_total{device="door-1",result="ingested"}');
    expect(metricValue(metrics, 'gateway_messages_total{device="door-1",result="rejected"}')).toBe(80);
    expect(metricValue(metrics, 'gateway_rejected_total{code="unknown-device"}')).toBe(40);
    expect(sumMetric(metrics, 'gateway_messages_total', 'result="duplicate"')).toBe(200);
    expect(sumMetric(metrics, 'gateway_messages_total', 'result="ingested"')).toBe(TOTAL);
    expect(metricValue(metrics, 'gateway_mqtt_oversized_packets_total')).toBe(1);
    // Facts are counted per batch and type: the counter equals what the batches carried.
    stopCounting();
    expect(factsSeen.size).toBeGreaterThan(1);
    for (const [type, n] of factsSeen) expect(metricValue(metrics, `gateway_facts_total{type="${type}"}`)).toBe(n);

    // Still serving: health, and a fresh publish is acknowledged and journaled.
    expect((await fetch(`http://127.0.0.1:${gateway.httpPort}/healthz`)).status).toBe(200);
    await client.publishAsync(
      `retail/${STORE}/door/door-1/event`,
      JSON.stringify({ v: 1, type: 'door.crossing', id: 'after', ts: iso(0), door: 'main', dir: 'in', n: 1 }),
      { qos: 1 },
    );
    expect(gateway.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE msg_id = 'after'").get()).toEqual({ n: 1 });
    await client.endAsync();
  });
});

/** Writes a PUBLISH header announcing `announced` bytes, then `send` bytes of it; resolves how the socket ended. */
async function sendOversizedPacket(port: number, announced: number, send: number): Promise<string> {
  const socket = tcpConnect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const connectPacket = Buffer.from([
    0x10, 0x12, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x06, 0x62, 0x69, 0x67, 0x6f, 0x6e,
    0x65,
  ]);
  socket.write(connectPacket);
  const len: number[] = [];
  let x = announced;
  do {
    let b = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) b |= 0x80;
    len.push(b);
  } while (x > 0);
  socket.on('error', () => undefined);
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve('closed by gateway')));
  socket.write(Buffer.from([0x30, ...len]));
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  for (let sent = 0; sent < send && !socket.destroyed; sent += chunk.length) {
    if (!socket.write(chunk)) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
  }
  return waitFor(() => closed, 'oversized connection to close');
}

function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

function sumMetric(text: string, name: string, labelPart: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(labelPart))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}
