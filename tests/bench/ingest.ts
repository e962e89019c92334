/**
 * Ingest benchmark: the same publisher (its own process, QoS1, 500 in flight, ~200 B
 * door.crossing) into (a) the real gateway in its own process, built JS (journal with
 * synchronous=FULL, PUBACK after commit, correlated), (b) a bare Mosquitto relay with a
 * subscriber process, (c) a bare aedes relay in its own process with a subscriber process.
 * CPU is read from /proc per process; the publisher's CPU is reported but not judged.
 * DESIGN target: gateway throughput ≥ 1.0× Mosquitto, CPU-s per 100k no more than Mosquitto's.
 *
 *   ./node_modules/.bin/tsx tests/bench/ingest.ts [--count 100000] [--smoke] [--gateway-only]
 *   ./node_modules/.bin/tsx tests/bench/ingest.ts --count 50000 --variants gw-cold,mosq-cold,…
 */
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { num, parseArgs } from './args.js';
import { type BenchRow, Child, procCpuSeconds, sleep } from './common.js';
import {
  type GatewayLaunch,
  type GatewayProcess,
  npmStartNodeArgs,
  processCorrelationLag,
  startGatewayProcess,
} from './gateway-process.js';

const MOSQUITTO = '/usr/sbin/mosquitto';

export interface IngestSizes {
  readonly count: number;
  readonly warmup: number;
}

export interface PublisherResult {
  readonly acked: number;
  readonly failed: number;
  readonly ms: number;
  readonly rate: number;
  readonly cpuSeconds: number;
  /** ms from the start at which every SPLIT-th ack arrived. */
  readonly splits?: number[];
}

/** msg/s over the first and the last SPLIT messages of a run ("" when it is too short). */
function splitRates(pub: PublisherResult): { first: number; last: number } | undefined {
  const s = pub.splits ?? [];
  if (s.length < 2) return undefined;
  const first = s[0] ?? Number.NaN;
  const last = (s.at(-1) ?? Number.NaN) - (s.at(-2) ?? Number.NaN);
  return { first: SPLIT / (first / 1000), last: SPLIT / (last / 1000) };
}

function splitNote(pub: PublisherResult): string {
  const r = splitRates(pub);
  if (!r) return '';
  return `first ${SPLIT / 1000}k ${Math.round(r.first)} msg/s, last ${SPLIT / 1000}k ${Math.round(r.last)} msg/s`;
}

interface RunResult {
  readonly rate: number;
  readonly pub: PublisherResult;
  /**
   * CPU-seconds per 100k messages of the receiving side: the gateway process (its broker,
   * validation, journal, correlation), or for a relay its broker process + subscriber process.
   */
  readonly cpuPer100k: number;
  /** Relays only: the broker process alone. */
  readonly brokerCpuPer100k?: number;
  readonly publisherCpuPer100k: number;
  readonly delivered: number;
  readonly note: string;
}

/** The gateway process's memory (/proc VmRSS; peak is VmHWM over its life, warm-up included). */
export interface GatewayMemory {
  readonly idleMb: number;
  readonly peakMb: number;
  readonly afterMb: number;
}

export interface IngestResult {
  readonly rows: BenchRow[];
  readonly rss: GatewayMemory;
  readonly lines: string[];
}

/** The cold variant's size: what the outside harness of issue 13 sent. */
export const COLD_COUNT = 50_000;

/** Acks are timed every SPLIT messages, so the first 10k can be set against the last 10k. */
const SPLIT = 10_000;

/** Rounds of (gateway, reference) pairs in a full run; the smoke runs one. */
export const ROUNDS = 3;

/**
 * `rounds` runs of the gateway and of the reference back to back, alternating which goes
 * first. This machine's speed drifts by up to 2x within minutes (the same publisher costs
 * 1.9 to 3.8 CPU-s per 100k in runs a minute apart): only runs side by side compare, and
 * one pair is luck. The caller reports the pair with the median ratio (docs/benchmarks.md 19).
 */
