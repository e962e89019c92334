/**
 * Upstream drain benchmark: how fast a backlog in the outbox drains to JetStream once NATS
 * is back, against raw pipelined JetStream publishing (64 in flight, the gateway's client
 * options) to the same server in the same run. DESIGN target: ≥ 15,000 msg/s; raw 22–38k
 * msg/s on 2 cores with those options, 14–20k with nats.js's defaults.
 *
 *   ./node_modules/.bin/tsx tests/bench/upstream-drain.ts [messages=50000]
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { systemClock } from '../../gateway/infra/clock/index.js';
import {
  bucketEndOf,
  ensureUpstreamStream,
  funnelBucketMessage,
  NatsConnector,
  Outbox,
  OutboxPublisher,
} from '../../gateway/outputs/upstream/index.js';
import { openDb } from '../../gateway/pipeline/journal/index.js';
import { bucketRow } from '../integration/upstream/support/fixtures.js';
import { NatsServer } from '../integration/upstream/support/nats-server.js';
import { tempDir } from '../support/tmp.js';

const N = Number(process.argv[2] ?? 50_000);
const log = pino({ level: 'silent' });

interface Result {
  readonly name: string;
  readonly messages: number;
  readonly ms: number;
  readonly cpuMs: number;
}

async function measure(name: string, messages: number, run: () => Promise<void>): Promise<Result> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { name, messages, ms, cpuMs: (used.user + used.system) / 1000 };
}

const server = await NatsServer.start();
const dir = tempDir('bench-upstream-');
const results: Result[] = [];
try {
  // The reference publishes with the client options the gateway's link uses (no per-request
  // stack traces); a second connection shows nats.js's defaults.
  const nc = await connect({ servers: server.url, noAsyncTraces: true });
  const ncDefaults = await connect({ servers: server.url });
  await ensureUpstreamStream(nc, log);
  const js = jetstream(nc);
  const jsDefaults = jetstream(ncDefaults);
  const payloads = Array.from({ length: N }, (_, i) =>
    funnelBucketMessage('bench', 'acme', bucketRow(i, 1), bucketEndOf(bucketRow(i, 1).start)),
  );

  const raw = async (prefix: string, count: number, inFlight: number, client = js) => {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        const m = payloads[i % payloads.length];
        if (!m) return;
        await client.publish(`retail.acme.raw${prefix}.funnel`, m.payload, { msgID: `${prefix}:${i}` });
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
  };

  await raw('warmup', 2000, 64);
  await raw('warmupd', 2000, 64, jsDefaults);
  results.push(
    await measure('raw JetStream publish, 1 in flight', Math.min(N, 5000), () => raw('one', Math.min(N, 5000), 1)),
  );
  results.push(
    await measure('raw JetStream publish, 64 in flight, nats.js defaults', N, () => raw('dflt', N, 64, jsDefaults)),
  );
  results.push(await measure('raw JetStream publish, 64 in flight', N, () => raw('pipe', N, 64)));

  const db = openDb(dir.path);
  const outbox = new Outbox(db, systemClock);
  results.push(
    await measure('outbox enqueue (one transaction)', N, async () => {
      db.transaction(() => {
        for (const m of payloads) outbox.enqueue(m);
      })();
    }),
  );
  const connector = new NatsConnector({ url: server.url }, log);
  const publisher = new OutboxPublisher({ outbox, connector, clock: systemClock, log });
  results.push(
    await measure('outbox drain (64 in flight, delete after PubAck)', N, async () => {
      publisher.start();
      while (outbox.depth() > 0) await new Promise((r) => setTimeout(r, 5));
    }),
  );
  await publisher.stop();
  await connector.stop();
  db.close();
  const info = await (await jetstreamManager(nc)).streams.info('RETAIL');
  await nc.close();
  await ncDefaults.close();

  const rate = (r: Result) => r.messages / (r.ms / 1000);
  const rawPipe = results.find((r) => r.name === 'raw JetStream publish, 64 in flight');
  const drain = results.find((r) => r.name.startsWith('outbox drain'));
  const rows = results.map((r) => [
    r.name,
    String(r.messages),
    (r.ms / 1000).toFixed(2),
    Math.round(rate(r)).toLocaleString('en-US'),
    ((r.cpuMs / r.messages) * 100).toFixed(1),
  ]);
  const header = ['case', 'messages', 'seconds', 'msg/s', 'CPU-s per 100k (this process)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  console.log(
    `\nupstream drain benchmark: nats-server ${server.url}, ${N} messages of ~${payloads[0]?.payload.length ?? 0} B\n`,
  );
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  if (rawPipe && drain) {
    console.log(`\noutbox drain / raw pipelined publish: ${(rate(drain) / rate(rawPipe)).toFixed(2)}`);
    console.log(
      `DESIGN target ≥ 15,000 msg/s: ${rate(drain) >= 15_000 ? 'met' : 'NOT met'} (${Math.round(rate(drain))} msg/s)`,
    );
  }
  console.log(`stream RETAIL holds ${info.state.messages} messages`);
} finally {
  await server.dispose();
  dir.remove();
}
