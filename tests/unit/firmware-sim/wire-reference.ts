/**
 * An independent reading of a simulated day's wire messages by DESIGN's Definitions, written
 * without the generator's internals: if the generator's ground truth and this agree, the
 * truth is what a correct gateway must compute from these bytes.
 */
import { demoRules, demoStore, type Member, type Product, type TimedMessage } from '../../../firmware-sim/index.js';
import { gtinFromEpc } from '../../../protocols/index.js';

const BUCKET = 15 * 60_000;

export interface WireSession {
  room: string;
  start: number;
  end: number;
  items: string[];
}

export interface WireReading {
  visitorsByBucket: Map<number, number>;
  passersByBucket: Map<number, number>;
  sessions: WireSession[];
  /** Room uses where no garment stayed minDwell. */
  glances: WireSession[];
  transactions: Map<number, number>;
  units: Map<number, number>;
  revenue: Map<number, number>;
  triedBought: Map<number, number>;
  /** Sale lines (by their key) that could claim more than one tried item: must be none. */
  ambiguousLines: number;
  /** Tried → bought when a line may match by ANY id it carries (a looser reading): must equal. */
  triedBoughtAnyId: number;
  alertsSinceLastAlert: { member: string; ts: number }[];
  alertsSinceLastSighting: { member: string; ts: number }[];
}

interface Seen {
  epc: string;
  zone: string;
  second: number;
  first: number;
  last: number;
  peak: number;
}

const add = (map: Map<number, number>, t: number, n: number) => {
  const b = Math.floor(t / BUCKET) * BUCKET; // UTC+8 is a whole number of quarter hours
  map.set(b, (map.get(b) ?? 0) + n);
};