async function pairedRuns<G, R>(
  rounds: number,
  gateway: () => Promise<G>,
  reference: () => Promise<R | undefined>,
): Promise<{ gw: G; ref: R | undefined }[]> {
  if (rounds < 1) throw new Error('pairedRuns needs at least one round');
  const pairs: { gw: G; ref: R | undefined }[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      const gw = await gateway();
      pairs.push({ gw, ref: await reference() });
    } else {
      const ref = await reference();
      pairs.push({ gw: await gateway(), ref });
    }
  }
  return pairs;
}

/** The element whose `key` is the median (the lower one of an even count). */
export function medianBy<T>(items: readonly T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (median === undefined) throw new Error('medianBy of nothing');
  return median;
}

function ratioList(values: readonly number[]): string {
  return values.map((v) => v.toFixed(2)).join(', ');
}

async function publish(
  port: number,
  count: number,
  prefix: string,
  extra: readonly string[] = [],
): Promise<PublisherResult> {
  const child = Child.script('./publisher.ts', [
    '--port',
    String(port),
    '--count',
    String(count),
    '--inflight',
    '500',
    '--prefix',
    prefix,
    '--split',
    String(SPLIT),
    ...extra,
  ]);
  try {
    return await child.json<PublisherResult>(`publisher ${prefix}`);
  } finally {
    await child.kill();
  }
}

async function waitPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(20);
  }
  throw new Error(`port ${port} did not open`);
}

function lastSeq(db: GatewayProcess['db']): number {
  return (db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM journal').get() as { seq: number }).seq;
}

/** CPU-ms the gateway spent per SPLIT messages, interpolated from (journaled, CPU) samples. */
function cpuPerSplit(samples: readonly { seq: number; cpu: number }[], count: number): number[] {
  const at = (seq: number) => {
    const i = samples.findIndex((s) => s.seq >= seq);
    if (i <= 0) return samples[Math.max(0, i)]?.cpu ?? Number.NaN;
    const a = samples[i - 1] as { seq: number; cpu: number };
    const b = samples[i] as { seq: number; cpu: number };
    return b.seq === a.seq ? b.cpu : a.cpu + ((b.cpu - a.cpu) * (seq - a.seq)) / (b.seq - a.seq);
  };
  const out: number[] = [];
  for (let k = SPLIT; k <= count; k += SPLIT) out.push(Math.round((at(k) - at(k - SPLIT)) * 1000));
  return out;
}

/** The gateway's Prometheus counter `name` (summed over labels), or NaN. */
async function metric(httpPort: number, name: string): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    let sum = 0;
    for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
    return sum;
  } catch {
    return Number.NaN;
  }
}

export interface GatewayRunOptions extends IngestSizes {
  readonly launch?: GatewayLaunch;
  /** Extra publisher arguments for the measured run (e.g. --pregen). */
  readonly publisherArgs?: readonly string[];
}

