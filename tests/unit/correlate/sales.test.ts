import { describe, expect, it } from 'vitest';
import { createStoreCalendar } from '../../../gateway/infra/time/index.js';
import { Correlator, FunnelAggregator } from '../../../gateway/pipeline/correlate/index.js';
import type { DeviceEvent } from '../../../protocols/index.js';
import {
  ev,
  HOUR,
  inOrder,
  JEANS,
  MIN,
  newCorrelator,
  ofType,
  reads,
  receipt,
  run,
  S,
  SHIRT_L,
  SHIRT_M,
  SHIRT_M2,
  SKU_ONLY,
  T0,
  testConfig,
  testLookups,
  tick,
} from './helpers.js';

describe('transactions', () => {
  it('a sale is one transaction: units = Σ qty, revenue = total', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ev(
        receipt(
          T0,
          'sale',
          [
            { sku: 'A', qty: 2, price: 100 },
            { sku: 'B', qty: 1, price: 99.9 },
          ],
          299.9,
          { receipt: 'R1', member: 'AA00000000000000000000A2' },
        ),
      ),
    ]);
    expect(facts).toEqual([
      {
        type: 'transaction',
        ts: T0,
        receipt: 'R1',
        device: 'pos-1',
        units: 3,
        revenue: 299.9,
        currency: 'CNY',
        member: 'm-gold', // a card number on the receipt is resolved to the member id
        lines: [
          { sku: 'A', qty: 2, price: 100 },
          { sku: 'B', qty: 1, price: 99.9 },
        ],
      },
    ]);
  });

  it('refunds and voids adjust units and revenue negatively but are not transactions', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ev(receipt(T0, 'sale', [{ sku: 'A', qty: 2, price: 100 }], 200, { receipt: 'R1' })),
      ev(receipt(T0 + MIN, 'refund', [{ sku: 'A', qty: 1, price: 100 }], 100, { receipt: 'R2' })),
      ev(receipt(T0 + 2 * MIN, 'void', [{ sku: 'A', qty: 1, price: 100 }], 100, { receipt: 'R3' })),
    ]);
    expect(ofType(facts, 'transaction')).toHaveLength(1);
    expect(ofType(facts, 'adjustment').map((a) => [a.kind, a.units, a.revenue])).toEqual([
      ['refund', -1, -100],
      ['void', -1, -100],
    ]);
  });

  it('the same receipt re-sent counts once; the same number from another till is another receipt', () => {
    const c = newCorrelator();
    const line = [{ sku: 'A', qty: 1, price: 10 }];
    const facts = run(c, [
      ev(receipt(T0, 'sale', line, 10, { receipt: 'R1' })),
      ev(receipt(T0, 'sale', line, 10, { receipt: 'R1' })),
      ev(receipt(T0, 'sale', line, 10, { receipt: 'R1', device: 'pos-2' })),
    ]);
    expect(ofType(facts, 'transaction')).toHaveLength(2);
    expect(ofType(facts, 'receipt.ignored')).toEqual([
      { type: 'receipt.ignored', ts: T0, receipt: 'R1', device: 'pos-1', kind: 'sale', reason: 'duplicate' },
    ]);
  });

  it('a receipt both voided and refunded is adjusted once: the second adjustment is ignored and counted', () => {
    const c = newCorrelator();
    const line = [{ sku: 'A', qty: 1, price: 300 }];
    const facts = run(c, [
      ev(receipt(T0, 'sale', line, 300, { receipt: 'R1' })),
      ev(receipt(T0 + MIN, 'void', line, 300, { receipt: 'R1' })),
      ev(receipt(T0 + 2 * MIN, 'refund', line, 300, { receipt: 'R1' })),
      ev(receipt(T0 + 3 * MIN, 'void', line, 300, { receipt: 'R1' })),
    ]);
    expect(ofType(facts, 'transaction')).toHaveLength(1);
    expect(ofType(facts, 'adjustment').map((a) => [a.kind, a.revenue])).toEqual([['void', -300]]);
    expect(ofType(facts, 'receipt.ignored').map((f) => [f.kind, f.reason, f.adjustedBy ?? null])).toEqual([
      ['refund', 'already-adjusted', 'void'],
      ['void', 'duplicate', null],
    ]);
    const agg = new FunnelAggregator(createStoreCalendar('Asia/Shanghai'));
    agg.addAll(facts);
    expect(agg.get(T0)).toMatchObject({ transactions: 1, units: 0, revenueCents: 0 });
  });

  it('refunds are keyed by (till, receipt number): the same number from two tills adjusts twice', () => {
    const c = newCorrelator();
    const line = [{ sku: 'A', qty: 1, price: 50 }];
    const facts = run(c, [
      ev(receipt(T0, 'refund', line, 50, { receipt: 'R7' })),
      ev(receipt(T0 + MIN, 'refund', line, 50, { receipt: 'R7', device: 'pos-2' })),
    ]);
    expect(ofType(facts, 'adjustment').map((a) => [a.device, a.revenue])).toEqual([
      ['pos-1', -50],
      ['pos-2', -50],
    ]);
    expect(ofType(facts, 'receipt.ignored')).toEqual([]);
  });

  it('an adjusted receipt stays adjusted across snapshot/restore, also from an old (v1) snapshot', () => {
    const line = [{ sku: 'A', qty: 1, price: 80 }];
    const before = newCorrelator();
    run(before, [
      ev(receipt(T0, 'sale', line, 80, { receipt: 'R1' })),
      ev(receipt(T0 + MIN, 'refund', line, 80, { receipt: 'R1' })),
    ]);
    const snapshot = JSON.parse(JSON.stringify(before.snapshot()));
    expect(snapshot.sales).toMatchObject({ v: 2, adjusted: [['pos-1|R1', 'refund', T0 + MIN]] });
    // The format before adjustments applied once: `${device}:${kind}:${receipt}` → seenAt.
    const v1 = {
      ...snapshot,
      sales: [
        ['pos-1:sale:R1', T0],
        ['pos-1:refund:R1', T0 + MIN],
      ],
    };
    for (const snap of [snapshot, v1]) {
      const c = Correlator.restore(testConfig(), testLookups(), snap);
      const facts = run(c, [
        ev(receipt(T0 + 2 * MIN, 'void', line, 80, { receipt: 'R1' })),
        ev(receipt(T0 + 3 * MIN, 'sale', line, 80, { receipt: 'R1' })),
        ev(receipt(T0 + 4 * MIN, 'sale', line, 80, { receipt: 'R2' })),
      ]);
      expect(ofType(facts, 'adjustment')).toEqual([]);
      expect(ofType(facts, 'receipt.ignored').map((f) => f.reason)).toEqual(['already-adjusted', 'duplicate']);
      expect(ofType(facts, 'transaction').map((t) => t.receipt)).toEqual(['R2']);
    }
  });
});

