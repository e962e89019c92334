/**
 * `npm run demo:hq`: HQ with three simulated stores on one machine, in one command
 * (env: HQ_HTTP_PORT, DATABASE_URL + HQ_PG_SCHEMA, NATS_SERVER, HQ_DEMO_DAYS, HQ_DEMO_TRAFFIC).
 *
 *   nats-server -js (free port, temp dir) ◄── 3 gateways (s001–s003, in this process)
 *        │                                      ▲ firmware-sim days over real MQTT
 *        └──► cloud-sink (SQLite in the temp dir, or DATABASE_URL) ──► HQ dashboard + API
 *
 * Each store is a real gateway (gateway/main.ts: its own MQTT broker, SQLite and upstream
 * outbox) fed its simulated days (firmware-sim, its own seed, traffic and rates) as fast as
 * it takes them; its clock follows the devices, then runs on at wall speed so its health
 * reports keep coming and HQ sees the store online. The HQ sign-in is the demo admin
 * `hq`/`hq` (HQ_HTTP_AUTH=demo): DEMO ONLY.
 *
 * This file composes gateway/ and cloud-sink/; neither imports the other.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { DEMO_HQ_USER } from '../cloud-sink/auth.js';
import { loadHqConfig } from '../cloud-sink/config.js';
import { type RunningSink, startSink } from '../cloud-sink/main.js';
import { generateStoreDay, publishTimeline, urlClientFactory } from '../firmware-sim/index.js';
import { DeviceFollowingClock } from '../gateway/infra/clock/index.js';
import { loadConfig } from '../gateway/infra/config/index.js';
import { createStoreCalendar } from '../gateway/infra/time/index.js';
import { type RunningGateway, startGateway } from '../gateway/main.js';

/** The demo's stores: HQ's store list (names, regions) and each one's simulated traffic. */
export const DEMO_STORES = [
  {
    id: 's001',
    name: '上海旗舰店',
    region: '华东',
    seed: 1,
    visitors: 700,
    passersPerVisitor: 4.6,
    tryOnRate: 0.22,
    conversionRate: 0.18,
  },
  {
    id: 's002',
    name: '北京国贸店',
    region: '华北',
    seed: 2,
    visitors: 500,
    passersPerVisitor: 5.8,
    tryOnRate: 0.16,
    conversionRate: 0.21,
  },
  {
    id: 's003',
    name: '广州天河店',
    region: '华南',
    seed: 3,
    visitors: 360,
    passersPerVisitor: 5.2,
    tryOnRate: 0.26,
    conversionRate: 0.13,
  },
] as const;

const TIMEZONE = 'Asia/Shanghai';

