/**
 * Benchmark publisher (its own process): N door.crossing QoS1 messages of ~200 B with a
 * window of messages in flight, or a steady rate for background traffic. Prints one JSON
 * line: { acked, ms, rate, cpuSeconds }.
 *
 *   node --import tsx tests/bench/publisher.ts --port 1883 --count 100000 [--inflight 500]
 *        [--rate 2000] [--device door-1] [--ts 2026-11-23T06:00:00.000Z] [--prefix p]
 *        [--split 10000] [--pregen]
 *
 * --split N: also `splits`, the ms from the start at which every N-th ack arrived (the rate
 * over the first N against the last N shows a cold start).
 * --pregen: build every payload (and its `ts`) before connecting, as a harness that keeps
 * payload generation out of the timing would; the last ones then arrive seconds after their
 * `ts`. Default: each message is stamped as it is sent.
 */
import mqtt from 'mqtt';
import { num, parseArgs } from './args.js';

const args = parseArgs(process.argv.slice(2));
const port = num(args, 'port', 1883);
const count = num(args, 'count', 10_000);
const inflight = num(args, 'inflight', 500);
const rate = num(args, 'rate', 0);
const store = args.get('store') ?? 's001';
const device = args.get('device') ?? 'door-1';
const fixedTs = args.get('ts');
const prefix = args.get('prefix') ?? `p${process.pid}`;
const topic = args.get('topic') ?? `retail/${store}/door/${device}/event`;
const split = num(args, 'split', 0);
const PAD = 'x'.repeat(60);

const stamped = (i: number) =>
  JSON.stringify({
    v: 1,
    type: 'door.crossing',
    id: `${prefix}-${String(i).padStart(8, '0')}`,
    ts: fixedTs ?? new Date().toISOString(),
    door: 'main',
    dir: i % 2 === 0 ? 'in' : 'out',
    n: 1,
    fw: 'door-counter/2.4.1',
    pad: PAD,
  });

const pregen = args.has('pregen') ? Array.from({ length: count }, (_, i) => stamped(i)) : undefined;
const payload = (i: number) => pregen?.[i] ?? stamped(i);

const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
  clientId: `bench-${prefix}`,
  reconnectPeriod: 0,
  clean: true,
});
console.log(`connected bytes=${Buffer.byteLength(stamped(0))}`);

const cpu0 = process.cpuUsage();
const started = performance.now();
let acked = 0;
let failed = 0;
const splits: number[] = [];

if (rate > 0) {
  // Steady background traffic: a burst every 10 ms, until `count` have been sent.
  const perTick = Math.max(1, Math.round(rate / 100));
  const ticks = Math.ceil(count / perTick);
  let sent = 0;
  for (let t = 0; t < ticks; t++) {
    const due = started + t * 10;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (let k = 0; k < perTick && sent < count; k++) {
      client.publish(topic, payload(sent++), { qos: 1 }, (err) => {
        if (err) failed++;
        else acked++;
      });
    }
  }
  const deadline = performance.now() + 10_000;
  while (acked + failed < count && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
} else {
  await new Promise<void>((resolve) => {
    let next = 0;
    const send = () => {
      if (next >= count) return;
      const i = next++;
      client.publish(topic, payload(i), { qos: 1 }, (err) => {
        if (err) failed++;
        else if (++acked % split === 0) splits.push(performance.now() - started);
        if (acked + failed >= count) resolve();
        else send();
      });
    };
    for (let k = 0; k < Math.min(inflight, count); k++) send();
    if (count === 0) resolve();
  });
}
const ms = performance.now() - started;
const used = process.cpuUsage(cpu0);
await client.endAsync();
console.log(
  JSON.stringify({
    acked,
    failed,
    ms,
    rate: acked / (ms / 1000),
    cpuSeconds: (used.user + used.system) / 1e6,
    ...(split > 0 ? { splits } : {}),
  }),
);
process.exit(0);
