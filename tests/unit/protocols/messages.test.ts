import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, isMessageType, MessageSchemas, parseDeviceTopic, topics } from '../../../protocols/index.js';
import { params } from './fuzz.js';

const ts = '2026-11-23T06:12:01.123Z';
const env = (type: string, id = 'm1') => ({ v: 1, type, id, ts });

/** One valid payload per message type. */
const good = {
  'door.crossing': { ...env('door.crossing'), door: 'main', dir: 'in', n: 1 },
  'door.totals': { ...env('door.totals'), door: 'main', totalIn: 120, totalOut: 118, boot: 'b7f3' },
  'rfid.reads': {
    ...env('rfid.reads'),
    reads: [{ epc: '3074257BF7194E4000001A85', ant: 1, rssi: -55.5, ts }],
  },
  'pos.receipt': {
    ...env('pos.receipt'),
    receipt: 'R-0001',
    kind: 'sale',
    member: 'M42',
    lines: [
      { epc: '3074257BF7194E4000001A85', qty: 1, price: 399 },
      { gtin: '80614141123458', qty: 2, price: 99.5 },
      { sku: 'TS-001-M', qty: 1, price: 59 },
    ],
    total: 657,
    currency: 'CNY',
  },
  'member.seen': { ...env('member.seen'), member: 'M42', zone: 'entrance', via: 'app' },
  'device.status': { ...env('device.status'), uptime: 3600, fw: '1.2.3', battery: 87, errors: 0 },
} as const;

const enc = (v: unknown) => new Uint8Array(Buffer.from(JSON.stringify(v)));

describe('decodeMessage: good payloads', () => {
  it.each(Object.entries(good))('accepts %s (bytes and string)', (type, payload) => {
    expect(decodeMessage(enc(payload))).toEqual({ ok: true, value: payload });
    expect(decodeMessage(JSON.stringify(payload))).toMatchObject({ ok: true, value: { type } });
  });

  it('accepts member.seen with only a credential, errors as a list, and unknown extra fields', () => {
    const { member: _, ...cred } = good['member.seen'];
    expect(decodeMessage(enc({ ...cred, credential: 'E2000017221101441890ABCD' })).ok).toBe(true);
    expect(decodeMessage(enc({ ...good['device.status'], errors: ['antenna 2 open'] })).ok).toBe(true);
    expect(decodeMessage(enc({ ...good['door.crossing'], firmwareExtra: true })).ok).toBe(true);
  });

  it('covers every message type', () => {
    expect(Object.keys(good).sort()).toEqual(Object.keys(MessageSchemas).sort());
    for (const t of Object.keys(good)) expect(isMessageType(t)).toBe(true);
    expect(isMessageType('door.open')).toBe(false);
  });
});