async function gatewayRun(
  opts: GatewayRunOptions,
): Promise<RunResult & GatewayMemory & { rewinds: number; cpuSplits: number[] }> {
  const dir = tempDir('bench-ingest-');
  const gateway = await startGatewayProcess(dir.path, {}, [], opts.launch ?? 'dist');
  try {
    // Cold (no warm-up): publish as soon as the gateway says it started, as an outside
    // harness would; warm: let start-up settle and read the idle RSS first.
    if (opts.warmup > 0) await sleep(500);
    const idleMb = gateway.memoryMb().rss;
    // Start-up recovery counts as one rewind (restore the newest checkpoint, none here);
    // only rewinds during the runs are late input.
    const rewinds0 = await metric(gateway.httpPort, 'gateway_rewinds_total');
    const late0 = await metric(gateway.httpPort, 'gateway_late_inputs_total');
    const commits0 = await metric(gateway.httpPort, 'gateway_journal_commit_batch_size_count');
    if (opts.warmup > 0) await publish(gateway.mqttPort, opts.warmup, 'warm');
    const cpu0 = gateway.cpuSeconds();
    const seq0 = lastSeq(gateway.db);
    // The gateway's CPU per SPLIT journaled messages (first vs last shows what a cold start costs
    // in CPU, which a shared machine's load distorts less than the rate).
    const samples: { seq: number; cpu: number }[] = [{ seq: 0, cpu: 0 }];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push({ seq: lastSeq(gateway.db) - seq0, cpu: gateway.cpuSeconds() - cpu0 });
        await sleep(20);
      }
    })();
    const pub = await publish(gateway.mqttPort, opts.count, 'main', opts.publisherArgs);
    const deadline = Date.now() + 60_000;
    while (processCorrelationLag(gateway.db) > 0 && Date.now() < deadline) await sleep(5);
    sampling = false;
    await sampler;
    const cpu = gateway.cpuSeconds() - cpu0;
    samples.push({ seq: opts.count, cpu });
    const cpuSplits = cpuPerSplit(samples, opts.count);
    const mem = gateway.memoryMb();
    const { n } = gateway.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE msg_id LIKE 'main-%'").get() as {
      n: number;
    };
    const { rejected } = gateway.db.prepare('SELECT COUNT(*) AS rejected FROM rejected').get() as { rejected: number };
    const rewinds = (await metric(gateway.httpPort, 'gateway_rewinds_total')) - rewinds0;
    const late = (await metric(gateway.httpPort, 'gateway_late_inputs_total')) - late0;
    // Commits (fsyncs) per 1k messages: the batch size is what the CPU per message follows most.
    const commits = (await metric(gateway.httpPort, 'gateway_journal_commit_batch_size_count')) - commits0;
    const split = splitNote(pub);
    return {
      rate: pub.rate,
      pub,
      cpuPer100k: (cpu / opts.count) * 100_000,
      publisherCpuPer100k: (pub.cpuSeconds / opts.count) * 100_000,
      delivered: n,
      note: `journaled ${n}/${opts.count}, rejected ${rejected}, lag ${processCorrelationLag(gateway.db)}, late inputs ${late}, rewinds ${rewinds}, ${Math.round((commits / (opts.count + opts.warmup)) * 1000)} commits/1k${split ? `; ${split}` : ''}; start ${Math.round(gateway.startMs)} ms`,
      idleMb,
      peakMb: mem.hwm,
      afterMb: mem.rss,
      rewinds,
      cpuSplits,
    };
  } finally {
    await gateway.stop();
    dir.remove();
  }
}

/**
 * Publisher → relay → subscriber process; the relay is already listening on `port`.
 * `subscriber: false` measures the broker taking messages that nobody receives (what a
 * harness that only publishes to Mosquitto measures); informational only.
 */
async function relayRun(
  port: number,
  brokerPid: number,
  sizes: IngestSizes,
  label: string,
  subscriber = true,
): Promise<RunResult> {
  const sub = subscriber
    ? Child.script('./subscriber.ts', [
        '--port',
        String(port),
        '--count',
        String(sizes.count + sizes.warmup),
        '--skip',
        String(sizes.warmup),
      ])
    : undefined;
  try {
    await sub?.waitFor(/ready/, `${label} subscriber`);
    if (sizes.warmup > 0) await publish(port, sizes.warmup, 'warm');
    const broker0 = procCpuSeconds(brokerPid);
    const pub = await publish(port, sizes.count, 'main');
    const got = sub
      ? await sub.json<{ received: number; cpuSeconds: number }>(`${label} subscriber`, 60_000)
      : { received: sizes.warmup, cpuSeconds: 0 };
    const brokerCpu = procCpuSeconds(brokerPid) - broker0;
    const split = splitNote(pub);
    return {
      rate: pub.rate,
      pub,
      cpuPer100k: ((brokerCpu + got.cpuSeconds) / sizes.count) * 100_000,
      brokerCpuPer100k: (brokerCpu / sizes.count) * 100_000,
      publisherCpuPer100k: (pub.cpuSeconds / sizes.count) * 100_000,
      delivered: got.received - sizes.warmup,
      note: `${sub ? `delivered ${got.received - sizes.warmup}/${sizes.count}` : 'no subscriber'}${split ? `; ${split}` : ''}`,
    };
  } finally {
    await sub?.kill();
  }
}

