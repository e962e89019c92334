/**
 * Facts depend only on the inputs and their order, never on when ticks come: random
 * scenarios are run with and without random ticks between the inputs, and with a
 * snapshot → JSON → restore in the middle; every run must give the very same facts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Correlator, type CorrelatorInput, type Fact } from '../../../gateway/pipeline/correlate/index.js';
import type { DeviceEvent } from '../../../protocols/index.js';
import {
  crossing,
  ev,
  HOUR,
  invitation,
  JEANS,
  MEMBERS,
  memberSeen,
  receipt,
  S,
  SHIRT_L,
  SHIRT_M,
  SHIRT_M2,
  SKU_ONLY,
  STAFF_BADGE,
  T0,
  tag,
  testConfig,
  testLookups,
  tick,
  totals,
  UNKNOWN,
} from './helpers.js';

const GARMENTS = [SHIRT_M, SHIRT_M2, SHIRT_L, JEANS, SKU_ONLY, UNKNOWN];
const ROOMS = ['fr-1', 'fr-2'] as const;
const MEMBER_ZONES = ['entrance', 'entrance', 'fr-1', 'floor'] as const;
const SPAN = 20 * 60 * S;

const time = fc.integer({ min: 0, max: SPAN });
const delay = fc.integer({ min: 0, max: 2500 });

const action = fc.oneof(
  fc.record({ kind: fc.constant('in' as const), t: time, d: delay, n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({
    kind: fc.constant('staff' as const),
    t: time,
    d: delay,
    badgeOffset: fc.integer({ min: -4000, max: 4000 }),
  }),
  fc.record({ kind: fc.constant('out' as const), t: time, d: delay, n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('street' as const), t: time, d: delay, n: fc.integer({ min: 1, max: 5 }) }),
  fc.record({
    kind: fc.constant('totals' as const),
    t: time,
    d: delay,
    dIn: fc.integer({ min: 0, max: 4 }),
    dOut: fc.integer({ min: 0, max: 4 }),
    restart: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('tryon' as const),
    t: time,
    d: delay,
    garment: fc.integer({ min: 0, max: GARMENTS.length - 1 }),
    room: fc.integer({ min: 0, max: 1 }),
    seconds: fc.integer({ min: 1, max: 70 }),
    rssi: fc.integer({ min: -75, max: -40 }),
    crossRead: fc.option(fc.integer({ min: -10, max: 10 })),
  }),
  fc.record({
    kind: fc.constant('member' as const),
    t: time,
    d: delay,
    member: fc.integer({ min: 0, max: MEMBERS.length - 1 }),
    zone: fc.integer({ min: 0, max: MEMBER_ZONES.length - 1 }),
    card: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('receipt' as const),
    t: time,
    d: delay,
    receiptKind: fc.constantFrom('sale' as const, 'sale' as const, 'refund' as const, 'void' as const),
    lines: fc.array(
      fc.record({
        garment: fc.integer({ min: 0, max: GARMENTS.length - 1 }),
        by: fc.constantFrom('epc' as const, 'gtin' as const, 'sku' as const),
        qty: fc.integer({ min: 0, max: 2 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    member: fc.option(fc.integer({ min: 0, max: MEMBERS.length - 1 })),
  }),
  fc.record({
    kind: fc.constant('invite' as const),
    t: fc.integer({ min: -2 * HOUR, max: SPAN }),
    member: fc.integer({ min: 0, max: MEMBERS.length - 1 }),
  }),
);

type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

interface Keyed {
  readonly key: number;
  readonly input: CorrelatorInput;
}

/**
 * Expands actions into inputs in the order the derivation feeds them: event time (ties in
 * arrival order). The receive delays only change rxTs, which correlation never reads.
 */
