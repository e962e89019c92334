/**
 * Sales: POS receipts → transactions and adjustments. Receipts reach this point already
 * checked at ingest (currency, total = Σ lines, bounds: gateway/pipeline/ingest/receipt-check.ts).
 *
 * - `sale`: one transaction; units = Σ qty, revenue = the receipt total; its lines ride
 *   along (the VIP card lists what was bought).
 * - `refund` / `void`: an adjustment with negative units and revenue (−|total|); never a
 *   transaction (DESIGN "Transaction").
 * - A receipt is keyed by (till, receipt number): the same number from two tills is two
 *   receipts.
 * - The same (till, number, kind) twice (a POS re-sending it under a new message id)
 *   counts once, within DEDUPE_MS (48 h): the repeat is a `receipt.ignored` fact
 *   (`duplicate`).
 * - A refund or void applies once per (till, number): a refund or void of a (till, number)
 *   that was already refunded or voided within ADJUSTED_MS (30 days) is ignored and counted
 *   (`receipt.ignored`, `already-adjusted`), never subtracted twice. A sale and a refund or
 *   void under the same number both count (the refund names the sale it reverses).
 * - A receipt's `member` is normalised to the roster id when the roster knows it (by id,
 *   else as a card/credential).
 *
 * Pure: "which came first" is the order of the input, so it is the same on every replay.
 */
import type { PosReceiptEvent } from '../../../protocols/index.js';
import type { Fact, ReceiptLineFact } from './facts.js';
import type { CorrelatorLookups } from './lookups.js';
import { asArray, asNumber, asRecord, SnapshotError } from './snapshot-util.js';

const DEDUPE_MS = 48 * 3_600_000;
const ADJUSTED_MS = 30 * 24 * 3_600_000;

type Kind = PosReceiptEvent['kind'];
type AdjustmentKind = Exclude<Kind, 'sale'>;

export interface ReceiptOutcome {
  readonly kind: Kind;
  readonly member?: string;
  readonly revenue: number;
}

/**
 * v2: `seen` keys are `${kind}|${device}|${receipt}` (a device id has no `|`), `adjusted`
 * keys `${device}|${receipt}`. v1 (before adjustments applied once) was the bare list of
 * `${device}:${kind}:${receipt}` → seenAt, which restore() still reads.
 */
export interface SalesSnapshot {
  readonly v: 2;
  readonly seen: [key: string, seenAt: number][];
  readonly adjusted: [key: string, kind: AdjustmentKind, at: number][];
}

export class Sales {
  /** `${kind}|${device}|${receipt}` → when it was processed (clock), oldest first. */
  private readonly seen = new Map<string, number>();
  /** `${device}|${receipt}` → the refund or void that applied, oldest first. */
  private readonly adjusted = new Map<string, { kind: AdjustmentKind; at: number }>();

  constructor(private readonly lookups: CorrelatorLookups) {}

  /** Facts of one receipt; undefined when it counts nothing (a repeat, a second adjustment). */
  receipt(e: PosReceiptEvent, now: number, out: Fact[]): ReceiptOutcome | undefined {
    this.prune(now);
    const key = `${e.kind}|${e.device}|${e.receipt}`;
    if (this.seen.has(key)) {
      out.push(ignored(e, 'duplicate'));
      return undefined;
    }
    const receiptKey = `${e.device}|${e.receipt}`;
    if (e.kind !== 'sale') {
      const earlier = this.adjusted.get(receiptKey);
      if (earlier) {
        out.push({ ...ignored(e, 'already-adjusted'), adjustedBy: earlier.kind });
        return undefined;
      }
      this.adjusted.set(receiptKey, { kind: e.kind, at: now });
    }
    this.seen.set(key, now);
    let units = 0;
    for (const line of e.lines) units += line.qty;
    const member = e.member === undefined ? undefined : this.memberId(e.member);
    const memberField = member === undefined ? {} : { member };
    if (e.kind === 'sale') {
      out.push({
        type: 'transaction',
        ts: e.ts,
        receipt: e.receipt,
        device: e.device,
        units,
        revenue: e.total,
        currency: e.currency,
        ...memberField,
        lines: e.lines.map(lineFact),
      });
      return { kind: e.kind, revenue: e.total, ...memberField };
    }
    const revenue = -Math.abs(e.total);
    out.push({
      type: 'adjustment',
      ts: e.ts,
      receipt: e.receipt,
      device: e.device,
      kind: e.kind,
      units: -units,
      revenue,
      currency: e.currency,
      ...memberField,
    });
    return { kind: e.kind, revenue, ...memberField };
  }

