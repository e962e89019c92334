import { describe, expect, it } from 'vitest';
import {
  DoorCounterSim,
  linesTotal,
  MemberAppSim,
  PosSim,
  RfidReaderSim,
  Rng,
  type SimMessage,
} from '../../../firmware-sim/index.js';
import { rfc3339 } from '../../../firmware-sim/time.js';
import { channelAccepts, type DeviceMessage, decodeMessage, parseDeviceTopic } from '../../../protocols/index.js';

const T0 = Date.parse('2025-03-14T02:00:00.000Z'); // 10:00 in Shanghai
const base = { store: 's001', fw: 'test 1.0', boot: 'b0', bootedAt: T0 - 3600_000 };

/** The message must decode as itself and travel on a topic that accepts it. */
function expectWireValid(m: SimMessage<DeviceMessage>): void {
  const decoded = decodeMessage(JSON.stringify(m.payload));
  expect(decoded).toEqual({ ok: true, value: m.payload });
  const topic = parseDeviceTopic(m.topic);
  expect(topic.ok && channelAccepts(topic.value.channel, m.payload.type)).toBe(true);
}

describe('DoorCounterSim', () => {
  it('sends crossings and cumulative totals on the door topic', () => {
    const door = new DoorCounterSim({ ...base, device: 'door-1', door: 'main' });
    const a = door.crossing(T0, 'in');
    const b = door.crossing(T0 + 1000, 'in', 2);
    const c = door.crossing(T0 + 2000, 'out');
    const totals = door.totalsMessage(T0 + 3000);
    for (const m of [a, b, c, totals]) expectWireValid(m);
    expect(a.topic).toBe('retail/s001/door/door-1/event');
    expect(b.payload).toMatchObject({
      type: 'door.crossing',
      door: 'main',
      dir: 'in',
      n: 2,
      ts: '2025-03-14T02:00:01.000Z',
    });
    expect(totals.payload).toMatchObject({ type: 'door.totals', totalIn: 3, totalOut: 1, boot: 'b0' });
    expect(new Set([a, b, c, totals].map((m) => m.payload.id)).size).toBe(4);
  });

  it('restarts with a new boot id, totals from zero and ids that do not repeat', () => {
    const door = new DoorCounterSim({ ...base, device: 'door-1', door: 'main' });
    const before = door.crossing(T0, 'in');
    door.restart(T0 + 10_000, 'b1');
    const after = door.crossing(T0 + 20_000, 'in');
    expect(door.totalsMessage(T0 + 21_000).payload).toMatchObject({ totalIn: 1, totalOut: 0, boot: 'b1' });
    expect(after.payload.id).not.toBe(before.payload.id);
    expect(door.status(T0 + 30_000).payload.uptime).toBe(20);
    expect(() => door.restart(T0 + 40_000, 'b1')).toThrow(RangeError);
  });

  it('rejects a crossing of zero people', () => {
    const door = new DoorCounterSim({ ...base, device: 'door-1', door: 'main' });
    expect(() => door.crossing(T0, 'in', 0)).toThrow(RangeError);
  });
});

describe('RfidReaderSim', () => {
  it('batches reads with their own antenna, RSSI and time', () => {
    const reader = new RfidReaderSim({ ...base, device: 'rfid-fr' });
    const m = reader.reads(T0 + 1000, [
      { epc: '3074257BF7194E4000001A85', ant: 1, rssi: -52, at: T0 + 12 },
      { epc: '3074257BF7194E4000001A85', ant: 2, rssi: -61, at: T0 + 340 },
    ]);
    expectWireValid(m);
    expect(m.topic).toBe('retail/s001/rfid/rfid-fr/reads');
    expect(m.payload.reads[1]).toEqual({
      epc: '3074257BF7194E4000001A85',
      ant: 2,
      rssi: -61,
      ts: '2025-03-14T02:00:00.340Z',
    });
  });

  it('refuses a batch over the schema limit', () => {
    const reader = new RfidReaderSim({ ...base, device: 'rfid-fr' });
    const reads = Array.from({ length: 5001 }, () => ({ epc: 'E2000017221101441890A001', ant: 1, rssi: -50, at: T0 }));
    expect(() => reader.reads(T0, reads)).toThrow(RangeError);
  });
});

