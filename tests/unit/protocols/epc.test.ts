import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSgtin96,
  encodeSgtin96,
  gtinCheckDigit,
  gtinFromEpc,
  isValidGtin,
  normalizeEpcHex,
  SGTIN_PARTITIONS,
  sgtin96FromGtin,
} from '../../../protocols/index.js';
import { params } from './fuzz.js';

/**
 * An independent SGTIN-96 encoder for the tests: concatenates binary strings field by field
 * as the TDS draws them, instead of the BigInt shifts the codec uses.
 */
function referenceSgtin96(filter: number, companyPrefix: string, itemReference: string, serial: number): string {
  const partition = 12 - companyPrefix.length;
  const p = SGTIN_PARTITIONS[partition];
  if (!p) throw new Error('bad partition');
  const bits = (v: number | bigint, n: number) => v.toString(2).padStart(n, '0');
  const all =
    bits(0x30, 8) +
    bits(filter, 3) +
    bits(partition, 3) +
    bits(BigInt(companyPrefix), p.cpBits) +
    bits(BigInt(itemReference), p.irBits) +
    bits(serial, 38);
  expect(all).toHaveLength(96);
  let hex = '';
  for (let i = 0; i < 96; i += 4)
    hex += Number.parseInt(all.slice(i, i + 4), 2)
      .toString(16)
      .toUpperCase();
  return hex;
}

describe('normalizeEpcHex', () => {
  it('upper-cases and trims', () => {
    expect(normalizeEpcHex(' 3074257bf7194e4000001a85 ')).toEqual({ ok: true, value: '3074257BF7194E4000001A85' });
  });
  it.each([
    ['', 'bad-frame'],
    ['ABC', 'bad-frame'],
    ['30 74', 'bad-frame'],
    ['0xAB', 'bad-frame'],
    ['GG', 'bad-frame'],
    ['A'.repeat(126), 'too-large'],
  ])('rejects %j as %s', (input, code) => {
    expect(normalizeEpcHex(input)).toMatchObject({ ok: false, code });
  });
  it('rejects non-strings without throwing', () => {
    expect(normalizeEpcHex(42)).toMatchObject({ ok: false, code: 'bad-frame' });
    expect(normalizeEpcHex(null)).toMatchObject({ ok: false, code: 'bad-frame' });
  });
});

describe('GTIN check digit (GS1 mod 10)', () => {
  it.each([
    // TDS example GTIN, the DESIGN vector.
    ['8061414112345', 8],
    // Well-known published numbers: EAN-13 4006381333931, ISBN-13 978-0-306-40615-7, UPC-A 036000291452.
    ['400638133393', 1],
    ['978030640615', 7],
    ['03600029145', 2],
    // Worked by hand: weights 3,1,3… from the right give 113 → check 7.
    ['8061414123456', 7],
  ])('check digit of %s is %i', (body, check) => {
    expect(gtinCheckDigit(body)).toBe(check);
  });
  it('validates whole GTINs of every length', () => {
    expect(isValidGtin('80614141123458')).toBe(true);
    expect(isValidGtin('4006381333931')).toBe(true);
    expect(isValidGtin('036000291452')).toBe(true);
    expect(isValidGtin('96385074')).toBe(true);
    expect(isValidGtin('80614141123459')).toBe(false);
    expect(isValidGtin('8061414112345')).toBe(false);
    expect(isValidGtin('abc')).toBe(false);
    expect(isValidGtin(80614141123458)).toBe(false);
  });
  it('throws on a non-digit body (a programming error, not device input)', () => {
    expect(() => gtinCheckDigit('12a')).toThrow(RangeError);
  });
});

