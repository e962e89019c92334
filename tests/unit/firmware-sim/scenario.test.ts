import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  demoRules,
  demoStore,
  type FunnelCounts,
  generateStoreDay,
  type StoreDay,
} from '../../../firmware-sim/index.js';
import { checkReceipt } from '../../../gateway/pipeline/ingest/receipt-check.js';
import {
  channelAccepts,
  decodeMessage,
  decodeSgtin96,
  gtinFromEpc,
  isValidGtin,
  parseDeviceTopic,
} from '../../../protocols/index.js';
import { readWire, type WireReading } from './wire-reference.js';

const DATE = '2025-03-14'; // a Friday
const sha = (day: StoreDay) => createHash('sha256').update(JSON.stringify(day)).digest('hex');
const FIELDS: readonly (keyof FunnelCounts)[] = [
  'passersBy',
  'visitors',
  'tryOnSessions',
  'itemsTried',
  'transactions',
  'units',
  'revenue',
  'triedBought',
];

let day: StoreDay;
let wire: WireReading;

beforeAll(() => {
  day = generateStoreDay({ seed: 1, date: DATE });
  wire = readWire(day.messages, day.roster, day.catalog);
});

describe('generateStoreDay: determinism', () => {
  it('gives byte-identical JSON for the same seed and date', () => {
    expect(sha(generateStoreDay({ seed: 1, date: DATE }))).toBe(sha(day));
  });

  it('gives a different day for another seed or another date', () => {
    const other = sha(generateStoreDay({ seed: 2, date: DATE }));
    expect(other).not.toBe(sha(day));
    expect(sha(generateStoreDay({ seed: 1, date: '2025-03-13' }))).not.toBe(sha(day));
  });

  it('keeps roster, catalog and staff the same on every day (store reference data)', () => {
    const other = generateStoreDay({ seed: 7, date: '2025-03-10', visitors: 100 });
    expect(other.roster).toEqual(day.roster);
    expect(other.catalog).toEqual(day.catalog);
    expect(other.staff).toEqual(day.staff);
  });
});

