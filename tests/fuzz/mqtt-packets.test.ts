/**
 * Fuzzing the real broker with malformed MQTT on raw TCP sockets: random bytes, truncated
 * fixed headers, bad remaining-length varints, CONNECTs with a wrong protocol name or level,
 * packets before CONNECT, oversized announcements, and bit-flipped packets after a valid
 * CONNECT. Afterwards the gateway must still serve a well-behaved device, its QoS1 publish
 * must be journaled, and what was journaled before must be intact.
 *
 * FUZZ_RUNS=<n> sets the runs per property (default 150: the file runs in ~5 s here; 1500 took 26 s).
 */
import { connect as tcpConnect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/main.js';
import { crossing, login, memoryLogger, startSecureGateway } from '../support/secure-gateway.js';
import { tempDir } from '../support/tmp.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

// --- MQTT 3.1.1 encoding, just enough to build valid packets to break ([MQTT-2.2.3]) ---
function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}
const str = (s: string | Buffer) => {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};
const packet = (typeAndFlags: number, body: Buffer) =>
  Buffer.concat([Buffer.from([typeAndFlags]), varint(body.length), body]);

function connectPacket(opts: { name?: string; level?: number; flags?: number; clientId?: string } = {}): Buffer {
  const body = Buffer.concat([
    str(opts.name ?? 'MQTT'),
    Buffer.from([opts.level ?? 4, opts.flags ?? 0x02, 0x00, 0x3c]),
    str(opts.clientId ?? `fuzz-${Math.random().toString(16).slice(2, 8)}`),
  ]);
  return packet(0x10, body);
}
const publishPacket = (topic: string, payload: Buffer, qos: 0 | 1) =>
  packet(0x30 | (qos << 1), Buffer.concat([str(topic), qos ? Buffer.from([0x00, 0x01]) : Buffer.alloc(0), payload]));
const subscribePacket = (filter: string) =>
  packet(0x82, Buffer.concat([Buffer.from([0x00, 0x02]), str(filter), Buffer.from([1])]));
const PINGREQ = Buffer.from([0xc0, 0x00]);

/** Writes the chunks to a fresh connection, then waits for the broker to close it or for a short quiet time. */
function send(port: number, chunks: readonly Buffer[], quietMs = 15): Promise<void> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('data', () => undefined);
    socket.on('connect', () => {
      for (const chunk of chunks) if (!socket.destroyed) socket.write(chunk);
      timer = setTimeout(finish, quietMs);
    });
  });
}

/** Splits a buffer at arbitrary points, as TCP may deliver it. */
const chunked = (bytes: fc.Arbitrary<Buffer>) =>
  fc.tuple(bytes, fc.array(fc.nat(), { maxLength: 4 })).map(([buf, cuts]) => {
    const points = [...new Set(cuts.map((c) => (buf.length ? c % buf.length : 0)))].sort((a, b) => a - b);
    const out: Buffer[] = [];
    let at = 0;
    for (const p of points) {
      out.push(buf.subarray(at, p));
      at = p;
    }
    out.push(buf.subarray(at));
    return out.filter((c) => c.length > 0);
  });

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
const topicish = fc.oneof(
  fc.constantFrom('retail/s001/door/door-1/event', 'retail/s001/alerts/vip', '#', '+/+', '$SYS/x', '', 'a/#/b', 'a/b+'),
  fc.string({ maxLength: 40 }),
);

