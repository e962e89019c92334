/**
 * The tills: sales (some of garments tried minutes before, some of garments tried more than
 * the conversion window before, most of things never tried), voids and refunds.
 *
 * Lines name a garment by EPC (RFID-enabled till), GTIN (barcode) or SKU only. A line by GTIN
 * or SKU never names a product some other tried item could claim in the window, so "tried →
 * bought" has exactly one answer; a sale of a tried item comes ≥ 3 min after the session's
 * last read (the gateway has closed the session by then).
 */
import type { Rng } from '../prng.js';
import { HOUR, MINUTE } from '../time.js';
import type { CatalogItem, EpcMint, StoreCatalog } from './catalog.js';
import type { RoomItem, RoomUse } from './rooms.js';
import type { RosterEntry } from './roster.js';
import type { DayClock, Group, LineMode, PlannedLine, PlannedReceipt } from './types.js';

export interface SalesPlan {
  readonly receipts: PlannedReceipt[];
  /** Tried items deliberately sold again after the conversion window (not tried → bought). */
  readonly boughtLate: { readonly epc: string; readonly receipt: PlannedReceipt }[];
}

const TERMINALS: readonly (readonly [string, number])[] = [
  ['pos-1', 0.65],
  ['pos-2', 0.35],
];
const CONVERSION_WINDOW = 2 * HOUR;

function lineMode(rng: Rng): LineMode {
  return rng.weighted([
    ['epc', 0.5],
    ['gtin', 0.25],
    ['sku', 0.25],
  ] as const);
}

export function planSales(
  rng: Rng,
  clock: DayClock,
  groups: readonly Group[],
  sessions: readonly RoomUse[],
  catalog: StoreCatalog,
  mint: EpcMint,
  roster: ReadonlyMap<string, RosterEntry>,
  vipTier: number,
  targetSales: number,
): SalesPlan {
  // When each product was tried (session ends), to keep GTIN/SKU lines unambiguous.
  const triedEnds = new Map<string, number[]>();
  for (const s of sessions) {
    for (const t of s.tried) triedEnds.set(t.product.gtin, [...(triedEnds.get(t.product.gtin) ?? []), s.end]);
  }
  const claimable = (product: CatalogItem, at: number, except?: number) =>
    (triedEnds.get(product.gtin) ?? []).some(
      (end) => end !== except && end >= at - CONVERSION_WINDOW - 10 * MINUTE && end <= at + 5 * MINUTE,
    );
  const randomLine = (at: number): PlannedLine | undefined => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const product = rng.pick(catalog.products);
      const mode = lineMode(rng);
      if (claimable(product, at)) continue;
      const more = rng.chance(0.5);
      if (mode === 'epc') return { product, mode, epc: mint.mint(product), qty: 1, more };
      return { product, mode, qty: rng.chance(0.85) ? 1 : 2, more };
    }
    return undefined;
  };
  const triedLine = (item: RoomItem, at: number, sessionEnd: number): PlannedLine => {
    // Another tried item of the same product is in the window: name this one by EPC alone.
    if (claimable(item.product, at, sessionEnd)) {
      return { product: item.product, mode: 'epc', epc: item.epc, qty: 1, more: false };
    }
    const mode = lineMode(rng);
    const more = rng.chance(0.5);
    return mode === 'epc'
      ? { product: item.product, mode, epc: item.epc, qty: 1, more }
      : { product: item.product, mode, qty: 1, more };
  };
  const memberOf = (group: Group) => (group.member && rng.chance(0.85) ? group.member.id : undefined);
  const tillLimit = (group: Group) => Math.min(group.latestExit - MINUTE, clock.close - 2 * MINUTE);

  const receipts: PlannedReceipt[] = [];
  const sold = new Set<number>();
  const sale = (group: Group, ts: number, lines: PlannedLine[], kind: PlannedReceipt['kind'] = 'sale') => {
    const member = memberOf(group);
    const receipt = makeReceipt(rng.weighted(TERMINALS), ts, kind, lines, member, roster, vipTier);
    receipts.push(receipt);
    group.lastActivity = Math.max(group.lastActivity, ts);
    if (kind === 'sale') sold.add(group.id);
    return receipt;
  };
  const extras = (at: number, max: number) =>
    Array.from({ length: rng.int(0, max) }, () => randomLine(at)).filter((l): l is PlannedLine => l !== undefined);

  // 1. Tried, then bought within the window.
  const unsold: RoomUse[] = [];
  for (const s of sessions) {
    if (sold.has(s.group.id) || !rng.chance(0.42)) {
      unsold.push(s);
      continue;
    }
    const limit = tillLimit(s.group);
    let ts = s.end + rng.int(3 * MINUTE, 40 * MINUTE);
    if (ts > limit) ts = s.end + rng.int(3 * MINUTE, 6 * MINUTE);
    if (ts > limit) {
      unsold.push(s);
      continue;
    }
    const bought = rng.shuffled(s.tried).slice(0, rng.int(1, Math.min(2, s.tried.length)));
    sale(s.group, ts, [...bought.map((item) => triedLine(item, ts, s.end)), ...extras(ts, 2)]);
  }

  // 2. Tried, then bought only after the window (someone comes back for it later).
  const boughtLate: { epc: string; receipt: PlannedReceipt }[] = [];
  for (const s of unsold) {
    if (!rng.chance(0.08)) continue;
    const ts = s.end + CONVERSION_WINDOW + rng.int(10 * MINUTE, 60 * MINUTE);
    const hosts = groups.filter(
      (g) => !sold.has(g.id) && g.arrival <= ts - 3 * MINUTE && g.arrival >= ts - 40 * MINUTE && tillLimit(g) >= ts,
    );
    const item = s.tried[0];
    if (hosts.length === 0 || !item) continue;
    const receipt = sale(rng.pick(hosts), ts, [triedLine(item, ts, s.end), ...extras(ts, 1)]);
    boughtLate.push({ epc: item.epc, receipt });
  }

  // 3. Bought without trying on, up to the day's number of transactions.
  const randomSales: PlannedReceipt[] = [];
  for (const group of rng.shuffled(groups)) {
    if (receipts.length >= targetSales) break;
    if (sold.has(group.id)) continue;
    const limit = tillLimit(group);
    const ts = Math.min(
      limit,
      group.arrival + rng.int(4 * MINUTE, Math.max(5 * MINUTE, group.plannedExit - group.arrival)),
    );
    if (ts < group.arrival + 2 * MINUTE) continue;
    const lines = Array.from({ length: rng.weighted(LINE_COUNTS) }, () => randomLine(ts)).filter(
      (l): l is PlannedLine => l !== undefined,
    );
    if (lines.length === 0) continue;
    randomSales.push(sale(group, ts, lines));
  }

  // 4. Voids: the cashier reverses a finished sale a few minutes later (never a tried item).
  const voidCount = Math.max(1, Math.round(randomSales.length * 0.03));
  for (const original of rng.shuffled(randomSales).slice(0, voidCount)) {
    receipts.push({
      ...original,
      ts: original.ts + rng.int(MINUTE, 5 * MINUTE),
      at: 0,
      kind: 'void',
      receipt: '',
    });
  }

  // 5. Refunds of garments bought on earlier days.
  const refundCount = Math.max(1, Math.round(targetSales * 0.025));
  for (const group of rng.shuffled(groups).slice(0, refundCount)) {
    const ts = Math.min(tillLimit(group), group.arrival + rng.int(MINUTE, 5 * MINUTE));
    const lines: PlannedLine[] = Array.from({ length: rng.chance(0.8) ? 1 : 2 }, () => {
      const product = rng.pick(catalog.products);
      const mode = rng.weighted([
        ['epc', 0.5],
        ['gtin', 0.3],
        ['sku', 0.2],
      ] as const);
      const more = rng.chance(0.5);
      return mode === 'epc'
        ? { product, mode, epc: mint.mint(product), qty: 1, more }
        : { product, mode, qty: 1, more };
    });
    receipts.push(makeReceipt(rng.weighted(TERMINALS), ts, 'refund', lines, group.member?.id, roster, 0));
    group.lastActivity = Math.max(group.lastActivity, ts);
  }

  receipts.sort((a, b) => a.ts - b.ts);
  numberReceipts(receipts, clock);
  for (const r of receipts) r.at = r.ts;
  return { receipts, boughtLate };
}

