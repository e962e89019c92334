import { describe, expect, it } from 'vitest';
import { createStoreCalendar } from '../../../gateway/infra/time/index.js';
import {
  bucketDelta,
  emptyCounters,
  type Fact,
  FunnelAggregator,
  funnelRates,
  ratio,
  revenueOf,
  toCents,
} from '../../../gateway/pipeline/correlate/index.js';
import { MIN, T0 } from './helpers.js';

const shanghai = createStoreCalendar('Asia/Shanghai');

function tx(ts: number, units: number, revenue: number): Fact {
  return { type: 'transaction', ts, receipt: `R${ts}`, device: 'pos-1', units, revenue, currency: 'CNY' };
}

describe('rates', () => {
  it('a zero denominator gives null, never NaN or Infinity', () => {
    const rates = funnelRates(emptyCounters());
    expect(rates).toEqual({
      captureRate: null,
      tryOnRate: null,
      conversionRate: null,
      atv: null,
      upt: null,
      estimatedDwellMs: null,
    });
    expect(ratio(5, 0)).toBeNull();
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(0, 4)).toBe(0);
  });

  it('are the DESIGN definitions', () => {
    const c = {
      ...emptyCounters(),
      passersBy: 200,
      visitors: 50,
      tryOnSessions: 10,
      transactions: 8,
      units: 14,
      revenueCents: 123_456,
      occupancyMs: 50 * 20 * MIN,
    };
    expect(funnelRates(c)).toEqual({
      captureRate: 0.25,
      tryOnRate: 0.2,
      conversionRate: 0.16,
      atv: 154.32,
      upt: 1.75,
      estimatedDwellMs: 20 * MIN,
    });
  });

  it('capture rate is null without a passer-by counter, even with visitors', () => {
    expect(funnelRates({ ...emptyCounters(), visitors: 10 }).captureRate).toBeNull();
  });

  it('ATV is rounded to cents only at the end', () => {
    expect(funnelRates({ ...emptyCounters(), transactions: 3, revenueCents: 1000 }).atv).toBe(3.33);
    expect(funnelRates({ ...emptyCounters(), transactions: 3, revenueCents: 2000 }).atv).toBe(6.67);
  });

  it('ATV and UPT round half away from zero, exactly (51,205 cents over 2 transactions is 256.03)', () => {
    expect(funnelRates({ ...emptyCounters(), transactions: 2, revenueCents: 51_205 }).atv).toBe(256.03);
    expect(funnelRates({ ...emptyCounters(), transactions: 2, revenueCents: -51_205 }).atv).toBe(-256.03);
    expect(funnelRates({ ...emptyCounters(), transactions: 8, units: 9 }).upt).toBe(1.13);
    expect(funnelRates({ ...emptyCounters(), transactions: 3, units: 7 }).upt).toBe(2.33);
  });
});

describe('aggregation', () => {
  it('money sums exactly in cents', () => {
    const agg = new FunnelAggregator(shanghai);
    agg.addAll([tx(T0, 1, 0.1), tx(T0 + 1, 1, 0.2), tx(T0 + 2, 1, 0.7)]);
    const bucket = agg.get(T0);
    expect(bucket?.revenueCents).toBe(100);
    expect(bucket && revenueOf(bucket)).toBe(1);
    expect(toCents(-100.105)).toBe(-10011);
    expect(toCents(1.005)).toBe(101); // the decimal 1.005, not the double 1.00499999…
    expect(toCents(-0.001)).toBe(0);
  });

  it('each fact counts in the bucket of its own time', () => {
    const agg = new FunnelAggregator(shanghai);
    const facts: Fact[] = [
      { type: 'visitor', ts: T0 + 14 * MIN + 59_999, door: 'main', zone: 'entrance', n: 2 },
      { type: 'visitor', ts: T0 + 15 * MIN, door: 'main', zone: 'entrance', n: 1 },
      { type: 'passerby', ts: T0, door: 'street', zone: 'street', n: 7 },
      {
        type: 'adjustment',
        ts: T0,
        receipt: 'R',
        device: 'pos',
        kind: 'refund',
        units: -1,
        revenue: -9.99,
        currency: 'CNY',
      },
      tx(T0 + MIN, 2, 100),
      { type: 'staff.in', ts: T0, door: 'main', zone: 'entrance', n: 1 },
    ];
    agg.addAll(facts);
    const out = agg.drain();
    expect([...out.keys()]).toEqual([T0, T0 + 15 * MIN]);
    expect(out.get(T0)).toMatchObject({ visitors: 2, passersBy: 7, transactions: 1, units: 1, revenueCents: 9001 });
    expect(out.get(T0 + 15 * MIN)).toMatchObject({ visitors: 1 });
    expect(agg.drain().size).toBe(0);
  });

  it('bucketDelta: facts that count nothing give undefined', () => {
    expect(bucketDelta({ type: 'staff.in', ts: T0, door: 'd', zone: 'z', n: 1 }, shanghai)).toBeUndefined();
    expect(bucketDelta(tx(T0 + 20 * MIN, 3, 50), shanghai)).toEqual({
      bucketStart: T0 + 15 * MIN,
      counters: { ...emptyCounters(), transactions: 1, units: 3, revenueCents: 5000 },
    });
  });

  it('store-local buckets in a 30-minute-offset zone', () => {
    const stJohns = createStoreCalendar('America/St_Johns');
    const ts = Date.parse('2026-06-15T13:37:00Z'); // 11:07 local
    expect(bucketDelta(tx(ts, 1, 1), stJohns)?.bucketStart).toBe(Date.parse('2026-06-15T13:30:00Z'));
  });
});
