/**
 * The queue cap of persistent sessions (`mqtt.maxQueuedMessages`): a staff phone that is
 * offline while alerts keep coming gets only the newest N on reconnect, in order; the
 * dropped ones are counted. Another session's queue is not affected.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/main.js';
import { login, SECRETS, startSecureGateway } from '../support/secure-gateway.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const ALERTS = 'retail/s001/alerts/vip';

describe('MQTT persistent-session queue cap', () => {
  const dir = tempDir();
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startSecureGateway({ dataDir: dir.path, mqttExtra: '  maxQueuedMessages: 5' });
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  /** Reconnects a persistent session and collects what it is sent until `count` arrived. */
  async function drain(clientId: string, user: 'ann' | 'screen', count: number): Promise<string[]> {
    const got: string[] = [];
    const client = mqtt.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId,
      clean: false,
      username: user,
      password: SECRETS[user],
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    client.on('message', (_t, payload) => got.push(payload.toString()));
    await waitFor(() => got.length >= count, `${count} queued messages for ${clientId}`);
    await new Promise((r) => setTimeout(r, 200)); // nothing beyond the cap may follow
    await client.endAsync();
    return got;
  }

  it('keeps the newest messages of an offline session up to the cap, drops and counts the oldest', async () => {
    for (const [id, user] of [
      ['ann-phone', 'ann'],
      ['screen-1', 'screen'],
    ] as const) {
      const client = await login(gateway.mqttPort, user, { clientId: id, clean: false });
      await client.subscribeAsync(ALERTS, { qos: 1 });
      await client.endAsync();
    }
    for (let n = 1; n <= 12; n++) await gateway.broker.publish(ALERTS, `alert-${n}`, { qos: 1, retain: false });

    const expected = [8, 9, 10, 11, 12].map((n) => `alert-${n}`);
    expect(await drain('ann-phone', 'ann', 5)).toEqual(expected);
    expect(await drain('screen-1', 'screen', 5)).toEqual(expected);
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/gateway_mqtt_queue_dropped_total 14/);
    // Delivered and acknowledged: the queues are empty now.
    await waitFor(() => gateway.broker.security.queues?.depth('ann-phone') === 0, 'ann-phone queue emptied');
  });

  it('still delivers live QoS1 traffic to an online persistent session and clears it on PUBACK', async () => {
    const client = await login(gateway.mqttPort, 'ann', { clientId: 'ann-online', clean: false });
    await client.subscribeAsync(ALERTS, { qos: 1 });
    const got: string[] = [];
    client.on('message', (_t, payload) => got.push(payload.toString()));
    for (let n = 1; n <= 20; n++) await gateway.broker.publish(ALERTS, `live-${n}`, { qos: 1, retain: false });
    await waitFor(() => got.length >= 20, '20 live alerts');
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `live-${i + 1}`));
    await waitFor(() => gateway.broker.security.queues?.depth('ann-online') === 0, 'acknowledged messages cleared');
    await client.endAsync();
  });
});