const LINE_COUNTS: readonly (readonly [number, number])[] = [
  [1, 0.35],
  [2, 0.35],
  [3, 0.2],
  [4, 0.1],
];

function makeReceipt(
  terminal: string,
  ts: number,
  kind: PlannedReceipt['kind'],
  lines: readonly PlannedLine[],
  member: string | undefined,
  roster: ReadonlyMap<string, RosterEntry>,
  vipTier: number,
): PlannedReceipt {
  const tier = member === undefined ? 0 : (roster.get(member)?.member.tier ?? 0);
  // VIPs pay 10% less on sales (whole yuan per unit); refunds pay back list price. The
  // discount is on the lines, so the total is Σ qty × price as the gateway checks it.
  const charged =
    vipTier > 0 && tier >= vipTier ? lines.map((l) => ({ ...l, price: Math.round(l.product.price * 0.9) })) : lines;
  const total = charged.reduce((sum, l) => sum + l.qty * (l.price ?? l.product.price), 0);
  const receipt: PlannedReceipt = { terminal, ts, at: ts, kind, lines: charged, total, receipt: '' };
  return member === undefined ? receipt : { ...receipt, member };
}

/** Till-style receipt numbers, per terminal in time order: `POS-1-20250314-0001`. */
function numberReceipts(receipts: PlannedReceipt[], clock: DayClock): void {
  const day = clock.date.replaceAll('-', '');
  const seq = new Map<string, number>();
  for (const r of receipts) {
    const n = (seq.get(r.terminal) ?? 0) + 1;
    seq.set(r.terminal, n);
    r.receipt = `${r.terminal.toUpperCase()}-${day}-${String(n).padStart(4, '0')}`;
  }
}
