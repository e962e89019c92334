/**
 * API load generator (its own process): GETs each URL `--count` times in turn, one request
 * at a time, and prints one JSON line: { [url]: { latencies (ms), errors } }.
 *
 *   node --import tsx tests/bench/api-load.ts --count 200 <url> [<url> ...]
 */
import { num, parseArgs } from './args.js';

const argv = process.argv.slice(2);
const args = parseArgs(argv);
const count = num(args, 'count', 100);
const urls = argv.filter((a) => a.startsWith('http://127.0.0.1:'));
const out: Record<string, { latencies: number[]; errors: number; bytes: number }> = {};
for (const url of urls) {
  const entry = { latencies: [] as number[], errors: 0, bytes: 0 };
  out[url] = entry;
  // Warm-up: first requests compile the route and fill caches.
  for (let i = 0; i < 3; i++) await (await fetch(url)).arrayBuffer();
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await fetch(url);
    const body = await res.arrayBuffer();
    entry.latencies.push(performance.now() - started);
    entry.bytes = body.byteLength;
    if (res.status !== 200) entry.errors++;
  }
}
console.log(JSON.stringify(out));
