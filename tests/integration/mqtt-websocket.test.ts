/** MQTT over WebSocket on the HTTP port (`/mqtt`): the path browsers and staff apps use. */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { tempDir } from '../support/tmp.js';

describe('MQTT over WebSocket', () => {
  let gateway: RunningGateway;
  const dir = tempDir();
  beforeAll(async () => {
    const config = loadConfig(undefined, {
      GW_MQTT_PORT: '0',
      GW_HTTP_PORT: '0',
      GW_DATA_DIR: dir.path,
      GW_HTTP_AUTH: 'off',
    });
    gateway = await startGateway({ config, log: createLogger({ level: 'silent' }) });
  });
  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  it('ingests a QoS1 publish made over ws://…/mqtt and acknowledges it after the journal commit', async () => {
    const client = await mqtt.connectAsync(`ws://127.0.0.1:${gateway.httpPort}/mqtt`, {
      clientId: 'door-1',
      reconnectPeriod: 0,
    });
    const payload = {
      v: 1,
      type: 'door.crossing',
      id: 'ws-1',
      ts: new Date().toISOString(),
      door: 'main',
      dir: 'in',
      n: 1,
    };
    await client.publishAsync('retail/s001/door/door-1/event', JSON.stringify(payload), { qos: 1 });
    expect(gateway.db.prepare("SELECT device, type FROM journal WHERE msg_id = 'ws-1'").get()).toEqual({
      device: 'door-1',
      type: 'door.crossing',
    });
    await client.endAsync();
  });

  it('refuses WebSocket upgrades on other paths', async () => {
    const client = mqtt.connect(`ws://127.0.0.1:${gateway.httpPort}/other`, {
      reconnectPeriod: 0,
      connectTimeout: 2000,
    });
    const outcome = await new Promise<string>((resolve) => {
      client.once('connect', () => resolve('connected'));
      client.once('error', () => resolve('refused'));
      client.once('close', () => resolve('refused'));
    });
    client.end(true);
    expect(outcome).toBe('refused');
  });
});
