/**
 * The simulated store's devices as MQTT clients (client id = device id), for tests that
 * replay a day into a gateway process that may die: a publish reports whether it was
 * acknowledged, and the fleet reconnects to a restarted gateway.
 */
import mqtt, { type MqttClient } from 'mqtt';

export class DeviceFleet {
  private clients = new Map<string, MqttClient>();

  constructor(private readonly devices: readonly string[]) {}

  static of(messages: readonly { topic: string }[]): DeviceFleet {
    return new DeviceFleet([...new Set(messages.map((m) => deviceOf(m.topic)))]);
  }

  /** (Re)connects every device to the broker on `port`. */
  async connect(port: number): Promise<void> {
    this.end();
    for (const device of this.devices) {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: device, reconnectPeriod: 0 });
      client.on('error', () => undefined);
      this.clients.set(device, client);
    }
  }

  /** Publishes at QoS 1; false when the gateway went away before acknowledging. */
  publish(topic: string, payload: string): Promise<boolean> {
    const client = this.clients.get(deviceOf(topic));
    if (!client?.connected) return Promise.resolve(false);
    return new Promise((resolve) => {
      client.once('close', () => resolve(false));
      client.publish(topic, payload, { qos: 1 }, (err) => resolve(!err));
    });
  }

  end(): void {
    for (const client of this.clients.values()) client.end(true);
    this.clients = new Map();
  }
}

function deviceOf(topic: string): string {
  return topic.split('/')[3] ?? '';
}
