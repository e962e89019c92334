/** Builders for correlation tests: a small store, its roster and catalog, and event makers. */

import {
  type CorrelationConfig,
  Correlator,
  type CorrelatorInput,
  type CorrelatorLookups,
  correlationConfig,
  type Fact,
  type Invitation,
  type MemberInfo,
  type ProductInfo,
} from '../../../gateway/pipeline/correlate/index.js';
import type {
  DeviceEvent,
  DoorCrossingEvent,
  DoorTotalsEvent,
  MemberSeenEvent,
  PosReceiptEvent,
  ReceiptLine,
  TagSeenEvent,
} from '../../../protocols/index.js';

/** Monday 2026-03-02 10:00 in Shanghai: the store (opening 09:30) is open. */
export const T0 = Date.parse('2026-03-02T10:00:00+08:00');
export const S = 1000;
export const MIN = 60 * S;
export const HOUR = 60 * MIN;

export const STAFF_BADGE = 'E2000017221101441890ABCD';

export const ZONES = {
  entrance: { kind: 'entrance' },
  street: { kind: 'outside' },
  'fr-1': { kind: 'fitting-room', rssiMin: -70 },
  'fr-2': { kind: 'fitting-room', rssiMin: -70 },
  floor: { kind: 'floor' },
  till: { kind: 'cashdesk' },
} as const;

export function testConfig(overrides: Partial<CorrelationConfig> = {}): CorrelationConfig {
  return correlationConfig({
    zones: ZONES,
    staffBadges: [STAFF_BADGE.toLowerCase()],
    timezone: 'Asia/Shanghai',
    openingTime: '09:30',
    vipTier: 4,
    ...overrides,
  });
}

export interface TestMember extends MemberInfo {
  readonly cards: readonly string[];
}

export const MEMBERS: readonly TestMember[] = [
  { id: 'm-vip', tier: 5, cards: ['AA00000000000000000000A1', 'APP-VIP'] },
  { id: 'm-gold', tier: 4, cards: ['AA00000000000000000000A2'] },
  { id: 'm-basic', tier: 2, cards: ['AA00000000000000000000B1', 'APP-BASIC'] },
];

/** Garment EPCs with their catalog entries: style S1 in M and L, style S2, and a non-catalog tag. */
export const SHIRT_M = '3074257BF7194E4000001A01';
export const SHIRT_M2 = '3074257BF7194E4000001A02';
export const SHIRT_L = '3074257BF7194E4000001B01';
export const JEANS = '3074257BF7194E4000001C01';
export const SKU_ONLY = 'E2801160600002000000AB01';
export const UNKNOWN = 'E2801160600002000000FFFF';

export const PRODUCTS: Readonly<Record<string, ProductInfo>> = {
  [SHIRT_M]: { gtin: '80614141123458', sku: 'S1-M', style: 'S1', size: 'M' },
  [SHIRT_M2]: { gtin: '80614141123458', sku: 'S1-M', style: 'S1', size: 'M' },
  [SHIRT_L]: { gtin: '80614141123465', sku: 'S1-L', style: 'S1', size: 'L' },
  [JEANS]: { gtin: '00012345678905', sku: 'J2-32', style: 'J2', size: '32' },
  [SKU_ONLY]: { sku: 'ACC-1', style: 'ACC', size: 'one' },
};

export function testLookups(): CorrelatorLookups {
  const byCard = new Map<string, TestMember>();
  for (const m of MEMBERS) for (const c of m.cards) byCard.set(c.toUpperCase(), m);
  return {
    memberByCard: (card) => byCard.get(card.trim().toUpperCase()),
    memberById: (id) => MEMBERS.find((m) => m.id === id),
    resolveProduct: (epc) => PRODUCTS[epc],
  };
}

export function newCorrelator(overrides: Partial<CorrelationConfig> = {}): Correlator {
  return new Correlator(testConfig(overrides), testLookups());
}

