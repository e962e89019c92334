/**
 * Tried → bought: a tried item whose EPC (else GTIN, else SKU) is on a sale within
 * conversionWindow after its session ended. Counted at the receipt time.
 *
 * Matching runs in both directions, because a session's end is only known leaveAfter
 * after its last sighting while a quick sale may already be in: a sale looks for tried
 * items of ended sessions, and a session that ends looks for sales made since its end.
 * Keys cascade: all units of a receipt are matched by EPC first, the rest by GTIN, the
 * rest by SKU (a customer tries one piece and buys a fresh one of the same product). A
 * sale prefers the most recent session; an item takes the earliest sale after its session.
 * Each tried item and each sale line unit is matched at most once.
 */
import type { PosReceiptEvent } from '../../../protocols/index.js';
import type { Fact, TriedBoughtFact } from './facts.js';
import { type CorrelatorLookups, gtin14, productFields } from './lookups.js';
import { asArray, asNumber, asRecord } from './snapshot-util.js';

type MatchKey = 'epc' | 'gtin' | 'sku';
const KEYS: readonly MatchKey[] = ['epc', 'gtin', 'sku'];

interface Keyed {
  readonly epc?: string;
  readonly gtin?: string;
  readonly sku?: string;
}

export interface TriedItem extends Keyed {
  readonly epc: string;
  readonly style?: string;
  readonly size?: string;
  readonly room: string;
  readonly session: string;
  readonly sessionEnd: number;
  matched: boolean;
}

interface SaleUnits extends Keyed {
  readonly receipt: string;
  readonly ts: number;
  remaining: number;
}

/** Per key kind, value → entries holding it, in arrival order. */
class KeyIndex<T extends Keyed> {
  private readonly maps: Record<MatchKey, Map<string, T[]>> = { epc: new Map(), gtin: new Map(), sku: new Map() };

  add(entry: T): void {
    for (const k of KEYS) {
      const v = entry[k];
      if (v === undefined) continue;
      const list = this.maps[k].get(v);
      if (list) list.push(entry);
      else this.maps[k].set(v, [entry]);
    }
  }

  get(k: MatchKey, value: string): readonly T[] | undefined {
    return this.maps[k].get(value);
  }

  remove(entry: T): void {
    for (const k of KEYS) {
      const v = entry[k];
      if (v === undefined) continue;
      const list = this.maps[k].get(v);
      if (!list) continue;
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.maps[k].delete(v);
    }
  }
}

export interface TriedBoughtSnapshot {
  readonly items: unknown[];
  readonly sales: unknown[];
}

export class TriedBought {
  /** Unmatched tried items of ended sessions, in the order they ended. */
  private items: TriedItem[] = [];
  private readonly itemIndex = new KeyIndex<TriedItem>();
  /** Unmatched sale units of the last conversionWindow, in receipt order. */
  private sales: SaleUnits[] = [];
  private readonly saleIndex = new KeyIndex<SaleUnits>();

  constructor(
    private readonly windowMs: number,
    private readonly lookups: CorrelatorLookups,
  ) {}

  /** A tried item whose session just ended. */
  triedItemEnded(item: TriedItem, now: number, out: Fact[]): void {
    this.prune(now);
    for (const k of KEYS) {
      const value = item[k];
      if (value === undefined) continue;
      const sale = this.earliestSaleFor(this.saleIndex.get(k, value), item.sessionEnd);
      if (!sale) continue;
      sale.remaining--;
      if (sale.remaining === 0) this.saleIndex.remove(sale);
      item.matched = true;
      out.push(boughtFact(item, sale.receipt, sale.ts, k));
      return;
    }
    this.items.push(item);
    this.itemIndex.add(item);
  }

  sale(e: PosReceiptEvent, now: number, out: Fact[]): void {
    this.prune(now);
    const units: SaleUnits[] = [];
    for (const line of e.lines) {
      if (line.qty <= 0) continue;
      const epc = line.epc?.toUpperCase();
      const product =
        epc !== undefined && (line.gtin === undefined || line.sku === undefined)
          ? this.lookups.resolveProduct(epc)
          : undefined;
      const gtin = line.gtin ?? product?.gtin;
      const sku = line.sku ?? product?.sku;
      const u: { -readonly [K in keyof SaleUnits]: SaleUnits[K] } = {
        receipt: e.receipt,
        ts: e.ts,
        remaining: line.qty,
      };
      if (epc !== undefined) u.epc = epc;
      if (gtin !== undefined) u.gtin = gtin14(gtin);
      if (sku !== undefined) u.sku = sku;
      units.push(u);
    }
    for (const k of KEYS) {
      for (const u of units) {
        const value = u[k];
        if (value === undefined) continue;
        while (u.remaining > 0) {
          const item = this.latestItemFor(this.itemIndex.get(k, value), e.ts);
          if (!item) break;
          item.matched = true;
          this.itemIndex.remove(item);
          u.remaining--;
          out.push(boughtFact(item, e.receipt, e.ts, k));
        }
      }
    }
    for (const u of units) {
      if (u.remaining <= 0) continue;
      this.sales.push(u);
      this.saleIndex.add(u);
    }
  }

