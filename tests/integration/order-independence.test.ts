/**
 * Issue 13 acceptance: the funnel is a function of the set of events, not of their delivery.
 * A slice of a generated store day is delivered in order (as the devices sent it) and then
 * with random per-device lateness — delays up to an hour, batches every minute or every
 * 15 minutes, outages flushed at the end, a kill -9 in the middle — into the real
 * derivation on a real SQLite database. Once everything has arrived, every fact row, every
 * bucket's counters and every VIP alert must equal the in-order delivery's.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimedMessage } from '../../firmware-sim/day/types.js';
import { generateStoreDay, type StoreDay } from '../../firmware-sim/index.js';
import { loadConfig } from '../../gateway/infra/config/index.js';
import type { JournalEvent } from '../../gateway/pipeline/journal/index.js';
import {
  DerivationRig,
  type DerivedDay,
  type DeviceLateness,
  deliver,
  deviceOf,
  runDelivery,
} from '../support/delivery.js';
import { tempDir } from '../support/tmp.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DATE = '2026-11-18';

let day: StoreDay;
let slice: TimedMessage[];
let devices: string[];
let from: number;
let to: number;
let inOrder: DerivedDay;
const dirs: ReturnType<typeof tempDir>[] = [];

function rigAt(start: number): DerivationRig {
  const dir = tempDir('order-');
  dirs.push(dir);
  const config = loadConfig(undefined, { GW_DATA_DIR: dir.path, GW_MQTT_PORT: '0', GW_HTTP_PORT: '0' });
  const rig = new DerivationRig(config, start);
  rig.importReference(day);
  return rig;
}

/** The day's invitations as the API journals them, recorded at `at`. */
function invitationEvents(at: number): JournalEvent[] {
  return day.invitations.map((inv) => ({
    type: 'invitation.recorded' as const,
    device: 'api' as const,
    id: inv.id,
    ts: Date.parse(inv.ts),
    rxTs: at,
    flags: 0 as const,
    invitation: {
      id: inv.id,
      member: inv.member,
      staff: inv.staff,
      channel: inv.channel,
      campaign: inv.campaign,
      ts: Date.parse(inv.ts),
    },
  }));
}

function derive(plan: ReadonlyMap<string, DeviceLateness>, crashAt?: number, invitationsLate = false): DerivedDay {
  const flushAt = to + 2 * HOUR;
  const delivered = deliver(slice, plan, flushAt);
  const rig = rigAt(from - MINUTE);
  try {
    if (!invitationsLate) rig.commit(invitationEvents(from - MINUTE));
    const crashAfter = crashAt === undefined ? undefined : Math.floor(crashAt * delivered.length);
    return runDelivery(rig, delivered, {
      endAt: flushAt + 4 * HOUR,
      ...(crashAfter === undefined ? {} : { crashAfter }),
      // Invitations recorded after the whole day: outcomes are attributed all the same.
      ...(invitationsLate ? { after: { at: flushAt + HOUR, events: invitationEvents(flushAt + HOUR) } } : {}),
    });
  } finally {
    rig.close();
  }
}

function expectSameDay(actual: DerivedDay, expected: DerivedDay): void {
  expect(actual.buckets).toEqual(expected.buckets);
  expect(actual.facts.length).toBe(expected.facts.length);
  expect(actual.facts).toEqual(expected.facts);
  expect(actual.alerts).toEqual(expected.alerts);
}

