/**
 * Funnel API latency over a year of 15-minute buckets (35,040 rows inserted with SQL), with
 * the load generator in a second process. DESIGN target: p99 < 50 ms for any funnel query.
 *
 *   ./node_modules/.bin/tsx tests/bench/api.ts [--count 200] [--smoke]
 */
import { openDb } from '../../gateway/pipeline/journal/index.js';
import { tempDir } from '../support/tmp.js';
import { num, parseArgs } from './args.js';
import { type BenchRow, Child, summarize } from './common.js';
import { startBenchGateway } from './gateway.js';

const YEAR = 2025;
/** Store-local midnight, 1 January (Asia/Shanghai, UTC+8, no DST). */
const YEAR_START = Date.parse(`${YEAR}-01-01T00:00:00+08:00`);
const QUARTER_HOUR = 15 * 60_000;

function fillYear(dataDir: string): number {
  const db = openDb(dataDir, { synchronous: 'NORMAL' });
  try {
    const insert = db.prepare(
      `INSERT OR REPLACE INTO buckets (start, passers_by, visitors, exits, sessions, items_tried, transactions, units, revenue_cents, tried_bought, person_ms, rev)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
    );
    const rows = 365 * 96;
    db.transaction(() => {
      for (let i = 0; i < rows; i++) {
        const v = (i * 7) % 23;
        insert.run(
          YEAR_START + i * QUARTER_HOUR,
          v * 5,
          v,
          v,
          v >> 1,
          v,
          v >> 2,
          v >> 1,
          v * 4999,
          v >> 3,
          v * 600_000,
        );
      }
    })();
    return rows;
  } finally {
    db.close();
  }
}

export async function runApi(count: number): Promise<{ rows: BenchRow[]; lines: string[] }> {
  const dir = tempDir('bench-api-');
  const filled = fillYear(dir.path);
  const gateway = await startBenchGateway(dir.path);
  let load: Child | undefined;
  try {
    const base = `http://127.0.0.1:${gateway.httpPort}/api/v1/funnel`;
    const year = `from=${YEAR}-01-01&to=${YEAR}-12-31`;
    const queries: [string, string][] = [
      ['year by day', `${base}?${year}&granularity=day`],
      ['year by week', `${base}?${year}&granularity=week`],
      ['year by month', `${base}?${year}&granularity=month`],
      ['7 days by 15m', `${base}?from=${YEAR}-06-02&to=${YEAR}-06-08&granularity=15m`],
    ];
    load = Child.script('./api-load.ts', ['--count', String(count), ...queries.map(([, url]) => url)]);
    const result = await load.json<Record<string, { latencies: number[]; errors: number; bytes: number }>>(
      'api load generator',
      120_000,
    );
    const rows: BenchRow[] = [];
    for (const [label, url] of queries) {
      const r = result[url];
      const s = summarize(r?.latencies ?? []);
      const errors = r?.errors ?? count;
      rows.push({
        bench: 'api',
        name: `api: funnel ${label} p99`,
        measured: errors > 0 ? Number.POSITIVE_INFINITY : s.p99,
        unit: 'ms',
        target: { op: '<', value: 50, of: 'value' },
        note: `p50 ${s.p50.toFixed(2)} ms, max ${s.max.toFixed(2)} ms, n ${s.n}, ${r?.bytes ?? 0} B${errors ? `, ${errors} errors` : ''}`,
      });
    }
    return { rows, lines: [`api: ${filled} buckets of 15 min (${YEAR})`] };
  } finally {
    await load?.kill();
    await gateway.stop();
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(process.argv.slice(2));
  console.log(JSON.stringify(await runApi(num(args, 'count', args.has('smoke') ? 20 : 200)), null, 2));
}
