/**
 * Issue 13 item 3, through the real gateway (embedded aedes, SQLite journal, correlation):
 * receipts that would corrupt the numbers are rejected at ingest (rejected table with a
 * reason, a per-code metric, a PUBACK all the same), a second refund/void of one receipt is
 * ignored and counted, and the good receipts around them still count exactly.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { tempDir } from '../support/tmp.js';

const STORE = 's001';
const ts = new Date(Date.now() - 600_000).toISOString();
let seq = 0;

function receipt(
  device: string,
  fields: { receipt: string; kind?: string; total: number; currency?: string; lines?: object[] },
): { topic: string; payload: string } {
  return {
    topic: `retail/${STORE}/pos/${device}/receipt`,
    payload: JSON.stringify({
      v: 1,
      type: 'pos.receipt',
      id: `p-${++seq}`,
      ts,
      receipt: fields.receipt,
      kind: fields.kind ?? 'sale',
      lines: fields.lines ?? [{ sku: 'SKU-1', qty: 1, price: fields.total }],
      total: fields.total,
      currency: fields.currency ?? 'CNY',
    }),
  };
}

describe('receipts are checked before they count', () => {
  let gateway: RunningGateway;
  let client: MqttClient;
  const dir = tempDir();

  beforeAll(async () => {
    const config = { ...loadConfig(undefined, { GW_MQTT_PORT: '0', GW_HTTP_PORT: '0', GW_DATA_DIR: dir.path }) };
    gateway = await startGateway({ config, log: createLogger({ level: 'silent' }) });
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'tills',
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
  });

  afterAll(async () => {
    await client?.endAsync();
    await gateway?.stop();
    dir.remove();
  });

  it('rejects bad receipts with a reason and a metric, adjusts once, and the good ones still count', async () => {
    const stream = [
      receipt('pos-1', { receipt: 'A1', total: 100 }), // good
      receipt('pos-1', { receipt: 'B1', total: -99_999_999.99, lines: [{ sku: 'X', qty: 1, price: 0 }] }),
      receipt('pos-1', { receipt: 'B2', total: 250, currency: 'USD' }),
      receipt('pos-2', { receipt: 'A2', total: 200.5 }), // good
      receipt('pos-1', { receipt: 'B3', total: 1e308 }),
      receipt('pos-2', { receipt: 'B4', total: 1e308 }),
      receipt('pos-1', {
        receipt: 'B5',
        total: 300,
        lines: [
          { sku: 'Y', qty: 2, price: 100 },
          { sku: 'Z', qty: 1, price: 50 },
        ],
      }),
      receipt('pos-1', { receipt: 'A1', kind: 'void', total: 100 }), // good: voids A1
      receipt('pos-1', { receipt: 'A1', kind: 'refund', total: 100 }), // A1 already voided: ignored
      receipt('pos-2', { receipt: 'A1', total: 40 }), // good: another till's A1
      receipt('pos-2', { receipt: 'A1', total: 40 }), // the same (till, number, kind) re-sent: once
    ];
    // Every one is acknowledged (QoS1), bad ones included: a till must not retry forever.
    const acks = await Promise.all(stream.map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })));
    expect(acks).toHaveLength(stream.length);

    const rejected = gateway.db.prepare('SELECT device, code, reason FROM rejected ORDER BY id').all() as {
      device: string;
      code: string;
      reason: string;
    }[];
    expect(rejected.map((r) => [r.device, r.code])).toEqual([
      ['pos-1', 'bad-amount'],
      ['pos-1', 'wrong-currency'],
      ['pos-1', 'bad-amount'],
      ['pos-2', 'bad-amount'],
      ['pos-1', 'total-mismatch'],
    ]);
    expect(rejected[0]?.reason).toMatch(/sale cannot be negative/);
    expect(rejected[1]?.reason).toMatch(/USD.*CNY/);
    expect(rejected[2]?.reason).toMatch(/beyond the bound/);
    expect(rejected[4]?.reason).toMatch(/sum to 250\.00/);
    // Rejected receipts never reach the journal as events.
    const journaled = gateway.db
      .prepare("SELECT json_extract(body, '$.receipt') AS receipt FROM journal ORDER BY seq")
      .all()
      .map((r) => (r as { receipt: string }).receipt);
    expect(journaled.filter((r) => r.startsWith('B'))).toEqual([]);
    expect(journaled).toHaveLength(6);

    // The good ones count, exactly: A1 100 − void 100, A2 200.50, pos-2's A1 40.
    const totals = gateway.db
      .prepare(
        'SELECT SUM(transactions) AS transactions, SUM(units) AS units, SUM(revenue_cents) AS revenueCents FROM buckets',
      )
      .get();
    expect(totals).toEqual({ transactions: 3, units: 2, revenueCents: 24_050 });

    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    expect(metricValue(metrics, 'gateway_rejected_total{code="bad-amount"}')).toBe(3);
    expect(metricValue(metrics, 'gateway_rejected_total{code="wrong-currency"}')).toBe(1);
    expect(metricValue(metrics, 'gateway_rejected_total{code="total-mismatch"}')).toBe(1);
    expect(metricValue(metrics, 'gateway_messages_total{device="pos-1",result="rejected"}')).toBe(4);
    expect(metricValue(metrics, 'gateway_receipts_ignored_total{reason="already-adjusted"}')).toBe(1);
    expect(metricValue(metrics, 'gateway_receipts_ignored_total{reason="duplicate"}')).toBe(1);
  });
});

function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
