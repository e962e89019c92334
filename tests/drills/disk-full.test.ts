/**
 * Drill: the disk fills up in the middle of ingest (SQLITE_FULL, made real with
 * GW_DB_MAX_PAGES = PRAGMA max_page_count on the gateway's own connection), then space comes
 * back because an operator deletes data. The real CLI runs as a child process; a real mqtt
 * client publishes QoS1 door crossings and resends what was not acknowledged.
 *
 * Must hold: while full, nothing unjournaled is acknowledged, reads keep working, /readyz says
 * why it is not ready, the outage is logged once and counted; after space returns every
 * message is journaled exactly once, without a restart.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../gateway/pipeline/journal/db.js';
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import {
  audit,
  connectDevice,
  doorCrossing,
  getJson,
  journalCounts,
  metricValue,
  publishAll,
  recordDrill,
} from './support.js';

const N = 1500;
/** Pages the gateway may add beyond what exists when it starts: enough to start, not for N messages. */
const HEADROOM_PAGES = 40;

describe('drill: disk full', () => {
  const dir = tempDir('gw-drill-full-');
  let gw: GatewayProcess | undefined;
  let client: MqttClient | undefined;

  afterAll(() => {
    client?.end(true);
    if (gw && gw.child.exitCode === null && gw.child.signalCode === null) gw.child.kill('SIGKILL');
    dir.remove();
  });

  it('stops acknowledging on SQLITE_FULL, keeps serving reads, and journals everything once when space returns', async () => {
    // Ballast the operator will delete later, so that freeing space is a real deletion.
    const setup = openDb(dir.path);
    setup.exec('CREATE TABLE drill_ballast (id INTEGER PRIMARY KEY, pad BLOB NOT NULL)');
    const insert = setup.prepare('INSERT INTO drill_ballast (pad) VALUES (zeroblob(3000))');
    for (let i = 0; i < 200; i++) insert.run();
    setup.pragma('wal_checkpoint(TRUNCATE)');
    const startPages = setup.pragma('page_count', { simple: true }) as number;
    setup.close();

    gw = await startGatewayProcess(dir.path, { GW_DB_MAX_PAGES: String(startPages + HEADROOM_PAGES) });
    const base = `http://127.0.0.1:${gw.httpPort}`;
    client = await connectDevice(gw.mqttPort, 'door-1');
    const t0 = Date.now();
    const messages = Array.from({ length: N }, (_, i) => doorCrossing(`f-${i}`, t0 + i, i % 2 === 0 ? 'in' : 'out'));
    const run = publishAll(client, messages, 20);

    // The disk fills: /readyz turns not-ready and names the cause.
    const notReady = await waitFor(
      async () => {
        const r = await getJson(`${base}/readyz`);
        return r.status === 503 && JSON.stringify(r.body).includes('SQLITE_FULL') ? r.body : undefined;
      },
      'readyz to report SQLITE_FULL',
      30_000,
    );
    expect(JSON.stringify(notReady)).toMatch(/disk full/);
    // Let the publisher resend into the full disk a few times.
    await waitFor(
      async () =>
        metricValue(
          await (await fetch(`${base}/metrics`)).text(),
          'gateway_storage_failures_total{code="SQLITE_FULL"}',
        ) >= 5,
      'several failed commits',
      30_000,
    );

    // While full: everything acknowledged so far is journaled; not everything was acknowledged.
    const ackedWhileFull = [...run.acked];
    const duringFull = audit(ackedWhileFull, journalCounts(dir.path));
    expect(duringFull.lost).toEqual([]);
    expect(ackedWhileFull.length).toBeLessThan(N);
    expect(ackedWhileFull.length).toBeGreaterThan(0);

    // Reads keep working.
    expect((await getJson(`${base}/healthz`)).status).toBe(200);
    const funnel = await getJson(`${base}/api/v1/funnel?granularity=day`);
    expect(funnel.status).toBe(200);
    const metricsWhileFull = await (await fetch(`${base}/metrics`)).text();
    expect(metricValue(metricsWhileFull, 'gateway_storage_failing')).toBe(1);
    const failures = metricValue(metricsWhileFull, 'gateway_storage_failures_total{code="SQLITE_FULL"}');

    // The operator frees space (deletes data) from another connection; no restart.
    const ops = new Database(join(dir.path, 'gateway.db'), { timeout: 10_000 });
    ops.exec('DELETE FROM drill_ballast');
    ops.close();

    await waitFor(() => run.acked.length === N, `all ${N} messages acknowledged after space returned`, 30_000).catch(
      async (err: unknown) => {
        const r = await getJson(`${base}/readyz`);
        throw new Error(
          `${String(err)}; acked ${run.acked.length}, sent ${run.sent}, failed ${run.failed}, journaled ${journalCounts(dir.path).size}, connected ${client?.connected}, readyz ${JSON.stringify(r.body)}\n${gw?.output().slice(-3000)}`,
        );
      },
    );
    const journal = journalCounts(dir.path);
    const final = audit(run.acked, journal);
    const ready = await waitFor(async () => (await getJson(`${base}/readyz`)).status === 200, 'ready again', 10_000);
    const metricsAfter = await (await fetch(`${base}/metrics`)).text();
    const errorLines = gw
      .output()
      .split('\n')
      .filter((l) => l.includes('journal commit failed')).length;

    gw.child.kill('SIGTERM');
    const exitCode = await gw.exited;

    recordDrill({
      drill: 'disk-full',
      what: 'SQLITE_FULL mid-ingest (GW_DB_MAX_PAGES), operator deletes data, no restart',
      load: `${N} QoS1 door crossings, 20 in flight, 1 mqtt client with reconnect`,
      measured: {
        acknowledgedWhileFull: ackedWhileFull.length,
        failedCommits: failures,
        errorLogLines: errorLines,
        journaledAfterRecovery: journal.size,
        duplicates: final.dup.length,
        publishErrorsResent: run.failed,
        exitCode: exitCode ?? 'signal',
      },
      ackedLost: final.lost.length + duringFull.lost.length,
    });

    expect(ready).toBe(true);
    expect(final.lost).toEqual([]);
    expect(final.dup).toEqual([]);
    expect(journal.size).toBe(N);
    for (const m of messages) expect(journal.get(m.id)).toBe(1);
    expect(metricValue(metricsAfter, 'gateway_storage_failing')).toBe(0);
    // One clear error per outage, not one per failed commit (readiness may flap while pages
    // are nearly full, which starts a new outage: allow a few, far fewer than the failures).
    expect(errorLines).toBeGreaterThanOrEqual(1);
    expect(errorLines).toBeLessThan(Math.max(4, failures / 2));
    // It never crashed: it was serving until SIGTERM and shut down cleanly.
    expect(exitCode).toBe(0);
  });
});
