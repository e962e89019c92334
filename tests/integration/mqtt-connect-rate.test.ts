/**
 * Per-address connection rate limit (`mqtt.connectRate`): a burst beyond the bucket is
 * closed on accept without a CONNACK, counted in /metrics and logged with the address;
 * once tokens refill the address connects again.
 */
import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/main.js';
import { login, memoryLogger, startSecureGateway } from '../support/secure-gateway.js';
import { tempDir } from '../support/tmp.js';

/** A raw MQTT 3.1.1 CONNECT (anonymous, clean): resolves 'connack N' or 'closed' if the socket closes first. */
function rawConnect(port: number): Promise<string> {
  const body = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x02, 0x72, 0x31]);
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1', () =>
      socket.write(Buffer.concat([Buffer.from([0x10, body.length]), body])),
    );
    socket.on('data', (d: Buffer) => {
      resolve(d[0] === 0x20 ? `connack ${d[3]}` : `packet ${d[0]}`);
      socket.destroy();
    });
    socket.on('error', () => resolve('closed'));
    socket.on('close', () => resolve('closed'));
  });
}

describe('MQTT connect rate limit per address', () => {
  const dir = tempDir();
  const { log, lines } = memoryLogger();
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startSecureGateway({
      dataDir: dir.path,
      allowAnonymous: true,
      mqttExtra: '  connectRate: { perSecond: 0.5, burst: 3 }',
      log,
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  it('closes connections beyond the burst before CONNACK, counts and logs them, and admits again after refill', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) outcomes.push(await rawConnect(gateway.mqttPort));
    expect(outcomes.slice(0, 3)).toEqual(['connack 0', 'connack 0', 'connack 0']);
    expect(outcomes.slice(3)).toEqual(['closed', 'closed', 'closed']);

    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/gateway_mqtt_connect_rate_limited_total 3/);
    const logged = lines.filter((l) => l.msg === 'mqtt connection refused: connect rate limit');
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(logged[0]).toMatchObject({ remote: '127.0.0.1', component: 'broker' });

    // One token per 2 s (slow enough that the burst above cannot refill midway): then a real client logs in.
    await new Promise((r) => setTimeout(r, 2100));
    const client = await login(gateway.mqttPort, 'ann');
    expect(client.connected).toBe(true);
    await client.endAsync();
  });
});
