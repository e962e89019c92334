/**
 * The gateway as production runs it: its own process, from the built JavaScript
 * (`node <the flags on bin/store-gateway.js's #! line> dist/gateway/cli.js start`, what the
 * launcher runs once built), configured by environment. Its CPU and memory are read from
 * /proc, so nothing of the harness is counted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { launcherNodeFlags } from '../support/launcher.js';
import { Child, procCpuSeconds, ROOT } from './common.js';

/** BENCH_GATEWAY_CLI runs another build (e.g. a before/after variant) instead of dist/. */
const CLI = process.env.BENCH_GATEWAY_CLI ?? join(ROOT, 'dist', 'gateway', 'cli.js');
let built = process.env.BENCH_GATEWAY_CLI !== undefined;

/**
 * Compiles the sources to dist/ once per harness run. tsc still emits when another
 * module has a type error; the benchmark then runs what was emitted and says so.
 */
export function ensureBuilt(): string | undefined {
  if (built) return undefined;
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  const r = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(CLI)) throw new Error(`build failed: ${r.stdout}${r.stderr}`);
  built = true;
  return r.status === 0 ? undefined : `tsc reported errors (emitted anyway): ${r.stdout.split('\n')[0]}`;
}

/** VmRSS / VmHWM of a process in MB (Linux). */
export function procMemoryMb(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? Number.NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: Number.NaN, hwm: Number.NaN };
  }
}

export interface GatewayProcess {
  readonly pid: number;
  readonly mqttPort: number;
  readonly httpPort: number;
  readonly dataDir: string;
  /** From spawn to its "gateway started" log line. */
  readonly startMs: number;
  cpuSeconds(): number;
  memoryMb(): { rss: number; hwm: number };
  /** A read-only connection to its database (WAL: reads never block the gateway). */
  readonly db: Database.Database;
  stop(): Promise<void>;
}

/**
 * How the gateway process is started: `dist` = node with the launcher's flags on the built
 * CLI (what bin/store-gateway.js runs once built); `npm-start` = the last step of
 * package.json's `start` script as it stands (the build before it is not run again), i.e.
 * what a user who types `npm start` gets.
 */
export type GatewayLaunch = 'dist' | 'npm-start';

/**
 * The node arguments of `npm start`'s last step: a `node …` command as it is, or the
 * launcher (`bin/store-gateway.js …`) as its #! line runs it (node with the launcher's flags).
 */
export function npmStartNodeArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const step = (pkg.scripts.start ?? '').split('&&').at(-1)?.trim() ?? '';
  const [cmd, ...args] = step.split(/\s+/);
  if (cmd === 'node') return args;
  if (cmd === 'bin/store-gateway.js') return [...launcherNodeFlags(), join(ROOT, cmd), ...args];
  throw new Error(`package.json start script: expected a node or bin/store-gateway.js step, got: ${step}`);
}

export async function startGatewayProcess(
  dataDir: string,
  env: Record<string, string> = {},
  nodeArgs: readonly string[] = [],
  launch: GatewayLaunch = 'dist',
): Promise<GatewayProcess> {
  ensureBuilt();
  // BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the gateway alone.
  const extra = process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter((a) => a !== '') ?? [];
  // The flags bin/store-gateway.js runs node with: the gateway measured as production runs it.
  const argv =
    launch === 'dist'
      ? [...launcherNodeFlags(), ...extra, ...nodeArgs, CLI, 'start']
      : [...extra, ...nodeArgs, ...npmStartNodeArgs()];
  const t0 = performance.now();
  const child = Child.spawn(process.execPath, argv, {
    GW_MQTT_PORT: '0',
    GW_HTTP_PORT: '0',
    GW_DATA_DIR: dataDir,
    GW_LOG_LEVEL: 'info',
    // The benchmarks read the API without signing in.
    GW_HTTP_AUTH: 'off',
    ...env,
  });
  let started: { mqttPort: number; httpPort: number };
  let startMs: number;
  try {
    const line = await child.waitFor(/\{[^\n]*"gateway started"[^\n]*\}/, 'gateway process start', 60_000);
    started = JSON.parse(line) as { mqttPort: number; httpPort: number };
    startMs = performance.now() - t0;
  } catch (err) {
    await child.kill();
    throw err;
  }
  const db = new Database(join(dataDir, 'gateway.db'), { readonly: true, fileMustExist: true });
  return {
    pid: child.pid,
    mqttPort: started.mqttPort,
    httpPort: started.httpPort,
    dataDir,
    startMs,
    cpuSeconds: () => procCpuSeconds(child.pid),
    memoryMb: () => procMemoryMb(child.pid),
    db,
    stop: async () => {
      db.close();
      await child.kill();
    },
  };
}

/** Journal rows not yet applied by correlation (0 when caught up). */
export function processCorrelationLag(db: Database.Database): number {
  const { applied } = db.prepare('SELECT applied_seq AS applied FROM progress WHERE id = 1').get() as {
    applied: number;
  };
  const { last } = db.prepare('SELECT COALESCE(MAX(seq), 0) AS last FROM journal').get() as { last: number };
  return last - applied;
}