/** A garment tried in fr-1 from T0 for 40 s: the session ends (last sighting) at T0 + 40 s. */
function tryOn(epc: string, start = T0, seconds = 40): DeviceEvent[] {
  return reads(epc, 'fr-1', start, start + seconds * S);
}
const SESSION_END = T0 + 40 * S;

function triedBought(events: DeviceEvent[], until = SESSION_END + 4 * HOUR) {
  const c = newCorrelator();
  const facts = run(c, [...inOrder(events), tick(until)]);
  return ofType(facts, 'tried.bought');
}

describe('tried → bought', () => {
  it('matches by EPC, counted at the receipt time', () => {
    const sale = receipt(SESSION_END + 10 * MIN, 'sale', [{ epc: SHIRT_M, qty: 1, price: 299 }], 299, {
      receipt: 'R9',
    });
    expect(triedBought([...tryOn(SHIRT_M), sale])).toEqual([
      {
        type: 'tried.bought',
        ts: SESSION_END + 10 * MIN,
        receipt: 'R9',
        epc: SHIRT_M,
        gtin: '80614141123458',
        sku: 'S1-M',
        style: 'S1',
        size: 'M',
        room: 'fr-1',
        session: `fr-1@${T0}`,
        sessionEnd: SESSION_END,
        matchedBy: 'epc',
      },
    ]);
  });

  it('matches by GTIN when the sold piece is another of the same product (GTIN-13 = GTIN-14)', () => {
    const sale = receipt(SESSION_END + MIN, 'sale', [{ gtin: '0012345678905', qty: 1, price: 399 }], 399);
    expect(triedBought([...tryOn(JEANS), sale])).toMatchObject([{ epc: JEANS, matchedBy: 'gtin' }]);
    const byOtherPiece = receipt(SESSION_END + MIN, 'sale', [{ epc: SHIRT_M2, qty: 1, price: 299 }], 299);
    expect(triedBought([...tryOn(SHIRT_M), byOtherPiece])).toMatchObject([{ epc: SHIRT_M, matchedBy: 'gtin' }]);
  });

  it('matches by SKU when neither side has a GTIN', () => {
    const sale = receipt(SESSION_END + MIN, 'sale', [{ sku: 'ACC-1', qty: 1, price: 59 }], 59);
    expect(triedBought([...tryOn(SKU_ONLY), sale])).toMatchObject([{ epc: SKU_ONLY, matchedBy: 'sku' }]);
  });

  it('prefers the exact piece: EPC matches are made before GTIN matches', () => {
    const sale = receipt(
      SESSION_END + MIN,
      'sale',
      [
        { gtin: '80614141123458', qty: 1, price: 299 },
        { epc: SHIRT_M2, qty: 1, price: 299 },
      ],
      598,
    );
    const matched = triedBought([...tryOn(SHIRT_M), ...tryOn(SHIRT_M2), sale]);
    expect(matched.map((m) => [m.epc, m.matchedBy]).sort()).toEqual([
      [SHIRT_M, 'gtin'],
      [SHIRT_M2, 'epc'],
    ]);
  });

  it('outside the conversion window, or before the session ended, is not counted', () => {
    const late = receipt(SESSION_END + 2 * HOUR + 1, 'sale', [{ epc: SHIRT_M, qty: 1, price: 299 }], 299);
    expect(triedBought([...tryOn(SHIRT_M), late])).toEqual([]);
    const edge = receipt(SESSION_END + 2 * HOUR, 'sale', [{ epc: SHIRT_M, qty: 1, price: 299 }], 299);
    expect(triedBought([...tryOn(SHIRT_M), edge])).toHaveLength(1);
    const before = receipt(T0 + 30 * S, 'sale', [{ epc: SHIRT_M, qty: 1, price: 299 }], 299);
    expect(triedBought([...tryOn(SHIRT_M), before])).toEqual([]);
  });

  it('a sale made before the session end is detected still matches (the end is known leaveAfter later)', () => {
    const quick = receipt(SESSION_END + 5 * S, 'sale', [{ epc: SHIRT_M, qty: 1, price: 299 }], 299);
    expect(triedBought([...tryOn(SHIRT_M), quick])).toMatchObject([{ ts: SESSION_END + 5 * S, matchedBy: 'epc' }]);
  });

  it('an item that was not tried (dwell < minDwell) is never tried→bought', () => {
    const sale = receipt(SESSION_END + MIN, 'sale', [{ epc: SHIRT_L, qty: 1, price: 299 }], 299);
    expect(triedBought([...tryOn(SHIRT_M), ...reads(SHIRT_L, 'fr-1', T0, T0 + 10 * S), sale])).toEqual([]);
  });

  it('each tried item is matched at most once, each sold unit at most once', () => {
    const two = receipt(SESSION_END + MIN, 'sale', [{ gtin: '80614141123458', qty: 2, price: 299 }], 598);
    expect(triedBought([...tryOn(SHIRT_M), two])).toHaveLength(1);
    const a = receipt(SESSION_END + MIN, 'sale', [{ gtin: '80614141123458', qty: 1, price: 299 }], 299, {
      receipt: 'A',
    });
    const b = receipt(SESSION_END + 2 * MIN, 'sale', [{ gtin: '80614141123458', qty: 1, price: 299 }], 299, {
      receipt: 'B',
    });
    expect(triedBought([...tryOn(SHIRT_M), a, b]).map((m) => m.receipt)).toEqual(['A']);
    const one = receipt(SESSION_END + MIN, 'sale', [{ gtin: '80614141123458', qty: 1, price: 299 }], 299);
    expect(triedBought([...tryOn(SHIRT_M), ...tryOn(SHIRT_M2), one])).toHaveLength(1);
  });

  it('refunds never create tried→bought', () => {
    const refund = receipt(SESSION_END + MIN, 'refund', [{ epc: SHIRT_M, qty: 1, price: 299 }], 299);
    expect(triedBought([...tryOn(SHIRT_M), refund])).toEqual([]);
  });

  it('tried→bought counts in the bucket of the receipt, not of the session', () => {
    const sale = receipt(T0 + 50 * MIN, 'sale', [{ epc: SHIRT_M, qty: 1, price: 299 }], 299);
    const facts = run(newCorrelator(), [...inOrder([...tryOn(SHIRT_M), sale]), tick(T0 + 4 * HOUR)]);
    const agg = new FunnelAggregator(createStoreCalendar('Asia/Shanghai'));
    agg.addAll(facts);
    expect(agg.get(T0)).toMatchObject({ tryOnSessions: 1, itemsTried: 1, triedBought: 0 });
    expect(agg.get(T0 + 45 * MIN)).toMatchObject({ transactions: 1, units: 1, revenueCents: 29_900, triedBought: 1 });
  });
});
