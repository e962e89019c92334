/**
 * Issue 13 item 3: a POS receipt that would corrupt the numbers is rejected at ingest with a
 * reason code of its own (wrong-currency, total-mismatch, bad-amount); valid ones pass.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../gateway/infra/config/index.js';
import { checkReceipt, decodeMqttInput } from '../../../gateway/pipeline/ingest/index.js';

const config = loadConfig(undefined, {});
const rxTs = Date.parse('2026-11-23T10:00:00Z');
const TOPIC = 'retail/s001/pos/pos-1/receipt';
const sale = {
  v: 1,
  type: 'pos.receipt',
  id: 'p1',
  ts: '2026-11-23T09:59:00Z',
  receipt: 'R1',
  kind: 'sale',
  lines: [
    { sku: 'A', qty: 2, price: 199.5 },
    { sku: 'B', qty: 1, price: 99 },
  ],
  total: 498,
  currency: 'CNY',
};
const decode = (payload: object | string) =>
  decodeMqttInput(TOPIC, Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), rxTs, config)
    .result;

describe('receipt checks at ingest', () => {
  it('accepts a valid sale, refund and void (amounts sent positive) in the store currency', () => {
    expect(config.store.currency).toBe('CNY');
    for (const kind of ['sale', 'refund', 'void']) expect(decode({ ...sale, kind }).ok).toBe(true);
  });

  it('accepts a total off by the till rounding each line: up to ±0.01 per line', () => {
    expect(decode({ ...sale, total: 498.02 }).ok).toBe(true);
    expect(decode({ ...sale, total: 497.98 }).ok).toBe(true);
    const thirds = { ...sale, lines: [{ sku: 'A', qty: 3, price: 33.333 }], total: 100 };
    expect(decode(thirds).ok).toBe(true);
  });

  it.each([
    ['a USD receipt in a CNY store', { ...sale, currency: 'USD' }, 'wrong-currency', /USD.*CNY/],
    ['a sale with a negative total', { ...sale, total: -99_999_999.99 }, 'bad-amount', /sale cannot be negative/],
    ['a refund with a negative total', { ...sale, kind: 'refund', total: -498 }, 'bad-amount', /sent positive/],
    [
      'a total beyond 10,000,000',
      { ...sale, lines: [{ sku: 'A', qty: 1, price: 1e308 }], total: 1e308 },
      'bad-amount',
      /lines\/0\/price|total/,
    ],
    ['a total of 1e308 with a sane line', { ...sale, total: 1e308 }, 'bad-amount', /beyond the bound 10000000/],
    [
      'a unit price beyond 1,000,000',
      { ...sale, lines: [{ sku: 'A', qty: 1, price: 1_000_001 }], total: 1_000_001 },
      'bad-amount',
      /price/,
    ],
    ['a quantity of 0', { ...sale, lines: [{ sku: 'A', qty: 0, price: 10 }], total: 0 }, 'bad-amount', /qty/],
    ['a receipt without lines', { ...sale, lines: [], total: 0 }, 'bad-amount', /at least one line/],
    ['a total that is not the sum of the lines', { ...sale, total: 498.03 }, 'total-mismatch', /sum to 498\.00/],
    [
      'a sale whose lines do not add up (discount not on the lines)',
      { ...sale, total: 448 },
      'total-mismatch',
      /498\.00/,
    ],
  ])('rejects %s', (_what, payload, code, reason) => {
    const result = decode(payload);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe(code);
      expect(result.reason).toMatch(reason);
    }
  });

  it('rejects a non-finite total (1e999 parses to Infinity)', () => {
    const text = JSON.stringify(sale).replace('"total":498', '"total":1e999');
    const result = decode(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(['bad-amount', 'schema']).toContain(result.code);
    expect(checkReceipt({ ...sale, kind: 'sale', total: Number.POSITIVE_INFINITY }, 'CNY')?.code).toBe('bad-amount');
    expect(checkReceipt({ ...sale, kind: 'sale', total: Number.NaN }, 'CNY')?.code).toBe('bad-amount');
  });
});
