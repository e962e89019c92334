/**
 * VIPs leave "in store" when the door counter empties the store, through the real
 * derivation on SQLite: whether the counter's crossings arrive on time, an hour late or in
 * 15-minute batches, once all has arrived the facts (the departure at the crossing that
 * emptied the store included) equal the in-order delivery's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { TimedMessage } from '../../firmware-sim/day/types.js';
import { loadConfig } from '../../gateway/infra/config/index.js';
import type { DeviceMessage } from '../../protocols/index.js';
import { DerivationRig, type DerivedDay, type DeviceLateness, deliver, runDelivery } from '../support/delivery.js';
import { tempDir } from '../support/tmp.js';

const MIN = 60_000;
/** 14:00 in Shanghai, the demo store's zone: open. */
const T0 = Date.parse('2026-11-18T14:00:00+08:00');
const VIP_CARD = 'E2000017221101441890D001';
const dirs: ReturnType<typeof tempDir>[] = [];

const iso = (ts: number) => new Date(ts).toISOString();
let seq = 0;
function message(ts: number, topic: string, payload: Record<string, unknown>): TimedMessage {
  return { at: ts, topic, payload: { v: 1, id: `e${seq++}`, ts: iso(ts), ...payload } as unknown as DeviceMessage };
}
const door = (ts: number, dir: 'in' | 'out') =>
  message(ts, 'retail/s001/door/door-1/event', { type: 'door.crossing', door: 'main', dir, n: 1 });
/** Antenna 5 is the demo store's entrance, 1 fitting room fr-1. */
const card = (ts: number, ant: 1 | 5) =>
  message(ts, 'retail/s001/rfid/rfid-fr/reads', {
    type: 'rfid.reads',
    reads: [{ epc: VIP_CARD, ant, rssi: -45, ts: iso(ts) }],
  });

const DAY: readonly TimedMessage[] = [
  door(T0, 'in'),
  card(T0 + 1000, 5), // arrives
  door(T0 + 2000, 'in'), // someone else
  door(T0 + 20 * MIN, 'out'), // one left, one still inside
  card(T0 + 22 * MIN, 1), // she is in a fitting room
  door(T0 + 30 * MIN, 'out'), // the store is empty: she left unread
  door(T0 + 60 * MIN, 'in'),
  card(T0 + 60 * MIN + 1000, 5), // back: a new arrival
  door(T0 + 90 * MIN, 'out'),
];

function derive(plan: ReadonlyMap<string, DeviceLateness>): DerivedDay {
  const dir = tempDir('empty-');
  dirs.push(dir);
  const config = loadConfig(undefined, { GW_DATA_DIR: dir.path, GW_MQTT_PORT: '0', GW_HTTP_PORT: '0' });
  const rig = new DerivationRig(config, T0 - MIN);
  rig.importMembers([{ id: 'M-VIP', name: '陈静', tier: 5, cards: [VIP_CARD] }]);
  const flushAt = T0 + 3 * 60 * MIN;
  return runDelivery(rig, deliver(DAY, plan, flushAt), { endAt: flushAt + 4 * 60 * MIN });
}

const departures = (day: DerivedDay) =>
  day.facts
    .filter((f) => f.startsWith('vip.departure '))
    .map((f) => JSON.parse(f.slice('vip.departure '.length)) as { ts: number; reason: string; since: number });

afterAll(() => {
  for (const dir of dirs) dir.remove();
});

describe('the store empties: VIPs leave, whatever the delivery', () => {
  const inOrder = derive(new Map());

  it('in order: she leaves at each crossing that empties the store', () => {
    expect(departures(inOrder).map((d) => [d.ts, d.reason, d.since])).toEqual([
      [T0 + 30 * MIN, 'empty', T0 + 1000],
      [T0 + 90 * MIN, 'empty', T0 + 60 * MIN + 1000],
    ]);
    expect(inOrder.alerts).toHaveLength(2);
  });

  it.each([
    ['an hour late', { delayMs: 60 * MIN }],
    ['in 15-minute batches', { batchMs: 15 * MIN }],
    ['after an outage', { outage: { from: T0, to: T0 + 2 * 60 * MIN } }],
  ] as const)('the door counter %s gives the same facts', (_what, lateness) => {
    const late = derive(new Map([['door-1', lateness]]));
    expect(late.facts).toEqual(inOrder.facts);
    expect(late.alerts).toEqual(inOrder.alerts);
  });
});
