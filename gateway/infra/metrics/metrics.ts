/**
 * Prometheus metrics of one gateway instance. A registry per instance (not the global one),
 * so tests can run several gateways in one process.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type IngestResult = 'ingested' | 'duplicate' | 'rejected';

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly messages = new Counter({
    name: 'gateway_messages_total',
    help: 'Device inputs by device and result (ingested, duplicate, rejected).',
    labelNames: ['device', 'result'] as const,
    registers: [this.registry],
  });
  readonly rejections = new Counter({
    name: 'gateway_rejected_total',
    help: 'Rejected inputs by reason code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly commitBatch = new Histogram({
    name: 'gateway_journal_commit_batch_size',
    help: 'Inputs per journal transaction (group commit).',
    buckets: [1, 4, 16, 64, 256, 1024, 4096],
    registers: [this.registry],
  });
  readonly commitFailures = new Counter({
    name: 'gateway_journal_commit_failures_total',
    help: 'Journal transactions that failed and were not acknowledged.',
    registers: [this.registry],
  });
  // Storage outages (gateway/pipeline/ingest/storage-health.ts): by SQLite code, and whether one is on now.
  readonly storageFailures = new Counter({
    name: 'gateway_storage_failures_total',
    help: 'Failed journal commits by SQLite result code (SQLITE_FULL, SQLITE_BUSY, ...).',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly storageFailing = new Gauge({
    name: 'gateway_storage_failing',
    help: '1 while journal commits fail and device messages are not acknowledged, else 0.',
    registers: [this.registry],
  });
  readonly oversized = new Counter({
    name: 'gateway_mqtt_oversized_packets_total',
    help: 'MQTT connections closed for announcing a packet above the byte cap.',
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'gateway_mqtt_auth_failures_total',
    help: 'MQTT connections refused for bad or missing credentials.',
    registers: [this.registry],
  });
  readonly deviceHttpAuthFailures = new Counter({
    name: 'gateway_http_device_auth_failures_total',
    help: 'Device HTTP requests (reader webhook, POS) refused for missing or wrong credentials, by device and reason.',
    labelNames: ['device', 'reason'] as const,
    registers: [this.registry],
  });
  readonly mqttClients = new Gauge({
    name: 'gateway_mqtt_clients',
    help: 'Connected MQTT clients.',
    registers: [this.registry],
  });
  readonly facts = new Counter({
    name: 'gateway_facts_total',
    help: 'Facts produced by correlation, by type.',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly lateInputs = new Counter({
    name: 'gateway_late_inputs_total',
    help: 'Inputs older than what correlation had applied (they rewind derived state).',
    registers: [this.registry],
  });

  readonly rewinds = new Counter({
    name: 'gateway_rewinds_total',
    help: 'Times derived state was recomputed from a checkpoint because of late input.',
    registers: [this.registry],
  });

  readonly vipAlertsLate = new Counter({
    name: 'gateway_vip_alerts_late_total',
    help: 'VIP arrivals recorded but not pushed: older than alerts.maxAge when derived.',
    registers: [this.registry],
  });
  readonly assistCardsLate = new Counter({
    name: 'gateway_assist_cards_late_total',
    help: 'Fitting-room assistance cards recorded but not pushed: older than alerts.maxAge when derived.',
    registers: [this.registry],
  });

  readonly receiptsIgnored = new Counter({
    name: 'gateway_receipts_ignored_total',
    help: 'POS receipts that counted nothing, by reason (duplicate, already-adjusted).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /** Adds a batch's per-device counts at once: cheaper than one labelled inc per message. */
  countBatch(counts: Map<string, number>, result: IngestResult): void {
    for (const [device, n] of counts) this.messages.inc({ device, result }, n);
  }
}
