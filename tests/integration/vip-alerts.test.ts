/**
 * VIP arrival alerts through the real gateway: a card read (or an app check-in) at the
 * entrance reaches a staff MQTT subscriber, the SSE stream and a webhook, with the profile
 * staff need; no alert for non-VIPs or within realertAfter; an ack shows everywhere.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { readSse } from '../support/auth.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { startWebhookSink, type WebhookSink } from '../support/webhook-sink.js';

const T0 = Date.parse('2026-11-23T14:00:00+08:00');
const VIP_CARD = 'E280689400005014AABB0001';
const VIP2_CARD = 'E280689400005014AABB0002';
const PLAIN_CARD = 'E280689400005014AABB0003';

interface Alert {
  id: string;
  member: string;
  zone: string;
  profile: { name: string | null; tier: number; sizes: unknown; invitation: { campaign: string } | null };
  ack: { by: string } | null;
}

describe('VIP arrival alerts', () => {
  const clock = new ManualClock(T0);
  const dir = tempDir();
  let gateway: RunningGateway;
  let devices: MqttClient;
  let staff: MqttClient;
  let hook: WebhookSink;
  // MQTT vip.arrival as DESIGN has it: `member` is the staff profile, `invitation` beside it.
  const staffMessages: {
    type: string;
    member?: { id: string } & Alert['profile'];
    invitation?: { campaign: string };
  }[] = [];
  const sse: { event: string; data: unknown }[] = [];
  const sseAbort = new AbortController();
  let seq = 0;
  const api = (path: string) => `http://127.0.0.1:${gateway.httpPort}/api/v1${path}`;

  const cardAtEntrance = (card: string) => {
    const ts = new Date(clock.now()).toISOString();
    return devices.publishAsync(
      'retail/s001/rfid/rfid-fr/reads',
      JSON.stringify({ v: 1, type: 'rfid.reads', id: `r${seq++}`, ts, reads: [{ epc: card, ant: 5, rssi: -50, ts }] }),
      { qos: 1 },
    );
  };

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

    const put = await fetch(api('/members'), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          id: 'M-VIP',
          name: '陈静',
          tier: 5,
          phone: '13800000000',
          cards: [VIP_CARD],
          sizes: { top: 'M' },
          notes: '喜欢真丝',
        },
        { id: 'M-VIP2', name: 'Alice Wong', tier: 4, cards: [VIP2_CARD, 'app:alice'] },
        { id: 'M-PLAIN', name: '普通会员', tier: 2, cards: [PLAIN_CARD] },
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
    await staff.subscribeAsync('retail/s001/alerts/vip', { qos: 1 });
    staff.on('message', (_topic, payload) => staffMessages.push(JSON.parse(payload.toString())));
    void readSse(api('/stream'), {}, sseAbort.signal, sse);
  });

  afterAll(async () => {
    sseAbort.abort();
    await devices?.endAsync();
    await staff?.endAsync();
    await gateway?.stop();
    hook?.close();
    dir.remove();
  });

  it('alerts staff on a VIP card read at the entrance, with the profile, over MQTT, SSE and webhook', async () => {
    await cardAtEntrance(VIP_CARD);
    const alert = await waitFor(
      () => staffMessages.find((m) => m.type === 'vip.arrival' && m.member?.id === 'M-VIP'),
      'mqtt alert',
    );
    expect(alert.member).toMatchObject({ id: 'M-VIP', name: '陈静', tier: 5, sizes: { top: 'M' } });
    expect(alert.invitation).toBeUndefined();
    await waitFor(() => sse.find((m) => m.event === 'vip.arrival'), 'sse alert');
    const delivered = await waitFor(() => hook.received[0] as { type: string; alert: Alert } | undefined, 'webhook');
    expect(delivered.type).toBe('vip.arrival');
    expect(delivered.alert.member).toBe('M-VIP');
  });

  it('does not alert for a non-VIP member, nor again within realertAfter', async () => {
    await cardAtEntrance(PLAIN_CARD);
    clock.advance(10 * 60_000); // 10 min later the VIP's card is read at the entrance again
    await cardAtEntrance(VIP_CARD);
    clock.advance(5_000);
    // A sentinel: a second VIP arriving after them proves the earlier reads were processed.
    await devices.publishAsync(
      'retail/s001/member/app/seen',
      JSON.stringify({
        v: 1,
        type: 'member.seen',
        id: 'app-1',
        ts: new Date(clock.now()).toISOString(),
        credential: 'app:alice',
        zone: 'entrance',
        via: 'app',
      }),
      { qos: 1 },
    );
    await waitFor(
      () => staffMessages.find((m) => m.type === 'vip.arrival' && m.member?.id === 'M-VIP2'),
      'second VIP alert',
    );
    const arrivals = staffMessages.filter((m) => m.type === 'vip.arrival').map((m) => m.member?.id);
    expect(arrivals).toEqual(['M-VIP', 'M-VIP2']);
  });

  it('an acknowledgement shows on every screen and in the alert list', async () => {
    const list = (await (await fetch(api('/vip/alerts?from=2026-11-23'))).json()) as { alerts: Alert[] };
    const alert = list.alerts.find((a) => a.member === 'M-VIP');
    expect(alert?.ack).toBeNull();
    const res = await fetch(api(`/vip/alerts/${encodeURIComponent(alert?.id ?? '')}/ack`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ staff: '王芳' }),
    });
    expect(res.status).toBe(200);
    await waitFor(() => sse.find((m) => m.event === 'vip.ack'), 'sse ack');
    await waitFor(() => staffMessages.find((m) => m.type === 'vip.ack'), 'mqtt ack');
    const after = (await (await fetch(api('/vip/alerts?from=2026-11-23'))).json()) as { alerts: Alert[] };
    expect(after.alerts.find((a) => a.member === 'M-VIP')?.ack?.by).toBe('王芳');
    expect(
      (
        await fetch(api('/vip/alerts/nope/ack'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"staff":"x"}',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await fetch(api(`/vip/alerts/${encodeURIComponent(alert?.id ?? '')}/ack`), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(400);
  });

  it('an invited VIP arriving after realertAfter alerts again, carrying the open invitation', async () => {
    const res = await fetch(api('/invitations'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ member: 'M-VIP', staff: '李娜', channel: 'wechat', campaign: '冬季新品' }),
    });
    expect(res.status).toBe(201);
    clock.advance(3 * 3_600_000); // they left long ago (presence timeout) and come back
    await cardAtEntrance(VIP_CARD);
    const again = await waitFor(
      () => staffMessages.filter((m) => m.type === 'vip.arrival' && m.member?.id === 'M-VIP')[1],
      'second alert for the invited VIP',
    );
    expect(again.invitation?.campaign).toBe('冬季新品');
    const report = (await (await fetch(api('/invitations/report?from=2026-11-23'))).json()) as {
      totals: { invited: number; arrived: number; tried: number; triedUnknown: number };
      byStaff: { staff: string; arrived: number }[];
    };
    // Arrived, but no credential of theirs in a fitting room: "tried" is unknown, not yes.
    expect(report.totals).toMatchObject({ invited: 1, arrived: 1, tried: 0, triedUnknown: 1 });
    expect(report.byStaff[0]).toMatchObject({ staff: '李娜', arrived: 1, tried: 0, triedUnknown: 1 });
    expect(
      (
        await fetch(api('/invitations'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"member":"nobody","staff":"a","channel":"b","campaign":"c"}',
        })
      ).status,
    ).toBe(400);
  });
});