  private memberId(member: string): string {
    return this.lookups.memberById(member)?.id ?? this.lookups.memberByCard(member)?.id ?? member;
  }

  private prune(now: number): void {
    for (const [key, at] of this.seen) {
      if (at + DEDUPE_MS >= now) break;
      this.seen.delete(key);
    }
    for (const [key, { at }] of this.adjusted) {
      if (at + ADJUSTED_MS >= now) break;
      this.adjusted.delete(key);
    }
  }

  snapshot(): SalesSnapshot {
    return {
      v: 2,
      seen: [...this.seen],
      adjusted: [...this.adjusted].map(([key, a]) => [key, a.kind, a.at]),
    };
  }

  static restore(lookups: CorrelatorLookups, data: unknown): Sales {
    const s = new Sales(lookups);
    if (Array.isArray(data)) {
      s.restoreV1(data);
      return s;
    }
    const d = asRecord(data, 'sales');
    if (d.v !== 2) throw new SnapshotError(`sales: unsupported snapshot version ${String(d.v)}`);
    for (const row of asArray(d.seen, 'sales.seen')) {
      const [key, at] = asArray(row, 'sales.seen row');
      s.seen.set(String(key), asNumber(at, 'seenAt'));
    }
    for (const row of asArray(d.adjusted, 'sales.adjusted')) {
      const [key, kind, at] = asArray(row, 'sales.adjusted row');
      s.adjusted.set(String(key), { kind: adjustmentKind(kind), at: asNumber(at, 'adjustedAt') });
    }
    return s;
  }

  /** v1 rows: `${device}:${kind}:${receipt}` → seenAt, in processing order. */
  private restoreV1(rows: unknown[]): void {
    for (const row of rows) {
      const [rawKey, rawAt] = asArray(row, 'sales row');
      const at = asNumber(rawAt, 'seenAt');
      const m = /^(.*?):(sale|refund|void):(.*)$/s.exec(String(rawKey));
      if (!m) throw new SnapshotError(`sales: unreadable receipt key ${JSON.stringify(rawKey)}`);
      const [, device, kind, receipt] = m as unknown as [string, string, Kind, string];
      this.seen.set(`${kind}|${device}|${receipt}`, at);
      const receiptKey = `${device}|${receipt}`;
      if (kind !== 'sale' && !this.adjusted.has(receiptKey)) this.adjusted.set(receiptKey, { kind, at });
    }
  }
}

function ignored(e: PosReceiptEvent, reason: 'duplicate' | 'already-adjusted') {
  return { type: 'receipt.ignored' as const, ts: e.ts, receipt: e.receipt, device: e.device, kind: e.kind, reason };
}

function lineFact(l: PosReceiptEvent['lines'][number]): ReceiptLineFact {
  const line: { -readonly [K in keyof ReceiptLineFact]: ReceiptLineFact[K] } = { qty: l.qty, price: l.price };
  if (l.epc !== undefined) line.epc = l.epc.toUpperCase();
  if (l.gtin !== undefined) line.gtin = l.gtin;
  if (l.sku !== undefined) line.sku = l.sku;
  return line;
}

function adjustmentKind(value: unknown): AdjustmentKind {
  if (value === 'refund' || value === 'void') return value;
  throw new SnapshotError(`sales: not a refund or void: ${JSON.stringify(value)}`);
}
