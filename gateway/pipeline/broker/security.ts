/**
 * The broker's security parts built from the config in one place: access control (who may
 * log in, publish, subscribe), the per-address connect rate limit, the queue cap of
 * persistent sessions, and the TLS material of the mqtts listener.
 */
import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../infra/config/index.js';
import type { GatewayMetrics } from '../../infra/metrics/index.js';
import { AccessControl } from './access.js';
import { BoundedOutgoingQueues, type QueuedPacket } from './offline-queue.js';
import { ConnectRateLimiter } from './rate-limit.js';
import { RetainedCap } from './retained-cap.js';
import { BrokerSecurityMetrics } from './security-metrics.js';
import { readTlsFiles } from './tls.js';

export class BrokerSecurity {
  readonly metrics: BrokerSecurityMetrics;
  readonly access: AccessControl;
  readonly limiter: ConnectRateLimiter | undefined;
  /** Certificate and key of the mqtts listener, when `mqtt.tls` is set (read at start). */
  readonly tls: { readonly port: number; cert: Buffer; key: Buffer; ca?: Buffer } | undefined;
  queues: BoundedOutgoingQueues | undefined;
  retained: RetainedCap | undefined;

  constructor(
    private readonly config: GatewayConfig,
    private readonly log: Logger,
    gatewayMetrics: GatewayMetrics,
  ) {
    this.metrics = new BrokerSecurityMetrics(gatewayMetrics.registry);
    this.access = new AccessControl(config, log, gatewayMetrics, this.metrics);
    const rate = config.mqtt.connectRate;
    this.limiter = rate ? new ConnectRateLimiter(rate, log, this.metrics) : undefined;
    const tls = config.mqtt.tls;
    this.tls = tls ? { port: tls.port, ...readTlsFiles('mqtt.tls', tls) } : undefined;
  }

  /** Caps the QoS1 queue of each persistent session of this broker (before any client connects). */
  capQueues(aedes: Aedes): void {
    const max = this.config.mqtt.maxQueuedMessages;
    const dropped = new Map<string, { n: number; at: number }>();
    this.access.attach(aedes);
    this.retained = RetainedCap.install(
      (aedes as unknown as { persistence: object }).persistence,
      {
        maxMessages: this.config.mqtt.maxRetainedMessages,
        maxBytes: this.config.mqtt.maxRetainedBytes,
      },
      (topic) =>
        topic.startsWith(`retail/${this.config.store.id}/live/`) ||
        topic.startsWith(`retail/${this.config.store.id}/alerts/`),
    );
    this.queues = BoundedOutgoingQueues.install((aedes as unknown as { persistence: object }).persistence, {
      max,
      // A persistent session's queue holds what its principal may read (alerts reduced for dashboards).
      view: (clientId, packet) => {
        const principal = this.access.principalOfClientId(clientId);
        const p = packet as QueuedPacket & { topic?: unknown; payload?: unknown };
        if (principal === undefined || typeof p.topic !== 'string') return packet;
        return (
          this.access.viewFor(principal, p as QueuedPacket & { topic: string; payload: unknown }, clientId) ?? undefined
        );
      },
      onDrop: (clientId) => {
        this.metrics.queueDropped.inc();
        // One line per client per minute with the count, not one per dropped message.
        const now = Date.now();
        const entry = dropped.get(clientId) ?? { n: 0, at: 0 };
        entry.n++;
        if (now - entry.at >= 60_000) {
          this.log.warn(
            { client: clientId, max, dropped: entry.n },
            'mqtt session queue full: dropped its oldest messages',
          );
          entry.n = 0;
          entry.at = now;
        }
        if (!dropped.has(clientId) && dropped.size >= 10_000) dropped.clear();
        dropped.set(clientId, entry);
      },
    });
  }

  /** Whether a new connection from `address` may proceed (false: close it now, no CONNACK). */
  admit(address: string | undefined): boolean {
    return this.limiter === undefined || this.limiter.allow(address);
  }
}
