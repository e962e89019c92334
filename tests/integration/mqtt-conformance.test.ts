/**
 * MQTT 3.1.1 conformance of the embedded broker as standard clients see it: the `mqtt`
 * client (protocolVersion 4) and Debian's mosquitto_pub / mosquitto_sub. CONNACK return
 * codes, the session-present flag, SUBACK codes per filter, and QoS1 delivery to a
 * persistent session after it reconnects.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/main.js';
import { login, SECRETS, startSecureGateway, subscribeRaw } from '../support/secure-gateway.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const run = promisify(execFile);
const ALERTS = 'retail/s001/alerts/vip';
const alert = (n: number) => JSON.stringify({ v: 1, type: 'vip.arrival', id: `a-${n}` });

/** Runs a mosquitto client; resolves with its exit code and output (it never throws on exit ≠ 0). */
async function mosquitto(bin: 'mosquitto_pub' | 'mosquitto_sub', args: string[], timeoutMs = 10_000) {
  try {
    const { stdout, stderr } = await run(bin, args, { timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('MQTT 3.1.1 conformance (mqtt.js v4 and mosquitto clients)', () => {
  const dir = tempDir();
  let gateway: RunningGateway;
  const base = () => ['-h', '127.0.0.1', '-p', String(gateway.mqttPort), '-V', 'mqttv311'];

  beforeAll(async () => {
    gateway = await startSecureGateway({ dataDir: dir.path, allowAnonymous: false });
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  it('answers CONNACK 0x04 to a wrong password and 0x05 to a client without credentials', async () => {
    /** The CONNACK return code mqtt.js reports (err.code), or 'connected'. */
    const refused = (options: mqtt.IClientOptions) =>
      new Promise<number | string | undefined>((resolve) => {
        const client = mqtt.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
          protocolVersion: 4,
          reconnectPeriod: 0,
          ...options,
        });
        const done = (outcome: number | string | undefined) => {
          client.end(true);
          resolve(outcome);
        };
        client.once('connect', () => done('connected'));
        client.once('error', (err) => done((err as { code?: number }).code));
        client.once('close', () => setTimeout(() => done('closed'), 50));
      });
    expect(await refused({ clientId: 'x1', username: 'ann', password: 'wrong' })).toBe(4);
    expect(await refused({ clientId: 'x2', username: 'nobody', password: 'x' })).toBe(4);
    expect(await refused({ clientId: 'x3' })).toBe(5);

    const pub = ['-t', 'retail/s001/door/door-1/event', '-m', '{}', '-q', '1'];
    const wrong = await mosquitto('mosquitto_pub', [...base(), '-i', 'door-1', '-u', 'door-1', '-P', 'no', ...pub]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/bad user name or password/i);
    const anonymous = await mosquitto('mosquitto_pub', [...base(), '-i', 'door-1', ...pub]);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toMatch(/not authori[sz]ed/i);
  });

  it('sets session present 0 on a new persistent session and 1 when it reconnects', async () => {
    const connack = async () => {
      const client = mqtt.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
        clientId: 'ann-tablet',
        username: 'ann',
        password: SECRETS.ann,
        clean: false,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      const packet = await new Promise<mqtt.IConnackPacket>((resolve, reject) => {
        client.once('connect', resolve);
        client.once('error', reject);
      });
      return { client, sessionPresent: packet.sessionPresent };
    };
    const first = await connack();
    expect(first.sessionPresent).toBe(false);
    await first.client.subscribeAsync(ALERTS, { qos: 1 });
    await first.client.endAsync();
    const second = await connack();
    expect(second.sessionPresent).toBe(true);
    await second.client.endAsync();
  });

  it('refuses one filter with 0x80 and grants the others their QoS in the same SUBSCRIBE', async () => {
    const staff = await login(gateway.mqttPort, 'ann');
    staff.on('error', () => undefined);
    expect(
      await subscribeRaw(staff, { [ALERTS]: { qos: 1 }, '#': { qos: 1 }, 'retail/s001/alerts/+': { qos: 0 } }),
    ).toEqual([1, 128, 0]);
    await staff.endAsync();

    // mosquitto_sub: one denied filter beside an allowed one; the connection stays and the alert arrives.
    const sub = mosquitto('mosquitto_sub', [
      ...base(),
      ...['-i', 'ann-sub', '-u', 'ann', '-P', SECRETS.ann, '-q', '1', '-C', '1', '-W', '8', '-v', '-d'],
      ...['-t', 'retail/#', '-t', ALERTS],
    ]);
    await waitFor(
      async () => {
        await gateway.broker.publish(ALERTS, alert(0), { qos: 1, retain: false });
        return (await Promise.race([sub, new Promise((r) => setTimeout(() => r(undefined), 100))])) !== undefined;
      },
      'mosquitto_sub to receive the alert',
      9000,
      0,
    );
    const result = await sub;
    expect(result.stdout).toContain(`${ALERTS} ${alert(0)}`);
    // -d prints the SUBACK as received: 0x80 for retail/#, QoS 1 for the alert topic.
    expect(result.stdout).toMatch(/Subscribed \(mid: \d+\): 128, 1/);
  });

  it('delivers QoS1 messages queued while a persistent session was offline, in order (mqtt.js)', async () => {
    const options = { clientId: 'ann-phone', clean: false } as const;
    const first = await login(gateway.mqttPort, 'ann', options);
    await first.subscribeAsync(ALERTS, { qos: 1 });
    await first.endAsync();
    for (const n of [1, 2, 3]) await gateway.broker.publish(ALERTS, alert(n), { qos: 1, retain: false });

    const got: { payload: string; qos: number }[] = [];
    const again = mqtt.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      ...options,
      username: 'ann',
      password: SECRETS.ann,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    again.on('message', (_topic, payload, packet) => got.push({ payload: payload.toString(), qos: packet.qos }));
    await waitFor(() => got.length >= 3, 'three queued alerts');
    expect(got).toEqual([1, 2, 3].map((n) => ({ payload: alert(n), qos: 1 })));
    await again.endAsync();
  });

  it('delivers a QoS1 message queued while mosquitto_sub -c was offline', async () => {
    const args = [...base(), '-i', 'ann-mosq', '-c', '-u', 'ann', '-P', SECRETS.ann, '-q', '1', '-t', ALERTS];
    // Subscribe, then leave (the session stays: -c).
    expect((await mosquitto('mosquitto_sub', [...args, '-E'])).code).toBe(0);
    await gateway.broker.publish(ALERTS, alert(9), { qos: 1, retain: false });
    const back = await mosquitto('mosquitto_sub', [...args, '-C', '1', '-W', '5']);
    expect(back.code).toBe(0);
    expect(back.stdout.trim()).toBe(alert(9));
  });
});

/**
 * The normative behaviours of MQTT 3.1.1 that an MQTT client test suite checks (the cases of
 * the Eclipse Paho interoperability suite: basic, retained messages, zero-length client id,
 * will message, offline queueing, overlapping subscriptions, keepalive, redelivery on
 * reconnect, subscribe failure, $-topics, unsubscribe; plus session present and ping), run
 * against the embedded broker as an `integration` user: it reads `retail/s001/#` and
 * publishes nothing, so the devices door-1 and door-2 publish on their own topics.
 * Written for this broker with mqtt.js and raw mqtt-packet sockets.
 */
describe('MQTT 3.1.1 conformance suite as the integration role', () => {
  const dir = tempDir();
  let gateway: RunningGateway;
  const T = (channel: string, device: 'door-1' | 'door-2' = 'door-1') => `retail/s001/door/${device}/${channel}`;
  const url = () => `mqtt://127.0.0.1:${gateway.mqttPort}`;

  beforeAll(async () => {
    gateway = await startSecureGateway({ dataDir: dir.path });
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  type Got = { topic: string; payload: string; qos: number; retain: boolean; dup: boolean };
  function collect(client: mqtt.MqttClient): Got[] {
    const got: Got[] = [];
    client.on('message', (topic, payload, packet) =>
      got.push({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain, dup: packet.dup }),
    );
    return got;
  }
  const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
  const device = (name: 'door-1' | 'door-2' = 'door-1', options: mqtt.IClientOptions = {}) =>
    login(gateway.mqttPort, name, { clientId: name, ...options });

  /** A raw MQTT 3.1.1 connection: send packets, read the parsed ones back. */
  async function raw(connect: Partial<Packet> & { clientId: string }) {
    const socket = netConnect(gateway.mqttPort, '127.0.0.1');
    await once(socket, 'connect');
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const packets: Packet[] = [];
    parser.on('packet', (p: Packet) => packets.push(p));
    socket.on('data', (d) => parser.parse(d));
    let closed = false;
    socket.on('close', () => {
      closed = true;
    });
    const send = (packet: Packet) => socket.write(mqttPacket.generate(packet));
    send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      keepalive: 60,
      username: 'bi',
      password: Buffer.from(SECRETS.bi),
      ...connect,
    } as Packet);
    const next = async (cmd: string) => {
      const p = await waitFor(() => packets.find((q) => q.cmd === cmd), `raw ${cmd}`);
      packets.splice(packets.indexOf(p), 1);
      return p;
    };
    const connack = (await next('connack')) as mqttPacket.IConnackPacket;
    return { socket, send, next, connack, packets, isClosed: () => closed };
  }

  it('basic: QoS 0, 1 and 2 published are received at the granted QoS', async () => {
    const bi = await login(gateway.mqttPort, 'bi', { clientId: 'bi-basic' });
    const got = collect(bi);
    expect(await subscribeRaw(bi, { [T('+')]: { qos: 2 } })).toEqual([2]);
    const door = await device();
    for (const qos of [0, 1, 2] as const) await door.publishAsync(T('basic'), `q${qos}`, { qos });
    await waitFor(() => got.length === 3, 'three messages');
    expect(got.map((g) => [g.payload, g.qos]).sort()).toEqual([
      ['q0', 0],
      ['q1', 1],
      ['q2', 2],
    ]);
    // Granted QoS 1: a QoS 2 publication arrives at QoS 1 [MQTT-3.8.4-6].
    const low = await login(gateway.mqttPort, 'bi', { clientId: 'bi-low' });
    const lowGot = collect(low);
    expect(await subscribeRaw(low, { [T('downgrade')]: { qos: 1 } })).toEqual([1]);
    await door.publishAsync(T('downgrade'), 'x', { qos: 2 });
    await waitFor(() => lowGot.length === 1, 'downgraded');
    expect(lowGot[0]?.qos).toBe(1);
    for (const c of [bi, low, door]) await c.endAsync();
  });

  it('retained messages: delivered to new subscribers with the retain flag, cleared by an empty one', async () => {
    const door = await device();
    for (const qos of [0, 1, 2] as const) {
      await door.publishAsync(T(`ret${qos}`), `r${qos}`, { qos, retain: true });
    }
    await settle();
    const bi = await login(gateway.mqttPort, 'bi', { clientId: 'bi-retained' });
    const got = collect(bi);
    await bi.subscribeAsync('retail/s001/+/door-1/#', { qos: 2 });
    await waitFor(() => got.length === 3, 'three retained');
    expect(got.every((g) => g.retain)).toBe(true);
    expect(got.map((g) => g.payload).sort()).toEqual(['r0', 'r1', 'r2']);
    // Live traffic to an existing subscriber carries retain 0 [MQTT-3.3.1-9].
    await door.publishAsync(T('ret0'), 'live', { qos: 1, retain: true });
    await waitFor(() => got.length === 4, 'live retained publish');
    expect(got[3]?.retain).toBe(false);
    for (const qos of [0, 1, 2] as const) await door.publishAsync(T(`ret${qos}`), '', { qos, retain: true });
    await settle();
    const later = await login(gateway.mqttPort, 'bi', { clientId: 'bi-retained-2' });
    const none = collect(later);
    await later.subscribeAsync('retail/s001/+/door-1/#', { qos: 2 });
    await settle();
    expect(none).toEqual([]);
    for (const c of [bi, later, door]) await c.endAsync();
  });

  it('zero-length client id: accepted with a clean session, an id assigned by the broker', async () => {
    const clean = await raw({ clientId: '', clean: true });
    expect(clean.connack.returnCode).toBe(0);
    clean.send({ cmd: 'pingreq' } as Packet);
    await clean.next('pingresp');
    clean.socket.destroy();
    // Without a clean session it is refused [MQTT-3.1.3-8]: mqtt-packet will not even encode
    // that CONNECT, so tests/integration/mqtt-auth.test.ts sends those bytes by hand.
  });

  it('will message: published when the connection drops, not after DISCONNECT', async () => {
    const bi = await login(gateway.mqttPort, 'bi', { clientId: 'bi-will' });
    const got = collect(bi);
    await bi.subscribeAsync(T('will', 'door-2'), { qos: 2 });
    const will = { topic: T('will', 'door-2'), payload: Buffer.from('door-2 gone'), qos: 1 as const, retain: false };
    const dropped = await device('door-2', { will });
    (dropped.stream as unknown as { destroy(): void }).destroy();
    await waitFor(() => got.length === 1, 'the will');
    expect(got[0]).toMatchObject({ payload: 'door-2 gone', qos: 1 });
    await waitFor(() => !dropped.connected, 'door-2 gone');
    const polite = await device('door-2', { will });
    await polite.endAsync();
    await settle();
    expect(got).toHaveLength(1);
    await bi.endAsync();
  });

  it('session present and offline queueing: QoS 1 and 2 kept for a persistent session', async () => {
    const options = { clientId: 'bi-offline', clean: false } as const;
    const first = await login(gateway.mqttPort, 'bi', options);
    await first.subscribeAsync(T('+'), { qos: 2 });
    await first.endAsync();
    const door = await device();
    for (const qos of [0, 1, 2] as const) await door.publishAsync(T('offline'), `off${qos}`, { qos });
    await door.endAsync();
    const back = mqtt.connect(url(), {
      ...options,
      username: 'bi',
      password: SECRETS.bi,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const got = collect(back);
    const connack = await new Promise<mqtt.IConnackPacket>((resolve) => back.once('connect', resolve));
    expect(connack.sessionPresent).toBe(true);
    await waitFor(() => got.length >= 2, 'queued messages');
    await settle();
    // QoS 0 may be dropped for an offline client; QoS 1 and 2 must be delivered.
    expect(got.filter((g) => g.qos > 0).map((g) => g.payload)).toEqual(['off1', 'off2']);
    await back.endAsync();
    const clean = await raw({ clientId: 'bi-offline', clean: true });
    expect(clean.connack.sessionPresent).toBe(false);
    clean.socket.destroy();
  });

  it('overlapping subscriptions: one copy at the highest QoS, or one per subscription', async () => {
    const bi = await login(gateway.mqttPort, 'bi', { clientId: 'bi-overlap' });
    const got = collect(bi);
    expect(
      await subscribeRaw(bi, { 'retail/s001/door/door-1/#': { qos: 2 }, 'retail/s001/door/+/overlap': { qos: 1 } }),
    ).toEqual([2, 1]);
    const door = await device();
    await door.publishAsync(T('overlap'), 'both', { qos: 2 });
    await waitFor(() => got.length >= 1, 'overlap');
    await settle();
    const qos = got.map((g) => g.qos).sort();
    expect([[2], [1, 2]]).toContainEqual(qos);
    for (const c of [bi, door]) await c.endAsync();
  });

  it('keepalive: a silent client is dropped after 1.5 keepalives and its will is published', async () => {
    const bi = await login(gateway.mqttPort, 'bi', { clientId: 'bi-keepalive' });
    const got = collect(bi);
    await bi.subscribeAsync(T('status', 'door-2'), { qos: 1 });
    const silent = await raw({
      clientId: 'door-2',
      username: 'door-2',
      password: Buffer.from(SECRETS['door-2']),
      keepalive: 1,
      will: { topic: T('status', 'door-2'), payload: Buffer.from('timed out'), qos: 1, retain: false },
    } as Partial<Packet> & { clientId: string });
    expect(silent.connack.returnCode).toBe(0);
    await waitFor(() => silent.isClosed(), 'closed by the broker', 5000);
    await waitFor(() => got.some((g) => g.payload === 'timed out'), 'the will after keepalive');
    await bi.endAsync();
  });

  it('ping: PINGREQ is answered with PINGRESP', async () => {
    const client = await raw({ clientId: 'bi-ping' });
    client.send({ cmd: 'pingreq' } as Packet);
    expect((await client.next('pingresp')).cmd).toBe('pingresp');
    client.socket.destroy();
  });

  it('redelivery on reconnect: an unacknowledged QoS 1 message comes again with DUP set', async () => {
    const first = await raw({ clientId: 'bi-redeliver', clean: false });
    first.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: T('redeliver'), qos: 1 }] } as Packet);
    await first.next('suback');
    const door = await device();
    await door.publishAsync(T('redeliver'), 'again', { qos: 1 });
    const original = (await first.next('publish')) as mqttPacket.IPublishPacket;
    expect(original.payload.toString()).toBe('again');
    first.socket.destroy(); // no PUBACK
    await door.endAsync();
    await settle();
    const second = await raw({ clientId: 'bi-redeliver', clean: false });
    expect(second.connack.sessionPresent).toBe(true);
    const resent = (await second.next('publish')) as mqttPacket.IPublishPacket;
    expect(resent.payload.toString()).toBe('again');
    expect(resent.dup).toBe(true);
    second.send({ cmd: 'puback', messageId: resent.messageId } as Packet);
    second.send({ cmd: 'disconnect' } as Packet);
    second.socket.end();
  });

  it('subscribe failure and $-topics: 0x80 outside retail/s001/#, the rest granted', async () => {
    const bi = await login(gateway.mqttPort, 'bi', { clientId: 'bi-failure' });
    bi.on('error', () => undefined);
    expect(
      await subscribeRaw(bi, {
        'retail/s001/#': { qos: 1 },
        'retail/#': { qos: 1 },
        '#': { qos: 0 },
        '$SYS/#': { qos: 0 },
        'retail/s002/door/door-1/event': { qos: 0 },
        'retail/s001/+/+/+': { qos: 2 },
      }),
    ).toEqual([1, 128, 128, 128, 128, 2]);
    expect(bi.connected).toBe(true);
    await bi.endAsync();
  });

  it('unsubscribe: no more messages on the filter, the others keep flowing', async () => {
    const bi = await login(gateway.mqttPort, 'bi', { clientId: 'bi-unsub' });
    const got = collect(bi);
    await bi.subscribeAsync({ [T('u1')]: { qos: 1 }, [T('u2')]: { qos: 1 } });
    await bi.unsubscribeAsync(T('u1'));
    const door = await device();
    await door.publishAsync(T('u1'), 'one', { qos: 1 });
    await door.publishAsync(T('u2'), 'two', { qos: 1 });
    await waitFor(() => got.length >= 1, 'u2');
    await settle();
    expect(got.map((g) => g.payload)).toEqual(['two']);
    for (const c of [bi, door]) await c.endAsync();
  });

  it('the integration role publishes nothing: its PUBLISH closes the connection', async () => {
    const bi = await login(gateway.mqttPort, 'bi', { clientId: 'bi-publish' });
    bi.on('error', () => undefined);
    const closed = new Promise<void>((r) => bi.once('close', () => r()));
    bi.publish(T('event'), '{}', { qos: 1 });
    await closed;
    bi.end(true);
  });
});
