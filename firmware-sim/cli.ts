/**
 * firmware-sim command line: generate a seeded store day, write it as JSON and/or play it
 * into an MQTT broker as the store's devices.
 *
 *   tsx firmware-sim/cli.ts day --seed 1 --url mqtt://127.0.0.1:1884 --speed 60
 *   tsx firmware-sim/cli.ts day --seed 1 --date 2025-03-14 --out day.json
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { demoRules } from './demo-store.js';
import { publishTimeline } from './runner.js';
import { generateStoreDay } from './scenario.js';
import { clockTime, localDate, localMidnight } from './time.js';

const USAGE = `Usage: tsx firmware-sim/cli.ts day [options]

Generates one simulated day of the demo store (s001) and plays it into an MQTT broker,
writes it to a JSON file, or both.

Options:
  --seed N            random seed (default 1); the same seed gives the same day
  --date YYYY-MM-DD   store-local date (default: today in Asia/Shanghai)
  --visitors N        visitors that day (default 1800, weekends 2300)
  --url URL           publish to this broker, e.g. mqtt://127.0.0.1:1884
  --speed N           scenario seconds per wall second (default 1; 0 = as fast as acks)
  --from HH:MM        start at this store-local time (earlier messages are skipped)
  --max-in-flight N   unacknowledged messages at most (default 64)
  --out FILE          write {options, messages, roster, catalog, staff, invitations, truth} as JSON
  -h, --help          this text

At least one of --url and --out is required. Ctrl-C stops publishing cleanly.`;

class UsageError extends Error {}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got ${value}`);
  return n;
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      date: { type: 'string' },
      visitors: { type: 'string' },
      url: { type: 'string' },
      speed: { type: 'string' },
      from: { type: 'string' },
      'max-in-flight': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'day') throw new UsageError('expected the command "day"');
  if (values.url === undefined && values.out === undefined) throw new UsageError('give --url, --out or both');

  const offset = demoRules.utcOffsetMinutes;
  const date = values.date ?? localDate(Date.now(), offset);
  const seed = positiveInt('seed', values.seed, 1);
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!(speed >= 0)) throw new UsageError(`--speed must be a number ≥ 0, got ${values.speed}`);
  const visitors = values.visitors === undefined ? undefined : positiveInt('visitors', values.visitors, 0);
  let startAt: number | undefined;
  try {
    startAt = values.from === undefined ? undefined : localMidnight(date, offset) + clockTime(values.from);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }

  const started = Date.now();
  const day = (() => {
    try {
      return generateStoreDay(visitors === undefined ? { seed, date } : { seed, date, visitors });
    } catch (err) {
      if (err instanceof RangeError) throw new UsageError(err.message);
      throw err;
    }
  })();
  const t = day.truth.totals;
  console.error(
    `day ${date} seed ${seed}: ${day.messages.length} messages, ${t.visitors} visitors, ${t.tryOnSessions} sessions, ` +
      `${t.transactions} transactions (${Date.now() - started} ms)`,
  );
  if (values.out !== undefined) {
    await writeFile(values.out, JSON.stringify(day));
    console.error(`wrote ${values.out}`);
  }
  if (values.url === undefined) return 0;

  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let lastReport = Date.now();
  const report = await publishTimeline(values.url, day.messages, {
    speed,
    maxInFlight: positiveInt('max-in-flight', values['max-in-flight'], 64),
    signal: abort.signal,
    ...(startAt === undefined ? {} : { startAt }),
    onProgress: (p) => {
      if (Date.now() - lastReport < 5000) return;
      lastReport = Date.now();
      console.error(`  ${p.acked}/${p.total} acknowledged, scenario time ${new Date(p.scenarioAt).toISOString()}`);
    },
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  console.error(
    `${report.aborted ? 'stopped' : 'done'}: ${report.acked}/${report.published} acknowledged, ${report.skipped} skipped, ` +
      `${(report.elapsedMs / 1000).toFixed(1)} s`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err)) {
      console.error(`error: ${err.message}\n\n${USAGE}`);
      process.exitCode = 1;
    } else {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 3;
    }
  },
);
