/**
 * Replay benchmark: a journal of generated store days (decoded like MQTT input and appended
 * straight through the journal), then `Derivation.rebuild` (events/s; DESIGN ≥ 200,000/s)
 * against a raw SQLite read of the same rows, and restart-to-ready on that data dir
 * (DESIGN < 3 s). Also the database bytes per store-day.
 *
 *   ./node_modules/.bin/tsx tests/bench/replay.ts [--days 30] [--smoke]
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { generateStoreDay } from '../../firmware-sim/index.js';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import { GatewayMetrics } from '../../gateway/infra/metrics/index.js';
import { ReferenceData } from '../../gateway/infra/reference/index.js';
import { createLogger } from '../../gateway/log.js';
import { Derivation } from '../../gateway/pipeline/derive/index.js';
import { decodeMqttInput } from '../../gateway/pipeline/ingest/index.js';
import { Journal, openDb } from '../../gateway/pipeline/journal/index.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { num, parseArgs } from './args.js';
import type { BenchRow } from './common.js';
import { benchConfig, startBenchGateway } from './gateway.js';

export interface ReplaySizes {
  readonly days: number;
  /** Visitors per day; undefined = the generator's default (a full day, ~50k messages). */
  readonly visitors?: number | undefined;
}

export interface ReplayResult {
  readonly rows: BenchRow[];
  readonly lines: string[];
  readonly bytesPerDay: number;
}

const FIRST_DAY = Date.parse('2026-11-02T00:00:00Z');

function buildJournal(dataDir: string, sizes: ReplaySizes): { events: number; end: number; rejected: number } {
  const config = benchConfig(dataDir);
  const db = openDb(dataDir);
  try {
    const journal = new Journal(db);
    const reference = new ReferenceData(db);
    let events = 0;
    let rejected = 0;
    let end = 0;
    for (let d = 0; d < sizes.days; d++) {
      const date = new Date(FIRST_DAY + d * 86_400_000).toISOString().slice(0, 10);
      const day = generateStoreDay({ seed: 11, date, ...(sizes.visitors ? { visitors: sizes.visitors } : {}) });
      // Through JSON, as PUT /members and /catalog receive them (the generator's types are readonly).
      reference.importMembers(JSON.parse(JSON.stringify(day.roster)) as Parameters<ReferenceData['importMembers']>[0]);
      reference.importCatalog(JSON.parse(JSON.stringify(day.catalog)) as Parameters<ReferenceData['importCatalog']>[0]);
      const append = db.transaction((from: number, to: number) => {
        for (let i = from; i < to; i++) {
          const m = day.messages[i];
          if (!m) break;
          const decoded = decodeMqttInput(m.topic, Buffer.from(JSON.stringify(m.payload)), m.at, config);
          if (!decoded.result.ok) {
            rejected++;
            continue;
          }
          for (const event of decoded.result.value) if (journal.append(event) !== undefined) events++;
          end = Math.max(end, m.at);
        }
      });
      for (let i = 0; i < day.messages.length; i += 1000) append(i, i + 1000);
    }
    return { events, end, rejected };
  } finally {
    db.close();
  }
}

export async function runReplay(sizes: ReplaySizes): Promise<ReplayResult> {
  const dir = tempDir('bench-replay-');
  try {
    const built = buildJournal(dir.path, sizes);
    const config = benchConfig(dir.path);
    const db = openDb(dir.path);
    let rebuildRate: number;
    let rawRate: number;
    let parseRate: number;
    let facts: number;
    try {
      // Reference: the rows alone, then rows + JSON.parse (the floor of any replay).
      const select = db.prepare('SELECT seq, body FROM journal ORDER BY seq');
      let t = performance.now();
      let n = 0;
      for (const _row of select.iterate()) n++;
      rawRate = n / ((performance.now() - t) / 1000);
      t = performance.now();
      let parsed = 0;
      for (const row of select.iterate() as IterableIterator<{ body: string }>) {
        if (JSON.parse(row.body)) parsed++;
      }
      parseRate = parsed / ((performance.now() - t) / 1000);

      const journal = new Journal(db);
      t = performance.now();
      const result = Derivation.rebuild({
        db,
        journal,
        config,
        clock: new ManualClock(built.end),
        log: createLogger({ level: 'silent' }),
        metrics: new GatewayMetrics(),
        reference: new ReferenceData(db),
      });
      rebuildRate = result.events / ((performance.now() - t) / 1000);
      facts = result.facts;
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
    const bytes = statSync(join(dir.path, 'gateway.db')).size;

    const restart = async (label: string): Promise<{ resolved: number; ready: number }> => {
      const t0 = performance.now();
      const gateway = await startBenchGateway(dir.path, new ManualClock(built.end + 3 * 3_600_000));
      const resolved = performance.now() - t0;
      try {
        await waitFor(
          async () => (await fetch(`http://127.0.0.1:${gateway.httpPort}/readyz`)).status === 200,
          `${label} /readyz`,
          60_000,
          5,
        );
        return { resolved, ready: performance.now() - t0 };
      } finally {
        await gateway.stop();
      }
    };
    const cold = await restart('restart after rebuild');
    const warm = await restart('restart after clean stop');

    const days = sizes.days;
    const rows: BenchRow[] = [
      {
        bench: 'replay',
        name: 'replay: Derivation.rebuild events/s',
        measured: rebuildRate,
        unit: 'events/s',
        reference: { name: 'raw SQLite read of journal rows', value: rawRate },
        target: { op: '>=', value: 200_000, of: 'value' },
        note: `${built.events} events, ${days} days, ${facts} facts; read+JSON.parse ${Math.round(parseRate)}/s`,
      },
      {
        bench: 'replay',
        name: 'replay: restart to ready (after rebuild)',
        measured: cold.ready / 1000,
        unit: 's',
        target: { op: '<', value: 3, of: 'value' },
        note: `startGateway resolved in ${(cold.resolved / 1000).toFixed(2)} s; ${days} days of journal`,
      },
      {
        bench: 'replay',
        name: 'replay: restart to ready (after clean stop)',
        measured: warm.ready / 1000,
        unit: 's',
        target: { op: '<', value: 3, of: 'value' },
        note: `startGateway resolved in ${(warm.resolved / 1000).toFixed(2)} s`,
      },
    ];
    const lines = built.rejected ? [`replay: ${built.rejected} generated messages were rejected by decode`] : [];
    return { rows, lines, bytesPerDay: bytes / days };
  } finally {
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(process.argv.slice(2));
  const smoke = args.has('smoke');
  const result = await runReplay({
    days: num(args, 'days', smoke ? 1 : 30),
    visitors: smoke ? 150 : undefined,
  });
  console.log(JSON.stringify(result, null, 2));
}
