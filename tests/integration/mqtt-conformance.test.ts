/**
 * MQTT 3.1.1 conformance of the embedded broker as standard clients see it: the `mqtt`
 * client (protocolVersion 4) and Debian's mosquitto_pub / mosquitto_sub. CONNACK return
 * codes, the session-present flag, SUBACK codes per filter, and QoS1 delivery to a
 * persistent session after it reconnects.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
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