describe('order independence: the same day, whatever the delivery', () => {
  beforeAll(() => {
    day = generateStoreDay({ seed: 5, date: DATE, visitors: 400 });
    // Three busy hours of the day (late morning to early afternoon, local time).
    const opening = day.messages.find((m) => deviceOf(m.topic) === 'door-1')?.at ?? 0;
    from = opening + 2 * HOUR;
    to = from + 3 * HOUR;
    slice = day.messages.filter((m) => m.at >= from && m.at < to);
    devices = [...new Set(slice.map((m) => deviceOf(m.topic)))].sort();
    inOrder = derive(new Map());
  }, 300_000);
  afterAll(() => {
    for (const d of dirs) d.remove();
  });

  it('the in-order day is not vacuous', () => {
    const count = (type: string) => inOrder.facts.filter((f) => f.startsWith(`${type} `)).length;
    expect(count('session.ended')).toBeGreaterThan(10);
    expect(count('item.tried')).toBeGreaterThan(20);
    expect(count('tried.bought')).toBeGreaterThan(5);
    expect(count('transaction')).toBeGreaterThan(10);
    expect(count('vip.arrival')).toBeGreaterThan(1);
    expect(count('invitation.outcome')).toBeGreaterThan(0);
    const visitors = inOrder.buckets.reduce((n, b) => n + (JSON.parse(b) as { visitors: number }).visitors, 0);
    expect(visitors).toBeGreaterThan(100);
    // The simulated day asks for fitting-room assistance (size swaps, long stays) too.
    expect(inOrder.alerts.filter((id) => id.startsWith('assist:')).length).toBeGreaterThan(3);
    // Delivered in order and in time, every arrival and every card reached the phones.
    expect(inOrder.pushed).toEqual(inOrder.alerts);
  });

  it('random per-device delays, batches, outages flushed at the end and a kill -9 give the same day', () => {
    const lateness: fc.Arbitrary<DeviceLateness> = fc.oneof(
      fc.constant({}),
      fc.record({ delayMs: fc.integer({ min: 0, max: 60 * MINUTE }) }),
      fc.record({ batchMs: fc.constantFrom(MINUTE, 15 * MINUTE), delayMs: fc.integer({ min: 0, max: 30_000 }) }),
      fc
        .record({ start: fc.integer({ min: 0, max: 150 }), length: fc.integer({ min: 5, max: 90 }) })
        .map(({ start, length }) => ({
          outage: { from: from + start * MINUTE, to: from + (start + length) * MINUTE },
        })),
    );
    fc.assert(
      fc.property(
        fc.array(lateness, { minLength: devices.length, maxLength: devices.length }),
        fc.option(fc.double({ min: 0.05, max: 0.95, noNaN: true }), { nil: undefined }),
        (plans, crashAt) => {
          const plan = new Map(devices.map((d, i) => [d, plans[i] ?? {}]));
          expectSameDay(derive(plan, crashAt), inOrder);
        },
      ),
      {
        numRuns: Number(process.env.ORDER_RUNS ?? 6),
        endOnFailure: true,
        // ORDER_SEED replays a failure's seed (fast-check prints it).
        ...(process.env.ORDER_SEED ? { seed: Number(process.env.ORDER_SEED) } : {}),
      },
    );
  }, 600_000);

  it('an app check-in pushed live, then the earlier card read flushed: one alert for the visit', () => {
    // Found by the property above (these lateness values, this day): the arrival moves to
    // the card read; the pushed alert of the app check-in hands its push over instead of
    // staying as a second alert.
    const plan = new Map<string, DeviceLateness>([
      ['pos-1', { batchMs: 15 * MINUTE, delayMs: 13_234 }],
      ['pos-2', { delayMs: 14_603 }],
      ['rfid-fr', { outage: { from: 1794971163885, to: 1794976383885 } }],
      ['street-1', { batchMs: MINUTE, delayMs: 9 }],
    ]);
    const late = derive(plan, 0.45168018937648596);
    expectSameDay(late, inOrder);
    expect(late.pushed.length).toBeGreaterThan(0);
  }, 300_000);

  it('the fitting-room reader flushes its first hour after the rest of the day, killed mid-flush', () => {
    const plan = new Map([['rfid-fr', { outage: { from, to: from + HOUR } }]]);
    expectSameDay(derive(plan), inOrder);
    // kill -9 halfway through the flushed messages: the restart recovers and the rest follows.
    const delivered = deliver(slice, plan, to + 2 * HOUR);
    const flushed = delivered.filter((d) => d.deliverAt === to + 2 * HOUR).length;
    const midFlush = (delivered.length - flushed / 2) / delivered.length;
    expectSameDay(derive(plan, midFlush), inOrder);
  }, 300_000);

  it('the door counter reports only every 15 minutes and the POS syncs 90 s late', () => {
    const plan = new Map<string, DeviceLateness>([
      ['door-1', { batchMs: 15 * MINUTE }],
      ['pos-1', { delayMs: 90_000 }],
      ['pos-2', { delayMs: 90_000 }],
    ]);
    expectSameDay(derive(plan), inOrder);
  });

  it('every device an hour late, and the invitations recorded after the day', () => {
    const plan = new Map(devices.map((d) => [d, { delayMs: HOUR }]));
    const late = derive(plan, undefined, true);
    expectSameDay(late, inOrder);
    // Arrivals derived an hour late are recorded but never buzz a phone.
    expect(late.alerts.length).toBeGreaterThan(0);
    expect(late.pushed).toEqual([]);
  }, 300_000);
});