describe('decodeSgtin96', () => {
  it('decodes the DESIGN / TDS vector', () => {
    expect(decodeSgtin96('3074257BF7194E4000001A85')).toEqual({
      ok: true,
      value: {
        filter: 3,
        partition: 5,
        companyPrefix: '0614141',
        itemReference: '812345',
        serial: '6789',
        gtin14: '80614141123458',
        uri: 'urn:epc:id:sgtin:0614141.812345.6789',
        tagUri: 'urn:epc:tag:sgtin-96:3.0614141.812345.6789',
      },
    });
    expect(gtinFromEpc('3074257bf7194e4000001a85')).toBe('80614141123458');
  });

  // One vector per partition: hex from the reference bit-string encoder above (and checked
  // once more with a separate Python bit concatenation), GTINs checked with the GS1 digit.
  it.each([
    [0, '061414123456', '8', '30203932449F020000003039', '80614141234567'],
    [1, '06141412345', '81', '30242DC1D07F344000003039', '80614141234512'],
    [2, '0614141234', '812', '3028249B0D32CB0000003039', '80614141234123'],
    [3, '061414123', '8123', '302C3A91AEB7EEC000003039', '80614141231238'],
    [4, '06141412', '81234', '30302EDAF24F548000003039', '80614141212343'],
    [5, '0614141', '812345', '3034257BF7194E4000003039', '80614141123458'],
    [6, '061414', '8123456', '30383BF99EFD100000003039', '80614141234567'],
  ])('partition %i: %s.%s', (partition, cp, ir, hex, gtin) => {
    expect(referenceSgtin96(1, cp, ir, 12345)).toBe(hex);
    expect(encodeSgtin96({ filter: 1, companyPrefix: cp, itemReference: ir, serial: 12345 })).toBe(hex);
    const d = decodeSgtin96(hex);
    expect(d).toMatchObject({
      ok: true,
      value: { filter: 1, partition, companyPrefix: cp, itemReference: ir, serial: '12345', gtin14: gtin },
    });
    expect(isValidGtin(gtin)).toBe(true);
  });

  it('keeps leading zeros of company prefix and item reference', () => {
    const hex = encodeSgtin96({ filter: 0, companyPrefix: '0000001', itemReference: '000002', serial: 0 });
    expect(decodeSgtin96(hex)).toMatchObject({
      ok: true,
      value: {
        companyPrefix: '0000001',
        itemReference: '000002',
        serial: '0',
        uri: 'urn:epc:id:sgtin:0000001.000002.0',
      },
    });
  });

  it('handles the largest serial', () => {
    const max = 2n ** 38n - 1n;
    const hex = encodeSgtin96({ filter: 7, companyPrefix: '999999', itemReference: '9999999', serial: max });
    expect(decodeSgtin96(hex)).toMatchObject({ ok: true, value: { serial: max.toString(), filter: 7 } });
    expect(() =>
      encodeSgtin96({ filter: 7, companyPrefix: '999999', itemReference: '9999999', serial: max + 1n }),
    ).toThrow(RangeError);
  });

  it.each([
    ['E2000017221101441890ABCD', 'unsupported'], // a TID-like / other header 96-bit EPC
    ['3074257BF7194E4000001A', 'unsupported'], // 88 bits
    ['3074257BF7194E4000001A8500', 'unsupported'], // 104 bits
    [`36${'0'.repeat(22)}`, 'unsupported'], // SGTIN-198 header
    ['307C257BF7194E4000001A85', 'bad-frame'], // partition 7
    ['3063FFFFFFFFFC0000000001', 'bad-frame'], // partition 0 prefix field holds 2^40−1 > 999 999 999 999
    ['3074257BFFFFFC0000000001', 'bad-frame'], // partition 5 item reference 2^20−1 > 999 999
    ['XYZ', 'bad-frame'],
  ])('rejects %s as %s', (hex, code) => {
    expect(decodeSgtin96(hex)).toMatchObject({ ok: false, code });
    expect(gtinFromEpc(hex)).toBeUndefined();
  });

  it('builds an SGTIN-96 from a GTIN and prefix length', () => {
    expect(sgtin96FromGtin({ gtin: '80614141123458', companyPrefixLength: 7, serial: 6789, filter: 3 })).toBe(
      '3074257BF7194E4000001A85',
    );
    // GTIN-13 pads to GTIN-14 with indicator 0.
    const hex = sgtin96FromGtin({ gtin: '4006381333931', companyPrefixLength: 7, serial: '1' });
    expect(gtinFromEpc(hex)).toBe('04006381333931');
    expect(() => sgtin96FromGtin({ gtin: '4006381333932', companyPrefixLength: 7, serial: 1 })).toThrow(RangeError);
  });

  it('rejects encoder misuse with RangeError', () => {
    expect(() => encodeSgtin96({ filter: 8, companyPrefix: '0614141', itemReference: '812345', serial: 1 })).toThrow(
      RangeError,
    );
    expect(() => encodeSgtin96({ filter: 1, companyPrefix: '06141', itemReference: '8123456', serial: 1 })).toThrow(
      RangeError,
    );
    expect(() => encodeSgtin96({ filter: 1, companyPrefix: '0614141', itemReference: '81234', serial: 1 })).toThrow(
      RangeError,
    );
    expect(() => encodeSgtin96({ filter: 1, companyPrefix: '0614141', itemReference: '812345', serial: -1 })).toThrow(
      RangeError,
    );
  });
});