describe('MQTT packet fuzzing on the real broker', () => {
  const dir = tempDir();
  const { log, lines } = memoryLogger('warn');
  let gateway: RunningGateway;
  const port = () => gateway.mqttPort;

  beforeAll(async () => {
    // Anonymous on (demo mode), so fuzzed packets after a valid CONNECT reach deep states.
    gateway = await startSecureGateway({
      dataDir: dir.path,
      allowAnonymous: true,
      mqttExtra: '  maxPacketBytes: 65536',
      log,
    });
    const door = await login(gateway.mqttPort, 'door-1', { clientId: 'door-1' });
    for (const n of [1, 2, 3])
      await door.publishAsync('retail/s001/door/door-1/event', crossing(`before-${n}`), { qos: 1 });
    await door.endAsync();
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  it('survives random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(chunked(bytes(600)), (chunks) => send(port(), chunks)),
      { numRuns: RUNS },
    );
  });

  it('survives truncated and bit-flipped valid packets, before and after CONNECT', async () => {
    const valid = fc.oneof(
      fc.constant(connectPacket()),
      topicish.map((t) => publishPacket(t, Buffer.from('{"v":1}'), 1)),
      topicish.map((t) => subscribePacket(t)),
      fc.constant(PINGREQ),
    );
    const broken = fc
      .tuple(valid, fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 3 }))
      .map(([p, cut, flips]) => {
        const b = Buffer.from(p.subarray(0, 1 + (cut % p.length)));
        for (const [at, bit] of flips) b[at % b.length] = (b[at % b.length] as number) ^ (1 << bit);
        return b;
      });
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(broken, { minLength: 1, maxLength: 4 }), (connectFirst, packets) =>
        send(port(), connectFirst ? [connectPacket(), ...packets] : packets),
      ),
      { numRuns: RUNS },
    );
  });

  it('survives bad remaining-length varints and oversized announcements', async () => {
    const badLength = fc.tuple(
      fc.integer({ min: 0, max: 255 }),
      fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 4, maxLength: 8 }),
      bytes(32),
    );
    const oversized = fc.tuple(
      fc.integer({ min: 1, max: 15 }),
      fc.integer({ min: 65_537, max: 268_435_455 }),
      bytes(64),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          badLength.map(([type, len, rest]) => Buffer.concat([Buffer.from([type, ...len]), rest])),
          oversized.map(([type, n, rest]) => Buffer.concat([Buffer.from([type << 4]), varint(n), rest])),
        ),
        fc.boolean(),
        (bad, connectFirst) => send(port(), connectFirst ? [connectPacket(), bad] : [bad]),
      ),
      { numRuns: RUNS },
    );
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/gateway_mqtt_oversized_packets_total [1-9]/);
  });

  it('survives CONNECTs with a wrong protocol name, level or flags, and packets before CONNECT', async () => {
    const connect = fc.record({
      name: fc.oneof(fc.constantFrom('MQTT', 'MQIsdp', 'mqtt', 'MQTT5', ''), fc.string({ maxLength: 8 })),
      level: fc.integer({ min: 0, max: 255 }),
      // Username/password flags off: a CONNECT with credentials costs a scrypt hash (~50 ms).
      flags: fc.integer({ min: 0, max: 255 }).map((f) => f & 0x3f),
      clientId: fc.string({ maxLength: 30 }),
    });
    const early = fc.oneof(
      topicish.map((t) => publishPacket(t, Buffer.from('x'), 1)),
      topicish.map((t) => subscribePacket(t)),
      fc.constant(PINGREQ),
      fc.constant(Buffer.from([0xe0, 0x00])), // DISCONNECT
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          connect.map((c) => [connectPacket(c)]),
          fc.array(early, { minLength: 1, maxLength: 3 }),
        ),
        (chunks) => send(port(), chunks),
      ),
      { numRuns: RUNS },
    );
  });

  it('still serves a well-behaved device afterwards, with the journal intact', async () => {
    const door = await login(gateway.mqttPort, 'door-1', { clientId: 'door-1' });
    await door.publishAsync('retail/s001/door/door-1/event', crossing('after-1'), { qos: 1 });
    await door.endAsync();
    const ids = gateway.db
      .prepare("SELECT msg_id FROM journal WHERE device = 'door-1' ORDER BY msg_id")
      .all()
      .map((r) => (r as { msg_id: string }).msg_id);
    expect(ids).toEqual(['after-1', 'before-1', 'before-2', 'before-3']);
    expect(gateway.db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    expect((await fetch(`http://127.0.0.1:${gateway.httpPort}/readyz`)).status).toBe(200);
    // The broker reported no error of its own (client errors are logged at debug, not here).
    expect(lines.filter((l) => l.level === 50 || l.level === 60)).toEqual([]);
  });
});
