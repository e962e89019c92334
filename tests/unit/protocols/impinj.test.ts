import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeImpinjEvent,
  decodeImpinjPayload,
  ImpinjStreamParser,
  type ImpinjTagRead,
  parseImpinjTimestamp,
} from '../../../protocols/index.js';
import { concatBytes, params, splitAt } from './fuzz.js';

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

// Shaped like the reader's own output (R700 firmware 8.x, eventConfig with epcHex enabled).
const tagEvent = {
  timestamp: '2026-11-23T06:12:01.123456789Z',
  hostname: 'impinj-14-56-c3',
  eventType: 'tagInventory',
  tagInventoryEvent: {
    epc: 'MJUAAAAAAAAAAAAB',
    epcHex: '309500000000000000000001',
    antennaPort: 1,
    antennaName: 'Antenna 1',
    peakRssiCdbm: -5600,
    frequency: 920625,
    transmitPowerCdbm: 3000,
    lastSeenTime: '2026-11-23T06:12:01.120000000Z',
  },
};
const read: ImpinjTagRead = {
  epc: '309500000000000000000001',
  antennaPort: 1,
  rssiDbm: -56,
  ts: Date.parse('2026-11-23T06:12:01.123Z'),
};

describe('parseImpinjTimestamp', () => {
  it.each([
    ['2026-11-23T06:12:01.123456789Z', '2026-11-23T06:12:01.123Z'],
    ['2026-11-23T06:12:01.1Z', '2026-11-23T06:12:01.100Z'],
    ['2026-11-23T06:12:01Z', '2026-11-23T06:12:01.000Z'],
    ['2026-11-23T14:12:01.999999+08:00', '2026-11-23T06:12:01.999Z'],
    ['2026-11-23T01:12:01.5-0500', '2026-11-23T06:12:01.500Z'],
    ['2026-11-23 06:12:01,25z', '2026-11-23T06:12:01.250Z'],
    ['2026-11-23T06:12:01.123', '2026-11-23T06:12:01.123Z'], // no zone: UTC
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('%s → %s', (input, iso) => {
    expect(parseImpinjTimestamp(input)).toBe(Date.parse(iso));
  });
  it.each([
    '2026-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-23T24:00:00Z',
    '2026-11-23T06:12Z',
    '2026-11-23',
    'yesterday',
    '',
  ])('rejects %j', (input) => {
    expect(parseImpinjTimestamp(input)).toBeUndefined();
  });
  it('reads two-digit years literally', () => {
    expect(new Date(parseImpinjTimestamp('0050-01-01T00:00:00Z') ?? 0).getUTCFullYear()).toBe(50);
  });
});

describe('decodeImpinjEvent', () => {
  it('decodes a tagInventory event, preferring epcHex', () => {
    expect(decodeImpinjEvent(tagEvent)).toEqual({ ok: true, value: read });
  });

  it('decodes base64 epc when epcHex is not enabled', () => {
    const { epcHex: _, ...tag } = tagEvent.tagInventoryEvent;
    // MJUAAAAAAAAAAAAB = 30 95 00 … 00 01 (12 bytes)
    expect(decodeImpinjEvent({ ...tagEvent, tagInventoryEvent: tag })).toEqual({ ok: true, value: read });
    // and falls back to it when epcHex is malformed
    expect(decodeImpinjEvent({ ...tagEvent, tagInventoryEvent: { ...tag, epcHex: 'zz' } })).toEqual({
      ok: true,
      value: read,
    });
  });

  it('accepts firmware 7.x events without eventType', () => {
    const { eventType: _, ...old } = tagEvent;
    expect(decodeImpinjEvent(old)).toEqual({ ok: true, value: read });
  });

  it('falls back to lastSeenTime when the event timestamp is unusable', () => {
    expect(decodeImpinjEvent({ ...tagEvent, timestamp: 'bad' })).toEqual({
      ok: true,
      value: { ...read, ts: Date.parse('2026-11-23T06:12:01.120Z') },
    });
  });

  it('converts centi-dBm, also from numeric strings', () => {
    const ev = {
      ...tagEvent,
      tagInventoryEvent: { ...tagEvent.tagInventoryEvent, peakRssiCdbm: '-6150', antennaPort: '3' },
    };
    expect(decodeImpinjEvent(ev)).toMatchObject({ ok: true, value: { rssiDbm: -61.5, antennaPort: 3 } });
  });

  it.each([
    { timestamp: '2026-11-23T06:12:01Z', eventType: 'inventoryStatus', inventoryStatusEvent: { status: 'running' } },
    {
      timestamp: '2026-11-23T06:12:01Z',
      eventType: 'antennaHealth',
      antennaHealthEvent: { antennaPort: 2, reason: 'disconnected' },
    },
    { timestamp: '2026-11-23T06:12:01Z', eventType: 'keepalive' },
    { timestamp: '2026-11-23T06:12:01Z', hostname: 'impinj-14-56-c3', inventoryTerminatedEvent: {} },
  ])('ignores other event types: %j', (ev) => {
    expect(decodeImpinjEvent(ev)).toEqual({ ok: true, value: null });
  });

  const t = tagEvent.tagInventoryEvent;
  it.each([
    ['not an object', 'x'],
    ['an array', [tagEvent]],
    ['tagInventory without payload', { timestamp: tagEvent.timestamp, eventType: 'tagInventory' }],
    ['neither eventType nor …Event', { foo: 1 }],
    ['eventType not a string', { ...tagEvent, eventType: 7 }],
    ['payload not an object', { ...tagEvent, tagInventoryEvent: 'x' }],
    ['no EPC', { ...tagEvent, tagInventoryEvent: { ...t, epc: undefined, epcHex: undefined } }],
    ['bad base64 EPC', { ...tagEvent, tagInventoryEvent: { ...t, epc: '!!!', epcHex: undefined } }],
    ['odd hex EPC and no base64', { ...tagEvent, tagInventoryEvent: { ...t, epc: undefined, epcHex: 'ABC' } }],
    ['no antennaPort', { ...tagEvent, tagInventoryEvent: { ...t, antennaPort: undefined } }],
    ['antennaPort 0', { ...tagEvent, tagInventoryEvent: { ...t, antennaPort: 0 } }],
    ['antennaPort 1.5', { ...tagEvent, tagInventoryEvent: { ...t, antennaPort: 1.5 } }],
    ['no RSSI', { ...tagEvent, tagInventoryEvent: { ...t, peakRssiCdbm: undefined } }],
    ['RSSI out of range', { ...tagEvent, tagInventoryEvent: { ...t, peakRssiCdbm: 5000 } }],
    ['no usable time', { ...tagEvent, timestamp: 12, tagInventoryEvent: { ...t, lastSeenTime: undefined } }],
  ])('rejects %s as schema', (_, ev) => {
    expect(decodeImpinjEvent(ev)).toMatchObject({ ok: false, code: 'schema' });
  });
});

describe('decodeImpinjPayload', () => {
  const status = { timestamp: '2026-11-23T06:12:02Z', eventType: 'inventoryStatus', inventoryStatusEvent: {} };
  it('takes one event (MQTT) or an array (webhook)', () => {
    expect(decodeImpinjPayload(utf8(JSON.stringify(tagEvent)))).toEqual({ reads: [read], rejected: [] });
    expect(decodeImpinjPayload(JSON.stringify([tagEvent, status, tagEvent, { eventType: 'tagInventory' }]))).toEqual({
      reads: [read, read],
      rejected: [{ ok: false, code: 'schema', reason: '[3]: tagInventory event without tagInventoryEvent' }],
    });
  });
  it('reads a multi-line body as newline-delimited JSON', () => {
    const body = `${JSON.stringify(tagEvent)}\r\n\r\n${JSON.stringify(status)}\r\n{bad\r\n${JSON.stringify(tagEvent)}\r\n`;
    const out = decodeImpinjPayload(body);
    expect(out.reads).toEqual([read, read]);
    expect(out.rejected).toMatchObject([{ code: 'malformed-json' }]);
  });
  it('rejects what is not JSON, and too many events', () => {
    expect(decodeImpinjPayload('nope')).toMatchObject({ reads: [], rejected: [{ code: 'malformed-json' }] });
    expect(decodeImpinjPayload(JSON.stringify([tagEvent, tagEvent, tagEvent]), { maxEvents: 2 })).toMatchObject({
      reads: [],
      rejected: [{ code: 'too-large' }],
    });
    expect(decodeImpinjPayload('42')).toMatchObject({ reads: [], rejected: [{ code: 'schema' }] });
  });
});

describe('ImpinjStreamParser', () => {
  it('splits the HTTP stream, skipping blank keep-alive lines, across torn chunks', () => {
    const stream = utf8(`${JSON.stringify(tagEvent)}\r\n\r\n\r\n${JSON.stringify(tagEvent)}\r\n`);
    const p = new ImpinjStreamParser();
    const reads: ImpinjTagRead[] = [];
    for (let i = 0; i < stream.length; i += 7) {
      const out = p.push(stream.subarray(i, i + 7));
      expect(out.rejected).toEqual([]);
      reads.push(...out.reads);
    }
    expect(reads).toEqual([read, read]);
    expect(p.pendingBytes).toBe(0);
  });

  it('keeps UTF-8 intact when a character is split between chunks', () => {
    const ev = { ...tagEvent, tagInventoryEvent: { ...tagEvent.tagInventoryEvent, antennaName: '试衣间 1' } };
    const bytes = utf8(`${JSON.stringify(ev)}\n`);
    const cut = Buffer.from(bytes).indexOf(Buffer.from('试', 'utf8')) + 1;
    const p = new ImpinjStreamParser();
    expect(p.push(bytes.subarray(0, cut)).reads).toEqual([]);
    expect(p.push(bytes.subarray(cut)).reads).toEqual([read]);
  });

  it('drops an over-long line once and recovers at the next line', () => {
    const p = new ImpinjStreamParser({ maxLineBytes: 1024 });
    expect(p.push(utf8(`{"x":"${'a'.repeat(2000)}`)).rejected).toMatchObject([{ code: 'too-large' }]);
    for (let i = 0; i < 20; i++) {
      expect(p.push(utf8('b'.repeat(5000)))).toEqual({ reads: [], rejected: [] });
      expect(p.pendingBytes).toBeLessThanOrEqual(1024);
    }
    expect(p.push(utf8(`"}\n${JSON.stringify(tagEvent)}\n`))).toEqual({ reads: [read], rejected: [] });
  });
});

describe('Impinj properties', () => {
  const tagRead = fc.record({
    epc: fc
      .integer({ min: 1, max: 31 })
      .chain((w) => fc.uint8Array({ minLength: 2 * w, maxLength: 2 * w }))
      .map((b) => Buffer.from(b).toString('hex').toUpperCase()),
    antennaPort: fc.integer({ min: 1, max: 64 }),
    cdbm: fc.integer({ min: -12800, max: 2000 }),
    ts: fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2099-12-31T23:59:59Z') }),
    nanos: fc.integer({ min: 0, max: 999_999 }),
    base64: fc.boolean(),
  });
  function eventOf(r: { epc: string; antennaPort: number; cdbm: number; ts: number; nanos: number; base64: boolean }) {
    const iso = new Date(r.ts).toISOString().replace('Z', `${String(r.nanos).padStart(6, '0')}Z`);
    const epcField = r.base64 ? { epc: Buffer.from(r.epc, 'hex').toString('base64') } : { epcHex: r.epc.toLowerCase() };
    return {
      timestamp: iso,
      hostname: 'impinj-14-56-c3',
      eventType: 'tagInventory',
      tagInventoryEvent: { ...epcField, antennaPort: r.antennaPort, peakRssiCdbm: r.cdbm },
    };
  }
  const expected = (r: { epc: string; antennaPort: number; cdbm: number; ts: number }): ImpinjTagRead => ({
    epc: r.epc,
    antennaPort: r.antennaPort,
    rssiDbm: r.cdbm / 100,
    ts: r.ts,
  });

  it('event → decode recovers EPC, port, dBm and ms time (nanoseconds truncated)', () => {
    fc.assert(
      fc.property(tagRead, (r) => {
        expect(decodeImpinjEvent(eventOf(r))).toEqual({ ok: true, value: expected(r) });
      }),
      params(),
    );
  });

  it('the stream parser recovers every event however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(tagRead, fc.integer({ min: 0, max: 3 }), fc.boolean()), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (items, cuts) => {
          const text = items
            .map(([r, blanks, crlf]) => {
              const nl = crlf ? '\r\n' : '\n';
              return nl.repeat(blanks) + JSON.stringify(eventOf(r)) + nl;
            })
            .join('');
          const p = new ImpinjStreamParser();
          const got: ImpinjTagRead[] = [];
          for (const chunk of splitAt(utf8(text), cuts)) {
            const out = p.push(chunk);
            expect(out.rejected).toEqual([]);
            got.push(...out.reads);
          }
          expect(got).toEqual(items.map(([r]) => expected(r)));
        },
      ),
      params(),
    );
  });

  it('decoders never throw on arbitrary JSON, values, strings or bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (v) => {
        const d = decodeImpinjEvent(v);
        expect(typeof d.ok).toBe('boolean');
        if (!d.ok) expect(d.code).toBe('schema');
        let text = '';
        try {
          text = JSON.stringify(v) ?? '';
        } catch {
          // fc.anything can build values JSON cannot hold (cycles are not generated, but
          // bigints could be with other settings)
        }
        const batch = decodeImpinjPayload(text);
        expect(Array.isArray(batch.reads) && Array.isArray(batch.rejected)).toBe(true);
      }),
      params(),
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), fc.uint8Array(), (s, b) => {
        expect(Array.isArray(decodeImpinjPayload(s).reads)).toBe(true);
        expect(Array.isArray(decodeImpinjPayload(b).rejected)).toBe(true);
        expect(['number', 'undefined']).toContain(typeof parseImpinjTimestamp(s));
      }),
      params(),
    );
  });

  it('tag events buried in arbitrary JSON structures decode or reject, never throw', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue(), (extra, payload) => {
        const d = decodeImpinjEvent({
          ...extra,
          eventType: 'tagInventory',
          tagInventoryEvent: payload,
          timestamp: tagEvent.timestamp,
        });
        expect(typeof d.ok).toBe('boolean');
      }),
      params(),
    );
  });

  it('the stream parser never throws on arbitrary bytes and stays bounded', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 20 }), (chunks) => {
        const p = new ImpinjStreamParser({ maxLineBytes: 512 });
        for (const c of chunks) {
          p.push(c);
          expect(p.pendingBytes).toBeLessThanOrEqual(512);
        }
        p.push(concatBytes([utf8('\n')]));
        expect(p.pendingBytes).toBe(0);
      }),
      params(),
    );
  });
});