/** A fresh Mosquitto (bare relay) for one run. */
async function mosquittoRun(sizes: IngestSizes, subscriber = true): Promise<RunResult | undefined> {
  if (!existsSync(MOSQUITTO)) return undefined;
  const dir = tempDir('bench-mosq-');
  const port = await freePort();
  const conf = join(dir.path, 'mosquitto.conf');
  // Bare relay; only the queue cap is lifted so a slow subscriber does not lose messages.
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 0',
      'log_dest none',
      '',
    ].join('\n'),
  );
  const broker = Child.spawn(MOSQUITTO, ['-c', conf]);
  try {
    await waitPort(port);
    return await relayRun(port, broker.pid, sizes, 'mosquitto', subscriber);
  } finally {
    await broker.kill();
    dir.remove();
  }
}

async function aedesRun(sizes: IngestSizes): Promise<RunResult> {
  const broker = Child.script('./aedes-relay.ts', ['--port', '0']);
  try {
    const ready = await broker.waitFor(/ready \d+/, 'aedes relay');
    const port = Number(ready.split(' ')[1]);
    return await relayRun(port, broker.pid, sizes, 'aedes');
  } finally {
    await broker.kill();
  }
}

export async function runIngest(
  sizes: IngestSizes & { readonly cold?: number },
  smoke: boolean,
  rounds = smoke ? 1 : ROUNDS,
): Promise<IngestResult> {
  const lines: string[] = [];
  // The ratios move with the machine's load (the relay spreads over three processes, the
  // gateway's work is one thread): docs/benchmarks.md 17.
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const pairs = await pairedRuns(
    rounds,
    () => gatewayRun(sizes),
    () => mosquittoRun(sizes),
  );
  const aedes = await aedesRun(sizes);
  const compared = pairs.flatMap((p) => (p.ref ? [{ gw: p.gw, ref: p.ref }] : []));
  // The pair whose throughput ratio is the median, and separately the one whose CPU ratio is.
  const byRate = compared.length > 0 ? medianBy(compared, (p) => p.gw.rate / p.ref.rate) : undefined;
  const byCpu = compared.length > 0 ? medianBy(compared, (p) => p.gw.cpuPer100k / p.ref.cpuPer100k) : undefined;
  // Without Mosquitto there is no ratio: the median run stands alone.
  const gw = byRate?.gw ?? medianBy(pairs, (p) => p.gw.rate).gw;
  const mosq = byRate?.ref;
  const gwCpu = byCpu?.gw ?? gw;
  const mosqCpu = byCpu?.ref;
  const pairedNote = compared.length > 1 ? ` (median of ${compared.length} side-by-side pairs)` : '';
  const rows: BenchRow[] = [];
  const ref = mosq ? { name: `mosquitto relay${pairedNote}`, value: mosq.rate } : undefined;
  rows.push({
    bench: 'ingest',
    name: 'ingest: gateway msg/s (QoS1, FULL, correlated)',
    measured: gw.rate,
    unit: 'msg/s',
    reference: ref,
    target: { op: '>=', value: 1.0, of: 'ratio' },
    note: `${gw.note}${compared.length > 1 ? `; ratio per pair ${ratioList(compared.map((p) => p.gw.rate / p.ref.rate))}` : ''}`,
  });
  rows.push({
    bench: 'ingest',
    name: 'ingest: CPU-s/100k, gateway process vs mosquitto broker+subscriber',
    measured: gwCpu.cpuPer100k,
    unit: 'CPU-s',
    reference: mosqCpu ? { name: `mosquitto broker+subscriber${pairedNote}`, value: mosqCpu.cpuPer100k } : undefined,
    target: mosqCpu ? { op: '<', value: 1.0 + 1e-9, of: 'ratio' } : undefined,
    note: mosqCpu
      ? `publisher excluded on both sides (gateway run ${gwCpu.publisherCpuPer100k.toFixed(2)}, mosquitto run ${mosqCpu.publisherCpuPer100k.toFixed(2)}); mosquitto broker alone ${mosqCpu.brokerCpuPer100k?.toFixed(2)}${compared.length > 1 ? `; ratio per pair ${ratioList(compared.map((p) => p.gw.cpuPer100k / p.ref.cpuPer100k))}` : ''}`
      : undefined,
  });
  if (mosq) {
    rows.push({
      bench: 'ingest',
      name: 'ingest: CPU-s/100k, publisher+gateway vs publisher+mosquitto+subscriber',
      measured: gw.cpuPer100k + gw.publisherCpuPer100k,
      unit: 'CPU-s',
      reference: { name: 'whole mosquitto relay', value: mosq.cpuPer100k + mosq.publisherCpuPer100k },
    });
  }
  rows.push({
    bench: 'ingest',
    name: 'ingest: gateway vs bare aedes relay',
    measured: gw.rate,
    unit: 'msg/s',
    reference: { name: 'aedes relay', value: aedes.rate },
    note: `aedes ${aedes.note}, ${aedes.cpuPer100k.toFixed(2)} CPU-s/100k`,
  });
  if (mosq) {
    rows.push({
      bench: 'ingest',
      name: 'ingest: mosquitto relay msg/s',
      measured: mosq.rate,
      unit: 'msg/s',
      note: `${mosq.note}, ${mosq.cpuPer100k.toFixed(2)} CPU-s/100k`,
    });
  } else {
    lines.push('ingest (b): skipped: mosquitto not installed');
  }
  lines.push(
    `ingest: gateway/mosquitto = ${mosq ? (gw.rate / mosq.rate).toFixed(2) : 'n/a'}, gateway/aedes = ${(gw.rate / aedes.rate).toFixed(2)}`,
  );
  if (sizes.cold !== undefined) rows.push(...(await coldRows(sizes.cold, !smoke, rounds, lines)));
  lines.push(
    `ingest: load average ${loadBefore} before, ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} after`,
  );
  // Memory: the highest peak of any gateway run, so the limit holds for every run.
  const peak = pairs.map((p) => p.gw).reduce((a, b) => (b.peakMb > a.peakMb ? b : a));
  return { rows, rss: { idleMb: peak.idleMb, peakMb: peak.peakMb, afterMb: peak.afterMb }, lines };
}

