/**
 * Ingest benchmark: the same publisher (its own process, QoS1, 500 in flight, ~200 B
 * door.crossing) into (a) the real gateway in its own process, built JS (journal with
 * synchronous=FULL, PUBACK after commit, correlated), (b) a bare Mosquitto relay with a
 * subscriber process, (c) a bare aedes relay in its own process with a subscriber process.
 * CPU is read from /proc per process; the publisher's CPU is reported but not judged.
 * DESIGN target: gateway throughput ≥ 1.0× Mosquitto, CPU-s per 100k no more than Mosquitto's.
 *
 *   ./node_modules/.bin/tsx tests/bench/ingest.ts [--count 100000] [--smoke] [--gateway-only]
 */
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { num, parseArgs } from './args.js';
import { type BenchRow, Child, procCpuSeconds, sleep } from './common.js';
import { processCorrelationLag, startGatewayProcess } from './gateway-process.js';

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

async function gatewayRun(sizes: IngestSizes): Promise<RunResult & GatewayMemory> {
  const dir = tempDir('bench-ingest-');
  const gateway = await startGatewayProcess(dir.path);
  try {
    await sleep(500);
    const idleMb = gateway.memoryMb().rss;
    if (sizes.warmup > 0) await publish(gateway.mqttPort, sizes.warmup, 'warm');
    const cpu0 = gateway.cpuSeconds();
    const pub = await publish(gateway.mqttPort, sizes.count, 'main');
    const deadline = Date.now() + 60_000;
    while (processCorrelationLag(gateway.db) > 0 && Date.now() < deadline) await sleep(5);
    const cpu = gateway.cpuSeconds() - cpu0;
    const mem = gateway.memoryMb();
    const { n } = gateway.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE msg_id LIKE 'main-%'").get() as {
      n: number;
    };
    const { rejected } = gateway.db.prepare('SELECT COUNT(*) AS rejected FROM rejected').get() as { rejected: number };
    return {
      rate: pub.rate,
      cpuPer100k: (cpu / sizes.count) * 100_000,
      publisherCpuPer100k: (pub.cpuSeconds / sizes.count) * 100_000,
      delivered: n,
      note: `journaled ${n}/${sizes.count}, rejected ${rejected}, lag ${processCorrelationLag(gateway.db)}`,
      idleMb,
      peakMb: mem.hwm,
      afterMb: mem.rss,
    };
  } finally {
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
      brokerCpuPer100k: (brokerCpu / sizes.count) * 100_000,
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
    name: 'ingest: CPU-s/100k, gateway process vs mosquitto broker+subscriber',
    measured: gw.cpuPer100k,
    unit: 'CPU-s',
    reference: mosq ? { name: 'mosquitto broker+subscriber', value: mosq.cpuPer100k } : undefined,
    target: mosq ? { op: '<', value: 1.0 + 1e-9, of: 'ratio' } : undefined,
    note: mosq
      ? `publisher excluded on both sides (gateway run ${gw.publisherCpuPer100k.toFixed(2)}, mosquitto run ${mosq.publisherCpuPer100k.toFixed(2)}); mosquitto broker alone ${mosq.brokerCpuPer100k?.toFixed(2)}`
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
  void smoke;
  return { rows, rss: { idleMb: gw.idleMb, peakMb: gw.peakMb, afterMb: gw.afterMb }, lines };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(process.argv.slice(2));
  const smoke = args.has('smoke');
  const count = num(args, 'count', smoke ? 3000 : 100_000);
  const sizes = { count, warmup: Math.min(5000, Math.floor(count / 10)) };
  // --gateway-only: the gateway run alone, for profiling iterations (no reference, no ratio).
  const result = args.has('gateway-only') ? await gatewayRun(sizes) : await runIngest(sizes, smoke);
  console.log(JSON.stringify(result, null, 2));
}
