/**
 * A gateway with the demo users (GW_HTTP_AUTH=demo: manager, staff, viewer and the staff
 * persons wangfang 王芳 and lilei 李雷, password = name) on ephemeral ports and a manual
 * clock, an MQTT client for the default config's devices, and helpers that publish what
 * those devices send (entrance antenna 5 of rfid-fr, door-1) with fresh message ids.
 */
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import type { Clock } from '../../gateway/infra/clock/index.js';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';

export interface DemoLoginGateway {
  readonly gateway: RunningGateway;
  readonly devices: MqttClient;
  /** http://127.0.0.1:<port>/api/v1 */
  readonly api: string;
  stop(): Promise<void>;
}

export async function startDemoLoginGateway(dataDir: string, clock: Clock): Promise<DemoLoginGateway> {
  const config = loadConfig(undefined, {
    GW_MQTT_PORT: '0',
    GW_HTTP_PORT: '0',
    GW_DATA_DIR: dataDir,
    GW_HTTP_AUTH: 'demo',
  });
  const gateway = await startGateway({ config, clock, log: pino({ level: 'silent' }), tickEveryMs: 20 });
  const devices = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
    clientId: 'devices',
    reconnectPeriod: 0,
  });
  return {
    gateway,
    devices,
    api: `http://127.0.0.1:${gateway.httpPort}/api/v1`,
    stop: async () => {
      await devices.endAsync();
      await gateway.stop();
    },
  };
}

/** Publishes the default config's devices' messages (store s001), each with a new id. */
export function devicePublisher(devices: MqttClient) {
  let seq = 0;
  const publish = (topic: string, body: Record<string, unknown>) =>
    devices.publishAsync(`retail/s001/${topic}`, JSON.stringify({ v: 1, id: `m-${++seq}`, ...body }), { qos: 1 });
  return {
    publish,
    /** Tags read at the entrance (antenna 5 of rfid-fr) at `ts`. */
    entranceReads: (ts: number, epcs: readonly string[]) => {
      const iso = new Date(ts).toISOString();
      return publish('rfid/rfid-fr/reads', {
        type: 'rfid.reads',
        ts: iso,
        reads: epcs.map((epc) => ({ epc, ant: 5, rssi: -50, ts: iso })),
      });
    },
    /** n people through the main door (door-1) at `ts`. */
    crossing: (ts: number, dir: 'in' | 'out', n: number) =>
      publish('door/door-1/event', { type: 'door.crossing', ts: new Date(ts).toISOString(), door: 'main', dir, n }),
  };
}
