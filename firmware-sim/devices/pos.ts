/**
 * A POS terminal publishing finished documents (`pos.receipt`).
 *
 * Sign convention (DESIGN is silent; the gateway follows it): `total` and line `qty`/`price`
 * are never negative. A `sale` adds its total to revenue and its quantities to units; a
 * `refund` or `void` is its own document with its own receipt number, listing what goes
 * back, and the gateway SUBTRACTS its total and quantities. A void reverses an earlier sale
 * of the same day; neither refunds nor voids are transactions.
 */
import { type PosReceiptMsg, type ReceiptLine, topics } from '../../protocols/index.js';
import { localDate } from '../time.js';
import { DeviceSim, type DeviceSimOptions, type SimMessage } from './device-sim.js';

export interface PosSimOptions extends DeviceSimOptions {
  readonly currency: string;
}

export interface ReceiptInput {
  readonly kind: PosReceiptMsg['kind'];
  readonly lines: readonly ReceiptLine[];
  readonly member?: string;
  /** Amount paid (sale) or paid back (refund/void); defaults to Σ qty × price. */
  readonly total?: number;
}

/** Σ qty × price, rounded to cents. */
export function linesTotal(lines: readonly ReceiptLine[]): number {
  return Math.round(lines.reduce((sum, l) => sum + l.qty * l.price, 0) * 100) / 100;
}

export class PosSim extends DeviceSim {
  readonly currency: string;
  private receiptSeq = 0;

  constructor(options: PosSimOptions) {
    super(options);
    this.currency = options.currency;
  }

  /** Receipt numbers read like a till's: `POS-1-20250314-0007`. */
  nextReceiptNumber(at: number): string {
    this.receiptSeq += 1;
    const day = localDate(at, this.tsOffsetMinutes).replaceAll('-', '');
    return `${this.device.toUpperCase()}-${day}-${String(this.receiptSeq).padStart(4, '0')}`;
  }

  receipt(at: number, input: ReceiptInput, receipt = this.nextReceiptNumber(at)): SimMessage<PosReceiptMsg> {
    if (input.lines.length === 0) throw new RangeError('a receipt needs at least one line');
    const payload: PosReceiptMsg = {
      v: 1,
      type: 'pos.receipt',
      id: this.nextId(),
      ts: this.time(at),
      receipt,
      kind: input.kind,
      lines: input.lines.map((l) => ({ ...l })),
      total: input.total ?? linesTotal(input.lines),
      currency: this.currency,
    };
    if (input.member !== undefined) payload.member = input.member;
    return { topic: topics.posReceipt(this.store, this.device), payload };
  }
}
