/**
 * Issue 5 acceptance, HQ → store: 10,000 members imported at HQ (cloud-sink, JetStream KV)
 * reach the real gateway; a VIP's card read at the entrance alerts with the HQ profile;
 * erasing the member at HQ stops their alerts and removes their PII from the store database.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteMembers, importRoster } from '../../cloud-sink/kv-publish.js';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import type { RosterEntry } from '../../protocols/index.js';
import { NatsServer } from '../integration/upstream/support/nats-server.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const T0 = Date.parse('2026-11-23T15:00:00+08:00');
const card = (i: number) => `E28068940000${String(i).padStart(12, '0')}`;
const member = (i: number): RosterEntry => ({
  id: `hq-${i}`,
  name: `会员${i} Member ${i}`,
  tier: i % 5 === 0 ? 5 : 2,
  phone: `1390000${String(i).padStart(4, '0')}`,
  cards: [card(i)],
  notes: `hq-note-${i}`,
  stores: ['s001'], // every member's home store: all 10,000 are in s001's roster view
});

describe('HQ roster to store alerts over JetStream KV', () => {
  const dir = tempDir();
  const clock = new ManualClock(T0);
  let nats: NatsServer;
  let gateway: RunningGateway;
  let staff: MqttClient;
  let reader: MqttClient;
  const alerts: { member: string; profile: { name: string | null } }[] = [];
  let seq = 0;

  const readCard = (c: string) => {
    const ts = new Date(clock.now()).toISOString();
    return reader.publishAsync(
      'retail/s001/rfid/rfid-fr/reads',
      JSON.stringify({ v: 1, type: 'rfid.reads', id: `r${seq++}`, ts, reads: [{ epc: c, ant: 5, rssi: -50, ts }] }),
      { qos: 1 },
    );
  };

  beforeAll(async () => {
    nats = await NatsServer.start();
    const config = loadConfig(undefined, {
      GW_MQTT_PORT: '0',
      GW_HTTP_PORT: '0',
      GW_DATA_DIR: dir.path,
      GW_NATS_URL: nats.url,
      GW_HTTP_AUTH: 'off',
    });
    gateway = await startGateway({ config, clock, log: createLogger({ level: 'silent' }), tickEveryMs: 20 });
    staff = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'staff-1',
      reconnectPeriod: 0,
    });
    await staff.subscribeAsync('retail/s001/alerts/vip', { qos: 1 });
    staff.on('message', (_t, payload) => {
      const m = JSON.parse(payload.toString()) as { type: string; member: { id: string; name: string | null } };
      if (m.type === 'vip.arrival') alerts.push({ member: m.member.id, profile: { name: m.member.name } });
    });
    reader = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'rfid-fr',
      reconnectPeriod: 0,
    });
  });

  afterAll(async () => {
    await staff?.endAsync();
    await reader?.endAsync();
    await gateway?.stop();
    await nats?.dispose();
    dir.remove();
  });

  it('mirrors 10,000 HQ members, alerts with the HQ profile, and forgets an erased member', async () => {
    const nc = await connect({ servers: nats.url });
    await importRoster(
      nc,
      Array.from({ length: 10_000 }, (_, i) => member(i)),
    );
    await waitFor(() => gateway.reference.memberCount() === 10_000, '10,000 members in the store', 30_000);

    await readCard(card(1234 * 5)); // hq-6170, tier 5
    const alert = await waitFor(() => alerts.find((a) => a.member === 'hq-6170'), 'alert for an HQ VIP');
    expect(alert.profile.name).toBe('会员6170 Member 6170');

    await deleteMembers(nc, ['hq-6170']);
    await waitFor(() => gateway.reference.memberById('hq-6170') === undefined, 'member erased in the store', 10_000);
    clock.advance(4 * 3_600_000); // past presence and realertAfter: a card read now would alert a member
    await readCard(card(6170));
    await readCard(card(25)); // another VIP, as a sentinel that reads were processed
    await waitFor(() => alerts.find((a) => a.member === 'hq-25'), 'alert for the sentinel VIP');
    expect(alerts.filter((a) => a.member === 'hq-6170')).toHaveLength(1);

    // The erased member's personal data is gone from the store's database files.
    gateway.db.pragma('wal_checkpoint(TRUNCATE)');
    const files = ['gateway.db', 'gateway.db-wal'].map((f) => {
      try {
        return readFileSync(join(dir.path, f));
      } catch {
        return Buffer.alloc(0);
      }
    });
    for (const bytes of files) {
      expect(bytes.includes(Buffer.from('13900006170')), 'phone').toBe(false);
      expect(bytes.includes(Buffer.from('hq-note-6170')), 'notes').toBe(false);
      expect(bytes.includes(Buffer.from('会员6170')), 'name').toBe(false);
    }
    await nc.close();
  }, 120_000);
});
