/**
 * firmware-sim's publisher against a real MQTT broker (aedes on an ephemeral port): a slice of
 * a simulated day arrives complete, QoS 1, byte for byte, in order, each device on its own
 * connection; pacing follows `speed`, and an abort stops cleanly.
 */
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateStoreDay, publishTimeline, type TimedMessage } from '../../firmware-sim/index.js';
import { waitFor } from '../support/wait.js';

interface Received {
  topic: string;
  payload: Buffer;
  qos: number;
  at: number;
}

const day = generateStoreDay({ seed: 5, date: '2025-03-14', visitors: 400 });
const noon = Date.parse('2025-03-14T12:00:00+08:00');
const from = day.messages.findIndex((m) => m.at >= noon);
const slice: TimedMessage[] = day.messages.slice(from, from + 500);
const deviceOf = (topic: string) => topic.split('/')[3] ?? '';

let broker: Aedes;
let server: Server;
let url: string;
let observer: MqttClient;
let received: Received[];
const connectedIds: string[] = [];

beforeAll(async () => {
  broker = await Aedes.createBroker();
  broker.on('client', (client) => connectedIds.push(client.id));
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  url = `mqtt://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(async () => {
  received = [];
  connectedIds.length = 0;
  observer = await connectAsync(url, { clientId: `observer-${Date.now()}`, clean: true, reconnectPeriod: 0 });
  observer.on('message', (topic, payload, packet) =>
    received.push({ topic, payload, qos: packet.qos, at: Date.now() }),
  );
  await observer.subscribeAsync('retail/s001/#', { qos: 1 });
});

afterEach(async () => {
  await observer.endAsync();
});

describe('publishTimeline', () => {
  it('slices a real day: 500 messages from several devices', () => {
    expect(slice).toHaveLength(500);
    expect(new Set(slice.map((m) => deviceOf(m.topic))).size).toBeGreaterThanOrEqual(4);
  });

  it('delivers every message once, QoS 1, byte-identical and in the timeline order', async () => {
    const report = await publishTimeline(url, slice, { speed: 0, maxInFlight: 1, qos: 1 });
    expect(report).toMatchObject({ published: 500, acked: 500, skipped: 0, aborted: false });
    await waitFor(() => received.length >= 500, '500 messages at the observer');
    expect(received).toHaveLength(500);
    received.forEach((r, i) => {
      const sent = slice[i] as TimedMessage;
      expect(r.topic).toBe(sent.topic);
      expect(r.payload.equals(Buffer.from(JSON.stringify(sent.payload), 'utf8'))).toBe(true);
      expect(r.qos).toBe(1);
    });
    // One connection per device, its client id the device id.
    const devices = [...new Set(slice.map((m) => deviceOf(m.topic)))].sort();
    expect([...new Set(connectedIds.filter((id) => !id.startsWith('observer')))].sort()).toEqual(devices);
    expect([...report.devices].sort()).toEqual(devices);
  });

  it('keeps each device in order with many messages in flight', async () => {
    const report = await publishTimeline(url, slice, { speed: Number.POSITIVE_INFINITY, maxInFlight: 32 });
    expect(report.acked).toBe(500);
    await waitFor(() => received.length >= 500, '500 messages at the observer');
    const sentByDevice = new Map<string, string[]>();
    for (const m of slice)
      sentByDevice.set(deviceOf(m.topic), [...(sentByDevice.get(deviceOf(m.topic)) ?? []), JSON.stringify(m.payload)]);
    const gotByDevice = new Map<string, string[]>();
    for (const r of received)
      gotByDevice.set(deviceOf(r.topic), [...(gotByDevice.get(deviceOf(r.topic)) ?? []), r.payload.toString('utf8')]);
    expect(gotByDevice).toEqual(sentByDevice);
  });

  it('paces scenario time onto wall time divided by speed, and can start later in the day', async () => {
    const part = slice.slice(0, 120);
    const first = part[0] as TimedMessage;
    const last = part[part.length - 1] as TimedMessage;
    const startAt = (part[20] as TimedMessage).at;
    const speed = (last.at - startAt) / 600; // the part should take about 0.6 s
    const started = Date.now();
    const report = await publishTimeline(url, part, { speed, startAt });
    const took = Date.now() - started;
    expect(first.at).toBeLessThan(startAt);
    expect(report.skipped).toBe(20);
    expect(report.acked).toBe(100);
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(3000);
    await waitFor(() => received.length >= 100, '100 messages at the observer');
    // Messages arrive spread over the run, not in one burst.
    const spread = (received.at(-1)?.at ?? 0) - (received[0]?.at ?? 0);
    expect(spread).toBeGreaterThanOrEqual(400);
  });

  it('stops cleanly when aborted', async () => {
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(), 300);
    const report = await publishTimeline(url, slice, { speed: 1, signal: abort.signal });
    expect(report.aborted).toBe(true);
    expect(report.published).toBeLessThan(500);
    expect(report.acked).toBe(report.published);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('fails fast when the broker is unreachable', async () => {
    await expect(publishTimeline('mqtt://127.0.0.1:1', slice.slice(0, 3), { speed: 0 })).rejects.toThrow();
  });
});
