/**
 * A client id belongs to one principal (docs/security.md "Client ids"): another login that
 * presents it is refused with CONNACK 0x05 while the owner is connected or keeps a persistent
 * session, and a configured device's id is its own. Every delivery is re-checked against the
 * receiver's role (aedes authorizeForward), and the `dashboard` role gets VIP arrivals without
 * the member profile, live and from its offline queue.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/main.js';
import { login, SECRETS, startSecureGateway } from '../support/secure-gateway.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const ALERTS = 'retail/s001/alerts/vip';
const ARRIVAL = JSON.stringify({
  v: 1,
  type: 'vip.arrival',
  id: 'M-VIP@1',
  ts: '2026-11-23T06:00:00.000Z',
  member: {
    id: 'M-VIP',
    name: '陈静',
    tier: 5,
    sizes: { top: 'M' },
    brands: ['X'],
    notes: '喜欢真丝',
    recentPurchases: [],
  },
  zone: 'entrance',
  via: 'card',
  invitation: { id: 'i1', campaign: 'c', staff: 'ann', channel: 'wechat', ts: 1 },
});

/** Connects and resolves with 'connected' or the CONNACK return code of a refusal. */
function attempt(port: number, user: keyof typeof SECRETS, options: mqtt.IClientOptions) {
  return new Promise<{ outcome: number | string | undefined; client: mqtt.MqttClient }>((resolve) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      username: user,
      password: SECRETS[user],
      protocolVersion: 4,
      reconnectPeriod: 0,
      ...options,
    });
    let settled = false;
    const done = (outcome: number | string | undefined) => {
      if (settled) return;
      settled = true;
      resolve({ outcome, client });
    };
    client.once('connect', () => done('connected'));
    client.once('error', (err) => done((err as { code?: number }).code));
    client.once('close', () => setTimeout(() => done('closed'), 50));
  });
}

describe('MQTT client ids bound to principals', () => {
  const dir = tempDir();
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startSecureGateway({ dataDir: dir.path });
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  it("refuses a device login that takes a staff phone's persistent client id; the phone keeps its queued alert", async () => {
    const phone = await login(gateway.mqttPort, 'ann', { clientId: 'ann-phone', clean: false });
    await phone.subscribeAsync(ALERTS, { qos: 1 });
    await phone.endAsync();
    await gateway.broker.publish(ALERTS, ARRIVAL, { qos: 1, retain: false });

    const thief = await attempt(gateway.mqttPort, 'door-1', { clientId: 'ann-phone', clean: false });
    const stolen: string[] = [];
    thief.client.on('message', (_t, p) => stolen.push(p.toString()));
    expect(thief.outcome).toBe(5);
    thief.client.end(true);
    // Nor with a clean session, which would wipe the phone's queue.
    const wiper = await attempt(gateway.mqttPort, 'screen', { clientId: 'ann-phone', clean: true });
    expect(wiper.outcome).toBe(5);
    wiper.client.end(true);

    const got: string[] = [];
    const back = mqtt.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'ann-phone',
      clean: false,
      username: 'ann',
      password: SECRETS.ann,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    back.on('message', (_t, p) => got.push(p.toString()));
    await waitFor(() => got.length === 1, 'the queued alert');
    expect(JSON.parse(got[0] ?? '{}').member.name).toBe('陈静');
    expect(stolen).toEqual([]);
    await back.endAsync();
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/gateway_mqtt_client_id_refused_total 2/);
  });

  it("does not let another login reuse a device's id and kick the device off", async () => {
    const door = await login(gateway.mqttPort, 'door-1', { clientId: 'door-1' });
    let kicked = false;
    door.on('close', () => {
      kicked = true;
    });
    for (const user of ['door-2', 'ann'] as const) {
      const other = await attempt(gateway.mqttPort, user, { clientId: 'door-1' });
      expect(other.outcome).toBe(5);
      other.client.end(true);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(kicked).toBe(false);
    expect(door.connected).toBe(true);
    await door.endAsync();
    // Still the device's id when it is offline.
    const later = await attempt(gateway.mqttPort, 'door-2', { clientId: 'door-1' });
    expect(later.outcome).toBe(5);
    later.client.end(true);
  });

  it('frees a clean-session client id when its holder disconnects', async () => {
    const first = await login(gateway.mqttPort, 'ann', { clientId: 'shared-tablet' });
    const busy = await attempt(gateway.mqttPort, 'screen', { clientId: 'shared-tablet' });
    expect(busy.outcome).toBe(5);
    busy.client.end(true);
    expect(first.connected).toBe(true);
    await first.endAsync();
    await waitFor(async () => {
      const next = await attempt(gateway.mqttPort, 'screen', { clientId: 'shared-tablet' });
      next.client.end(true);
      return next.outcome === 'connected';
    }, 'the id free again');
  });

  it('gives the dashboard role VIP arrivals without the profile, live and queued; staff get the profile', async () => {
    const screenQueued = await login(gateway.mqttPort, 'screen', { clientId: 'screen-q', clean: false });
    await screenQueued.subscribeAsync(ALERTS, { qos: 1 });
    await screenQueued.endAsync();
    const screen = await login(gateway.mqttPort, 'screen');
    const staff = await login(gateway.mqttPort, 'ann');
    const seen: Record<string, string[]> = { screen: [], staff: [], queued: [] };
    screen.on('message', (_t, p) => seen.screen?.push(p.toString()));
    staff.on('message', (_t, p) => seen.staff?.push(p.toString()));
    await screen.subscribeAsync(ALERTS, { qos: 1 });
    await staff.subscribeAsync(ALERTS, { qos: 1 });
    await gateway.broker.publish(ALERTS, ARRIVAL, { qos: 1, retain: false });
    await waitFor(() => seen.screen?.length === 1 && seen.staff?.length === 1, 'live alerts');
    const back = await login(gateway.mqttPort, 'screen', { clientId: 'screen-q', clean: false });
    back.on('message', (_t, p) => seen.queued?.push(p.toString()));
    await waitFor(() => seen.queued?.length === 1, 'queued alert');

    expect(JSON.parse(seen.staff?.[0] ?? '{}').member.notes).toBe('喜欢真丝');
    for (const text of [seen.screen?.[0], seen.queued?.[0]]) {
      const message = JSON.parse(text ?? '{}');
      expect(message).toEqual({
        v: 1,
        type: 'vip.arrival',
        id: 'M-VIP@1',
        ts: '2026-11-23T06:00:00.000Z',
        member: { id: 'M-VIP', tier: 5 },
        zone: 'entrance',
        via: 'card',
      });
    }
    for (const c of [screen, staff, back]) await c.endAsync();
  });

  it('re-checks a delivery against the receiving client (authorizeForward)', async () => {
    const door = await login(gateway.mqttPort, 'door-2', { clientId: 'door-2' });
    const client = [
      ...Object.values((gateway.broker.aedes as unknown as { clients: Record<string, unknown> }).clients),
    ].find((c) => (c as { id: string }).id === 'door-2');
    const packet = {
      cmd: 'publish' as const,
      topic: ALERTS,
      payload: Buffer.from(ARRIVAL),
      qos: 1 as const,
      retain: false,
      dup: false,
      brokerId: 'x',
      brokerCounter: 1,
    };
    // A device may read nothing: whatever reached its session is not forwarded.
    expect(gateway.broker.aedes.authorizeForward(client as never, packet)).toBeNull();
    await door.endAsync();
  });
});
