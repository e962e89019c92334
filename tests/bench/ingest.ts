/**
 * Ingest benchmark: the same publisher (its own process, QoS1, 500 in flight, ~200 B
 * door.crossing) into (a) the real gateway in this process (journal with synchronous=FULL,
 * PUBACK after commit, correlated), (b) a bare Mosquitto relay with a subscriber process,
 * (c) a bare aedes relay in its own process with a subscriber process.
 * DESIGN target: gateway throughput ≥ 1.0× Mosquitto, CPU-s per 100k no more than Mosquitto's.
 *
 *   ./node_modules/.bin/tsx tests/bench/ingest.ts [--count 100000] [--smoke]
 */
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { num, parseArgs } from './args.js';
import { type BenchRow, Child, procCpuSeconds, selfCpuSeconds, sleep } from './common.js';
import { correlationLag, startBenchGateway } from './gateway.js';

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
}

interface RunResult {
  readonly rate: number;
  /** CPU-seconds per 100k messages of the receiving side (gateway, or broker + subscriber). */
  readonly cpuPer100k: number;
  readonly publisherCpuPer100k: number;
  readonly delivered: number;
  readonly note: string;
}

export interface IngestResult {
  readonly rows: BenchRow[];
  readonly rss: { readonly idleMb: number; readonly peakMb: number };
  readonly lines: string[];
}

async function publish(port: number, count: number, prefix: string): Promise<PublisherResult> {
  const child = Child.script('./publisher.ts', [
    '--port',
    String(port),
    '--count',
    String(count),
    '--inflight',
    '500',
    '--prefix',
    prefix,
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

async function gatewayRun(sizes: IngestSizes): Promise<RunResult & { idleMb: number; peakMb: number }> {
  const dir = tempDir('bench-ingest-');
  const gateway = await startBenchGateway(dir.path);
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    await sleep(200);
    const idleMb = process.memoryUsage.rss() / 2 ** 20;
    if (sizes.warmup > 0) await publish(gateway.mqttPort, sizes.warmup, 'warm');
    peak = 0;
    const cpu0 = selfCpuSeconds();
    const pub = await publish(gateway.mqttPort, sizes.count, 'main');
    const deadline = Date.now() + 60_000;
    while (correlationLag(gateway) > 0 && Date.now() < deadline) await sleep(5);
    const cpu = selfCpuSeconds() - cpu0;
    const { n } = gateway.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE msg_id LIKE 'main-%'").get() as {
      n: number;
    };
    const { rejected } = gateway.db.prepare('SELECT COUNT(*) AS rejected FROM rejected').get() as { rejected: number };
    return {
      rate: pub.rate,
      cpuPer100k: (cpu / sizes.count) * 100_000,
      publisherCpuPer100k: (pub.cpuSeconds / sizes.count) * 100_000,
      delivered: n,
      note: `journaled ${n}/${sizes.count}, rejected ${rejected}, lag ${correlationLag(gateway)}`,
      idleMb,
      peakMb: peak / 2 ** 20,
    };
  } finally {
    clearInterval(sampler);
    await gateway.stop();
    dir.remove();
  }
}

/** Publisher → relay → subscriber process; the relay is already listening on `port`. */
async function relayRun(port: number, brokerPid: number, sizes: IngestSizes, label: string): Promise<RunResult> {
  const sub = Child.script('./subscriber.ts', [
    '--port',
    String(port),
    '--count',
    String(sizes.count + sizes.warmup),
    '--skip',
    String(sizes.warmup),
  ]);
  try {
    await sub.waitFor(/ready/, `${label} subscriber`);
    if (sizes.warmup > 0) await publish(port, sizes.warmup, 'warm');
    const broker0 = procCpuSeconds(brokerPid);
    const pub = await publish(port, sizes.count, 'main');
    const got = await sub.json<{ received: number; cpuSeconds: number }>(`${label} subscriber`, 60_000);
    const brokerCpu = procCpuSeconds(brokerPid) - broker0;
    return {
      rate: pub.rate,
      cpuPer100k: ((brokerCpu + got.cpuSeconds) / sizes.count) * 100_000,
      publisherCpuPer100k: (pub.cpuSeconds / sizes.count) * 100_000,
      delivered: got.received - sizes.warmup,
      note: `delivered ${got.received - sizes.warmup}/${sizes.count}`,
    };
  } finally {
    await sub.kill();
  }
}

async function mosquittoRun(sizes: IngestSizes): Promise<RunResult | undefined> {
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
    return await relayRun(port, broker.pid, sizes, 'mosquitto');
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

export async function runIngest(sizes: IngestSizes, smoke: boolean): Promise<IngestResult> {
  const lines: string[] = [];
  const gw = await gatewayRun(sizes);
  const mosq = await mosquittoRun(sizes);
  const aedes = await aedesRun(sizes);
  const rows: BenchRow[] = [];
  const ref = mosq ? { name: 'mosquitto relay', value: mosq.rate } : undefined;
  rows.push({
    bench: 'ingest',
    name: 'ingest: gateway msg/s (QoS1, FULL, correlated)',
    measured: gw.rate,
    unit: 'msg/s',
    reference: ref,
    target: { op: '>=', value: 1.0, of: 'ratio' },
    note: gw.note,
  });
  rows.push({
    bench: 'ingest',
    name: 'ingest: gateway CPU-s per 100k',
    measured: gw.cpuPer100k,
    unit: 'CPU-s',
    reference: mosq ? { name: 'mosquitto broker+subscriber', value: mosq.cpuPer100k } : undefined,
    target: mosq ? { op: '<', value: 1.0 + 1e-9, of: 'ratio' } : undefined,
    note: `publisher ${gw.publisherCpuPer100k.toFixed(2)} CPU-s/100k`,
  });
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
  void smoke;
  return { rows, rss: { idleMb: gw.idleMb, peakMb: gw.peakMb }, lines };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(process.argv.slice(2));
  const smoke = args.has('smoke');
  const count = num(args, 'count', smoke ? 3000 : 100_000);
  const result = await runIngest({ count, warmup: Math.min(5000, Math.floor(count / 10)) }, smoke);
  console.log(JSON.stringify(result, null, 2));
}