describe('decodeMessage: bad payloads', () => {
  it.each([
    ['{', 'malformed-json'],
    ['', 'malformed-json'],
    ['\u00ff\u00fe', 'malformed-json'],
    ['[]', 'schema'],
    ['null', 'schema'],
    ['"door.crossing"', 'schema'],
    ['{"v":1,"type":"door.explode","id":"x","ts":"2026-11-23T06:12:01Z"}', 'schema'],
  ])('rejects %j as %s', (text, code) => {
    expect(decodeMessage(text)).toMatchObject({ ok: false, code });
  });

  it.each([
    ['door.crossing: wrong version', { ...good['door.crossing'], v: 2 }],
    ['door.crossing: dir', { ...good['door.crossing'], dir: 'sideways' }],
    ['door.crossing: n = 0', { ...good['door.crossing'], n: 0 }],
    ['door.crossing: n as string', { ...good['door.crossing'], n: '1' }],
    ['door.crossing: missing door', { ...good['door.crossing'], door: undefined }],
    ['door.crossing: bad ts', { ...good['door.crossing'], ts: 'yesterday' }],
    ['door.crossing: impossible ts', { ...good['door.crossing'], ts: '2026-02-30T25:61:00Z' }],
    ['door.crossing: empty id', { ...good['door.crossing'], id: '' }],
    ['door.totals: negative total', { ...good['door.totals'], totalIn: -1 }],
    ['door.totals: fractional total', { ...good['door.totals'], totalOut: 1.5 }],
    ['door.totals: missing boot', { ...good['door.totals'], boot: undefined }],
    ['rfid.reads: epc not hex', { ...good['rfid.reads'], reads: [{ ...good['rfid.reads'].reads[0], epc: 'XYZ' }] }],
    ['rfid.reads: antenna 0', { ...good['rfid.reads'], reads: [{ ...good['rfid.reads'].reads[0], ant: 0 }] }],
    ['rfid.reads: rssi as string', { ...good['rfid.reads'], reads: [{ ...good['rfid.reads'].reads[0], rssi: '-55' }] }],
    ['rfid.reads: read time', { ...good['rfid.reads'], reads: [{ ...good['rfid.reads'].reads[0], ts: 'now' }] }],
    ['rfid.reads: reads not an array', { ...good['rfid.reads'], reads: {} }],
    ['pos.receipt: kind', { ...good['pos.receipt'], kind: 'gift' }],
    ['pos.receipt: currency', { ...good['pos.receipt'], currency: 'rmb' }],
    ['pos.receipt: line without epc/gtin/sku', { ...good['pos.receipt'], lines: [{ qty: 1, price: 10 }] }],
    ['pos.receipt: gtin letters', { ...good['pos.receipt'], lines: [{ gtin: 'ABC', qty: 1, price: 10 }] }],
    ['pos.receipt: negative price', { ...good['pos.receipt'], lines: [{ sku: 'A', qty: 1, price: -1 }] }],
    ['pos.receipt: missing total', { ...good['pos.receipt'], total: undefined }],
    ['member.seen: neither member nor credential', { ...good['member.seen'], member: undefined }],
    ['member.seen: via', { ...good['member.seen'], via: 'pigeon' }],
    ['member.seen: missing zone', { ...good['member.seen'], zone: undefined }],
    ['device.status: battery 101', { ...good['device.status'], battery: 101 }],
    ['device.status: negative uptime', { ...good['device.status'], uptime: -1 }],
    ['device.status: errors as object', { ...good['device.status'], errors: { n: 1 } }],
  ])('rejects %s', (_, payload) => {
    expect(decodeMessage(enc(payload))).toMatchObject({ ok: false, code: 'schema' });
  });
});

describe('decodeMessage and parseDeviceTopic never throw', () => {
  it('decodeMessage on arbitrary bytes, strings and JSON', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
          // JSON shaped like a message of a real type, with arbitrary members.
          fc
            .tuple(fc.constantFrom(...Object.keys(good)), fc.dictionary(fc.string(), fc.jsonValue()))
            .map(([type, rest]) => JSON.stringify({ ...rest, v: 1, type, id: 'x', ts })),
        ),
        (payload) => {
          const d = decodeMessage(payload);
          expect(typeof d.ok).toBe('boolean');
          if (!d.ok) expect(['malformed-json', 'schema']).toContain(d.code);
          else expect(isMessageType(d.value.type)).toBe(true);
        },
      ),
      params(),
    );
  });

  it('decodeMessage on mutated good payloads', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(good)), fc.string(), fc.jsonValue(), (payload, key, value) => {
        const d = decodeMessage(enc({ ...payload, [key]: value }));
        expect(typeof d.ok).toBe('boolean');
      }),
      params(),
    );
  });

  it('parseDeviceTopic on arbitrary strings and topic-shaped strings', () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 70 }),
      fc.constantFrom('retail', 's001', 'door', 'event', 'rfid', 'reads'),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(segment, { maxLength: 7 }).map((s) => s.join('/')),
        ),
        (topic) => {
          const d = parseDeviceTopic(topic);
          expect(typeof d.ok).toBe('boolean');
          if (!d.ok) expect(d.code).toBe('bad-topic');
          else expect(topic).toBe(`retail/${d.value.store}/${d.value.channel.replace('/', `/${d.value.device}/`)}`);
        },
      ),
      params(),
    );
  });

  it('parseDeviceTopic accepts the topics the topic builders make', () => {
    expect(parseDeviceTopic(topics.doorEvent('s001', 'door-1'))).toEqual({
      ok: true,
      value: { store: 's001', device: 'door-1', channel: 'door/event' },
    });
    expect(parseDeviceTopic(topics.rfidImpinj('s001', 'impinj-1'))).toMatchObject({
      ok: true,
      value: { channel: 'rfid/impinj' },
    });
    expect(parseDeviceTopic('retail/s001/door/door-1/event/extra')).toMatchObject({ ok: false, code: 'bad-topic' });
    expect(parseDeviceTopic('retail/s 001/door/door-1/event')).toMatchObject({ ok: false, code: 'bad-topic' });
  });
});
