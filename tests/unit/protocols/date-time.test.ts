/**
 * The message schemas' `date-time` check (protocols/date-time.ts) reads characters in place
 * for speed; it must accept exactly what TypeBox's own RFC 3339 check accepts.
 */
import fc from 'fast-check';
import { Format, IsDateTime } from 'typebox/format';
import { describe, expect, it } from 'vitest';
import { isDateTime } from '../../../protocols/date-time.js';
import { decodeMessage } from '../../../protocols/messages.js';

/** Strings near the RFC 3339 shape: each piece valid, off by one, or malformed. */
const nearDateTime = fc
  .tuple(
    fc.constantFrom('2026', '2024', '1900', '2000', '0000', '9999', '202', '2a26', '20266'),
    fc.constantFrom('-', '/', ''),
    fc.constantFrom('01', '02', '09', '12', '00', '13', '1', 'x1'),
    fc.constantFrom('-'),
    fc.constantFrom('01', '28', '29', '30', '31', '00', '32', '3'),
    fc.constantFrom('T', 't', ' ', 'TT', ''),
    fc.constantFrom('00', '09', '23', '24', '7'),
    fc.constantFrom(':'),
    fc.constantFrom('00', '59', '60', '5'),
    fc.constantFrom(':', ''),
    fc.constantFrom('00', '59', '60', '61', '6', 'a0'),
    fc.constantFrom('', '.', '.1', '.123', '.123456789', '.x'),
    fc.constantFrom(
      'Z',
      'z',
      '',
      '+08:00',
      '-05:30',
      '+23:59',
      '+24:00',
      '+08:60',
      '+0800',
      '+08:0',
      'Zx',
      '[Asia/Shanghai]',
      'Z[u-ca=iso8601]',
    ),
  )
  .map((parts) => parts.join(''));

describe('isDateTime', () => {
  it('agrees with TypeBox on strings near the RFC 3339 shape', () => {
    fc.assert(
      fc.property(nearDateTime, (s) => {
        expect(isDateTime(s), s).toBe(IsDateTime(s));
      }),
      { numRuns: 50_000 },
    );
  });

  it('agrees with TypeBox on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        expect(isDateTime(s), s).toBe(IsDateTime(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('is what the message schemas use: a day that does not exist is a schema error', () => {
    expect(Format.Get('date-time')).toBe(isDateTime);
    const crossing = (ts: string) =>
      JSON.stringify({ v: 1, type: 'door.crossing', id: 'c-1', ts, door: 'main', dir: 'in', n: 1 });
    expect(decodeMessage(crossing('2026-02-28T10:00:00+08:00')).ok).toBe(true);
    const feb30 = decodeMessage(crossing('2026-02-30T10:00:00+08:00'));
    expect(feb30.ok).toBe(false);
    expect(feb30.ok ? '' : feb30.code).toBe('schema');
  });
});
