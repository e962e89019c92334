/**
 * MQTT device credentials: with anonymous access off, a device logs in with its username and
 * scrypt-hashed password and may publish only under its own topics; others are refused.
 */

import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { hashPassword } from '../../gateway/pipeline/broker/credentials.js';
import { tempDir } from '../support/tmp.js';

describe('MQTT device credentials', () => {
  const dir = tempDir();
  let gateway: RunningGateway;
  const url = () => `mqtt://127.0.0.1:${gateway.mqttPort}`;
  const crossing = (id: string) =>
    JSON.stringify({ v: 1, type: 'door.crossing', id, ts: new Date().toISOString(), door: 'main', dir: 'in', n: 1 });
  const refusal = (options: mqtt.IClientOptions) =>
    new Promise<string>((resolve) => {
      const client = mqtt.connect(url(), { reconnectPeriod: 0, connectTimeout: 3000, ...options });
      client.once('connect', () => {
        client.end(true);
        resolve('connected');
      });
      client.once('error', (err) => {
        client.end(true);
        resolve(err.message);
      });
    });

  beforeAll(async () => {
    const config = parseConfig(
      `
version: 1
store: { id: s001, name: "店", timezone: Asia/Shanghai, currency: CNY, openingTime: "09:30", vipTier: 4, locale: en }
mqtt: { port: 0, allowAnonymous: false }
http: { port: 0 }
dataDir: ${join(dir.path, 'data')}
zones: { entrance: { kind: entrance } }
devices:
  door-1: { kind: door-counter, transport: mqtt, door: main, zone: entrance, username: door-1, passwordHash: "${hashPassword('door-1-secret')}" }
  door-2: { kind: door-counter, transport: mqtt, door: side, zone: entrance, username: door-2, passwordHash: "${hashPassword('door-2-secret')}" }
`,
      'auth.yaml',
    );
    gateway = await startGateway({ config, log: createLogger({ level: 'silent' }) });
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  it('refuses anonymous clients, wrong passwords, and an empty client id without a clean session', async () => {
    expect(await refusal({ clientId: 'anon' })).toMatch(/Bad username or password|Not authorized/i);
    expect(await refusal({ clientId: 'door-1', username: 'door-1', password: 'wrong' })).toMatch(
      /Bad username or password/i,
    );
    expect(await rawConnectWithEmptyId(gateway.mqttPort, true)).toBe('accepted');
    expect(await rawConnectWithEmptyId(gateway.mqttPort, false)).not.toBe('accepted');
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/gateway_mqtt_auth_failures_total [2-9]/);
  });

  it('lets a device publish under its own topics and refuses another device’s', async () => {
    const client = await mqtt.connectAsync(url(), {
      clientId: 'door-1',
      username: 'door-1',
      password: 'door-1-secret',
      reconnectPeriod: 0,
    });
    await client.publishAsync('retail/s001/door/door-1/event', crossing('own-1'), { qos: 1 });
    expect(gateway.db.prepare("SELECT device FROM journal WHERE msg_id = 'own-1'").get()).toEqual({ device: 'door-1' });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('retail/s001/door/door-2/event', crossing('spoof-1'), { qos: 1 });
    await closed; // the broker drops a client that publishes where it may not
    expect(gateway.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE msg_id = 'spoof-1'").get()).toEqual({ n: 0 });
    client.end(true);
  });
});

/**
 * mqtt.js will not send a CONNECT with an empty client id and clean session 0, so it goes on
 * a raw socket, with valid credentials so that only [MQTT-3.1.3-8] can refuse it.
 */
function rawConnectWithEmptyId(port: number, cleanSession: boolean): Promise<string> {
  const str = (text: string) => {
    const bytes = Buffer.from(text);
    return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
  };
  const flags = 0xc0 | (cleanSession ? 0x02 : 0x00); // username + password (+ clean session)
  const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, flags, 0x00, 0x3c]);
  const body = Buffer.concat([variable, str(''), str('door-1'), str('door-1-secret')]);
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1', () =>
      socket.write(Buffer.concat([Buffer.from([0x10, body.length]), body])),
    );
    socket.on('data', (d: Buffer) => {
      resolve(d[0] === 0x20 && d[3] === 0 ? 'accepted' : `connack ${d[3]}`);
      socket.destroy();
    });
    socket.on('error', () => resolve('closed'));
    socket.on('close', () => resolve('closed'));
  });
}
