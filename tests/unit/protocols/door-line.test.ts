import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DoorLine,
  DoorLineParser,
  decodeDoorLine,
  encodeDoorLine,
  nmeaChecksum,
} from '../../../protocols/index.js';
import { bytesWithout, concatBytes, params, splitAt } from './fuzz.js';

const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

const sample: DoorLine = { device: 'door-2', seq: 17, door: 'side', totalIn: 1234, totalOut: 1200, bootId: 'b7f3' };
// XOR of "PCNT,door-2,17,side,1234,1200,b7f3" = 0x1A (computed separately with Python).
const SAMPLE_LINE = '$PCNT,door-2,17,side,1234,1200,b7f3*1A\r\n';

describe('door line fixtures', () => {
  it('encodes the NMEA-style line with its XOR checksum', () => {
    expect(encodeDoorLine(sample)).toBe(SAMPLE_LINE);
    expect(nmeaChecksum('PCNT,door-2,17,side,1234,1200,b7f3')).toBe(0x1a);
  });

  it('decodes with CR LF, LF alone, no terminator, and a lower-case checksum', () => {
    for (const line of [
      SAMPLE_LINE,
      SAMPLE_LINE.replace('\r\n', '\n'),
      SAMPLE_LINE.trimEnd(),
      SAMPLE_LINE.replace('*1A', '*1a'),
    ]) {
      expect(decodeDoorLine(line)).toEqual({ ok: true, value: sample });
    }
  });

  it('hand-built line: "$PCNT,d,0,m,0,0,1*.."', () => {
    // XOR by hand: P^C^N^T = 0x50^0x43^0x4E^0x54 = 0x09; then ',' 0x2C → 0x25, 'd' 0x64 → 0x41,
    // ',' → 0x6D, '0' 0x30 → 0x5D, ',' → 0x71, 'm' 0x6D → 0x1C, ',' → 0x30, '0' → 0x00,
    // ',' → 0x2C, '0' → 0x1C, ',' → 0x30, '1' 0x31 → 0x01.
    expect(decodeDoorLine('$PCNT,d,0,m,0,0,1*01')).toEqual({
      ok: true,
      value: { device: 'd', seq: 0, door: 'm', totalIn: 0, totalOut: 0, bootId: '1' },
    });
  });

  it.each([
    ['$PCNT,door-2,17,side,1234,1200,b7f3*1B', 'bad-checksum'],
    ['$PCNT,door-2,17,side,1234,1201,b7f3*1A', 'bad-checksum'],
    ['PCNT,door-2,17,side,1234,1200,b7f3*1A', 'bad-frame'], // no $
    ['$PCNT,door-2,17,side,1234,1200,b7f3', 'bad-frame'], // no checksum
    ['$PCNT,door-2,17,side,1234,1200,b7f3*1', 'bad-frame'],
    ['$PCNT,door-2,17,side,1234,1200,b7f3*1AX', 'bad-frame'],
    ['', 'bad-frame'],
  ])('rejects %j as %s', (line, code) => {
    expect(decodeDoorLine(line)).toMatchObject({ ok: false, code });
  });

  /** Lines with a right checksum but wrong content. */
  const framed = (body: string) => `$${body}*${nmeaChecksum(body).toString(16).toUpperCase().padStart(2, '0')}`;
  it.each([
    ['PCNT,door-2,17,side,1234,1200', 'bad-frame'], // 5 fields
    ['PCNT,door-2,17,side,1234,1200,b7f3,x', 'bad-frame'], // 7 fields
    ['PCNT,door-2,17,side,-1,1200,b7f3', 'bad-frame'], // negative
    ['PCNT,door-2,17,side,12.5,1200,b7f3', 'bad-frame'], // not an integer
    ['PCNT,door-2,x,side,1,1200,b7f3', 'bad-frame'],
    ['PCNT,door-2,17,side,1,99999999999999999,b7f3', 'bad-frame'], // beyond a safe integer
    ['PCNT,,17,side,1,2,b7f3', 'bad-frame'], // empty device
    ['PCNT,door 2,17,side,1,2,b7f3', 'bad-frame'], // space in a token
    ['GPGGA,123519,4807.038,N', 'unsupported'],
  ])('rejects %j (right checksum) as %s', (body, code) => {
    expect(decodeDoorLine(framed(body))).toMatchObject({ ok: false, code });
  });

  it('never lets the encoder frame a field that would break the line', () => {
    for (const bad of ['a,b', 'a*b', '$a', '', 'x'.repeat(65), 'é']) {
      expect(() => encodeDoorLine({ ...sample, device: bad })).toThrow(RangeError);
    }
    expect(() => encodeDoorLine({ ...sample, totalIn: -1 })).toThrow(RangeError);
    expect(() => encodeDoorLine({ ...sample, seq: 1.5 })).toThrow(RangeError);
  });
});

