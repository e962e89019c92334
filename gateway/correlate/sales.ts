/**
 * Sales: POS receipts → transactions and adjustments.
 *
 * - `sale`: one transaction; units = Σ qty, revenue = the receipt total.
 * - `refund` / `void`: an adjustment with negative units and revenue (−|total|); never a
 *   transaction (DESIGN "Transaction").
 * - The same receipt number of the same kind from the same terminal twice (a POS re-sending it under a new
 *   message id) counts once, within DEDUPE_MS.
 * - A receipt's `member` is normalised to the roster id when the roster knows it (by id,
 *   else as a card/credential).
 */
import type { PosReceiptEvent } from '../../protocols/index.js';
import type { Fact } from './facts.js';
import type { CorrelatorLookups } from './lookups.js';
import { asArray, asNumber } from './snapshot-util.js';

const DEDUPE_MS = 48 * 3_600_000;

export interface ReceiptOutcome {
  readonly kind: PosReceiptEvent['kind'];
  readonly member?: string;
  readonly revenue: number;
}

export type SalesSnapshot = [key: string, seenAt: number][];

export class Sales {
  /** `${device}:${kind}:${receipt}` → when it was processed (clock), oldest first. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly lookups: CorrelatorLookups) {}

  /** Facts of one receipt; undefined for a repeated receipt. */
  receipt(e: PosReceiptEvent, now: number, out: Fact[]): ReceiptOutcome | undefined {
    this.prune(now);
    const key = `${e.device}:${e.kind}:${e.receipt}`;
    if (this.seen.has(key)) return undefined;
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
  }

  snapshot(): SalesSnapshot {
    return [...this.seen];
  }

  static restore(lookups: CorrelatorLookups, data: unknown): Sales {
    const s = new Sales(lookups);
    for (const row of asArray(data, 'sales')) {
      const [key, at] = asArray(row, 'sales row');
      s.seen.set(String(key), asNumber(at, 'seenAt'));
    }
    return s;
  }
}