describe('PosSim', () => {
  const pos = () => new PosSim({ ...base, device: 'pos-1', currency: 'CNY', tsOffsetMinutes: 480 });

  it('sends a sale with lines by EPC, GTIN or SKU, total = Σ qty × price by default', () => {
    const m = pos().receipt(T0, {
      kind: 'sale',
      lines: [
        { epc: '3074257BF7194E4000001A85', qty: 1, price: 399 },
        { gtin: '80614141123458', qty: 2, price: 99.5 },
        { sku: 'TS01-BLK-M', qty: 1, price: 59 },
      ],
      member: 'M1001',
    });
    expectWireValid(m);
    expect(m.payload).toMatchObject({ kind: 'sale', total: 657, currency: 'CNY', member: 'M1001' });
    expect(m.payload.receipt).toBe('POS-1-20250314-0001');
    expect(m.payload.ts).toBe('2025-03-14T10:00:00.000+08:00');
    expect(Date.parse(m.payload.ts)).toBe(T0);
  });

  it('omits member when there is none, and keeps a given total (discount) and receipt number', () => {
    const m = pos().receipt(T0, { kind: 'refund', lines: [{ sku: 'A', qty: 1, price: 100 }], total: 90 }, 'R-9');
    expectWireValid(m);
    expect('member' in m.payload).toBe(false);
    expect(m.payload).toMatchObject({ kind: 'refund', total: 90, receipt: 'R-9' });
    expect(linesTotal([{ sku: 'A', qty: 3, price: 0.1 }])).toBe(0.3);
    expect(() => pos().receipt(T0, { kind: 'sale', lines: [] })).toThrow(RangeError);
  });
});

describe('MemberAppSim and heartbeats', () => {
  it('reports a member by id or by credential', () => {
    const app = new MemberAppSim({ ...base, device: 'app' });
    const a = app.seen(T0, { member: 'M1001' }, 'entrance');
    const b = app.seen(T0, { credential: 'wx:abc' }, 'entrance', 'card');
    for (const m of [a, b]) expectWireValid(m);
    expect(a.payload).toMatchObject({ member: 'M1001', zone: 'entrance', via: 'app' });
    expect(b.payload).toMatchObject({ credential: 'wx:abc', via: 'card' });
    expect('member' in b.payload).toBe(false);
  });

  it('sends device.status with uptime since boot and optional battery and errors', () => {
    const app = new MemberAppSim({ ...base, device: 'app' });
    const m = app.status(T0, { battery: 81, errors: ['watchdog reset'] });
    expectWireValid(m);
    expect(m.topic).toBe('retail/s001/device/app/status');
    expect(m.payload).toMatchObject({ uptime: 3600, fw: 'test 1.0', battery: 81, errors: ['watchdog reset'] });
    expect('battery' in app.status(T0).payload).toBe(false);
  });
});

describe('Rng and time helpers', () => {
  it('repeats for a seed, differs across seeds, and forks independent streams', () => {
    const draw = (r: Rng) => Array.from({ length: 5 }, () => r.next());
    expect(draw(new Rng(1))).toEqual(draw(new Rng(1)));
    expect(draw(new Rng(1))).not.toEqual(draw(new Rng(2)));
    const a = new Rng(1);
    const forkBefore = draw(a.fork('x'));
    a.next();
    expect(draw(a.fork('x'))).toEqual(forkBefore);
    const r = new Rng('ints');
    for (let i = 0; i < 1000; i++) {
      const n = r.int(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
    }
  });

  it('formats RFC 3339 in UTC or with an offset, for the same instant', () => {
    expect(rfc3339(T0)).toBe('2025-03-14T02:00:00.000Z');
    expect(rfc3339(T0, 480)).toBe('2025-03-14T10:00:00.000+08:00');
    expect(rfc3339(T0, -330)).toBe('2025-03-13T20:30:00.000-05:30');
    expect(Date.parse(rfc3339(T0, -330))).toBe(T0);
  });
});
