/**
 * The embedded MQTT 3.1.1 broker (aedes). Device messages are ingested inside the process
 * from `authorizePublish`, which is the last hook before aedes writes the PUBACK: holding
 * its callback until the journal commit is what makes a PUBACK mean "durable".
 */
import type { IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { Aedes, type AuthorizePublishHandler, type Client, type PublishPacket } from 'aedes';
import { writeToStream } from 'mqtt-packet';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { createWebSocketStream } from 'ws';
import type { GatewayConfig } from '../../infra/config/index.js';
import type { GatewayMetrics } from '../../infra/metrics/index.js';
import type { Ingest } from '../ingest/index.js';
import { publishDenial } from './acl.js';
import { MqttConnection } from './mqtt-connection.js';
import { PacketSizeGuard, PacketTooLargeError } from './packet-size-guard.js';
import { BrokerSecurity } from './security.js';

// mqtt-packet (aedes' encoder) otherwise builds a table of 65,536 two-byte Buffers for message
// ids on first use: 6 MB of live heap that every major GC marks, to save one 2-byte
// allocation per PUBACK. The gateway runs in a store's small PC: memory matters more.
writeToStream.cacheNumbers = false;

export interface BrokerContext {
  readonly config: GatewayConfig;
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
  readonly ingest: Ingest;
}

/**
 * `aedes.publish` as aedes itself calls it, `(packet, client, done)`, beside the public
 * `(packet, done)` of its typings, where the second argument is the callback.
 */
type PublishDone = (err?: Error | null) => void;
type RoutePublish = (packet: PublishPacket, client: Client | null | PublishDone, done?: PublishDone) => void;

export class ReservedTopicError extends Error {
  override readonly name = 'ReservedTopicError';
  readonly code = 'MQTT_TOPIC_RESERVED';
}

export class EmbeddedBroker {
  private server: Server | undefined;
  private serverClosed: Promise<void> | undefined;
  private readonly sockets = new Set<Socket>();
  /** A client has subscribed to a filter that may match a device's topic (see skipsRouting). */
  private telemetryWatched = false;

  private tlsServer: Server | undefined;
  /** The bound mqtts port once listenTls resolved. */
  tlsPort: number | undefined;
  private tlsClosed: Promise<void> | undefined;

  private constructor(
    readonly aedes: Aedes,
    private readonly ctx: BrokerContext,
    /** Access control, connect rate limit, queue cap, TLS (gateway/pipeline/broker/security.ts). */
    readonly security: BrokerSecurity,
  ) {}

  static async create(ctx: BrokerContext): Promise<EmbeddedBroker> {
    const holder: { broker?: EmbeddedBroker } = {};
    const authorizePublish: AuthorizePublishHandler = (client, packet, callback) => {
      if (holder.broker) holder.broker.authorizePublish(client, packet, callback);
      else callback(new Error('broker starting'));
    };
    const security = new BrokerSecurity(ctx.config, ctx.log, ctx.metrics);
    const aedes = await Aedes.createBroker({
      authorizePublish,
      preConnect: (_client, packet, callback) => {
        // [MQTT-3.1.3-8]: an empty client id needs a clean session; aedes would accept it.
        if (packet.clientId === '' && packet.clean === false)
          callback(new Error('empty client id needs clean session'), false);
        else callback(null, true);
      },
      authenticate: security.access.authenticate,
      // A granted filter that may match device topics turns routing of telemetry on (before
      // aedes stores the subscription, so no message falls between the two).
      authorizeSubscribe: (client, sub, callback) =>
        security.access.authorizeSubscribe(client, sub, (err, granted) => {
          if (granted && mayMatchDeviceTopic(granted.topic)) holder.broker?.watchTelemetry();
          callback(err, granted);
        }),
      authorizeForward: security.access.authorizeForward,
      // One frozen subscriber must not stall delivery for a minute (aedes default 60 s).
      drainTimeout: 15_000,
      heartbeatInterval: 60_000,
      connectTimeout: 10_000,
    });
    security.capQueues(aedes);
    const broker = new EmbeddedBroker(aedes, ctx, security);
    holder.broker = broker;
    broker.routeOnlyWhenWatched();
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

  /**
   * MQTT over TLS (`mqtt.tls`), beside the plain listener; same pipeline once decrypted.
   * Resolves with the bound port, or undefined when TLS is not configured.
   */
  listenTls(host: string): Promise<number | undefined> {
    const tls = this.security.tls;
    if (tls === undefined) return Promise.resolve(undefined);
    const { port, ...material } = tls;
    const server = createTlsServer(material, (socket: TLSSocket) => this.handleSocket(socket));
    // Failed handshakes (a plain client on this port, a bad certificate) are the client's problem.
    server.on('tlsClientError', (err, socket) => {
      this.ctx.log.debug({ remote: socket.remoteAddress, err }, 'mqtts handshake failed');
    });
    this.tlsServer = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new Error(`port ${port} is already in use: set mqtt.tls.port in the config file`, { cause: err })
            : err,
        ),
      );
      server.listen(port, host, () => {
        server.removeAllListeners('error');
        const address = server.address();
        this.tlsPort = typeof address === 'object' && address ? address.port : port;
        resolve(this.tlsPort);
      });
    });
  }

  /** MQTT over WebSocket (the HTTP server upgrades `/mqtt` and hands the socket here). */
  handleWebSocket(ws: WebSocket, request?: IncomingMessage): void {
    const remote = request?.socket.remoteAddress;
    if (!this.security.admit(remote)) {
      ws.terminate();
      return;
    }
    const stream = createWebSocketStream(ws);
    this.security.access.rememberRemote(stream, remote);
    this.aedes.handle(stream, request);
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
    const tlsServer = this.tlsServer;
    if (tlsServer && !this.tlsClosed) this.tlsClosed = new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    const server = this.server;
    if (!server || this.serverClosed) return;
    this.serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Closes clients and the broker. */
  async close(): Promise<void> {
    this.stopAccepting();
    for (const socket of this.sockets) socket.destroy();
    await this.serverClosed;
    await this.tlsClosed;
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
  }

  private handleSocket(socket: Socket): void {
    // Connect rate limit per address: closed at once, before any MQTT parsing or password hashing.
    if (!this.security.admit(socket.remoteAddress)) {
      socket.destroy();
      return;
    }
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
    const conn = new MqttConnection(socket, guard);
    this.security.access.rememberRemote(conn, socket.remoteAddress);
    this.aedes.handle(conn);
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void) {
    const topic = packet.topic;
    // A device publishes only under its own topics; staff and dashboard accounts publish nothing.
    const denial = publishDenial(
      client ? this.security.access.principalOf(client) : 'gateway',
      topic,
      this.ctx.config.store.id,
    );
    if (denial !== undefined) {
      this.security.access.publishRefused(client, denial);
      callback(new ReservedTopicError(denial));
      return;
    }
    if (topic.startsWith('$') || this.isGatewayTopic(topic)) {
      callback(new ReservedTopicError(`clients may not publish to ${topic}`));
      return;
    }
    if (packet.retain && client !== null) {
      const full = this.security.retained?.refusal(topic, (packet.payload as Buffer).length);
      if (full !== undefined) {
        this.security.metrics.retainedRefused.inc();
        this.security.access.publishRefused(client, full);
        callback(new ReservedTopicError(full));
        return;
      }
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

  /**
   * Device telemetry is consumed here, in authorizePublish; aedes then routes each message
   * like any publish: a packet copy, a promise chain to queue it for offline sessions, two
   * topic-tree matches and a 'publish' event. In a store without an MQTT integration nobody
   * can receive it: devices subscribe to nothing, staff and screens only to alerts/ and live/
   * (and users publish nothing, so a PUBLISH under retail/ is a device's, or an anonymous demo
   * client's speaking for one). That routing was about 7% of the gateway's CPU under a burst
   * (docs/benchmarks.md 19), so a non-retained PUBLISH under retail/ stops after its PUBACK
   * until some client subscribes to a filter that could match a device topic; from then on,
   * for the life of the process (persistent sessions keep their offline queue), all is routed.
   */
  private routeOnlyWhenWatched(): void {
    const aedes = this.aedes as unknown as { publish: RoutePublish };
    const route = aedes.publish.bind(this.aedes);
    aedes.publish = (packet, client, done) => {
      if (done && typeof client === 'object' && client !== null && this.skipsRouting(packet)) done(null);
      else route(packet, client, done);
    };
  }

  private watchTelemetry(): void {
    if (this.telemetryWatched) return;
    this.telemetryWatched = true;
    this.ctx.log.info({ component: 'broker' }, 'a client reads device topics: routing device messages to subscribers');
  }

  /** A client's PUBLISH that nobody may receive (the caller checked it comes from a client). */
  private skipsRouting(packet: PublishPacket): boolean {
    return (
      !this.telemetryWatched &&
      !packet.retain &&
      packet.topic.startsWith('retail/') &&
      !this.isGatewayTopic(packet.topic)
    );
  }

  /**
   * Topics only the gateway publishes: `retail/{store}/alerts/…` and `retail/{store}/live/…`.
   * Checked on every PUBLISH, so without splitting the topic (ingest splits it once, later).
   */
  private isGatewayTopic(topic: string): boolean {
    if (!topic.startsWith('retail/')) return false;
    const storeEnd = topic.indexOf('/', 'retail/'.length);
    if (storeEnd < 0) return false;
    const third = storeEnd + 1;
    const segmentIs = (word: string) =>
      topic.startsWith(word, third) && (topic.length === third + word.length || topic[third + word.length] === '/');
    return segmentIs('alerts') || segmentIs('live');
  }
}

/**
 * False only for filters that provably match no device topic (`retail/{store}/{family}/…`
 * whose family is not alerts or live): `$` topics and filters under alerts/ or live/.
 */
export function mayMatchDeviceTopic(filter: string): boolean {
  if (filter.startsWith('$')) return filter.startsWith('$share/') && mayMatchDeviceTopic(sharedFilter(filter));
  const levels = filter.split('/');
  const family = levels[2];
  return !(levels.length >= 3 && (family === 'alerts' || family === 'live'));
}

/** `$share/{group}/{filter}` → `{filter}`. */
function sharedFilter(filter: string): string {
  const afterGroup = filter.indexOf('/', '$share/'.length);
  return afterGroup < 0 ? '' : filter.slice(afterGroup + 1);
}
