/**
 * Who may subscribe and publish where, on the real broker with real clients: staff only to
 * alert topics, dashboards also to live topics, devices to nothing and publish only their
 * own topics, anonymous (demo) like a dashboard. A refused filter gets SUBACK 0x80 and the
 * connection stays up; nothing matching it is delivered.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/main.js';
import { crossing, login, startSecureGateway, subscribeRaw } from '../support/secure-gateway.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const ALERTS = 'retail/s001/alerts/vip';
const LIVE = 'retail/s001/live/funnel';

describe('MQTT ACL', () => {
  const dir = tempDir();
  let gateway: RunningGateway;
  const clients: mqtt.MqttClient[] = [];
  const track = (client: mqtt.MqttClient) => {
    clients.push(client);
    client.on('error', () => undefined);
    return client;
  };
  const received = (client: mqtt.MqttClient) => {
    const topics: string[] = [];
    client.on('message', (topic) => topics.push(topic));
    return topics;
  };
  const metrics = async () => (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();

  beforeAll(async () => {
    gateway = await startSecureGateway({ dataDir: dir.path, allowAnonymous: true, tickEveryMs: 50 });
  });

  afterAll(async () => {
    for (const client of clients) client.end(true);
    await gateway?.stop();
    dir.remove();
  });

  it('grants staff the alert topics and refuses every wider filter with 0x80, staying connected', async () => {
    const staff = track(await login(gateway.mqttPort, 'ann'));
    const topics = received(staff);
    const granted = await subscribeRaw(staff, {
      [ALERTS]: { qos: 1 },
      '#': { qos: 1 },
      'retail/#': { qos: 1 },
      'retail/+/#': { qos: 1 },
      '+/+/+': { qos: 1 },
      '+/+/+/+/+': { qos: 1 },
      'retail/s001/+/door-1/event': { qos: 1 },
      'retail/+/alerts/vip': { qos: 1 },
      [LIVE]: { qos: 1 },
      '$SYS/#': { qos: 0 },
      'retail/s001/alerts/+': { qos: 0 },
    });
    expect(granted).toEqual([1, 128, 128, 128, 128, 128, 128, 128, 128, 128, 0]);
    expect(staff.connected).toBe(true);

    // A device message must not reach staff through any refused filter; the alert must.
    const door = track(await login(gateway.mqttPort, 'door-1', { clientId: 'door-1' }));
    await door.publishAsync('retail/s001/door/door-1/event', crossing('acl-1'), { qos: 1 });
    await gateway.broker.publish(ALERTS, JSON.stringify({ v: 1, type: 'vip.arrival' }), { qos: 1, retain: false });
    await waitFor(() => topics.includes(ALERTS), 'the alert at the staff client');
    await new Promise((r) => setTimeout(r, 200));
    expect(topics.filter((t) => t !== ALERTS)).toEqual([]);
    expect(await metrics()).toMatch(/gateway_mqtt_subscribe_refused_total\{principal="user"\} 9/);
  });

  it('grants a dashboard the live funnel (retained) and refuses device topics', async () => {
    const screen = track(await login(gateway.mqttPort, 'screen'));
    const topics = received(screen);
    expect(await subscribeRaw(screen, { [LIVE]: { qos: 1 }, 'retail/s001/door/+/event': { qos: 1 } })).toEqual([
      1, 128,
    ]);
    await waitFor(() => topics.includes(LIVE), 'the retained live funnel');
  });

  it('refuses every subscription of a device, even to its own topics', async () => {
    const door = track(await login(gateway.mqttPort, 'door-2', { clientId: 'door-2' }));
    expect(
      await subscribeRaw(door, {
        'retail/s001/door/door-2/event': { qos: 1 },
        'retail/s001/door/door-1/#': { qos: 1 },
        [ALERTS]: { qos: 1 },
      }),
    ).toEqual([128, 128, 128]);
    expect(door.connected).toBe(true);
  });

  it('drops a staff client that publishes to a device topic, and journals nothing', async () => {
    const staff = track(await login(gateway.mqttPort, 'ann'));
    const closed = new Promise<void>((resolve) => staff.once('close', () => resolve()));
    staff.publish('retail/s001/door/door-1/event', crossing('staff-spoof'), { qos: 1 });
    await closed;
    expect(gateway.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE msg_id = 'staff-spoof'").get()).toEqual({
      n: 0,
    });
    expect(await metrics()).toMatch(/gateway_mqtt_publish_refused_total\{principal="user"\} 1/);
  });

  it("disconnects a client that publishes on the gateway's own alert or live topics, delivering nothing", async () => {
    const connect = (clientId: string) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, { clientId, protocolVersion: 4, reconnectPeriod: 0 });
    const reader = track(await connect('reader-anon'));
    await reader.subscribeAsync([ALERTS, LIVE, 'retail/s001/alerts'], { qos: 1 });
    const got: string[] = [];
    reader.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
    for (const topic of [ALERTS, LIVE, 'retail/s001/alerts']) {
      const forger = track(await connect(`forger-${topic.length}`));
      const closed = new Promise<void>((resolve) => forger.once('close', () => resolve()));
      forger.publish(topic, '{"forged":true}', { qos: 1 });
      await closed;
    }
    // A forged message, had it been accepted, would have reached the reader before this one.
    await gateway.broker.publish(ALERTS, '{"real":true}', { qos: 1, retain: false });
    await waitFor(() => got.includes(`${ALERTS} {"real":true}`), 'the real alert');
    // The gateway's own live messages may come too; nothing forged may.
    expect(got.filter((m) => m.includes('forged'))).toEqual([]);
  });

  it('lets an anonymous (demo) client read alerts and live topics and publish device messages, not read devices', async () => {
    const anon = track(
      await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
        clientId: 'door-1-anon',
        protocolVersion: 4,
        reconnectPeriod: 0,
      }),
    );
    expect(await subscribeRaw(anon, { [ALERTS]: { qos: 1 }, [LIVE]: { qos: 0 }, '#': { qos: 0 } })).toEqual([
      1, 0, 128,
    ]);
    await anon.publishAsync('retail/s001/door/door-1/event', crossing('anon-1'), { qos: 1 });
    expect(gateway.db.prepare("SELECT device FROM journal WHERE msg_id = 'anon-1'").get()).toEqual({
      device: 'door-1',
    });
  });
});
