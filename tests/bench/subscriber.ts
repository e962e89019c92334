/**
 * Benchmark subscriber (its own process): subscribes QoS1 to a topic filter and counts
 * messages until `--count` arrived or `--timeout-ms` passed. Prints "ready" after SUBACK,
 * then one JSON line: { received, ms, cpuSeconds } (ms from the first message to the last).
 */
import mqtt from 'mqtt';
import { num, parseArgs } from './args.js';

const args = parseArgs(process.argv.slice(2));
const port = num(args, 'port', 1883);
const count = num(args, 'count', 10_000);
const timeoutMs = num(args, 'timeout-ms', 120_000);
const filter = args.get('filter') ?? 'retail/#';
/** CPU is counted from the message after the first `skip` (warm-up) ones. */
const skip = num(args, 'skip', 0);
let cpu0 = process.cpuUsage();

const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
  clientId: `bench-sub-${process.pid}`,
  reconnectPeriod: 0,
  clean: true,
});
let received = 0;
let first = 0;
let last = 0;
const all = new Promise<void>((resolve) => {
  client.on('message', () => {
    const now = performance.now();
    if (received === 0) first = now;
    last = now;
    received++;
    if (received === skip) cpu0 = process.cpuUsage();
    if (received >= count) resolve();
  });
});
await client.subscribeAsync(filter, { qos: 1 });
console.log('ready');
let timer: NodeJS.Timeout | undefined;
await Promise.race([all, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
clearTimeout(timer);
await client.endAsync(true);
const used = process.cpuUsage(cpu0);
console.log(JSON.stringify({ received, ms: last - first, cpuSeconds: (used.user + used.system) / 1e6 }));
process.exit(0);
