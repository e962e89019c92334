/**
 * A gateway with MQTT credentials for the security tests: two devices with passwords,
 * a staff user, a dashboard user and an integration user (`mqtt.users`), on ephemeral ports.
 */
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino, { type Logger } from 'pino';
import { parseConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { hashPassword } from '../../gateway/pipeline/broker/credentials.js';

export const SECRETS = {
  'door-1': 'door-1-secret',
  'door-2': 'door-2-secret',
  ann: 'ann-secret',
  screen: 'screen-secret',
  bi: 'bi-secret',
} as const;

export interface SecureGatewayOptions {
  readonly dataDir: string;
  readonly allowAnonymous?: boolean;
  /** Extra YAML lines inside the `mqtt:` mapping (indented by the caller with 2 spaces). */
  readonly mqttExtra?: string;
  /** Extra YAML lines inside the `http:` mapping. */
  readonly httpExtra?: string;
  readonly tickEveryMs?: number;
  /** Default: silent (TEST_LOG_LEVEL raises it). */
  readonly log?: Logger;
}

export async function startSecureGateway(options: SecureGatewayOptions): Promise<RunningGateway> {
  const config = parseConfig(
    `
version: 1
store: { id: s001, name: "店", timezone: Asia/Shanghai, currency: CNY, openingTime: "09:30", vipTier: 4, locale: en }
mqtt:
  port: 0
  allowAnonymous: ${options.allowAnonymous ?? false}
  users:
    - { username: ann, role: staff, passwordHash: "${hashPassword(SECRETS.ann)}" }
    - { username: screen, role: dashboard, passwordHash: "${hashPassword(SECRETS.screen)}" }
    - { username: bi, role: integration, passwordHash: "${hashPassword(SECRETS.bi)}" }
${options.mqttExtra ?? ''}
http:
  port: 0
${options.httpExtra ?? ''}
dataDir: ${join(options.dataDir, 'data')}
zones: { entrance: { kind: entrance } }
devices:
  door-1: { kind: door-counter, transport: mqtt, door: main, zone: entrance, username: door-1, passwordHash: "${hashPassword(SECRETS['door-1'])}" }
  door-2: { kind: door-counter, transport: mqtt, door: side, zone: entrance, username: door-2, passwordHash: "${hashPassword(SECRETS['door-2'])}" }
`,
    'secure-gateway.yaml',
    {},
    options.dataDir,
  );
  return startGateway({
    config,
    log: options.log ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...(options.tickEveryMs !== undefined ? { tickEveryMs: options.tickEveryMs } : {}),
  });
}

/** A door.crossing payload with this message id. */
export function crossing(id: string): string {
  return JSON.stringify({
    v: 1,
    type: 'door.crossing',
    id,
    ts: new Date().toISOString(),
    door: 'main',
    dir: 'in',
    n: 1,
  });
}

/** Subscribes and resolves with the SUBACK's return codes as the broker sent them (0x80 included). */
export function subscribeRaw(client: mqtt.MqttClient, filters: Record<string, { qos: 0 | 1 | 2 }>): Promise<number[]> {
  return new Promise((resolve) => {
    const onPacket = (packet: mqtt.Packet) => {
      if (packet.cmd === 'suback') {
        client.off('packetreceive', onPacket);
        // MQTT 3.1.1 SUBACK return codes are plain numbers (mqtt-packet's type also allows v5 objects).
        resolve((packet.granted as unknown[]).map(Number));
      }
    };
    client.on('packetreceive', onPacket);
    // mqtt.js reports any 0x80 as an error; the raw SUBACK above is what is asserted.
    client.subscribe(filters, () => undefined);
  });
}

export function login(port: number, user: keyof typeof SECRETS, options: mqtt.IClientOptions = {}) {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: `${user}-${Math.random().toString(16).slice(2, 8)}`,
    username: user,
    password: SECRETS[user],
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...options,
  });
}

/** A logger that keeps its JSON lines in memory, for asserting what was logged. */
export function memoryLogger(level = 'info'): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level },
    {
      write(line: string) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { log, lines };
}