describe('generateStoreDay: wire messages', () => {
  it('are all valid payloads on topics that accept their type', () => {
    const devices = new Set(Object.keys(demoStore.devices));
    const bad: string[] = [];
    for (const m of day.messages) {
      const decoded = decodeMessage(JSON.stringify(m.payload));
      const topic = parseDeviceTopic(m.topic);
      if (!decoded.ok) bad.push(`${m.topic}: ${decoded.reason}`);
      else if (!topic.ok) bad.push(topic.reason);
      else if (!channelAccepts(topic.value.channel, decoded.value.type))
        bad.push(`${m.topic} carries ${decoded.value.type}`);
      else if (topic.value.store !== 's001' || !devices.has(topic.value.device)) bad.push(`unknown sender ${m.topic}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('are sorted by send time, never sent before their ts, with unique ids per device', () => {
    const ids = new Set<string>();
    const bad: string[] = [];
    let previous = Number.NEGATIVE_INFINITY;
    for (const m of day.messages) {
      if (m.at < previous) bad.push(`out of order at ${m.at}`);
      previous = m.at;
      if (Date.parse(m.payload.ts) > m.at) bad.push(`sent before its ts: ${m.payload.id}`);
      const key = `${m.topic.split('/')[3]}|${m.payload.id}`;
      if (ids.has(key)) bad.push(`duplicate id ${key}`);
      ids.add(key);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('stay under 60k messages for a full day, RFID batched per reader per second', () => {
    expect(day.messages.length).toBeLessThan(60_000);
    const seconds = new Set<number>();
    const bad: string[] = [];
    for (const m of day.messages) {
      if (m.payload.type !== 'rfid.reads') continue;
      const second = Math.floor(m.at / 1000);
      if (seconds.has(second)) bad.push(`two batches in second ${second}`);
      seconds.add(second);
      for (const r of m.payload.reads) {
        if (Math.floor(Date.parse(r.ts) / 1000) !== second - 1) bad.push(`read ${r.ts} in batch ${m.payload.id}`);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('have every device heartbeat about every 60 s', () => {
    for (const device of Object.keys(demoStore.devices)) {
      const beats = day.messages.filter((m) => m.payload.type === 'device.status' && m.topic.includes(`/${device}/`));
      expect(beats.length, device).toBeGreaterThan(700);
    }
  });

  it('restart door-1 once: a new boot id and totals counted from zero', () => {
    const totals = day.messages.flatMap((m) =>
      m.payload.type === 'door.totals' && m.topic.includes('/door-1/') ? [m.payload] : [],
    );
    const boots = [...new Set(totals.map((t) => t.boot))];
    expect(boots).toHaveLength(2);
    const afterBoot = totals.find((t) => t.boot === boots[1]);
    const lastBefore = totals.filter((t) => t.boot === boots[0]).at(-1);
    expect(afterBoot?.totalIn).toBe(0);
    expect(lastBefore?.totalIn).toBeGreaterThan(0);
    // Cumulative totals agree with the crossings sent since boot.
    let sum = 0;
    let boot = boots[0];
    for (const m of day.messages) {
      if (!m.topic.includes('/door-1/')) continue;
      if (m.payload.type === 'door.crossing' && m.payload.dir === 'in') sum += m.payload.n;
      if (m.payload.type === 'door.totals') {
        if (m.payload.boot !== boot) {
          boot = m.payload.boot;
          sum = 0;
        }
        expect(m.payload.totalIn).toBe(sum);
      }
    }
  });

  it('flush the receipts of a till that was offline later, with their own ts', () => {
    const late = day.messages.filter(
      (m) => m.payload.type === 'pos.receipt' && m.at - Date.parse(m.payload.ts) > 60_000,
    );
    expect(late.length).toBeGreaterThan(0);
    expect(new Set(late.map((m) => m.topic))).toEqual(new Set(['retail/s001/pos/pos-2/receipt']));
  });

  it('resolve every SGTIN tag to a catalog product; badges and cards are not SGTIN', () => {
    const gtins = new Set(day.catalog.map((p) => p.gtin));
    const people = new Set([...demoStore.staff.badges, ...day.roster.flatMap((m) => m.cards)]);
    for (const p of people) expect(decodeSgtin96(p).ok).toBe(false);
    const unknown = new Set<string>();
    for (const m of day.messages) {
      if (m.payload.type !== 'rfid.reads') continue;
      for (const r of m.payload.reads) {
        if (people.has(r.epc)) continue;
        const gtin = gtinFromEpc(r.epc);
        if (gtin === undefined || !gtins.has(gtin)) unknown.add(r.epc);
      }
    }
    expect([...unknown].slice(0, 5)).toEqual([]);
    for (const p of day.catalog) expect(isValidGtin(p.gtin)).toBe(true);
  });

  it('use both SGTIN partitions, and every receipt line kind (EPC, GTIN, SKU only)', () => {
    const partitions = new Set(
      day.truth.sessions.flatMap((s) =>
        s.items.map((e) => {
          const d = decodeSgtin96(e);
          return d.ok ? d.value.partition : -1;
        }),
      ),
    );
    expect(partitions.has(-1)).toBe(false);
    expect(partitions.size).toBeGreaterThan(1);
    const lines = day.messages.flatMap((m) => (m.payload.type === 'pos.receipt' ? m.payload.lines : []));
    expect(lines.some((l) => l.epc !== undefined)).toBe(true);
    expect(lines.some((l) => l.epc === undefined && l.gtin !== undefined)).toBe(true);
    expect(lines.some((l) => l.epc === undefined && l.gtin === undefined && l.sku !== undefined)).toBe(true);
    const kinds = new Set(day.messages.flatMap((m) => (m.payload.type === 'pos.receipt' ? [m.payload.kind] : [])));
    expect(kinds).toEqual(new Set(['sale', 'refund', 'void']));
  });

  it('write POS times with the +08:00 offset of a local till and other devices in UTC', () => {
    const receipt = day.messages.find((m) => m.payload.type === 'pos.receipt');
    expect(receipt?.payload.ts).toMatch(/\+08:00$/);
    expect(day.messages[0]?.payload.ts).toMatch(/Z$/);
  });
});

describe('generateStoreDay: ground truth', () => {
  it('meets the minimum counts of a default day', () => {
    const t = day.truth;
    expect(t.totals.visitors).toBeGreaterThanOrEqual(1500);
    expect(t.totals.passersBy).toBeGreaterThan(3 * t.totals.visitors);
    expect(t.totals.tryOnSessions).toBeGreaterThanOrEqual(300);
    expect(t.receipts.sales + t.receipts.refunds + t.receipts.voids).toBeGreaterThanOrEqual(250);
    expect(t.receipts.refunds).toBeGreaterThan(0);
    expect(t.receipts.voids).toBeGreaterThan(0);
    expect(t.vipArrivals.length).toBeGreaterThanOrEqual(20);
    expect(t.expectedAlerts.length).toBeGreaterThanOrEqual(20);
    expect(t.vipArrivals.some((a) => !a.alert)).toBe(true);
    expect(t.expectedAlerts.some((a) => a.invitation !== undefined)).toBe(true);
    expect(t.triedBought.length).toBeGreaterThan(0);
    expect(t.boughtAfterWindow.length).toBeGreaterThan(0);
    expect(t.glances.length).toBeGreaterThan(0);
    expect(t.sessions.some((s) => s.sizeSwap)).toBe(true);
    expect(t.sessions.some((s) => s.brief.length > 0)).toBe(true);
    expect(t.door.staffIns).toBeGreaterThan(0);
  });

  it('has the exact visitor count asked for', () => {
    expect(day.truth.totals.visitors).toBe(1800);
    const small = generateStoreDay({ seed: 3, date: DATE, visitors: 250 });
    expect(small.truth.totals.visitors).toBe(250);
  });

  it('adds its 96 quarter-hour buckets up to the totals', () => {
    const { buckets, totals } = day.truth;
    expect(buckets).toHaveLength(96);
    buckets.forEach((b, i) => {
      expect(b.start).toBe(Date.parse(`${DATE}T00:00:00+08:00`) + i * 15 * 60_000);
    });
    for (const f of FIELDS)
      expect(
        buckets.reduce((s, b) => s + b[f], 0),
        f,
      ).toBe(totals[f]);
    expect(totals.triedBought).toBe(day.truth.triedBought.length);
    expect(totals.tryOnSessions).toBe(day.truth.sessions.length);
    expect(totals.itemsTried).toBe(day.truth.sessions.reduce((s, x) => s + x.items.length, 0));
  });

  it('keeps uses of one room at least leaveAfter (in fact 60 s) apart', () => {
    const uses = [...day.truth.sessions, ...day.truth.glances].sort((a, b) => a.start - b.start);
    const lastEnd = new Map<string, number>();
    for (const u of uses) {
      const previous = lastEnd.get(u.room);
      if (previous !== undefined) expect(u.start - previous).toBeGreaterThanOrEqual(60_000);
      expect(previous === undefined || u.start - previous > demoRules.leaveAfterMs).toBe(true);
      lastEnd.set(u.room, u.end);
    }
  });

  it('matches an independent reading of the wire: visitors and passers-by per bucket', () => {
    for (const b of day.truth.buckets) {
      expect(wire.visitorsByBucket.get(b.start) ?? 0, `visitors @${b.start}`).toBe(b.visitors);
      expect(wire.passersByBucket.get(b.start) ?? 0, `passers @${b.start}`).toBe(b.passersBy);
    }
  });

  it('matches an independent reading of the wire: sessions, tried items and glances', () => {
    const truthSessions = day.truth.sessions
      .map((s) => ({ room: s.room, start: s.start, end: s.end, items: [...s.items].sort() }))
      .sort((a, b) => a.start - b.start || (a.room < b.room ? -1 : 1));
    expect(wire.sessions).toEqual(truthSessions);
    expect(wire.glances.map((g) => [g.room, g.start, g.end])).toEqual(
      [...day.truth.glances].sort((a, b) => a.start - b.start).map((g) => [g.room, g.start, g.end]),
    );
  });

  it('matches an independent reading of the wire: transactions, units, revenue, tried → bought', () => {
    for (const b of day.truth.buckets) {
      expect(wire.transactions.get(b.start) ?? 0).toBe(b.transactions);
      expect(wire.units.get(b.start) ?? 0).toBe(b.units);
      expect(wire.revenue.get(b.start) ?? 0).toBe(b.revenue);
      expect(wire.triedBought.get(b.start) ?? 0).toBe(b.triedBought);
    }
    // Unambiguous: no line could claim two tried items, and a looser id match agrees.
    expect(wire.ambiguousLines).toBe(0);
    expect(wire.triedBoughtAnyId).toBe(day.truth.totals.triedBought);
  });

  it('sends only receipts the gateway counts: store currency, total = Σ lines, sane amounts', () => {
    const receipts = day.messages.flatMap((m) => (m.payload.type === 'pos.receipt' ? [m.payload] : []));
    expect(receipts.length).toBeGreaterThan(50);
    expect(receipts.filter((r) => checkReceipt(r, 'CNY') !== undefined)).toEqual([]);
  });

  it('matches an independent reading of the wire: VIP alerts, under both re-alert readings', () => {
    const expected = day.truth.expectedAlerts.map((a) => ({ member: a.member, ts: a.ts }));
    expect(wire.alertsSinceLastAlert).toEqual(expected);
    expect(wire.alertsSinceLastSighting).toEqual(expected);
    const members = new Map(day.roster.map((m) => [m.id, m]));
    for (const a of day.truth.expectedAlerts) expect(members.get(a.member)?.tier).toBeGreaterThanOrEqual(4);
  });

  it('pairs every staff `in` with the badge at the entrance within ±2 s, and no visitor within ±3 s', () => {
    const badges = new Set(demoStore.staff.badges);
    const badgeTimes = day.messages.flatMap((m) =>
      m.payload.type === 'rfid.reads'
        ? m.payload.reads.filter((r) => r.ant === 5 && badges.has(r.epc)).map((r) => Date.parse(r.ts))
        : [],
    );
    const ins = day.messages.flatMap((m) =>
      m.payload.type === 'door.crossing' && m.payload.dir === 'in' && m.topic.includes('/door-1/')
        ? [Date.parse(m.payload.ts)]
        : [],
    );
    const staffIns = ins.filter((t) => badgeTimes.some((b) => Math.abs(b - t) <= 2000));
    expect(staffIns).toHaveLength(day.truth.door.staffIns);
    const borderline = ins.filter((t) => badgeTimes.some((b) => Math.abs(b - t) > 2000 && Math.abs(b - t) <= 8000));
    expect(borderline).toEqual([]);
  });
});

describe('generateStoreDay: other days', () => {
  it.each([
    [2, '2025-03-15'],
    [3, '2025-12-31'],
  ])('seed %i on %s: ground truth agrees with the wire and meets the minimums', (seed, date) => {
    const other = generateStoreDay({ seed, date });
    const w = readWire(other.messages, other.roster, other.catalog);
    const t = other.truth;
    const fromWire = t.buckets.map((b) => [
      w.passersByBucket.get(b.start) ?? 0,
      w.visitorsByBucket.get(b.start) ?? 0,
      w.transactions.get(b.start) ?? 0,
      w.units.get(b.start) ?? 0,
      w.revenue.get(b.start) ?? 0,
      w.triedBought.get(b.start) ?? 0,
    ]);
    expect(fromWire).toEqual(
      t.buckets.map((b) => [b.passersBy, b.visitors, b.transactions, b.units, b.revenue, b.triedBought]),
    );
    expect(w.sessions.map((s) => [s.room, s.start, s.end, s.items.length])).toEqual(
      [...t.sessions]
        .sort((a, b) => a.start - b.start || (a.room < b.room ? -1 : 1))
        .map((s) => [s.room, s.start, s.end, s.items.length]),
    );
    expect(w.alertsSinceLastSighting).toEqual(t.expectedAlerts.map((a) => ({ member: a.member, ts: a.ts })));
    expect(t.totals.visitors).toBeGreaterThanOrEqual(1500);
    expect(t.totals.tryOnSessions).toBeGreaterThanOrEqual(300);
    expect(t.receipts.sales).toBeGreaterThanOrEqual(250);
    expect(t.vipArrivals.length).toBeGreaterThanOrEqual(20);
    expect(other.messages.length).toBeLessThan(60_000);
  });
});
