/**
 * `npm run demo:hq` (its entry, demo/hq-main.ts, as the npm script runs it after building the
 * dashboard): one command starts nats-server, cloud-sink and three simulated stores, prints
 * the dashboard URL and the demo sign-in, and the three stores' data reach HQ over NATS.
 * Ctrl-C stops it all and removes its temp files. Without nats-server it says which Debian
 * package to install.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/gateway-process.js';
import { waitFor } from '../support/wait.js';

const ENTRY = 'demo/hq-main.ts';

function run(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', HQ_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('npm run demo:hq', () => {
  const started: ChildProcess[] = [];
  afterAll(() => {
    for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('names the Debian package when nats-server is missing', async () => {
    const demo = run({ NATS_SERVER: '/nonexistent/nats-server' });
    started.push(demo.child);
    expect(await demo.exited).toBe(2);
    expect(demo.output()).toMatch(/nats-server is not installed: install the Debian package "nats-server"/);
  });

  it('starts NATS, HQ and three stores whose data reach HQ, prints the URL and sign-in, stops on Ctrl-C', async () => {
    const demo = run({ HQ_DEMO_DAYS: '1', HQ_DEMO_TRAFFIC: '0.15' });
    started.push(demo.child);
    const url = await waitFor(
      () => /HQ dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(demo.output())?.[1],
      'the URL',
      30_000,
    );
    const signIn = /sign in\s+(\S+) \/ (\S+)\s+\(DEMO ONLY\)/.exec(demo.output());
    expect(signIn?.slice(1)).toEqual(['hq', 'hq']);
    const dataDir = /SQLite in (\S+)\/hq/.exec(demo.output())?.[1];
    expect(dataDir && existsSync(dataDir)).toBe(true);

    // The dashboard is served, and the printed sign-in opens the API.
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    const login = await fetch(`${url}api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: signIn?.[1], password: signIn?.[2] }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const get = async <T>(path: string) =>
      (await (await fetch(`${url}api/v1${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;

    const about = await get<{ today: string }>('/about');
    const ranking = await waitFor(
      async () => {
        const stores = await get<{ stores: { id: string; online: boolean }[] }>('/stores');
        const answer = await get<{ ranking: { store: string; name: string; totals: { visitors: number } }[] }>(
          `/ranking?from=${about.today}&to=${about.today}&metric=visitors`,
        );
        const reporting = stores.stores.filter((s) => s.online).map((s) => s.id);
        const withData = answer.ranking.filter((r) => r.totals.visitors > 0);
        return reporting.length === 3 && withData.length === 3 ? answer.ranking : undefined;
      },
      'three stores online with data at HQ',
      60_000,
      500,
    );
    expect(ranking.map((r) => r.store).sort()).toEqual(['s001', 's002', 's003']);
    expect(ranking.map((r) => r.name).sort()).toEqual(['上海旗舰店', '北京国贸店', '广州天河店'].sort());

    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    expect(existsSync(dataDir as string)).toBe(false);
  }, 90_000);
});