export function readWire(
  messages: readonly TimedMessage[],
  roster: readonly Member[],
  catalog: readonly Product[],
): WireReading {
  const reader = demoStore.devices['rfid-fr'];
  if (reader?.kind !== 'rfid-reader') throw new Error('demo store has no rfid-fr');
  const zoneOf = (ant: number) => reader.antennas[String(ant)] ?? '?';
  const isRoom = (zone: string) => demoStore.zones[zone]?.kind === 'fitting-room';
  const rssiMin = (zone: string) => demoStore.zones[zone]?.rssiMin ?? Number.NEGATIVE_INFINITY;
  const staff = new Set(demoStore.staff.badges.map((b) => b.toUpperCase()));
  const cardOwner = new Map<string, Member>();
  for (const m of roster) for (const c of m.cards) cardOwner.set(c.toUpperCase(), m);
  const memberById = new Map(roster.map((m) => [m.id, m]));
  const skuOfGtin = new Map(catalog.map((p) => [p.gtin, p.sku]));

  // Fold reads per (epc, zone, second).
  const folded = new Map<string, Seen>();
  const staffAtEntrance: number[] = [];
  const sightings: { member: string; at: number }[] = [];
  const ins: { at: number; n: number; device: string }[] = [];
  const sales: { at: number; keys: string[]; anyKeys: string[] }[] = [];
  const out: WireReading = {
    visitorsByBucket: new Map(),
    passersByBucket: new Map(),
    sessions: [],
    glances: [],
    transactions: new Map(),
    units: new Map(),
    revenue: new Map(),
    triedBought: new Map(),
    ambiguousLines: 0,
    triedBoughtAnyId: 0,
    alertsSinceLastAlert: [],
    alertsSinceLastSighting: [],
  };
  for (const { payload: p, topic } of messages) {
    const device = topic.split('/')[3] ?? '';
    if (p.type === 'rfid.reads') {
      for (const r of p.reads) {
        const at = Date.parse(r.ts);
        const epc = r.epc.toUpperCase();
        const zone = zoneOf(r.ant);
        if (zone === 'entrance' && staff.has(epc)) staffAtEntrance.push(at);
        const owner = cardOwner.get(epc);
        if (zone === 'entrance' && owner) sightings.push({ member: owner.id, at });
        const second = Math.floor(at / 1000);
        const key = `${epc}|${zone}|${second}`;
        const s = folded.get(key);
        if (s) {
          s.first = Math.min(s.first, at);
          s.last = Math.max(s.last, at);
          s.peak = Math.max(s.peak, r.rssi);
        } else folded.set(key, { epc, zone, second, first: at, last: at, peak: r.rssi });
      }
    } else if (p.type === 'door.crossing' && p.dir === 'in') {
      ins.push({ at: Date.parse(p.ts), n: p.n, device });
    } else if (p.type === 'member.seen' && p.zone === 'entrance') {
      const member =
        p.member ?? (p.credential === undefined ? undefined : cardOwner.get(p.credential.toUpperCase())?.id);
      if (member) sightings.push({ member, at: Date.parse(p.ts) });
    } else if (p.type === 'pos.receipt') {
      const at = Date.parse(p.ts);
      const sign = p.kind === 'sale' ? 1 : -1;
      add(out.units, at, sign * p.lines.reduce((s, l) => s + l.qty, 0));
      add(out.revenue, at, sign * p.total);
      if (p.kind === 'sale') {
        add(out.transactions, at, 1);
        sales.push({
          at,
          keys: p.lines.map((l) => (l.epc ? `epc:${l.epc.toUpperCase()}` : l.gtin ? `gtin:${l.gtin}` : `sku:${l.sku}`)),
          anyKeys: p.lines.flatMap((l) => [
            ...(l.epc ? [`epc:${l.epc.toUpperCase()}`] : []),
            ...(l.gtin ? [`gtin:${l.gtin}`] : []),
            ...(l.sku ? [`sku:${l.sku}`] : []),
          ]),
        });
      }
    }
  }

  // Visitors: entrance `in`s not within ±staffWindow of a staff badge at the entrance.
  staffAtEntrance.sort((a, b) => a - b);
  for (const c of ins) {
    const cfg = demoStore.devices[c.device];
    if (cfg?.kind !== 'door-counter') continue;
    const kind = demoStore.zones[cfg.zone]?.kind;
    if (kind === 'outside') add(out.passersByBucket, c.at, c.n);
    if (kind !== 'entrance') continue;
    const staffNear = staffAtEntrance.some((t) => Math.abs(t - c.at) <= demoRules.staffWindowMs);
    if (!staffNear) add(out.visitorsByBucket, c.at, c.n);
  }

  // Rooms: garments only; cross-reads to the room with the highest peak in that second;
  // then the room's rssiMin.
  const bestRoom = new Map<string, Seen>();
  for (const s of folded.values()) {
    if (!isRoom(s.zone) || staff.has(s.epc) || cardOwner.has(s.epc)) continue;
    const key = `${s.epc}|${s.second}`;
    const best = bestRoom.get(key);
    if (!best || s.peak > best.peak) bestRoom.set(key, s);
  }
  const byRoom = new Map<string, Seen[]>();
  for (const s of bestRoom.values()) {
    if (s.peak < rssiMin(s.zone)) continue;
    const list = byRoom.get(s.zone);
    if (list) list.push(s);
    else byRoom.set(s.zone, [s]);
  }
  for (const [room, seen] of byRoom) {
    seen.sort((a, b) => a.first - b.first);
    let current: { start: number; last: number; items: Map<string, { first: number; last: number }> } | undefined;
    const close = () => {
      if (!current) return;
      const tried = [...current.items].filter(([, t]) => t.last - t.first >= demoRules.minDwellMs).map(([e]) => e);
      const use = { room, start: current.start, end: current.last, items: tried.sort() };
      if (tried.length > 0) out.sessions.push(use);
      else out.glances.push({ ...use, items: [...current.items.keys()].sort() });
    };
    for (const s of seen) {
      if (current && s.first - current.last > demoRules.leaveAfterMs) {
        close();
        current = undefined;
      }
      current ??= { start: s.first, last: s.last, items: new Map() };
      current.last = Math.max(current.last, s.last);
      const item = current.items.get(s.epc);
      if (item) item.last = Math.max(item.last, s.last);
      else current.items.set(s.epc, { first: s.first, last: s.last });
    }
    close();
  }
  out.sessions.sort((a, b) => a.start - b.start || (a.room < b.room ? -1 : 1));
  out.glances.sort((a, b) => a.start - b.start);

  // Tried → bought: EPC, else GTIN, else SKU, on a sale within the window after the session.
  sales.sort((a, b) => a.at - b.at);
  const claims = new Map<string, number>();
  for (const session of out.sessions) {
    for (const epc of session.items) {
      const gtin = gtinFromEpc(epc);
      const keys = [`epc:${epc}`, `gtin:${gtin}`, `sku:${gtin === undefined ? '' : skuOfGtin.get(gtin)}`];
      const inWindow = (s: { at: number }) => s.at > session.end && s.at <= session.end + demoRules.conversionWindowMs;
      if (sales.some((s) => inWindow(s) && s.anyKeys.some((k) => keys.includes(k)))) out.triedBoughtAnyId += 1;
      const sale = sales.find((s) => inWindow(s) && s.keys.some((k) => keys.includes(k)));
      if (!sale) continue;
      add(out.triedBought, sale.at, 1);
      for (const k of sale.keys.filter((k) => keys.includes(k))) {
        const claim = `${sale.at}|${k}`;
        claims.set(claim, (claims.get(claim) ?? 0) + 1);
      }
    }
  }
  out.ambiguousLines = [...claims.values()].filter((n) => n > 1).length;

  // VIP alerts, under both readings of "no new alert within realertAfter".
  sightings.sort((a, b) => a.at - b.at);
  const lastAlert = new Map<string, number>();
  const lastSighting = new Map<string, number>();
  for (const s of sightings) {
    if ((memberById.get(s.member)?.tier ?? 0) < demoStore.store.vipTier) continue;
    const a = lastAlert.get(s.member);
    if (a === undefined || s.at - a >= demoRules.realertAfterMs) {
      out.alertsSinceLastAlert.push({ member: s.member, ts: s.at });
      lastAlert.set(s.member, s.at);
    }
    const l = lastSighting.get(s.member);
    if (l === undefined || s.at - l >= demoRules.realertAfterMs)
      out.alertsSinceLastSighting.push({ member: s.member, ts: s.at });
    lastSighting.set(s.member, s.at);
  }
  return out;
}
