/** The end-of-day receipts file reader (gateway/pipeline/ingest/receipt-file.ts): CSV, mapping, grouping, errors. */
import { describe, expect, it } from 'vitest';
import type { PosImport } from '../../../gateway/infra/config/index.js';
import {
  decodeCsvBytes,
  parseCsv,
  parseReceiptsCsv,
  timeReader,
} from '../../../gateway/pipeline/ingest/receipt-file.js';

const MAPPING: PosImport = {
  columns: {
    receipt: '单号',
    ts: '时间',
    kind: '类型',
    sku: '货号',
    qty: '数量',
    price: '单价',
    total: '合计',
    member: '会员号',
  },
  kindValues: { sale: '销售', refund: '退货', void: '作废' },
};
const OPTIONS = { timeZone: 'Asia/Shanghai', currency: 'CNY' };
const HEADER = '单号,时间,类型,货号,数量,单价,合计,会员号';

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields with delimiters, quotes and line breaks, CRLF or LF', () => {
    expect(parseCsv('a,"b,1","say ""hi"""\r\n"multi\nline",,x\n').records).toEqual([
      ['a', 'b,1', 'say "hi"'],
      ['multi\nline', '', 'x'],
    ]);
    expect(parseCsv('a;b\n1;2', ';').records).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('names the record of an unclosed quote or text after a closing quote', () => {
    expect(parseCsv('a,b\n1,"open\n').error).toEqual({ row: 2, reason: 'a quoted field is not closed' });
    expect(parseCsv('a,b\n1,"x"y\n').error).toEqual({ row: 2, reason: 'text after a closing quote' });
  });
});

describe('decodeCsvBytes', () => {
  it('drops a UTF-8 BOM and reads GB18030 (Excel zh-CN) when the bytes are not UTF-8', () => {
    expect(decodeCsvBytes(Buffer.from('\uFEFF单号,x', 'utf8'))).toBe('单号,x');
    // "单号" in GBK/GB18030.
    expect(decodeCsvBytes(Buffer.from([0xb5, 0xa5, 0xba, 0xc5, 0x2c, 0x78]))).toBe('单号,x');
  });
});

describe('timeReader', () => {
  it('reads local times in the zone, RFC 3339 as given, and a configured layout', () => {
    const read = timeReader(undefined, 'Asia/Shanghai');
    expect(read('2026-03-01 10:00')).toBe(Date.parse('2026-03-01T02:00:00Z'));
    expect(read('2026/3/1 10:00:05')).toBe(Date.parse('2026-03-01T02:00:05Z'));
    expect(read('2026-03-01T10:00:00+08:00')).toBe(Date.parse('2026-03-01T02:00:00Z'));
    expect(read('2026-02-30 10:00')).toBeUndefined();
    expect(read('yesterday')).toBeUndefined();
    const dmy = timeReader('DD.MM.YYYY HH:mm', 'Europe/Berlin');
    expect(dmy('01.07.2026 12:30')).toBe(Date.parse('2026-07-01T10:30:00Z'));
    expect(dmy('2026-07-01 12:30')).toBeUndefined();
  });
});

describe('parseReceiptsCsv', () => {
  it('groups lines into receipts by (number, kind) with stable ids, refunds taken positive', () => {
    const csv = [
      HEADER,
      'R1,2026-03-01 10:00:00,销售,A,2,10.50,"31.00",M1',
      'R1,2026-03-01 10:00:00,销售,B,1,10,,M1',
      'R1,2026-03-01 11:00:00,退货,B,-1,-10,-10,M1',
      ',,,,,,,',
      'R2,2026-03-01 10:05:00,销售,C,1,"1,200.00",,',
    ].join('\n');
    const result = parseReceiptsCsv(csv, MAPPING, OPTIONS);
    expect(result).toEqual({
      ok: true,
      rows: 4,
      receipts: [
        {
          v: 1,
          type: 'pos.receipt',
          id: 'file:sale:R1',
          ts: '2026-03-01T02:00:00.000Z',
          receipt: 'R1',
          kind: 'sale',
          member: 'M1',
          lines: [
            { sku: 'A', qty: 2, price: 10.5 },
            { sku: 'B', qty: 1, price: 10 },
          ],
          total: 31,
          currency: 'CNY',
        },
        {
          v: 1,
          type: 'pos.receipt',
          id: 'file:refund:R1',
          ts: '2026-03-01T03:00:00.000Z',
          receipt: 'R1',
          kind: 'refund',
          member: 'M1',
          lines: [{ sku: 'B', qty: 1, price: 10 }],
          total: 10,
          currency: 'CNY',
        },
        {
          v: 1,
          type: 'pos.receipt',
          id: 'file:sale:R2',
          ts: '2026-03-01T02:05:00.000Z',
          receipt: 'R2',
          kind: 'sale',
          lines: [{ sku: 'C', qty: 1, price: 1200 }],
          total: 1200,
          currency: 'CNY',
        },
      ],
    });
  });

  it('lists every structural error by row and returns no receipts', () => {
    const csv = [
      HEADER,
      'R1,2026-03-01 10:00,销售,A,1,10,10,',
      'R1,2026-03-01 10:00,销售,B,1,10,12,',
      ',2026-03-01 10:00,销售,A,1,10,10,',
      'R3,2026-03-01 10:00,销售,,1,10,10,',
      'R4,2026-03-01 10:00,销售,A,1,abc,10,',
    ].join('\n');
    const result = parseReceiptsCsv(csv, MAPPING, OPTIONS);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.row)).toEqual([4, 5, 6]);
    expect(result.errors[0]?.reason).toMatch(/"单号"/);
    expect(result.errors[1]?.reason).toMatch(/no article/);
    expect(result.errors[2]?.reason).toMatch(/"单价": "abc"/);
    // Once rows read, receipts whose lines disagree are named with their rows.
    const disagree = parseReceiptsCsv(
      [HEADER, 'R1,2026-03-01 10:00,销售,A,1,10,10,', 'R1,2026-03-01 10:00,销售,B,1,10,12,'].join('\n'),
      MAPPING,
      OPTIONS,
    );
    expect(disagree).toEqual({
      ok: false,
      errors: [{ row: 2, reason: 'receipt R1 (sale, rows 2, 3): the total differs between its lines (10 / 12)' }],
    });
  });

  it('finds columns by header whatever their order, with ; or tab, and defaults kind to sale', () => {
    const mapping: PosImport = { columns: { receipt: 'No', ts: 'Time', sku: 'SKU', qty: 'Qty', price: 'Price' } };
    const result = parseReceiptsCsv('Price\tQty\tSKU\tTime\tNo\n5\t2\tS\t2026-03-01 09:00\tX1\n', mapping, OPTIONS);
    expect(result.ok && result.receipts.map((r) => [r.id, r.kind, r.total])).toEqual([['file:sale:X1', 'sale', 10]]);
    const missing = parseReceiptsCsv('No;Time;Qty\nX1;2026-03-01 09:00;1\n', mapping, OPTIONS);
    expect(missing.ok === false && missing.errors[0]?.reason).toMatch(
      /^no column "SKU" \(sku\); no column "Price" \(price\)/,
    );
  });
});