let seq = 0;
function base(ts: number, device: string, rxTs?: number) {
  return { device, id: `m${++seq}`, ts, rxTs: rxTs ?? ts, flags: 0 };
}

export function crossing(
  ts: number,
  dir: 'in' | 'out',
  opts: { n?: number; zone?: string; door?: string; rxTs?: number } = {},
): DoorCrossingEvent {
  return {
    type: 'door.crossing',
    ...base(ts, 'door-1', opts.rxTs),
    door: opts.door ?? 'main',
    zone: opts.zone ?? 'entrance',
    dir,
    n: opts.n ?? 1,
  };
}

export function totals(
  ts: number,
  totalIn: number,
  totalOut: number,
  boot: string,
  opts: { zone?: string; door?: string; device?: string } = {},
): DoorTotalsEvent {
  return {
    type: 'door.totals',
    ...base(ts, opts.device ?? 'door-2'),
    door: opts.door ?? 'side',
    zone: opts.zone ?? 'entrance',
    totalIn,
    totalOut,
    boot,
  };
}

export function tag(
  epc: string,
  zone: string,
  ts: number,
  opts: { lastTs?: number; rssi?: number; rxTs?: number } = {},
): TagSeenEvent {
  return {
    type: 'tag.seen',
    ...base(ts, 'rfid-fr', opts.rxTs),
    epc,
    zone,
    lastTs: opts.lastTs ?? ts,
    peakRssi: opts.rssi ?? -50,
    count: 3,
  };
}

/** One tag.seen per second from `from` to `to` (inclusive), each a point read. */
export function reads(epc: string, zone: string, from: number, to: number, rssi = -50): TagSeenEvent[] {
  const out: TagSeenEvent[] = [];
  for (let t = from; t <= to; t += S) out.push(tag(epc, zone, t, { rssi }));
  return out;
}

export function receipt(
  ts: number,
  kind: 'sale' | 'refund' | 'void',
  lines: readonly ReceiptLine[],
  total: number,
  opts: { member?: string; receipt?: string; device?: string } = {},
): PosReceiptEvent {
  return {
    type: 'pos.receipt',
    ...base(ts, opts.device ?? 'pos-1'),
    receipt: opts.receipt ?? `R${seq}`,
    kind,
    ...(opts.member === undefined ? {} : { member: opts.member }),
    lines,
    total,
    currency: 'CNY',
  };
}

export function memberSeen(
  ts: number,
  zone: string,
  who: { member?: string; credential?: string },
  via: MemberSeenEvent['via'] = 'app',
): MemberSeenEvent {
  return { type: 'member.seen', ...base(ts, 'app'), ...who, zone, via };
}

export function invitation(id: string, member: string, ts: number, more: Partial<Invitation> = {}): CorrelatorInput {
  return {
    kind: 'invitation',
    invitation: { id, member, staff: 'st-1', channel: 'wechat', campaign: 'spring', ts, ...more },
  };
}

export const ev = (event: DeviceEvent): CorrelatorInput => ({ kind: 'event', event });
export const tick = (ts: number): CorrelatorInput => ({ kind: 'tick', ts });

/** Events sorted by time (stable), as inputs; the gateway's order is arrival (rxTs) order. */
export function inOrder(events: readonly DeviceEvent[]): CorrelatorInput[] {
  return [...events].sort((a, b) => a.rxTs - b.rxTs).map(ev);
}

export function run(c: Correlator, inputs: readonly CorrelatorInput[]): Fact[] {
  const facts: Fact[] = [];
  for (const input of inputs) for (const f of c.step(input)) facts.push(f);
  return facts;
}

/** The fact variant(s) whose `type` can be T (SessionFact has three types). */
type Narrow<F, T> = F extends { type: infer U } ? (T extends U ? F : never) : never;
export type FactOf<T extends Fact['type']> = Narrow<Fact, T>;

export function ofType<T extends Fact['type']>(facts: readonly Fact[], type: T): FactOf<T>[] {
  return facts.filter((f): f is FactOf<T> => f.type === type);
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
