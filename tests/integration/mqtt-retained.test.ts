/**
 * Retained messages cannot exhaust the gateway's memory (docs/security.md "Abuse limits"):
 * devices publish only inside `retail/{store}/` (a topic outside it is refused and the client
 * dropped), and the broker keeps at most `mqtt.maxRetainedMessages` retained messages of at
 * most `mqtt.maxRetainedBytes` in all; a retained PUBLISH beyond is refused, nothing stored.
 */
import type mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/main.js';
import { login, startSecureGateway } from '../support/secure-gateway.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

/** Publishes and resolves 'kept' when the connection stays up a moment after, else 'dropped'. */
async function publishOutcome(
  client: mqtt.MqttClient,
  topic: string,
  payload: Buffer,
  qos: 0 | 1 = 0,
): Promise<'kept' | 'dropped'> {
  let dropped = false;
  client.once('close', () => {
    dropped = true;
  });
  client.publish(topic, payload, { qos, retain: true }, () => undefined);
  await new Promise((r) => setTimeout(r, 300));
  return dropped ? 'dropped' : 'kept';
}

/** The retained messages an integration subscriber receives under retail/s001/#. */
async function retainedSeen(port: number): Promise<string[]> {
  const reader = await login(port, 'bi');
  const topics: string[] = [];
  reader.on('message', (topic, _p, packet) => {
    if (packet.retain) topics.push(topic);
  });
  await reader.subscribeAsync('retail/s001/#', { qos: 0 });
  await new Promise((r) => setTimeout(r, 300));
  await reader.endAsync();
  return topics.filter((t) => !t.startsWith('retail/s001/live/')).sort();
}

describe('retained message limits', () => {
  const dir = tempDir();
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startSecureGateway({
      dataDir: dir.path,
      mqttExtra: '  maxRetainedMessages: 3\n  maxRetainedBytes: 8192',
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  it('drops a device that publishes (retained) outside retail/{store}/, and stores none of it', async () => {
    const big = Buffer.alloc(200 * 1024, 0x61);
    for (const topic of ['junk/door-1/x', 'x/y/z/door-1/big', 'retail/s999/door/door-1/event']) {
      const device = await login(gateway.mqttPort, 'door-1', { clientId: 'door-1' });
      expect(await publishOutcome(device, topic, big, 1)).toBe('dropped');
      device.end(true);
    }
    expect(gateway.broker.security.retained?.count).toBe(0);
  });

  it('keeps at most maxRetainedMessages retained messages and refuses the next one', async () => {
    const device = await login(gateway.mqttPort, 'door-1', { clientId: 'door-1' });
    for (const n of [1, 2, 3]) {
      expect(await publishOutcome(device, `retail/s001/door/door-1/r${n}`, Buffer.from(`{"n":${n}}`))).toBe('kept');
    }
    // Replacing one that exists is fine; a fourth topic is not.
    expect(await publishOutcome(device, 'retail/s001/door/door-1/r1', Buffer.from('{"n":11}'))).toBe('kept');
    expect(await publishOutcome(device, 'retail/s001/door/door-1/r4', Buffer.from('{"n":4}'))).toBe('dropped');
    device.end(true);
    expect(await retainedSeen(gateway.mqttPort)).toEqual([1, 2, 3].map((n) => `retail/s001/door/door-1/r${n}`));

    // Clearing one (empty retained payload) makes room again.
    const again = await login(gateway.mqttPort, 'door-1', { clientId: 'door-1' });
    expect(await publishOutcome(again, 'retail/s001/door/door-1/r3', Buffer.alloc(0))).toBe('kept');
    expect(await publishOutcome(again, 'retail/s001/door/door-1/r4', Buffer.from('{"n":4}'))).toBe('kept');
    await again.endAsync();
    await waitFor(() => gateway.broker.security.retained?.count === 3, 'three retained');
  });

  it('refuses a retained message that would pass maxRetainedBytes', async () => {
    const device = await login(gateway.mqttPort, 'door-2', { clientId: 'door-2' });
    expect(await publishOutcome(device, 'retail/s001/door/door-2/big', Buffer.alloc(9000, 0x62))).toBe('dropped');
    device.end(true);
    expect(await retainedSeen(gateway.mqttPort)).not.toContain('retail/s001/door/door-2/big');
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/gateway_mqtt_retained_refused_total 2/);
  });
});