describe('DoorLineParser fixtures', () => {
  it('reassembles a line torn across chunks', () => {
    const p = new DoorLineParser();
    expect(p.push(ascii('$PCNT,door-2,17,si'))).toEqual({ lines: [], rejected: [] });
    expect(p.pendingBytes).toBeGreaterThan(0);
    expect(p.push(ascii('de,1234,1200,b7f3*1A\r'))).toEqual({ lines: [], rejected: [] });
    expect(p.push(ascii('\n'))).toEqual({ lines: [sample], rejected: [] });
    expect(p.pendingBytes).toBe(0);
  });

  it('skips garbage between lines, resyncing at the next $', () => {
    const p = new DoorLineParser();
    const out = p.push(ascii(`noise\x00\xff${SAMPLE_LINE}\r\n\r\n${SAMPLE_LINE.replace('\r\n', '\n')}junk`));
    expect(out.lines).toEqual([sample, sample]);
    expect(out.rejected).toEqual([{ ok: false, code: 'bad-frame', reason: 'skipped 11 bytes outside door lines' }]);
  });

  it('drops a line cut short by a new $, keeping the next one', () => {
    const p = new DoorLineParser();
    const out = p.push(ascii(`$PCNT,door-2,17,si${SAMPLE_LINE}`));
    expect(out.lines).toEqual([sample]);
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]).toMatchObject({ code: 'bad-frame' });
  });

  it('reports a bad checksum and carries on', () => {
    const p = new DoorLineParser();
    const out = p.push(ascii(`${SAMPLE_LINE.replace('*1A', '*00')}${SAMPLE_LINE}`));
    expect(out.lines).toEqual([sample]);
    expect(out.rejected).toMatchObject([{ code: 'bad-checksum' }]);
  });

  it('bounds its buffer: an endless line is dropped once and skipped until the next $', () => {
    const p = new DoorLineParser({ maxLineLength: 64 });
    const first = p.push(ascii(`$PCNT,${'x'.repeat(100)}`));
    expect(first.lines).toEqual([]);
    expect(first.rejected).toMatchObject([{ code: 'too-large' }]);
    for (let i = 0; i < 50; i++) {
      const more = p.push(ascii('y'.repeat(1000)));
      expect(more).toEqual({ lines: [], rejected: [] });
      expect(p.pendingBytes).toBeLessThanOrEqual(64);
    }
    expect(p.push(ascii(`\r\n${SAMPLE_LINE}`)).lines).toEqual([sample]);
  });

  it('counts long garbage without buffering it', () => {
    const p = new DoorLineParser();
    const out = p.push(new Uint8Array(100_000).fill(0x41));
    expect(out).toEqual({
      lines: [],
      rejected: [{ ok: false, code: 'bad-frame', reason: 'skipped 100000 bytes outside door lines' }],
    });
    expect(p.pendingBytes).toBe(0);
  });

  it('reset forgets a half line', () => {
    const p = new DoorLineParser();
    p.push(ascii('$PCNT,door-2'));
    p.reset();
    expect(p.push(ascii(',17,side,1234,1200,b7f3*1A\r\n'))).toMatchObject({ lines: [] });
  });
});

const tokenChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-_.:#!~%&()+/;<=>?@[]^{|}'.split(''));
const token = fc.string({ unit: tokenChar, minLength: 1, maxLength: 64 });
const uint = fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const doorLine: fc.Arbitrary<DoorLine> = fc.record({
  device: token,
  seq: uint,
  door: token,
  totalIn: uint,
  totalOut: uint,
  bootId: token,
});

describe('door line properties', () => {
  it('encode → decode is the identity', () => {
    fc.assert(
      fc.property(doorLine, (line) => {
        const text = encodeDoorLine(line);
        expect(text.length).toBeLessThanOrEqual(257);
        expect(decodeDoorLine(text)).toEqual({ ok: true, value: line });
        const lowerSum = text.replace(/\*([0-9A-F]{2})\r\n$/, (_, h: string) => `*${h.toLowerCase()}\n`);
        expect(decodeDoorLine(lowerSum)).toEqual({ ok: true, value: line });
      }),
      params(),
    );
  });

  it('a flipped byte is never accepted as the same line', () => {
    fc.assert(
      fc.property(doorLine, fc.nat(), fc.integer({ min: 1, max: 255 }), (line, at, flip) => {
        const text = encodeDoorLine(line).trimEnd();
        const i = at % text.length;
        const bad = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ flip) + text.slice(i + 1);
        const d = decodeDoorLine(bad);
        if (d.ok) expect(d.value).not.toEqual(line);
      }),
      params(),
    );
  });

  it('decodeDoorLine never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.anything()), (x) => {
        const d = decodeDoorLine(x);
        expect(typeof d.ok).toBe('boolean');
        if (!d.ok) expect(['bad-frame', 'bad-checksum', 'unsupported', 'too-large']).toContain(d.code);
      }),
      params(),
    );
  });

  it('the parser never throws on arbitrary bytes and keeps its buffer bounded', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 20 }), (chunks) => {
        const p = new DoorLineParser();
        for (const c of chunks) {
          const out = p.push(c);
          expect(Array.isArray(out.lines) && Array.isArray(out.rejected)).toBe(true);
          expect(p.pendingBytes).toBeLessThanOrEqual(256);
        }
      }),
      params(),
    );
  });

  it('recovers every line from lines interleaved with $-free garbage, split anywhere', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(bytesWithout(0x24), doorLine, fc.boolean()), { maxLength: 12 }),
        bytesWithout(0x24),
        fc.array(fc.nat(), { maxLength: 30 }),
        (items, tail, cuts) => {
          const parts: Uint8Array[] = [];
          for (const [garbage, line, lfOnly] of items) {
            parts.push(garbage);
            const text = encodeDoorLine(line);
            parts.push(ascii(lfOnly ? text.replace('\r\n', '\n') : text));
          }
          parts.push(tail);
          const p = new DoorLineParser();
          const got: DoorLine[] = [];
          for (const chunk of splitAt(concatBytes(parts), cuts)) got.push(...p.push(chunk).lines);
          expect(got).toEqual(items.map(([, line]) => line));
        },
      ),
      params(),
    );
  });
});
