/**
 * Device telemetry is routed to MQTT subscribers only once a client may receive it
 * (gateway/pipeline/broker/broker.ts, routeOnlyWhenWatched): until then a device's PUBLISH
 * is journaled and acknowledged and goes no further; from the first granted filter that
 * could match a device topic on, it is delivered as before.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/main.js';
import { mayMatchDeviceTopic } from '../../gateway/pipeline/broker/broker.js';
import { crossing, login, startSecureGateway, subscribeRaw } from '../support/secure-gateway.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const TOPIC = 'retail/s001/door/door-1/event';

describe('routing of device telemetry to subscribers', () => {
  const dir = tempDir();
  let gateway: RunningGateway;
  const routed: string[] = [];
  const clients: mqtt.MqttClient[] = [];
  let door: mqtt.MqttClient;
  const journaled = (id: string) =>
    gateway.db.prepare('SELECT COUNT(*) FROM journal WHERE msg_id = ?').pluck().get(id) as number;

  beforeAll(async () => {
    gateway = await startSecureGateway({ dataDir: dir.path });
    gateway.broker.aedes.on('publish', (packet) => {
      if (packet.topic === TOPIC) routed.push(JSON.parse(packet.payload.toString()).id as string);
    });
  });

  afterAll(async () => {
    for (const c of clients) await c.endAsync();
    await gateway?.stop();
    dir.remove();
  });

  it('journals and acknowledges without routing while nobody may read device topics', async () => {
    const staff = await login(gateway.mqttPort, 'ann');
    clients.push(staff);
    expect(await subscribeRaw(staff, { 'retail/s001/alerts/#': { qos: 1 } })).toEqual([1]);
    // A refused filter turns nothing on either.
    expect(await subscribeRaw(staff, { 'retail/s001/#': { qos: 1 } })).toEqual([0x80]);
    door = await login(gateway.mqttPort, 'door-1', { clientId: 'door-1' });
    clients.push(door);
    await door.publishAsync(TOPIC, crossing('quiet-1'), { qos: 1 });
    expect(journaled('quiet-1')).toBe(1);
    expect(routed).toEqual([]);
  });

  it('routes every later message once an integration subscribes to the store', async () => {
    const bi = await login(gateway.mqttPort, 'bi');
    clients.push(bi);
    const got: string[] = [];
    bi.on('message', (_topic, payload) => got.push(JSON.parse(payload.toString()).id as string));
    expect(await subscribeRaw(bi, { 'retail/s001/#': { qos: 1 } })).toEqual([1]);
    await door.publishAsync(TOPIC, crossing('watched-1'), { qos: 1 });
    await waitFor(() => got.includes('watched-1'), 'the integration receives the crossing');
    expect(journaled('watched-1')).toBe(1);
    expect(routed).toEqual(['watched-1']);
  });
});

describe('routing of telemetry an anonymous demo client sends for a device', () => {
  const dir = tempDir();
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startSecureGateway({ dataDir: dir.path, allowAnonymous: true });
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  it('is journaled and acknowledged, and not routed while nobody may read it', async () => {
    const routed: string[] = [];
    gateway.broker.aedes.on('publish', (packet) => {
      if (packet.topic === TOPIC) routed.push(packet.topic);
    });
    const bench = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, { reconnectPeriod: 0 });
    await bench.publishAsync(TOPIC, crossing('anon-1'), { qos: 1 });
    await bench.endAsync();
    expect(gateway.db.prepare("SELECT COUNT(*) FROM journal WHERE msg_id = 'anon-1'").pluck().get()).toBe(1);
    expect(routed).toEqual([]);
  });
});

describe('mayMatchDeviceTopic', () => {
  it('is false only for filters that match no device topic', () => {
    for (const filter of ['#', 'retail/#', 'retail/s001/#', 'retail/+/door/#', '+/+/+/+/+', '$share/g/retail/#']) {
      expect(mayMatchDeviceTopic(filter), filter).toBe(true);
    }
    for (const filter of ['retail/s001/alerts/#', 'retail/+/live/funnel', '$SYS/#', 'retail/s001/alerts']) {
      expect(mayMatchDeviceTopic(filter), filter).toBe(false);
    }
  });
});