  private latestItemFor(list: readonly TriedItem[] | undefined, ts: number): TriedItem | undefined {
    if (!list) return undefined;
    let best: TriedItem | undefined;
    for (const item of list) {
      if (item.matched || ts < item.sessionEnd || ts > item.sessionEnd + this.windowMs) continue;
      if (!best || item.sessionEnd > best.sessionEnd) best = item;
    }
    return best;
  }

  private earliestSaleFor(list: readonly SaleUnits[] | undefined, sessionEnd: number): SaleUnits | undefined {
    if (!list) return undefined;
    let best: SaleUnits | undefined;
    for (const sale of list) {
      if (sale.remaining <= 0 || sale.ts < sessionEnd || sale.ts > sessionEnd + this.windowMs) continue;
      if (!best || sale.ts < best.ts) best = sale;
    }
    return best;
  }

  /** Forgets what can no longer match: items and sales older than the window. */
  private prune(now: number): void {
    const firstItem = this.items[0];
    if (firstItem && (firstItem.matched || firstItem.sessionEnd + this.windowMs < now)) {
      const keep: TriedItem[] = [];
      for (const item of this.items) {
        if (item.matched) continue;
        if (item.sessionEnd + this.windowMs < now) this.itemIndex.remove(item);
        else keep.push(item);
      }
      this.items = keep;
    }
    const firstSale = this.sales[0];
    if (firstSale && (firstSale.remaining <= 0 || firstSale.ts + this.windowMs < now)) {
      const keep: SaleUnits[] = [];
      for (const sale of this.sales) {
        if (sale.remaining <= 0) continue;
        if (sale.ts + this.windowMs < now) this.saleIndex.remove(sale);
        else keep.push(sale);
      }
      this.sales = keep;
    }
  }

  snapshot(): TriedBoughtSnapshot {
    return {
      items: this.items.filter((i) => !i.matched).map((i) => ({ ...i })),
      sales: this.sales.filter((s) => s.remaining > 0).map((s) => ({ ...s })),
    };
  }

  static restore(windowMs: number, lookups: CorrelatorLookups, data: unknown): TriedBought {
    const d = asRecord(data, 'triedBought');
    const t = new TriedBought(windowMs, lookups);
    for (const raw of asArray(d.items, 'triedBought.items')) {
      const r = asRecord(raw, 'tried item');
      const item: { -readonly [K in keyof TriedItem]: TriedItem[K] } = {
        epc: String(r.epc),
        room: String(r.room),
        session: String(r.session),
        sessionEnd: asNumber(r.sessionEnd, 'sessionEnd'),
        matched: false,
      };
      if (typeof r.gtin === 'string') item.gtin = r.gtin;
      if (typeof r.sku === 'string') item.sku = r.sku;
      if (typeof r.style === 'string') item.style = r.style;
      if (typeof r.size === 'string') item.size = r.size;
      t.items.push(item);
      t.itemIndex.add(item);
    }
    for (const raw of asArray(d.sales, 'triedBought.sales')) {
      const r = asRecord(raw, 'sale units');
      const sale: { -readonly [K in keyof SaleUnits]: SaleUnits[K] } = {
        receipt: String(r.receipt),
        ts: asNumber(r.ts, 'ts'),
        remaining: asNumber(r.remaining, 'remaining'),
      };
      if (typeof r.epc === 'string') sale.epc = r.epc;
      if (typeof r.gtin === 'string') sale.gtin = r.gtin;
      if (typeof r.sku === 'string') sale.sku = r.sku;
      t.sales.push(sale);
      t.saleIndex.add(sale);
    }
    return t;
  }
}

function boughtFact(item: TriedItem, receipt: string, ts: number, matchedBy: MatchKey): TriedBoughtFact {
  return {
    type: 'tried.bought',
    ts,
    receipt,
    epc: item.epc,
    ...productFields(item),
    room: item.room,
    session: item.session,
    sessionEnd: item.sessionEnd,
    matchedBy,
  };
}
