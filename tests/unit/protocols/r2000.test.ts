import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeR2000Answer,
  decodeR2000Frame,
  encodeR2000Frame,
  type R2000Answer,
  R2000Parser,
  r2000Checksum,
  r2000FrequencyMHz,
  r2000RssiToDbm,
  r2000StatusName,
  realtimeInventory,
  setWorkAntenna,
} from '../../../protocols/index.js';
import {
  encodeR2000Error,
  encodeR2000InventoryEnd,
  encodeR2000Status,
  encodeR2000Tag,
  r2000DbmToRssi,
} from '../../../protocols/r2000-encode.js';
import { bytesWithout, concatBytes, hexBytes, params, splitAt } from './fuzz.js';

/*
 * Byte fixtures, checksums worked by hand: Check = 0x100 − (sum of Head..last Data mod 0x100).
 */
// DESIGN example, cmd_real_time_inventory, repeat 1:
//   A0+04+01+89+01 = 0x12F → 0x2F → 0x100−0x2F = 0xD1
const RT_INVENTORY = 'A0 04 01 89 01 D1';
// Datasheet C-code vector (rust-invelion test_checksum): cmd_get_firmware_version:
//   A0+03+01+72 = 0x116 → 0x16 → 0xEA
const GET_FIRMWARE = 'A0 03 01 72 EA';
// cmd_set_work_antenna, antenna 0: A0+04+01+74+00 = 0x119 → 0x19 → 0xE7
const SET_ANT_0 = 'A0 04 01 74 00 E7';
// its answer, status 0x10 success: 0x119+0x10 = 0x129 → 0x29 → 0xD7
const SET_ANT_OK = 'A0 04 01 74 10 D7';
// its answer, 0x47 antenna id out of range: 0x119+0x47 = 0x160 → 0x60 → 0xA0
const SET_ANT_BAD = 'A0 04 01 74 47 A0';
// 0x89 error answer, 0x22 antenna missing: 0x12E+0x22 = 0x150 → 0x50 → 0xB0
const RT_ERROR = 'A0 04 01 89 22 B0';
// 0x89 tag frame, Len 0x13 = Addr+Cmd+16 data+Check. FreqAnt 0x1D = freq point 7 (902 MHz) << 2
// | antenna id 1; PC 3000; EPC 3074257BF7194E4000001A85; RSSI 0x50 = 80 → 80 − 130 = −50 dBm.
//   A0 13 01 89 = 160+19+1+137 = 317; +1D+30+00 = 394; EPC bytes 48+116+37+123+247+25+78+64+0+0
//   +26+133 = 897 → 1291; +50 (80) = 1371 = 0x55B → 0x5B → 0x100−0x5B = 0xA5
const RT_TAG = 'A0 13 01 89 1D 30 00 30 74 25 7B F7 19 4E 40 00 00 1A 85 50 A5';
// Same tag on antenna 6 of an 8-port reader: FreqAnt 0x1D (id 1) and RSSI high bit: 0xD0.
//   1371 − 0x50 + 0xD0 = 1499 = 0x5DB → 0xDB → 0x25
const RT_TAG_ANT6 = 'A0 13 01 89 1D 30 00 30 74 25 7B F7 19 4E 40 00 00 1A 85 D0 25';
// 0x89 summary, Len 0x0A: AntId 0, ReadRate 0x0064 = 100, TotalRead 0x000001F4 = 500.
//   160+10+1+137 = 308; +0+0+100 = 408; +0+0+1+244 = 653 = 0x28D → 0x8D → 0x73
const RT_END = 'A0 0A 01 89 00 00 64 00 00 01 F4 73';

const tagAnswer: R2000Answer = {
  kind: 'tag',
  addr: 1,
  cmd: 0x89,
  antenna: 2,
  freq: 7,
  pc: 0x3000,
  epc: '3074257BF7194E4000001A85',
  rssiDbm: -50,
};

