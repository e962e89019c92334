/**
 * Receipts count only when valid (DESIGN "Receipts"): checked at ingest, where the store's
 * currency is known, so a receipt that would corrupt revenue, ATV or UPT is journaled as
 * rejected and never reaches correlation.
 *
 * Sign convention (the contract the POS simulator and correlation follow): every amount on
 * the wire is ≥ 0 whatever the kind; a `refund` or `void` lists what goes back and the
 * gateway subtracts it. So a negative total is refused for every kind, not only for sales.
 *
 * Rules, in the order they are checked (the first that fails is the reason):
 * 1. `currency` is the store's (`store.currency`)                       → wrong-currency
 * 2. at least one line; every line: qty an integer in 1..10,000, price finite in
 *    0..1,000,000; total finite in 0..10,000,000                         → bad-amount
 * 3. total = Σ qty × price within ±0.01 per line (each line's amount taken to the cent, so
 *    a till rounding each line's discount is accepted; anything more is not) → total-mismatch
 */
import type { PosReceiptMsg, Rejection } from '../../../protocols/index.js';
import { reject } from '../../../protocols/index.js';

export const RECEIPT_LIMITS = {
  /** |total| of one receipt, in the store currency. */
  maxTotal: 10_000_000,
  /** Unit price of one line. */
  maxPrice: 1_000_000,
  minQty: 1,
  maxQty: 10_000,
  /** Allowed |total − Σ lines| per line, in the store currency. */
  tolerancePerLine: 0.01,
} as const;

type ReceiptFields = Pick<PosReceiptMsg, 'kind' | 'lines' | 'total' | 'currency'>;

/** Why a receipt must not count, or undefined when it may. */
export function checkReceipt(r: ReceiptFields, storeCurrency: string): Rejection | undefined {
  const L = RECEIPT_LIMITS;
  if (r.currency !== storeCurrency) {
    return reject('wrong-currency', `currency ${r.currency} is not the store's currency ${storeCurrency}`);
  }
  if (r.lines.length === 0) return reject('bad-amount', `a ${r.kind} needs at least one line`);
  if (!Number.isFinite(r.total)) return reject('bad-amount', '/total: not a finite number');
  if (r.total < 0) {
    return reject(
      'bad-amount',
      r.kind === 'sale'
        ? `/total: a sale cannot be negative (${r.total})`
        : `/total: a ${r.kind} is sent positive (the gateway subtracts it), got ${r.total}`,
    );
  }
  if (r.total > L.maxTotal) return reject('bad-amount', `/total: ${r.total} is beyond the bound ${L.maxTotal}`);
  let linesCents = 0;
  for (const [i, line] of r.lines.entries()) {
    if (!Number.isInteger(line.qty) || line.qty < L.minQty || line.qty > L.maxQty) {
      return reject('bad-amount', `/lines/${i}/qty: ${line.qty} is not an integer in ${L.minQty}..${L.maxQty}`);
    }
    if (!Number.isFinite(line.price) || line.price < 0 || line.price > L.maxPrice) {
      return reject('bad-amount', `/lines/${i}/price: ${line.price} is not in 0..${L.maxPrice}`);
    }
    linesCents += Math.round(line.qty * line.price * 100);
  }
  const diffCents = Math.abs(Math.round(r.total * 100) - linesCents);
  const toleranceCents = Math.round(r.lines.length * L.tolerancePerLine * 100);
  if (diffCents > toleranceCents) {
    return reject(
      'total-mismatch',
      `/total: ${r.total} but the ${r.lines.length} line(s) sum to ${(linesCents / 100).toFixed(2)} ` +
        `(allowed ±${(toleranceCents / 100).toFixed(2)})`,
    );
  }
  return undefined;
}