/**
 * The cold variant (docs/benchmarks.md 17): what a harness from outside measures. A fresh
 * gateway process with no warm-up, `count` messages as soon as it says it started, against a
 * fresh Mosquitto relay with a fresh subscriber, also without warm-up; once started from the
 * built JS with the launcher's flags, once with the node command of `npm start`.
 */
async function coldRows(count: number, withNpmStart: boolean, rounds: number, lines: string[]): Promise<BenchRow[]> {
  const sizes = { count, warmup: 0 };
  // Each round: the gateway as built and as `npm start` runs it, and a fresh Mosquitto relay.
  const pairs = await pairedRuns(
    rounds,
    async () => ({
      dist: await gatewayRun(sizes),
      npm: withNpmStart ? await gatewayRun({ ...sizes, launch: 'npm-start' }) : undefined,
    }),
    () => mosquittoRun(sizes),
  );
  const compared = pairs.flatMap((p) => (p.ref ? [{ gw: p.gw, ref: p.ref }] : []));
  const distPair = compared.length > 0 ? medianBy(compared, (p) => p.gw.dist.rate / p.ref.rate) : undefined;
  const npmPair =
    compared.length > 0 && withNpmStart ? medianBy(compared, (p) => (p.gw.npm?.rate ?? 0) / p.ref.rate) : undefined;
  const gw = distPair?.gw.dist ?? medianBy(pairs, (p) => p.gw.dist.rate).gw.dist;
  const mosq = distPair?.ref;
  const npm = npmPair?.gw.npm;
  const bare = withNpmStart ? await mosquittoRun(sizes, false) : undefined;
  const pairedNote = compared.length > 1 ? ` (median of ${compared.length} side-by-side pairs)` : '';
  const ref = mosq ? { name: `mosquitto relay, cold${pairedNote}`, value: mosq.rate } : undefined;
  const npmRef = npmPair ? { name: `mosquitto relay, cold${pairedNote}`, value: npmPair.ref.rate } : ref;
  const perPair = (rate: (p: (typeof compared)[number]) => number) =>
    compared.length > 1 ? `; ratio per pair ${ratioList(compared.map((p) => rate(p) / p.ref.rate))}` : '';
  const k = `${Math.round(count / 1000)}k`;
  const cpu = (r: { cpuSplits: number[] }) =>
    r.cpuSplits.length > 1 ? `; gateway CPU per 10k: first ${r.cpuSplits[0]} ms, last ${r.cpuSplits.at(-1)} ms` : '';
  const rows: BenchRow[] = [
    {
      bench: 'ingest',
      name: `ingest cold: gateway msg/s, fresh process, no warm-up, ${k}`,
      measured: gw.rate,
      unit: 'msg/s',
      reference: ref,
      target: ref ? { op: '>=', value: 1.0, of: 'ratio' } : undefined,
      note: `${gw.note}${cpu(gw)}; RSS peak ${gw.peakMb.toFixed(0)} MB${perPair((p) => p.gw.dist.rate)}`,
    },
  ];
  if (npm) {
    rows.push({
      bench: 'ingest',
      name: `ingest cold: gateway msg/s as \`npm start\` runs it, ${k}`,
      measured: npm.rate,
      unit: 'msg/s',
      reference: npmRef,
      target: npmRef ? { op: '>=', value: 1.0, of: 'ratio' } : undefined,
      note: `node ${npmStartNodeArgs().join(' ')}; ${npm.note}${cpu(npm)}; RSS idle ${npm.idleMb.toFixed(0)} MB, peak ${npm.peakMb.toFixed(0)} MB${perPair((p) => p.gw.npm?.rate ?? 0)}`,
    });
  }
  if (mosq) {
    rows.push({
      bench: 'ingest',
      name: `ingest cold: mosquitto relay msg/s, ${k}`,
      measured: mosq.rate,
      unit: 'msg/s',
      note: `${mosq.note}${bare ? `; without a subscriber ${Math.round(bare.rate)} msg/s (not a relay: nothing is delivered)` : ''}`,
    });
    lines.push(
      `ingest cold (${k}): gateway/mosquitto = ${(gw.rate / mosq.rate).toFixed(2)}${npm && npmRef ? `, npm start/mosquitto = ${(npm.rate / npmRef.value).toFixed(2)}` : ''}`,
    );
  }
  return rows;
}