describe('R2000 frames: byte fixtures', () => {
  it('computes checksums like the datasheet code', () => {
    // rust-invelion test vectors from the datasheet's example C code.
    expect(r2000Checksum(Uint8Array.of(1, 2, 3, 4))).toBe(246);
    expect(r2000Checksum(Uint8Array.of(134, 200, 3, 253))).toBe(178);
    expect(r2000Checksum(Uint8Array.of(220, 4, 3, 30))).toBe(255);
    expect(r2000Checksum(Uint8Array.of(20, 45, 3, 30, 150, 230, 120))).toBe(170);
    expect(r2000Checksum(hexBytes('A0 03 01 72'))).toBe(0xea);
  });

  it('builds host commands byte for byte', () => {
    expect(realtimeInventory(1, 1)).toEqual(hexBytes(RT_INVENTORY));
    expect(setWorkAntenna(1, 0)).toEqual(hexBytes(SET_ANT_0));
    expect(encodeR2000Frame({ addr: 1, cmd: 0x72 })).toEqual(hexBytes(GET_FIRMWARE));
    expect(() => setWorkAntenna(1, 4)).toThrow(RangeError);
    expect(() => realtimeInventory(1, 256)).toThrow(RangeError);
    expect(() => encodeR2000Frame({ addr: 1, cmd: 0x89, data: new Uint8Array(253) })).toThrow(RangeError);
  });

  it('builds reader answers byte for byte', () => {
    expect(encodeR2000Status({ addr: 1, cmd: 0x74 })).toEqual(hexBytes(SET_ANT_OK));
    expect(encodeR2000Status({ addr: 1, cmd: 0x74, status: 0x47 })).toEqual(hexBytes(SET_ANT_BAD));
    expect(encodeR2000Error({ addr: 1, cmd: 0x89, code: 0x22 })).toEqual(hexBytes(RT_ERROR));
    expect(encodeR2000Tag({ addr: 1, antenna: 2, freq: 7, epc: '3074257bf7194e4000001a85', rssiDbm: -50 })).toEqual(
      hexBytes(RT_TAG),
    );
    expect(encodeR2000Tag({ addr: 1, antenna: 6, freq: 7, epc: '3074257BF7194E4000001A85', rssiDbm: -50 })).toEqual(
      hexBytes(RT_TAG_ANT6),
    );
    expect(encodeR2000InventoryEnd({ addr: 1, antenna: 1, readRate: 100, totalRead: 500 })).toEqual(hexBytes(RT_END));
  });

  it('decodes reader answers into typed objects', () => {
    expect(decodeR2000Answer(hexBytes(RT_TAG))).toEqual({ ok: true, value: tagAnswer });
    expect(decodeR2000Answer(hexBytes(RT_TAG_ANT6))).toEqual({ ok: true, value: { ...tagAnswer, antenna: 6 } });
    expect(decodeR2000Answer(hexBytes(RT_END))).toEqual({
      ok: true,
      value: { kind: 'inventory-end', addr: 1, cmd: 0x89, antenna: 1, readRate: 100, totalRead: 500 },
    });
    expect(decodeR2000Answer(hexBytes(RT_ERROR))).toEqual({
      ok: true,
      value: { kind: 'error', addr: 1, cmd: 0x89, code: 0x22 },
    });
    expect(r2000StatusName(0x22)).toBe('antennaMissingError');
    expect(decodeR2000Answer(hexBytes(SET_ANT_OK))).toEqual({
      ok: true,
      value: { kind: 'ack', addr: 1, cmd: 0x74, status: 0x10 },
    });
    expect(decodeR2000Answer(hexBytes(SET_ANT_BAD))).toEqual({
      ok: true,
      value: { kind: 'error', addr: 1, cmd: 0x74, code: 0x47 },
    });
    // Firmware version answer (major 1, minor 2): not a command we interpret.
    // A0+05+01+72+01+02 = 0x11B → 0x1B → 0xE5
    expect(decodeR2000Answer(hexBytes('A0 05 01 72 01 02 E5'))).toEqual({
      ok: true,
      value: { kind: 'unknown', addr: 1, cmd: 0x72, data: Uint8Array.of(1, 2) },
    });
  });

  it('rejects broken frames with a code', () => {
    expect(decodeR2000Frame(hexBytes('A0 04 01 89 01 D2'))).toMatchObject({ ok: false, code: 'bad-checksum' });
    expect(decodeR2000Frame(hexBytes('A1 04 01 89 01 D1'))).toMatchObject({ ok: false, code: 'bad-frame' });
    expect(decodeR2000Frame(hexBytes('A0 05 01 89 01 D1'))).toMatchObject({ ok: false, code: 'bad-frame' });
    expect(decodeR2000Frame(hexBytes('A0 02 01 5D'))).toMatchObject({ ok: false, code: 'bad-frame' });
    expect(decodeR2000Frame(new Uint8Array(0))).toMatchObject({ ok: false, code: 'bad-frame' });
    // 0x89 with 3 data bytes is neither tag, summary nor error: A0+06+01+89+01+02+03 = 0x136 → 0xCA
    expect(decodeR2000Answer(hexBytes('A0 06 01 89 01 02 03 CA'))).toMatchObject({ ok: false, code: 'bad-frame' });
  });

  it('maps RSSI like the datasheet table (rust-invelion convert_rssi)', () => {
    expect(r2000RssiToDbm(98)).toBe(-31);
    expect(r2000RssiToDbm(90)).toBe(-39);
    expect(r2000RssiToDbm(89)).toBe(-41);
    expect(r2000RssiToDbm(31)).toBe(-99);
    expect(r2000RssiToDbm(0x80 | 90)).toBe(-39); // the antenna bit is not signal
    expect(r2000DbmToRssi(-40)).toBe(90);
    for (let raw = 0; raw < 128; raw++) expect(r2000DbmToRssi(r2000RssiToDbm(raw))).toBe(raw);
  });

  it('maps frequency points (rust-invelion convert_to_frequency)', () => {
    expect(r2000FrequencyMHz(5)).toBe(867.5);
    expect(r2000FrequencyMHz(7)).toBe(902);
    expect(r2000FrequencyMHz(48)).toBe(922.5);
    expect(r2000FrequencyMHz(59)).toBe(928);
    expect(r2000FrequencyMHz(60)).toBeUndefined();
  });
});

