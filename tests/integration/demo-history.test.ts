/**
 * The `demo` command as a user runs it: the simulated day at two speeds gives the same
 * numbers (the generator's ground truth), the days the dashboard compares it with are
 * backfilled and differ from one another (read back through the API's funnel and its
 * comparisons), and a speed above the limit is refused with the limit named.
 *
 * Kept short: a quiet store (--traffic 0.1) on Monday 1 June 2026, whose day, week and
 * month views need only four earlier days (the Monday before, 1 May, and 52 weeks and a
 * calendar year back); both runs play at the same time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FunnelCounts, generateStoreDay, variedDayOptions } from '../../firmware-sim/index.js';
import { call, type Signed, signIn } from '../support/auth.js';
import { type GatewayProcess, runCli, startGatewayProcess } from '../support/gateway-process.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const DATE = '2026-06-01';
const SEED = 5;
const TRAFFIC = 0.1;
const HISTORY = ['2025-06-01', '2025-06-02', '2026-05-01', '2026-05-25'];
type Counters = FunnelCounts;

interface VipAlertBody {
  readonly member: string;
  readonly ts: number;
  readonly via: string;
  readonly late: boolean;
  readonly pushedAt: number | null;
}

interface Run {
  readonly speed: number;
  readonly demo: GatewayProcess;
  readonly api: string;
  readonly who: Signed;
}

/** The generator's counters, read from a funnel bucket or its totals. */
const pick = (bucket: Readonly<Record<keyof Counters, number>>): Counters => ({
  passersBy: bucket.passersBy,
  visitors: bucket.visitors,
  tryOnSessions: bucket.tryOnSessions,
  itemsTried: bucket.itemsTried,
  transactions: bucket.transactions,
  units: bucket.units,
  revenue: bucket.revenue,
  triedBought: bucket.triedBought,
});

const truths = new Map<string, Counters>();
/** What the simulated store did that day (firmware-sim's ground truth), the same for any speed. */
function truthOf(date: string): Counters {
  let truth = truths.get(date);
  if (!truth) {
    truth = pick(generateStoreDay(variedDayOptions({ seed: SEED, date, traffic: TRAFFIC })).truth.totals);
    truths.set(date, truth);
  }
  return truth;
}