export interface HqDemoOptions {
  /** The last simulated day (store-local YYYY-MM-DD); default today in Shanghai. */
  readonly date?: string;
  /** Days simulated per store, ending at `date` (default 2: yesterday for 环比, and today). */
  readonly days?: number;
  /** Scales every store's visitors (default 1; tests use less). */
  readonly traffic?: number;
  /** HQ API and dashboard port (default HQ_HTTP_PORT, else a free port). */
  readonly httpPort?: number;
  /** PostgreSQL instead of SQLite in the temp dir (default DATABASE_URL). */
  readonly databaseUrl?: string;
  /** PostgreSQL schema (default HQ_PG_SCHEMA, else `hq_demo`: the demo never mixes with real rows). */
  readonly pgSchema?: string;
  readonly log?: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface DemoStore {
  readonly id: string;
  /** What the simulated days hold (firmware-sim's ground truth, summed over the days). */
  readonly truth: { readonly visitors: number; readonly transactions: number };
  readonly gateway: RunningGateway;
  /** Resolves when the store's simulated days were published to its gateway. */
  readonly played: Promise<void>;
  stop(): Promise<void>;
}

export interface RunningHqDemo {
  /** The HQ dashboard, e.g. http://127.0.0.1:8090/ */
  readonly url: string;
  readonly natsUrl: string;
  readonly user: { readonly name: string; readonly password: string };
  readonly sink: RunningSink;
  readonly stores: readonly DemoStore[];
  readonly days: readonly string[];
  readonly dir: string;
  readonly database: 'sqlite' | 'postgres';
  /** Resolves when every store's days were published. */
  readonly played: Promise<void>;
  stop(): Promise<void>;
}

/** Thrown when nats-server is not installed: the message names the Debian package. */
export class NatsServerMissingError extends Error {
  override readonly name = 'NatsServerMissingError';
}

/** nats-server on PATH, or where Debian's package puts it (/usr/sbin is not on every PATH). */
export function findNatsServer(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const candidates = env.NATS_SERVER
    ? [env.NATS_SERVER]
    : ['nats-server', '/usr/sbin/nats-server', '/usr/bin/nats-server'];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['--version'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  throw new NatsServerMissingError(
    'nats-server is not installed: install the Debian package "nats-server" (sudo apt-get install nats-server), ' +
      'or set NATS_SERVER to its path',
  );
}

/**
 * A clock that follows the devices while the days play (as fast as the gateway takes them),
 * then runs on at wall speed from a little after the last message: the last buckets close,
 * and health reports (one per minute of gateway time) keep the store online at HQ.
 */
class ReplayClock extends DeviceFollowingClock {
  private released: { wall: number; at: number } | undefined;
  override now(): number {
    const r = this.released;
    return r ? r.at + (Date.now() - r.wall) : super.now();
  }
  /** After the last message: sessions close and the last buckets pass their grace. */
  release(afterMs: number): void {
    this.released = { wall: Date.now(), at: super.now() + afterMs };
  }
}

export async function startHqDemo(options: HqDemoOptions = {}): Promise<RunningHqDemo> {
  const env = options.env ?? process.env;
  const log = options.log ?? pino({ level: env.HQ_LOG_LEVEL ?? 'warn' });
  const natsBinary = findNatsServer(env);
  const calendar = createStoreCalendar(TIMEZONE);
  const last = options.date ?? calendar.localDay(Date.now());
  const dayCount = options.days ?? 2;
  const days = Array.from({ length: dayCount }, (_, i) => addDays(last, i - dayCount + 1));
  const traffic = options.traffic ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'hq-demo-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) await Promise.resolve(fn()).catch(() => undefined);
  };

  try {
    const nats = await startNats(natsBinary, join(dir, 'nats'));
    cleanups.push(() => stopChild(nats.child));

    const databaseUrl = options.databaseUrl ?? (env.DATABASE_URL || undefined);
    const httpPort = options.httpPort ?? (env.HQ_HTTP_PORT ? Number(env.HQ_HTTP_PORT) : await freePort());
    const config = loadHqConfig({
      HQ_NATS_URL: nats.url,
      HQ_HTTP_HOST: '127.0.0.1',
      HQ_HTTP_PORT: String(httpPort),
      HQ_DATA_DIR: join(dir, 'hq'),
      HQ_HTTP_AUTH: 'demo',
      HQ_TIMEZONE: TIMEZONE,
      ...(databaseUrl !== undefined
        ? { DATABASE_URL: databaseUrl, HQ_PG_SCHEMA: options.pgSchema ?? (env.HQ_PG_SCHEMA || 'hq_demo') }
        : {}),
      ...(env.HQ_UI_DIR ? { HQ_UI_DIR: env.HQ_UI_DIR } : {}),
    });
    const sink = await startSink({ config, log });
    cleanups.push(() => sink.stop());
    await sink.store.importStores(
      DEMO_STORES.map((s) => ({ id: s.id, name: s.name, region: s.region, timezone: TIMEZONE, currency: 'CNY' })),
    );

    // The sink makes the RETAIL stream: the stores' first health reports need it there.
    await sink.consuming();
    const stores: DemoStore[] = [];
    for (const spec of DEMO_STORES) {
      const store = await startStore(spec, {
        natsUrl: nats.url,
        dir: join(dir, spec.id),
        days,
        traffic,
        log,
      });
      stores.push(store);
      cleanups.push(() => store.stop());
    }
    const played = Promise.all(stores.map((s) => s.played)).then(() => undefined);

    return {
      url: `http://127.0.0.1:${sink.httpPort}/`,
      natsUrl: nats.url,
      user: { name: DEMO_HQ_USER.name, password: DEMO_HQ_USER.password },
      sink,
      stores,
      days,
      dir,
      database: config.databaseUrl !== undefined ? 'postgres' : 'sqlite',
      played,
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function startStore(
  spec: (typeof DEMO_STORES)[number],
  options: { natsUrl: string; dir: string; days: readonly string[]; traffic: number; log: Logger },
): Promise<DemoStore> {
  const simulated = options.days.map((date, i) =>
    generateStoreDay({
      seed: spec.seed * 100 + i,
      date,
      visitors: Math.max(20, Math.round(spec.visitors * options.traffic * (0.9 + 0.1 * i))),
      passersPerVisitor: spec.passersPerVisitor,
      tryOnRate: spec.tryOnRate,
      conversionRate: spec.conversionRate,
    }),
  );
  // firmware-sim speaks as store s001: the same devices, addressed to this store.
  const messages = simulated.flatMap((day) =>
    day.messages.map((m) => ({ ...m, topic: m.topic.replace(/^retail\/s001\//, `retail/${spec.id}/`) })),
  );
  const config = loadConfig(undefined, {
    GW_STORE_ID: spec.id,
    GW_DATA_DIR: options.dir,
    GW_MQTT_PORT: String(await freePort()),
    GW_HTTP_PORT: String(await freePort()),
    GW_NATS_URL: options.natsUrl,
    GW_HTTP_AUTH: 'demo',
  });
  const clock = new ReplayClock(messages[0]?.at ?? Date.now());
  const log = options.log.child({ store: spec.id });
  const gateway = await startGateway({
    config: { ...config, mqtt: { ...config.mqtt, host: '127.0.0.1' }, http: { ...config.http, host: '127.0.0.1' } },
    log,
    clock,
  });
  const newest = simulated.at(-1);
  if (newest) {
    gateway.reference.importMembers(
      newest.roster.map((m) => ({ ...m, cards: [...m.cards], ...(m.sizes ? { sizes: { ...m.sizes } } : {}) })),
    );
    gateway.reference.importCatalog(newest.catalog);
  }
  const abort = new AbortController();
  const played = publishTimeline(urlClientFactory(`mqtt://127.0.0.1:${gateway.mqttPort}`), messages, {
    speed: 0,
    signal: abort.signal,
  }).then(
    () => {
      // Past the last message: sessions close, sales convert, the last buckets close and go upstream.
      clock.release(3 * 3600_000);
      log.info({ component: 'demo', messages: messages.length }, 'simulated days published');
    },
    (err: unknown) => {
      if (!abort.signal.aborted) log.error({ component: 'demo', err }, 'simulated store stopped');
    },
  );
  let stopping: Promise<void> | undefined;
  const truth = {
    visitors: simulated.reduce((n, d) => n + d.truth.totals.visitors, 0),
    transactions: simulated.reduce((n, d) => n + d.truth.totals.transactions, 0),
  };
  return {
    id: spec.id,
    truth,
    gateway,
    played,
    stop: () => {
      stopping ??= (async () => {
        abort.abort();
        await played;
        await gateway.stop();
      })();
      return stopping;
    },
  };
}

async function startNats(binary: string, storeDir: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${output}`)), 15_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${code}:\n${output}`));
    });
  });
  child.stderr?.removeAllListeners('data');
  child.stderr?.resume();
  return { child, url: `nats://127.0.0.1:${port}` };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function addDays(day: string, n: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

/** The command: start, print where to go, run until Ctrl-C. */
export async function main(env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  let demo: RunningHqDemo;
  try {
    const days = env.HQ_DEMO_DAYS ? Number(env.HQ_DEMO_DAYS) : undefined;
    const traffic = env.HQ_DEMO_TRAFFIC ? Number(env.HQ_DEMO_TRAFFIC) : undefined;
    demo = await startHqDemo({
      env,
      ...(days !== undefined && Number.isInteger(days) && days > 0 ? { days } : {}),
      ...(traffic !== undefined && traffic > 0 ? { traffic } : {}),
    });
  } catch (err) {
    process.stderr.write(`demo:hq: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof NatsServerMissingError ? 2 : 1;
  }
  const lines = [
    '',
    `  HQ demo — ${demo.stores.length} simulated stores (${demo.stores.map((s) => s.id).join(', ')}), days ${demo.days.join(', ')}`,
    `  HQ dashboard   ${demo.url}`,
    `  sign in        ${demo.user.name} / ${demo.user.password}   (DEMO ONLY)`,
    `  HQ database    ${demo.database === 'postgres' ? 'PostgreSQL (DATABASE_URL, schema hq_demo)' : `SQLite in ${join(demo.dir, 'hq')}`}`,
    `  NATS           ${demo.natsUrl}`,
    ...demo.stores.map((s) => `  store ${s.id}    http://127.0.0.1:${s.gateway.httpPort}/ (manager / manager)`),
    '  Ctrl-C stops everything and removes the temp files.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  void demo.played.then(() => process.stdout.write('  every store has sent its days to HQ (refresh the dashboard)\n'));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await demo.stop();
  return 0;
}