describe('R2000Parser fixtures', () => {
  it('parses a stream of answers split byte by byte', () => {
    const stream = hexBytes(`${RT_TAG} ${RT_TAG_ANT6} ${RT_END}`);
    const p = new R2000Parser();
    const frames: R2000Answer[] = [];
    for (const b of stream) {
      const out = p.push(Uint8Array.of(b));
      expect(out.rejected).toEqual([]);
      frames.push(...out.frames);
    }
    expect(frames.map((f) => f.kind)).toEqual(['tag', 'tag', 'inventory-end']);
    expect(p.pendingBytes).toBe(0);
  });

  it('drops only the frame with a bad checksum', () => {
    const broken = RT_TAG.replace(/A5$/, 'A6');
    const p = new R2000Parser();
    const out = p.push(hexBytes(`${RT_TAG} ${broken} ${RT_TAG_ANT6} ${RT_END}`));
    expect(out.frames.map((f) => (f.kind === 'tag' ? f.antenna : f.kind))).toEqual([2, 6, 'inventory-end']);
    expect(out.rejected).toMatchObject([{ code: 'bad-checksum' }]);
  });

  it('resyncs after garbage, including a false head with a huge Len', () => {
    const p = new R2000Parser();
    const first = p.push(hexBytes(`00 11 A0 FF 22 ${RT_TAG}`));
    expect(first.frames).toEqual([]); // waiting for the 257 bytes the false head promised
    expect(p.pendingBytes).toBeLessThanOrEqual(257);
    const second = p.push(hexBytes(`${RT_END} ${RT_END} ${RT_END} ${RT_END} ${RT_END} ${RT_END}`.repeat(4)));
    const frames = [...first.frames, ...second.frames];
    expect(frames[0]).toEqual(tagAnswer);
    expect(frames).toHaveLength(25);
    expect(second.rejected.some((r) => r.code === 'bad-checksum')).toBe(true);
  });

  it('rejects a head with Len below 3 and goes on', () => {
    const p = new R2000Parser();
    const out = p.push(hexBytes(`A0 01 ${RT_ERROR}`));
    expect(out.frames).toEqual([{ kind: 'error', addr: 1, cmd: 0x89, code: 0x22 }]);
    expect(out.rejected).toMatchObject([{ code: 'bad-frame' }, { code: 'bad-frame' }]);
  });

  it('holds at most one frame between pushes', () => {
    const p = new R2000Parser();
    for (let i = 0; i < 100; i++) {
      p.push(new Uint8Array(1000).fill(0x55));
      expect(p.pendingBytes).toBe(0);
    }
    p.push(hexBytes('A0 13 01 89 1D 30'));
    expect(p.pendingBytes).toBe(6);
    p.reset();
    expect(p.pendingBytes).toBe(0);
  });
});

const tagArb = fc.record({
  addr: fc.integer({ min: 0, max: 255 }),
  cmd: fc.constantFrom(0x89, 0x8b),
  antenna: fc.integer({ min: 1, max: 8 }),
  freq: fc.integer({ min: 0, max: 63 }),
  pc: fc.integer({ min: 0, max: 0xffff }),
  epc: fc
    .integer({ min: 1, max: 31 })
    .chain((words) =>
      fc
        .uint8Array({ minLength: words * 2, maxLength: words * 2 })
        .map((b) => Buffer.from(b).toString('hex').toUpperCase()),
    ),
  rssiDbm: fc.integer({ min: 0, max: 127 }).map(r2000RssiToDbm),
});
const endArb = fc.record({
  addr: fc.integer({ min: 0, max: 255 }),
  cmd: fc.constantFrom(0x89, 0x8b),
  antenna: fc.integer({ min: 1, max: 256 }),
  readRate: fc.integer({ min: 0, max: 0xffff }),
  totalRead: fc.integer({ min: 0, max: 0xffffffff }),
});
const answerArb: fc.Arbitrary<{ bytes: Uint8Array; answer: R2000Answer }> = fc.oneof(
  tagArb.map((t) => ({ bytes: encodeR2000Tag(t), answer: { kind: 'tag', ...t } as const })),
  endArb.map((e) => ({ bytes: encodeR2000InventoryEnd(e), answer: { kind: 'inventory-end', ...e } as const })),
  fc
    .record({
      addr: fc.integer({ min: 0, max: 255 }),
      cmd: fc.constantFrom(0x89, 0x8b),
      code: fc.integer({ min: 0, max: 255 }),
    })
    .map((e) => ({ bytes: encodeR2000Error(e), answer: { kind: 'error', ...e } as const })),
  fc
    .record({ addr: fc.integer({ min: 0, max: 255 }), cmd: fc.constantFrom(0x74, 0x76, 0x7a) })
    .map((a) => ({ bytes: encodeR2000Status(a), answer: { kind: 'ack', ...a, status: 0x10 } as const })),
);

