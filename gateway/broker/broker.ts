/**
 * The embedded MQTT 3.1.1 broker (aedes). Device messages are ingested inside the process
 * from `authorizePublish`, which is the last hook before aedes writes the PUBACK: holding
 * its callback until the journal commit is what makes a PUBACK mean "durable".
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { Aedes, type AuthorizePublishHandler, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { createWebSocketStream } from 'ws';
import type { GatewayConfig } from '../config/index.js';
import type { Ingest } from '../ingest/index.js';
import type { GatewayMetrics } from '../metrics/index.js';
import { verifyPassword } from './credentials.js';
import { PacketSizeGuard, PacketTooLargeError } from './packet-size-guard.js';

export interface BrokerContext {
  readonly config: GatewayConfig;
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
  readonly ingest: Ingest;
}

/** Clients that logged in with a device's credentials → that device id. */
const deviceOfClient = new WeakMap<Client, string>();

/** The configured device whose username and password these are, if any. */
export function authenticateDevice(
  config: GatewayConfig,
  username: string | undefined,
  password: Buffer | undefined,
): string | undefined {
  if (username === undefined || password === undefined) return undefined;
  for (const [id, device] of Object.entries(config.devices)) {
    if (device.transport === 'mqtt' && device.username === username && device.passwordHash !== undefined) {
      return verifyPassword(password.toString('utf8'), device.passwordHash) ? id : undefined;
    }
  }
  return undefined;
}

export class ReservedTopicError extends Error {
  override readonly name = 'ReservedTopicError';
  readonly code = 'MQTT_TOPIC_RESERVED';
}

export class EmbeddedBroker {
  private server: Server | undefined;
  private serverClosed: Promise<void> | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly aedes: Aedes,
    private readonly ctx: BrokerContext,
  ) {}

  static async create(ctx: BrokerContext): Promise<EmbeddedBroker> {
    const holder: { broker?: EmbeddedBroker } = {};
    const authorizePublish: AuthorizePublishHandler = (client, packet, callback) => {
      if (holder.broker) holder.broker.authorizePublish(client, packet, callback);
      else callback(new Error('broker starting'));
    };
    const aedes = await Aedes.createBroker({
      authorizePublish,
      preConnect: (client, packet, callback) => {
        // [MQTT-3.1.3-8]: an empty client id needs a clean session; aedes would accept it.
        if (packet.clientId === '' && packet.clean === false)
          callback(new Error('empty client id needs clean session'), false);
        else callback(null, true);
      },
      authenticate: (client, username, password, callback) => {
        const device = authenticateDevice(ctx.config, username, password);
        if (device !== undefined) {
          deviceOfClient.set(client, device);
          callback(null, true);
        } else if (username === undefined && ctx.config.mqtt.allowAnonymous) {
          callback(null, true);
        } else {
          ctx.metrics.authFailures.inc();
          ctx.log.warn({ client: client.id, username }, 'mqtt login refused');
          const err = Object.assign(new Error('bad username or password'), { returnCode: 4 as const });
          callback(err, null);
        }
      },
      // One frozen subscriber must not stall delivery for a minute (aedes default 60 s).
      drainTimeout: 15_000,
      heartbeatInterval: 60_000,
      connectTimeout: 10_000,
    });
    const broker = new EmbeddedBroker(aedes, ctx);
    holder.broker = broker;
    aedes.on('client', () => ctx.metrics.mqttClients.inc());
    aedes.on('clientDisconnect', () => ctx.metrics.mqttClients.dec());
    aedes.on('clientError', (client: Client, err: Error) =>
      ctx.log.debug({ client: client.id, err }, 'mqtt client error'),
    );
    return broker;
  }

  /** Listens for MQTT over TCP. Resolves with the bound port (0 picks a free one). */
  listen(port: number, host: string): Promise<number> {
    const server = createServer((socket) => this.handleSocket(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** MQTT over WebSocket (the HTTP server upgrades `/mqtt` and hands the socket here). */
  handleWebSocket(ws: WebSocket): void {
    this.aedes.handle(createWebSocketStream(ws));
  }

  publish(topic: string, payload: string | Buffer, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    const packet: PublishPacket = {
      cmd: 'publish',
      topic,
      payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
      qos: opts.qos,
      retain: opts.retain,
      dup: false,
    };
    return new Promise((resolve, reject) => this.aedes.publish(packet, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Stops accepting new connections at once; connected clients keep publishing until
   * close(). (net.Server#close only calls back once every connection has ended.)
   */
  stopAccepting(): void {
    const server = this.server;
    if (!server || this.serverClosed) return;
    this.serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Closes clients and the broker. */
  async close(): Promise<void> {
    this.stopAccepting();
    for (const socket of this.sockets) socket.destroy();
    await this.serverClosed;
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
  }

  private handleSocket(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.setNoDelay(true);
    const guard = new PacketSizeGuard(this.ctx.config.mqtt.maxPacketBytes);
    guard.on('error', (err) => {
      if (err instanceof PacketTooLargeError) {
        this.ctx.metrics.oversized.inc();
        this.ctx.log.warn({ remote: socket.remoteAddress, err }, 'mqtt packet over the size cap');
      }
      socket.destroy();
    });
    socket.once('close', () => guard.destroy());
    socket.pipe(guard);
    this.aedes.handle(Duplex.from({ readable: guard, writable: socket }));
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void) {
    const topic = packet.topic;
    // A device that logged in publishes only under its own topics.
    const device = client ? deviceOfClient.get(client) : undefined;
    if (device !== undefined && topic.split('/')[3] !== device) {
      callback(new ReservedTopicError(`device ${device} may not publish to ${topic}`));
      return;
    }
    if (topic.startsWith('$') || this.isGatewayTopic(topic)) {
      callback(new ReservedTopicError(`clients may not publish to ${topic}`));
      return;
    }
    if (!topic.startsWith('retail/')) {
      callback(null);
      return;
    }
    if (client === null) {
      callback(null);
      return;
    }
    this.ctx.ingest.fromMqtt(topic, packet.payload as Buffer, (err) => callback(err ?? null));
  }

  /** Topics only the gateway publishes: alerts and live state. */
  private isGatewayTopic(topic: string): boolean {
    const parts = topic.split('/');
    return parts[0] === 'retail' && (parts[2] === 'alerts' || parts[2] === 'live');
  }
}
