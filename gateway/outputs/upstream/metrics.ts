/**
 * Upstream metrics, registered on the gateway instance's registry (GatewayMetrics.registry).
 * Outbox depth and oldest age are read from SQLite when /metrics is scraped (cached 1 s).
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface BacklogSource {
  backlog(): { depth: number; oldestAgeMs: number };
}

export class UpstreamMetrics {
  readonly published: Counter<'kind'>;
  readonly duplicates: Counter;
  readonly publishFailures: Counter;
  readonly connected: Gauge;
  readonly kvApplied: Counter<'bucket' | 'op'>;
  readonly kvRejected: Counter<'bucket'>;
  private cached: { at: number; depth: number; oldestAgeMs: number } | undefined;

  constructor(registry: Registry, backlog: BacklogSource) {
    const read = () => {
      const now = Date.now();
      if (!this.cached || now - this.cached.at > 1000) {
        try {
          this.cached = { at: now, ...backlog.backlog() };
        } catch {
          // The database is closing: keep the last value.
          this.cached ??= { at: now, depth: 0, oldestAgeMs: 0 };
        }
      }
      return this.cached;
    };
    new Gauge({
      name: 'gateway_upstream_outbox_depth',
      help: 'Messages waiting in the upstream outbox for a JetStream acknowledgement.',
      registers: [registry],
      collect() {
        this.set(read().depth);
      },
    });
    new Gauge({
      name: 'gateway_upstream_outbox_oldest_age_seconds',
      help: 'Age of the oldest message waiting in the upstream outbox (0 when empty).',
      registers: [registry],
      collect() {
        this.set(read().oldestAgeMs / 1000);
      },
    });
    this.published = new Counter({
      name: 'gateway_upstream_published_total',
      help: 'Outbox messages acknowledged by JetStream, by kind.',
      labelNames: ['kind'] as const,
      registers: [registry],
    });
    this.duplicates = new Counter({
      name: 'gateway_upstream_duplicates_total',
      help: 'Acknowledged publishes the stream reported as duplicates (re-sent after a lost ack).',
      registers: [registry],
    });
    this.publishFailures = new Counter({
      name: 'gateway_upstream_publish_failures_total',
      help: 'Publishes that failed or timed out; their rows stay in the outbox and are re-sent.',
      registers: [registry],
    });
    this.connected = new Gauge({
      name: 'gateway_upstream_connected',
      help: '1 while connected to NATS.',
      registers: [registry],
    });
    this.kvApplied = new Counter({
      name: 'gateway_upstream_kv_applied_total',
      help: 'KV entries applied to the store copy, by bucket and operation.',
      labelNames: ['bucket', 'op'] as const,
      registers: [registry],
    });
    this.kvRejected = new Counter({
      name: 'gateway_upstream_kv_rejected_total',
      help: 'KV values that failed validation and were ignored.',
      labelNames: ['bucket'] as const,
      registers: [registry],
    });
  }
}