function scenario(actions: readonly Action[]): CorrelatorInput[] {
  const events: Keyed[] = [];
  const push = (e: DeviceEvent) => events.push({ key: e.ts, input: ev(e) });
  let totalIn = 0;
  let totalOut = 0;
  let boot = 0;
  let receiptNo = 0;
  const sorted = [...actions].sort((a, b) => a.t - b.t);
  for (const a of sorted) {
    const ts = T0 + a.t;
    switch (a.kind) {
      case 'in':
        push(crossing(ts, 'in', { n: a.n, rxTs: ts + a.d }));
        break;
      case 'staff':
        push(crossing(ts, 'in', { rxTs: ts + a.d }));
        push(tag(STAFF_BADGE, 'entrance', ts + a.badgeOffset, { rxTs: Math.max(ts, ts + a.badgeOffset) + a.d }));
        break;
      case 'out':
        push(crossing(ts, 'out', { n: a.n, rxTs: ts + a.d }));
        break;
      case 'street':
        push(crossing(ts, 'in', { n: a.n, zone: 'street', door: 'street', rxTs: ts + a.d }));
        break;
      case 'totals':
        if (a.restart) {
          boot++;
          totalIn = a.dIn;
          totalOut = a.dOut;
        } else {
          totalIn += a.dIn;
          totalOut += a.dOut;
        }
        push({ ...totals(ts, totalIn, totalOut, `b${boot}`), rxTs: ts + a.d });
        break;
      case 'tryon': {
        const epc = GARMENTS[a.garment] as string;
        const room = ROOMS[a.room] as string;
        const other = ROOMS[1 - a.room] as string;
        for (let s = 0; s <= a.seconds; s++) {
          const t = ts + s * S;
          push(tag(epc, room, t, { rssi: a.rssi, lastTs: t + 400, rxTs: t + 400 + a.d }));
          if (a.crossRead !== null) {
            push(tag(epc, other, t + 100, { rssi: a.rssi + a.crossRead, lastTs: t + 500, rxTs: t + 500 + a.d }));
          }
        }
        break;
      }
      case 'member': {
        const m = MEMBERS[a.member];
        if (!m) break;
        const zone = MEMBER_ZONES[a.zone] as string;
        push(
          a.card
            ? tag(m.cards[0] as string, zone, ts, { rxTs: ts + a.d })
            : { ...memberSeen(ts, zone, { member: m.id }, 'app'), rxTs: ts + a.d },
        );
        break;
      }
      case 'receipt': {
        const lines = a.lines.map((l) => {
          const epc = GARMENTS[l.garment] as string;
          const p = testLookups().resolveProduct(epc);
          if (l.by === 'gtin' && p?.gtin) return { gtin: p.gtin, qty: l.qty, price: 100 };
          if (l.by === 'sku' && p?.sku) return { sku: p.sku, qty: l.qty, price: 100 };
          return { epc, qty: l.qty, price: 100 };
        });
        const member = a.member === null ? undefined : MEMBERS[a.member]?.id;
        const total = lines.reduce((t, l) => t + l.qty * l.price, 0) + 0.1;
        push({
          ...receipt(ts, a.receiptKind, lines, total, {
            receipt: `R${++receiptNo}`,
            ...(member === undefined ? {} : { member }),
          }),
          rxTs: ts + a.d,
        });
        break;
      }
      case 'invite': {
        const m = MEMBERS[a.member];
        if (m) events.push({ key: ts, input: invitation(`inv-${events.length}`, m.id, ts) });
        break;
      }
    }
  }
  return events.sort((a, b) => a.key - b.key).map((k) => k.input);
}

function keyOf(input: CorrelatorInput): number {
  if (input.kind === 'event') return input.event.ts;
  if (input.kind === 'tick') return input.ts;
  return input.invitation.ts;
}

/**
 * Inserts ticks between inputs: each no earlier than the last clock value and no later
 * than the next input's ts, like the derivation's ticks (settle behind the gateway's clock,
 * never past an input it has not applied yet). `plan` holds per-gap tick counts and positions (‰).
 */