async function get<T>(run: Run, path: string): Promise<T> {
  const response = await call(run.api, run.who, 'GET', path);
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function daily(run: Run, from: string, to: string): Promise<Map<string, Counters>> {
  const body = await get<{ buckets: (Counters & { start: string })[] }>(
    run,
    `/funnel?from=${from}&to=${to}&granularity=day`,
  );
  return new Map(body.buckets.map((b) => [b.start.slice(0, 10), pick(b)]));
}

describe('demo: history for the comparisons, speed-independent results', () => {
  const dirs = [tempDir(), tempDir()];
  const runs: Run[] = [];

  beforeAll(async () => {
    const speeds = [10_000, 2_500];
    const started = await Promise.all(
      speeds.map((speed, i) =>
        startGatewayProcess(dirs[i]?.path ?? '', { GW_LOG_LEVEL: 'info' }, [
          'demo',
          '--speed',
          String(speed),
          '--seed',
          String(SEED),
          '--date',
          DATE,
          '--traffic',
          String(TRAFFIC),
        ]),
      ),
    );
    for (const [i, demo] of started.entries()) {
      const api = `http://127.0.0.1:${demo.httpPort}/api/v1`;
      runs.push({ speed: speeds[i] ?? 0, demo, api, who: await signIn(api, 'manager', 'manager') });
    }
    await Promise.all(
      runs.map((run) =>
        waitFor(
          () =>
            run.demo.output().includes('simulated day finished') && run.demo.output().includes('history backfilled'),
          `the ${run.speed}× demo to play its day and backfill its history`,
          150_000,
          200,
        ),
      ),
    );
  }, 200_000);

  afterAll(async () => {
    for (const run of runs) {
      run.demo.child.kill('SIGTERM');
      await run.demo.exited;
    }
    for (const dir of dirs) dir.remove();
  });

  it('plays the same day at 10,000× and 2,500×: the funnel is the ground truth at both', async () => {
    const truth = truthOf(DATE);
    for (const run of runs) {
      // The last sessions close on the clock's next tick after the day's tail, and input that
      // arrived a little out of order between devices is applied by the next paced rewind.
      const today = await waitFor(
        async () => {
          const day = (await daily(run, DATE, DATE)).get(DATE);
          return day && JSON.stringify(day) === JSON.stringify(truth) && day;
        },
        `${run.speed}×: today's funnel to settle`,
        15_000,
        200,
      ).catch(async () => (await daily(run, DATE, DATE)).get(DATE));
      expect(today, `${run.speed}×`).toEqual(truth);
    }
    // The same VIP arrivals alert at both speeds: those the generator planned.
    const expected = generateStoreDay(variedDayOptions({ seed: SEED, date: DATE, traffic: TRAFFIC }))
      .truth.expectedAlerts.map((a) => `${a.member}@${a.ts} ${a.via}`)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    for (const run of runs) {
      const { alerts } = await get<{ alerts: VipAlertBody[] }>(run, `/vip/alerts?from=${DATE}&to=${DATE}`);
      expect(alerts.map((a) => `${a.member}@${a.ts} ${a.via}`).sort(), `${run.speed}×`).toEqual(expected);
      // …and reach the phones at both: the demo judges lateness by real delay, not store time.
      expect(
        alerts.filter((a) => a.late || a.pushedAt === null).map((a) => `${a.member}@${a.ts}`),
        `${run.speed}×: arrivals not pushed`,
      ).toEqual([]);
    }
  });

  it('backfills the days the comparisons read, each its own day, through the API', async () => {
    for (const run of runs) {
      // Journaled when "history backfilled" is logged; derived by the rewind after it (≤ 1 s).
      const settled = (days: Map<string, Counters>) =>
        HISTORY.every((day) => JSON.stringify(days.get(day)) === JSON.stringify(truthOf(day)));
      const days = await waitFor(
        async () => {
          const days = await daily(run, HISTORY[0] ?? '', DATE);
          return settled(days) ? days : undefined;
        },
        `${run.speed}×: the history to be derived`,
        15_000,
        200,
      ).catch(() => daily(run, HISTORY[0] ?? '', DATE));
      const filled = [...days].filter(([, c]) => c.visitors > 0).map(([day]) => day);
      expect(filled, `${run.speed}×`).toEqual([...HISTORY, DATE]);
      for (const day of HISTORY) expect(days.get(day), `${run.speed}× ${day}`).toEqual(truthOf(day));
      // Different days, not one day copied: no two have the same visitors and transactions.
      const shapes = new Set(HISTORY.map((day) => `${days.get(day)?.visitors}/${days.get(day)?.transactions}`));
      expect(shapes.size).toBe(HISTORY.length);

      // What the Reports page asks: today against the same weekday last week and 52 weeks back.
      const compared = await get<{
        comparisons: Record<string, { fromDay: string; totals: Record<string, number> }>;
      }>(run, `/funnel?from=${DATE}&to=${DATE}&granularity=hour&compare=previous,lastYear`);
      expect(compared.comparisons.previous?.fromDay).toBe('2026-05-25');
      expect(compared.comparisons.lastYear?.fromDay).toBe('2025-06-02');
      expect(compared.comparisons.previous?.totals.visitors).toBe(truthOf('2026-05-25').visitors);
      expect(compared.comparisons.lastYear?.totals.visitors).toBe(truthOf('2025-06-02').visitors);
      // The history's VIP arrivals are on record, but were never pushed to a phone.
      const { alerts } = await get<{ alerts: VipAlertBody[] }>(
        run,
        `/vip/alerts?from=${HISTORY[0]}&to=${HISTORY.at(-1)}&limit=1000`,
      );
      expect(alerts.length).toBeGreaterThan(0);
      expect(alerts.filter((a) => !a.late || a.pushedAt !== null)).toEqual([]);
    }
  });

  it('refuses a speed above the limit, naming it', async () => {
    const result = await runCli(['demo', '--speed', '20000', '--no-history']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--speed must be a number from 1 to 10000');
  });
});