describe('R2000 properties', () => {
  it('encode → decode is the identity for every answer kind', () => {
    fc.assert(
      fc.property(answerArb, ({ bytes, answer }) => {
        expect(bytes[1]).toBe(bytes.length - 2);
        expect(bytes.reduce((s, b) => (s + b) & 0xff, 0)).toBe(0); // whole frame sums to 0
        expect(decodeR2000Answer(bytes)).toEqual({ ok: true, value: answer });
      }),
      params(),
    );
  });

  it('encodeR2000Frame → decodeR2000Frame is the identity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 252 }),
        (addr, cmd, data) => {
          expect(decodeR2000Frame(encodeR2000Frame({ addr, cmd, data }))).toEqual({
            ok: true,
            value: { addr, cmd, data },
          });
        },
      ),
      params(),
    );
  });

  it('decoders never throw on arbitrary bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.uint8Array({ maxLength: 8 }).map((b) => concatBytes([Uint8Array.of(0xa0, b.length + 1), b])),
        ),
        (bytes) => {
          const a = decodeR2000Answer(bytes);
          const f = decodeR2000Frame(bytes);
          expect(typeof a.ok).toBe('boolean');
          expect(typeof f.ok).toBe('boolean');
          if (!a.ok) expect(['bad-frame', 'bad-checksum']).toContain(a.code);
        },
      ),
      params(),
    );
    expect(decodeR2000Frame('A0' as unknown as Uint8Array)).toMatchObject({ ok: false });
  });

  it('the parser never throws on arbitrary chunks and holds at most one frame', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 20 }), (chunks) => {
        const p = new R2000Parser();
        for (const c of chunks) {
          const out = p.push(c);
          expect(Array.isArray(out.frames) && Array.isArray(out.rejected)).toBe(true);
          expect(p.pendingBytes).toBeLessThanOrEqual(256);
        }
      }),
      params(),
    );
  });

  it('recovers every frame from frames interleaved with 0xA0-free garbage, split anywhere', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(bytesWithout(0xa0), answerArb), { maxLength: 12 }),
        bytesWithout(0xa0),
        fc.array(fc.nat(), { maxLength: 30 }),
        (items, tail, cuts) => {
          const stream = concatBytes([...items.flatMap(([g, a]) => [g, a.bytes]), tail]);
          const p = new R2000Parser();
          const got: R2000Answer[] = [];
          for (const chunk of splitAt(stream, cuts)) got.push(...p.push(chunk).frames);
          expect(got).toEqual(items.map(([, a]) => a.answer));
        },
      ),
      params(),
    );
  });

  it('with a corrupted frame in the stream, every other frame is still recovered', () => {
    fc.assert(
      fc.property(
        fc.array(answerArb, { minLength: 2, maxLength: 10 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (answers, which, at, flip, cuts) => {
          const victim = which % answers.length;
          const parts = answers.map((a, i) => {
            if (i !== victim) return a.bytes;
            const bad = a.bytes.slice();
            const k = 2 + (at % (bad.length - 2)); // corrupt the body or checksum, keep Head and Len
            bad[k] = (bad[k] ?? 0) ^ flip;
            return bad;
          });
          // A 0xA0 inside the damaged frame would be tried as a head and could, once in 256,
          // sum right over bytes of the next frame: that is damage the property cannot rule out.
          fc.pre(!(parts[victim] ?? new Uint8Array(0)).subarray(1).includes(0xa0));
          const p = new R2000Parser();
          const got: R2000Answer[] = [];
          const rejected: string[] = [];
          for (const chunk of splitAt(concatBytes(parts), cuts)) {
            const out = p.push(chunk);
            got.push(...out.frames);
            rejected.push(...out.rejected.map((r) => r.code));
          }
          // An XOR flip of one byte always changes the sum mod 256, so the victim is rejected.
          expect(rejected).toContain('bad-checksum');
          expect(got).toEqual(answers.filter((_, i) => i !== victim).map((a) => a.answer));
        },
      ),
      params(),
    );
  });
});