function withTicks(inputs: readonly CorrelatorInput[], plan: readonly number[]): CorrelatorInput[] {
  const out: CorrelatorInput[] = [];
  let clock = T0 - HOUR;
  let p = 0;
  const draw = () => plan[p++ % plan.length] ?? 0;
  for (const input of inputs) {
    const next = keyOf(input);
    if (next > clock) {
      const count = draw() % 4;
      for (let k = 0; k < count; k++) {
        clock = Math.floor(clock + ((next - clock) * draw()) / 1000);
        out.push(tick(clock));
      }
      if (draw() % 2 === 0) out.push(tick(next)); // a tick exactly at the next input's ts
    }
    out.push(input);
    if (next > clock) clock = next;
  }
  return out;
}

const END = tick(T0 + 20 * 24 * HOUR);

function runAll(inputs: readonly CorrelatorInput[], settleMs: number): Fact[] {
  const c = new Correlator(testConfig({ settleMs }), testLookups());
  const facts: Fact[] = [];
  for (const input of inputs) for (const f of c.step(input)) facts.push(f);
  return facts;
}

function runWithRestore(inputs: readonly CorrelatorInput[], settleMs: number, cut: number): Fact[] {
  const config = testConfig({ settleMs });
  let c = new Correlator(config, testLookups());
  const facts: Fact[] = [];
  inputs.forEach((input, i) => {
    if (i === cut) c = Correlator.restore(config, testLookups(), JSON.parse(JSON.stringify(c.snapshot())));
    for (const f of c.step(input)) facts.push(f);
  });
  return facts;
}

const scenarios = fc.record({
  actions: fc.array(action, { minLength: 1, maxLength: 60 }),
  plan: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 8, maxLength: 64 }),
  settleMs: fc.constantFrom(0, 0, 1500),
  cut: fc.integer({ min: 0, max: 1000 }),
});

describe('determinism', () => {
  it('random ticks between the same inputs give identical facts', () => {
    fc.assert(
      fc.property(scenarios, ({ actions, plan, settleMs }) => {
        const inputs = scenario(actions);
        const plain = runAll([...inputs, END], settleMs);
        const ticked = runAll([...withTicks(inputs, plan), END], settleMs);
        expect(ticked).toEqual(plain);
      }),
      { numRuns: 250 },
    );
  });

  it('snapshot → JSON → restore mid-stream, then continuing, gives identical facts', () => {
    fc.assert(
      fc.property(scenarios, ({ actions, plan, settleMs, cut }) => {
        const inputs = [...withTicks(scenario(actions), plan), END];
        const uninterrupted = runAll(inputs, settleMs);
        const restored = runWithRestore(inputs, settleMs, Math.floor((cut * inputs.length) / 1000));
        expect(restored).toEqual(uninterrupted);
      }),
      { numRuns: 250 },
    );
  });

  it('scenarios exercise every kind of fact (the generator is not vacuous)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(scenarios, ({ actions, settleMs }) => {
        for (const f of runAll([...scenario(actions), END], settleMs)) seen.add(f.type);
      }),
      { numRuns: 150, seed: 42 },
    );
    expect([...seen].sort()).toEqual(
      [
        'adjustment',
        'counter.restart',
        'exit',
        'invitation.closed',
        'invitation.outcome',
        'item.tried',
        'occupancy',
        'passerby',
        'session.counted',
        'session.ended',
        'session.started',
        'staff.badge',
        'staff.in',
        'transaction',
        'tried.bought',
        'vip.arrival',
        'vip.departure',
        'visitor',
      ].sort(),
    );
  });

  it('a snapshot is plain JSON (survives a round trip unchanged)', () => {
    const inputs = scenario(
      fc.sample(fc.array(action, { minLength: 40, maxLength: 40 }), { numRuns: 1, seed: 7 })[0] ?? [],
    );
    const c = new Correlator(testConfig(), testLookups());
    for (const input of inputs.slice(0, Math.floor(inputs.length / 2))) c.step(input);
    const snapshot = c.snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toStrictEqual(snapshot);
  });

  it('restore rejects a foreign snapshot', () => {
    expect(() => Correlator.restore(testConfig(), testLookups(), { v: 99 })).toThrow(/snapshot/);
    expect(() => Correlator.restore(testConfig(), testLookups(), null)).toThrow(/snapshot/);
  });
});
