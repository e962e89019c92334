/**
 * Fitting-room assistance through the real gateway: a size swap read by the fitting-room
 * reader reaches a staff MQTT subscriber (`retail/{store}/alerts/assist`), the SSE stream
 * and the webhook as a card naming the room and the garments; the first "on my way" wins
 * and shows everywhere; a flushed reader's old swap is recorded, never pushed; the report
 * counts the assisted session and its conversion.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { sgtin96FromGtin } from '../../protocols/index.js';
import { readSse } from '../support/auth.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { startWebhookSink, type WebhookSink } from '../support/webhook-sink.js';

const T0 = Date.parse('2026-11-23T14:00:00+08:00');
const coat = (gtin: string, serial: number) => sgtin96FromGtin({ gtin, companyPrefixLength: 7, serial });
const COAT_M = coat('80614141123458', 1);
const COAT_L = coat('80614141123465', 2);
const COAT_M2 = coat('80614141123458', 3);
const COAT_L2 = coat('80614141123465', 4);

interface Card {
  id: string;
  kind: string;
  type: string;
  room: string;
  reason: string;
  styleName?: string;
  sizes?: string[];
  items: { name?: string; size?: string }[];
  ack: { by: string; name: string } | null;
  late: boolean;
}

describe('fitting-room assistance cards', () => {
  const clock = new ManualClock(T0);
  const dir = tempDir();
  let gateway: RunningGateway;
  let devices: MqttClient;
  let staff: MqttClient;
  let hook: WebhookSink;
  const staffMessages: (Record<string, unknown> & { type: string; room?: string })[] = [];
  const sse: { event: string; data: unknown }[] = [];
  const sseAbort = new AbortController();
  let seq = 0;
  const api = (path: string) => `http://127.0.0.1:${gateway.httpPort}/api/v1${path}`;

  /** One reader message: each tag read once on `ant` at `ts`. */
  const read = (ts: number, epcs: readonly string[], ant: number) => {
    const iso = new Date(ts).toISOString();
    return devices.publishAsync(
      'retail/s001/rfid/rfid-fr/reads',
      JSON.stringify({
        v: 1,
        type: 'rfid.reads',
        id: `r${seq++}`,
        ts: iso,
        reads: epcs.map((epc) => ({ epc, ant, rssi: -50, ts: iso })),
      }),
      { qos: 1 },
    );
  };

  /** A try-on in room `ant` from `from`: M alone for 10 s, then M and L for 30 s; live unless `at` is given. */
  const swap = async (from: number, ant: number, tags: readonly [string, string], live = true) => {
    for (let s = 0; s <= 40; s++) {
      if (live) clock.set(from + s * 1000 + 200);
      await read(from + s * 1000, s < 10 ? [tags[0]] : tags, ant);
    }
  };

  const ack = (id: string, who: string, name?: string) =>
    fetch(api(`/assist/alerts/${encodeURIComponent(id)}/ack`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ staff: who, ...(name === undefined ? {} : { staffName: name }) }),
    });

  beforeAll(async () => {
    hook = await startWebhookSink();
    const base = loadConfig(undefined, {
      GW_MQTT_PORT: '0',
      GW_HTTP_PORT: '0',
      GW_DATA_DIR: dir.path,
      GW_HTTP_AUTH: 'off',
    });
    const config = {
      ...base,
      alerts: { ...base.alerts, webhook: { url: hook.url, format: 'json' as const } },
    };
    gateway = await startGateway({ config, clock, log: createLogger({ level: 'silent' }), tickEveryMs: 20 });
    const put = await fetch(api('/catalog'), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { gtin: '80614141123458', sku: 'WC-M', style: 'WC', color: '驼色', size: 'M', name: '羊毛大衣', price: 1299 },
        { gtin: '80614141123465', sku: 'WC-L', style: 'WC', color: '驼色', size: 'L', name: '羊毛大衣', price: 1299 },
      ]),
    });
    expect(put.status).toBe(200);
    devices = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'devices',
      reconnectPeriod: 0,
    });
    staff = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'staff-phone-1',
      reconnectPeriod: 0,
    });
    await staff.subscribeAsync('retail/s001/alerts/#', { qos: 1 });
    staff.on('message', (_topic, payload) => staffMessages.push(JSON.parse(payload.toString())));
    void readSse(api('/stream?events=assist.alert,assist.ack'), {}, sseAbort.signal, sse);
  });

  afterAll(async () => {
    sseAbort.abort();
    await devices?.endAsync();
    await staff?.endAsync();
    await gateway?.stop();
    hook?.close();
    dir.remove();
  });

  it('a size swap sends staff a card naming the room and the garments, over MQTT, SSE and webhook', async () => {
    await swap(T0, 1, [COAT_M, COAT_L]);
    const card = await waitFor(() => staffMessages.find((m) => m.type === 'room.assist'), 'mqtt card');
    expect(card).toMatchObject({
      v: 1,
      kind: 'assist',
      id: `assist:fr-1@${T0}`,
      room: 'fr-1',
      reason: 'size-swap',
      style: 'WC',
      styleName: '羊毛大衣',
      sizes: ['M', 'L'],
      ts: new Date(T0 + 10_000).toISOString(),
      items: [
        { epc: COAT_M, name: '羊毛大衣', size: 'M', color: '驼色' },
        { epc: COAT_L, name: '羊毛大衣', size: 'L', color: '驼色' },
      ],
    });
    expect(card).not.toHaveProperty('ack');
    await waitFor(() => sse.find((m) => m.event === 'assist.alert'), 'sse card');
    const delivered = await waitFor(() => hook.received[0], 'webhook');
    expect(delivered).toMatchObject({ type: 'room.assist', kind: 'assist', alert: { room: 'fr-1' } });
    expect(staffMessages.filter((m) => m.type === 'room.assist')).toHaveLength(1);
  });

  it('the first "on my way" wins and shows on every phone and screen', async () => {
    const id = `assist:fr-1@${T0}`;
    // The open API takes the claim; with sign-in on, gateway/auth sets both from the session.
    const first = await ack(id, 'wangfang', '王芳');
    expect(first.status).toBe(200);
    const ackMsg = await waitFor(() => staffMessages.find((m) => m.type === 'room.assist.ack'), 'mqtt ack');
    expect(ackMsg).toMatchObject({ v: 1, kind: 'assist', id, room: 'fr-1', ack: { by: 'wangfang', name: '王芳' } });
    await waitFor(() => sse.find((m) => m.event === 'assist.ack'), 'sse ack');
    const second = (await (await ack(id, 'Li Wei')).json()) as { alert: Card };
    expect(second.alert.ack).toMatchObject({ by: 'wangfang', name: '王芳' });
    const list = (await (await fetch(api('/assist/alerts?from=2026-11-23'))).json()) as { alerts: Card[] };
    expect(list.alerts).toMatchObject([{ id, kind: 'assist', ack: { by: 'wangfang', name: '王芳' }, late: false }]);
    expect((await ack('assist:nope', 'x')).status).toBe(404);
    expect(
      (
        await fetch(api(`/assist/alerts/${encodeURIComponent(id)}/ack`), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(400);
  });

  it('a swap flushed later than alerts.maxAge is recorded late and never pushed', async () => {
    const old = T0 + 2 * 60_000;
    clock.set(T0 + 10 * 60_000);
    await swap(old, 2, [COAT_M2, COAT_L2], false);
    // A sentinel: a timely swap in room 3 after the flush proves the flush was derived.
    await swap(T0 + 10 * 60_000, 3, [COAT_M2, COAT_L2]);
    await waitFor(() => staffMessages.find((m) => m.type === 'room.assist' && m.room === 'fr-3'), 'sentinel');
    expect(staffMessages.filter((m) => m.type === 'room.assist').map((m) => m.room)).toEqual(['fr-1', 'fr-3']);
    const list = (await (await fetch(api('/assist/alerts?from=2026-11-23'))).json()) as { alerts: Card[] };
    expect(list.alerts.find((a) => a.room === 'fr-2')).toMatchObject({ id: `assist:fr-2@${old}`, late: true });
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_assist_cards_late_total 1$/m);
  });

  it('the report counts the assisted session and its purchase apart from the unassisted ones', async () => {
    const sale = T0 + 20 * 60_000;
    clock.set(sale);
    await devices.publishAsync(
      'retail/s001/pos/pos-1/receipt',
      JSON.stringify({
        v: 1,
        type: 'pos.receipt',
        id: 'sale-1',
        ts: new Date(sale).toISOString(),
        receipt: 'R-1',
        kind: 'sale',
        lines: [{ epc: COAT_L, qty: 1, price: 1299 }],
        total: 1299,
        currency: 'CNY',
      }),
      { qos: 1 },
    );
    clock.set(sale + 5_000);
    const report = await waitFor(async () => {
      const r = (await (await fetch(api('/fitting-rooms/assistance?from=2026-11-23'))).json()) as {
        total: Record<string, unknown>;
        periods: { start: string }[];
      };
      return r.total.assistedConverted === 1 ? r : undefined;
    }, 'report');
    expect(report.periods.map((p) => p.start)).toEqual(['2026-11-23T00:00:00+08:00']);
    expect(report.total).toMatchObject({
      sessions: 3,
      cards: 3,
      assisted: 1,
      assistedConverted: 1,
      assistedConversion: 1,
      unassisted: 2,
      unassistedConverted: 0,
      unassistedConversion: 0,
    });
  });
});
