/**
 * The benchmark runner (`npm run bench`, `npm run bench:smoke`): runs every benchmark,
 * prints one table (measured, the reference measured in the same run, ratio, DESIGN target,
 * pass/fail) and writes bench-results/latest.json.
 *
 *   tsx tests/bench/run.ts [--smoke] [--only ingest,api] [--strict]
 *
 * --smoke: small sizes, no pass/fail (keeps the harness from rotting; < 60 s).
 * --strict: exit 2 when a target is missed (otherwise only a benchmark error fails the run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { runAlertLatency } from './alert-latency.js';
import { runApi } from './api.js';
import { parseArgs } from './args.js';
import { type BenchRow, fmt, type JudgedRow, judge, ROOT, table } from './common.js';
import { COLD_COUNT, type GatewayMemory, runIngest } from './ingest.js';
import { runReplay } from './replay.js';
import { runUpstream } from './upstream.js';

export const BENCHMARKS = ['ingest', 'alert-latency', 'replay', 'api', 'upstream', 'resources'] as const;
type BenchName = (typeof BENCHMARKS)[number];

const args = parseArgs(process.argv.slice(2));
const smoke = args.has('smoke');
const only = new Set((args.get('only') ?? BENCHMARKS.join(',')).split(','));
const sizes = smoke
  ? { ingest: 3000, reads: 20, days: 1, visitors: 150 as number | undefined, apiCount: 20, upstream: 3000 }
  : { ingest: 100_000, reads: 300, days: 30, visitors: undefined, apiCount: 100, upstream: 50_000 };

const rows: BenchRow[] = [];
const lines: string[] = [];
const errors: string[] = [];
const started = performance.now();
let rss: GatewayMemory | undefined;
let bytesPerDay: number | undefined;

async function bench(name: BenchName, body: () => Promise<void>): Promise<void> {
  if (!only.has(name)) return;
  const t = performance.now();
  process.stderr.write(`bench ${name} …`);
  try {
    await body();
    process.stderr.write(` ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  } catch (err) {
    process.stderr.write(' failed\n');
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    errors.push(`${name}: ${message}`);
    rows.push({ bench: name, name: `${name}: ERROR`, measured: Number.NaN, unit: '', note: message.split('\n')[0] });
  }
}

await bench('ingest', async () => {
  const r = await runIngest(
    {
      count: sizes.ingest,
      warmup: Math.min(5000, Math.floor(sizes.ingest / 10)),
      // Cold (fresh process, no warm-up): 50k as the issue-13 harness sent; the smoke its own size.
      cold: smoke ? sizes.ingest : COLD_COUNT,
    },
    smoke,
  );
  rows.push(...r.rows);
  lines.push(...r.lines);
  rss = r.rss;
});
await bench('alert-latency', async () => {
  const r = await runAlertLatency({ reads: sizes.reads, backgroundRate: 2000 });
  rows.push(...r.rows);
  lines.push(...r.lines);
});
await bench('replay', async () => {
  const r = await runReplay({ days: sizes.days, visitors: sizes.visitors });
  rows.push(...r.rows);
  lines.push(...r.lines);
  bytesPerDay = r.bytesPerDay;
});
await bench('api', async () => {
  const r = await runApi(sizes.apiCount);
  rows.push(...r.rows);
  lines.push(...r.lines);
});
await bench('upstream', async () => {
  const r = await runUpstream(sizes.upstream);
  rows.push(...r.rows);
  lines.push('', 'upstream-drain.ts output:', ...r.lines.map((l) => `  ${l}`));
});
await bench('resources', async () => {
  if (!rss && !bytesPerDay) throw new Error('resources needs the ingest and/or replay benchmarks (--only)');
  if (rss) {
    rows.push({
      bench: 'resources',
      name: 'resources: gateway RSS idle',
      measured: rss.idleMb,
      unit: 'MB',
      note: `gateway process from dist/ (/proc VmRSS); ${fmt(rss.afterMb)} MB right after the ingest run`,
    });
    rows.push({
      bench: 'resources',
      name: 'resources: gateway RSS peak (ingest)',
      measured: rss.peakMb,
      unit: 'MB',
      target: { op: '<', value: 150, of: 'value' },
      note: 'gateway process from dist/, VmHWM over warm-up + the 100k ingest run',
    });
  }
  if (bytesPerDay !== undefined) {
    rows.push({
      bench: 'resources',
      name: 'resources: database bytes per store-day',
      measured: bytesPerDay / 2 ** 20,
      unit: 'MB',
      note: 'journal + derived state, after checkpoint',
    });
  }
});

const judged: JudgedRow[] = rows.map((r) => judge(r, smoke));
const targetText = (r: BenchRow) => {
  if (!r.target) return '';
  const op = r.target.op === '>=' ? '≥' : '<';
  return r.target.of === 'ratio'
    ? `ratio ${op} ${r.target.value.toFixed(2)}`
    : `${op} ${fmt(r.target.value)} ${r.unit}`;
};
const header = ['benchmark', 'measured', 'reference (same run)', 'ratio', 'target', 'result'];
const body = judged.map((r) => [
  r.name,
  `${fmt(r.measured)} ${r.unit}`.trim(),
  r.reference ? `${r.reference.name}: ${fmt(r.reference.value)}` : '',
  r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`,
  targetText(r),
  r.pass === null ? (smoke && r.target ? 'smoke' : '') : r.pass ? 'PASS' : 'FAIL',
]);
const seconds = (performance.now() - started) / 1000;
const machine = {
  nproc: cpus().length,
  cpu: cpus()[0]?.model ?? '?',
  node: process.version,
  platform: process.platform,
};
console.log(
  `\nstore-gateway benchmarks${smoke ? ' (smoke: small sizes, no pass/fail)' : ''} — ${machine.nproc} CPUs (${machine.cpu}), Node ${machine.node}, ${seconds.toFixed(0)} s\n`,
);
console.log(table(header, body));
const notes = judged.filter((r) => r.note).map((r) => `${r.name}: ${r.note}`);
console.log(`\n${[...notes, ...lines].join('\n')}`);
if (errors.length) console.log(`\nERRORS:\n${errors.join('\n\n')}`);

const outDir = join(ROOT, 'bench-results');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'latest.json'),
  `${JSON.stringify({ at: new Date().toISOString(), smoke, seconds, machine, sizes, rows: judged, lines, errors }, null, 2)}\n`,
);
console.log(`\nwrote bench-results/latest.json`);
const missed = judged.filter((r) => r.pass === false).length;
process.exitCode = errors.length ? 1 : args.has('strict') && missed ? 2 : 0;
