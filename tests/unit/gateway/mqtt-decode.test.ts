import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../gateway/infra/config/index.js';
import { decodeMqttInput, stampTime } from '../../../gateway/pipeline/ingest/index.js';
import { EventFlags } from '../../../protocols/index.js';

const config = loadConfig(undefined, {});
const rxTs = Date.parse('2026-11-23T10:00:00Z');
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const crossing = {
  v: 1,
  type: 'door.crossing',
  id: 'm1',
  ts: '2026-11-23T09:59:59.500Z',
  door: 'main',
  dir: 'in',
  n: 2,
};

describe('decodeMqttInput', () => {
  it('turns a door crossing into an event at the configured zone, keeping device time', () => {
    const { device, result } = decodeMqttInput('retail/s001/door/door-1/event', bytes(crossing), rxTs, config);
    expect(device).toBe('door-1');
    expect(result).toEqual({
      ok: true,
      value: [
        {
          type: 'door.crossing',
          device: 'door-1',
          id: 'm1',
          ts: rxTs - 500,
          rxTs,
          flags: 0,
          door: 'main',
          zone: 'entrance',
          dir: 'in',
          n: 2,
        },
      ],
    });
  });

  it('folds RFID reads per (epc, zone, second) and maps antennas to zones', () => {
    const reads = {
      v: 1,
      type: 'rfid.reads',
      id: 'r1',
      ts: '2026-11-23T09:59:59Z',
      reads: [
        { epc: '3074257bf7194e4000001a85', ant: 1, rssi: -60, ts: '2026-11-23T09:59:58.100Z' },
        { epc: '3074257BF7194E4000001A85', ant: 1, rssi: -55, ts: '2026-11-23T09:59:58.900Z' },
        { epc: '3074257BF7194E4000001A85', ant: 2, rssi: -72, ts: '2026-11-23T09:59:58.500Z' },
        { epc: '3074257BF7194E4000001A85', ant: 1, rssi: -58, ts: '2026-11-23T09:59:59.100Z' },
      ],
    };
    const { result } = decodeMqttInput('retail/s001/rfid/rfid-fr/reads', bytes(reads), rxTs, config);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.map((e) => (e.type === 'tag.seen' ? [e.id, e.zone, e.count, e.peakRssi] : []))).toEqual([
      ['r1#0', 'fr-1', 2, -55],
      ['r1#1', 'fr-2', 1, -72],
      ['r1#2', 'fr-1', 1, -58],
    ]);
  });

  it.each([
    ['a topic for another store', 'retail/s999/door/door-1/event', bytes(crossing), 'wrong-store'],
    ['an unknown device', 'retail/s001/door/door-9/event', bytes(crossing), 'unknown-device'],
    ['malformed JSON', 'retail/s001/door/door-1/event', bytes('{"v":1,'), 'malformed-json'],
    ['a wrong type', 'retail/s001/door/door-1/event', bytes({ ...crossing, n: 'two' }), 'schema'],
    ['a missing field', 'retail/s001/door/door-1/event', bytes({ ...crossing, dir: undefined }), 'schema'],
    ['a message on the wrong channel', 'retail/s001/pos/door-1/receipt', bytes(crossing), 'wrong-kind'],
    ['a POS posing as a door', 'retail/s001/door/pos-1/event', bytes(crossing), 'wrong-kind'],
    ['an unknown channel', 'retail/s001/door/door-1/blah', bytes(crossing), 'bad-topic'],
    [
      'an unmapped antenna',
      'retail/s001/rfid/rfid-fr/reads',
      bytes({
        v: 1,
        type: 'rfid.reads',
        id: 'x',
        ts: crossing.ts,
        reads: [{ epc: 'AABBCCDD', ant: 9, rssi: -50, ts: crossing.ts }],
      }),
      'schema',
    ],
    [
      'a member.seen in an unknown zone',
      'retail/s001/member/app/seen',
      bytes({ v: 1, type: 'member.seen', id: 'x', ts: crossing.ts, member: 'M1', zone: 'moon', via: 'app' }),
      'schema',
    ],
    [
      'a device time older than the late window',
      'retail/s001/door/door-1/event',
      bytes({ ...crossing, ts: '2026-11-01T00:00:00Z' }),
      'too-old',
    ],
  ])('rejects %s', (_what, topic, payload, code) => {
    const { result } = decodeMqttInput(topic, payload, rxTs, config);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe(code);
      expect(result.reason.length).toBeGreaterThan(5);
    }
  });
});

describe('stampTime', () => {
  const policy = { skewBoundMs: 300_000, lateWindowMs: 7 * 86_400_000 };
  it('keeps a late but recent device time (a device flushing its buffer)', () => {
    expect(stampTime(rxTs - 3_600_000, rxTs, policy, false)).toEqual({
      ok: true,
      value: { ts: rxTs - 3_600_000, flags: 0 },
    });
  });
  it('replaces a time beyond the skew bound in the future by rxTs and flags it', () => {
    expect(stampTime(rxTs + 600_000, rxTs, policy, false)).toEqual({
      ok: true,
      value: { ts: rxTs, flags: EventFlags.tsReplaced },
    });
    expect(stampTime(rxTs + 299_000, rxTs, policy, false)).toEqual({
      ok: true,
      value: { ts: rxTs + 299_000, flags: 0 },
    });
  });
  it('uses rxTs for devices configured with an untrusted clock', () => {
    expect(stampTime(rxTs - 5000, rxTs, policy, true)).toEqual({
      ok: true,
      value: { ts: rxTs, flags: EventFlags.clockUntrusted },
    });
  });
});