describe('SGTIN-96 properties', () => {
  const fields = fc
    .record({
      filter: fc.integer({ min: 0, max: 7 }),
      cpLen: fc.integer({ min: 6, max: 12 }),
      digits: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 13, maxLength: 13 }),
      serial: fc.bigInt({ min: 0n, max: 2n ** 38n - 1n }),
    })
    .map(({ filter, cpLen, digits, serial }) => ({
      filter,
      companyPrefix: digits.slice(0, cpLen).join(''),
      itemReference: digits.slice(cpLen).join(''),
      serial,
    }));

  it('encode → decode is the identity, and the GTIN carries a valid check digit', () => {
    fc.assert(
      fc.property(fields, (f) => {
        const hex = encodeSgtin96(f);
        expect(hex).toMatch(/^30[0-9A-F]{22}$/);
        const d = decodeSgtin96(hex);
        if (!d.ok) throw new Error(d.reason);
        expect(d.value).toMatchObject({
          filter: f.filter,
          partition: 12 - f.companyPrefix.length,
          companyPrefix: f.companyPrefix,
          itemReference: f.itemReference,
          serial: f.serial.toString(),
        });
        expect(isValidGtin(d.value.gtin14)).toBe(true);
        expect(d.value.gtin14.slice(0, 13)).toBe(
          f.itemReference.slice(0, 1) + f.companyPrefix + f.itemReference.slice(1),
        );
        expect(encodeSgtin96({ ...d.value, serial: d.value.serial })).toBe(hex);
      }),
      params(),
    );
  });

  it('decoding any 96-bit value with the SGTIN header either round-trips or is rejected', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 88n - 1n }), (rest) => {
        const hex = ((0x30n << 88n) | rest).toString(16).toUpperCase().padStart(24, '0');
        const d = decodeSgtin96(hex);
        if (d.ok) expect(encodeSgtin96(d.value)).toBe(hex);
        else expect(d.code).toBe('bad-frame');
      }),
      params(),
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.anything(),
          fc.uint8Array().map((b) => Buffer.from(b).toString('hex')),
        ),
        (x) => {
          const d = decodeSgtin96(x);
          expect(typeof d.ok).toBe('boolean');
          if (!d.ok) expect(['bad-frame', 'unsupported', 'too-large']).toContain(d.code);
          expect(['string', 'undefined']).toContain(typeof gtinFromEpc(x));
          expect(typeof normalizeEpcHex(x).ok).toBe('boolean');
          expect(typeof isValidGtin(x)).toBe('boolean');
        },
      ),
      params(),
    );
  });
});