/** One run of each named variant, for investigations (`--variants gw-cold,mosq-cold,…`). */
const VARIANTS: Record<string, (count: number) => Promise<unknown>> = {
  'gw-warm': (count) => gatewayRun({ count, warmup: 5000 }),
  'gw-cold': (count) => gatewayRun({ count, warmup: 0 }),
  'gw-npm-start': (count) => gatewayRun({ count, warmup: 0, launch: 'npm-start' }),
  'mosq-warm': (count) => mosquittoRun({ count, warmup: 5000 }),
  'mosq-cold': (count) => mosquittoRun({ count, warmup: 0 }),
  'mosq-nosub': (count) => mosquittoRun({ count, warmup: 0 }, false),
  'gw-cold-pregen': (count) => gatewayRun({ count, warmup: 0, publisherArgs: ['--pregen'] }),
  // A harness that does not know the configured devices: every message is refused (and kept).
  'gw-cold-unknown-device': (count) => gatewayRun({ count, warmup: 0, publisherArgs: ['--device', 'unknown-1'] }),
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(process.argv.slice(2));
  const smoke = args.has('smoke');
  const count = num(args, 'count', smoke ? 3000 : 100_000);
  const sizes = { count, warmup: Math.min(5000, Math.floor(count / 10)), cold: smoke ? count : COLD_COUNT };
  const variants = args.get('variants');
  if (variants) {
    // --variants a,b,…: one run of each, in order, one JSON line each (rate, CPU, splits).
    for (const v of variants.split(',')) {
      const run = VARIANTS[v];
      if (!run) throw new Error(`unknown variant ${v}: ${Object.keys(VARIANTS).join(', ')}`);
      const r = (await run(count)) as (RunResult & { pub: PublisherResult }) | undefined;
      if (!r) continue;
      const { pub, ...rest } = r;
      console.log(JSON.stringify({ variant: v, ...rest, splits: pub.splits, ms: pub.ms }));
    }
  } else {
    // --gateway-only: the gateway run alone, for profiling iterations (no reference, no ratio).
    const result = args.has('gateway-only') ? await gatewayRun(sizes) : await runIngest(sizes, smoke);
    console.log(JSON.stringify(result, null, 2));
  }
}
