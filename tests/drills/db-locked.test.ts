/**
 * Drill: another process holds the gateway's database write lock for longer than the
 * gateway's busy timeout (5 s) while a device publishes QoS1 messages.
 *
 * Must hold: no PUBACK for a message published during the lock until the lock is released
 * (nothing can be durable before), the publisher is not disconnected (the gateway holds the
 * batch and retries, gateway/pipeline/ingest/group-commit.ts), /readyz names the lock, and after the
 * release every message is journaled exactly once; the gateway never crashes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, ROOT, startGatewayProcess } from '../support/gateway-process.js';
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

const LOCKER = fileURLToPath(new URL('./db-locker.ts', import.meta.url));
const BEFORE = 200;
const DURING = 400;

describe('drill: database locked by another process', () => {
  const dir = tempDir('gw-drill-lock-');
  let gw: GatewayProcess | undefined;
  let client: MqttClient | undefined;
  let locker: ChildProcess | undefined;

  afterAll(() => {
    client?.end(true);
    locker?.kill('SIGKILL');
    if (gw && gw.child.exitCode === null && gw.child.signalCode === null) gw.child.kill('SIGKILL');
    dir.remove();
  });

  it('holds PUBACKs while locked, keeps the publisher connected, journals everything once after release', async () => {
    gw = await startGatewayProcess(dir.path);
    const base = `http://127.0.0.1:${gw.httpPort}`;
    client = await connectDevice(gw.mqttPort, 'door-1');
    let disconnects = 0;
    client.on('close', () => disconnects++);
    const t0 = Date.now();

    // Before the lock: a normal stream.
    const before = Array.from({ length: BEFORE }, (_, i) => doorCrossing(`lb-${i}`, t0 + i));
    const runBefore = publishAll(client, before, 20);
    await waitFor(() => runBefore.acked.length === BEFORE, 'messages before the lock acknowledged', 20_000);

    // Another process takes the write lock.
    const lockerProc = spawn(process.execPath, ['--import', 'tsx', LOCKER, join(dir.path, 'gateway.db')], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    locker = lockerProc;
    let lockerOut = '';
    lockerProc.stdout?.on('data', (d: Buffer) => {
      lockerOut += d.toString();
    });
    await waitFor(() => lockerOut.includes('locked'), 'the other process to hold the lock', 20_000);

    // During the lock: every PUBACK that arrives before we release is a broken promise.
    let locked = true;
    const ackedWhileLocked: string[] = [];
    const during = Array.from({ length: DURING }, (_, i) => doorCrossing(`ld-${i}`, t0 + BEFORE + i));
    const runDuring = publishAll(client, during, 20, (id) => {
      if (locked) ackedWhileLocked.push(id);
    });

    // Hold the lock past the gateway's 5 s busy timeout: the commit fails with SQLITE_BUSY,
    // is counted, and /readyz says so.
    const busyReason = await waitFor(
      async () => {
        const metrics = await (await fetch(`${base}/metrics`)).text();
        if (metricValue(metrics, 'gateway_storage_failures_total{code="SQLITE_BUSY"}') < 1) return undefined;
        const r = await getJson(`${base}/readyz`);
        return r.status === 503 ? JSON.stringify(r.body) : undefined;
      },
      'a commit to give up waiting for the lock and /readyz to say so',
      30_000,
      200,
    );
    expect(busyReason).toMatch(/locked by another process/);
    expect((await getJson(`${base}/healthz`)).status).toBe(200);
    const journalWhileLocked = journalCounts(dir.path);
    const ackedBeforeRelease = ackedWhileLocked.length;

    // Release.
    locked = false;
    lockerProc.stdin?.write('release\n');
    await waitFor(() => lockerOut.includes('released'), 'the lock to be released', 10_000);
    await waitFor(() => runDuring.acked.length === DURING, 'all messages acknowledged after the release', 30_000);
    await waitFor(async () => (await getJson(`${base}/readyz`)).status === 200, 'ready again', 10_000);

    const journal = journalCounts(dir.path);
    const result = audit([...runBefore.acked, ...runDuring.acked], journal);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const disconnectsBeforeStop = disconnects;
    gw.child.kill('SIGTERM');
    const exitCode = await gw.exited;

    recordDrill({
      drill: 'db-locked',
      what: 'another process holds the SQLite write lock past the 5 s busy timeout, then releases it',
      load: `${BEFORE} + ${DURING} QoS1 door crossings, 20 in flight`,
      measured: {
        ackedWhileLocked: ackedBeforeRelease,
        journaledDuringLockFromLockedPhase: [...journalWhileLocked.keys()].filter((id) => id.startsWith('ld-')).length,
        busyFailures: metricValue(metrics, 'gateway_storage_failures_total{code="SQLITE_BUSY"}'),
        publisherDisconnects: disconnectsBeforeStop,
        journaled: journal.size,
        duplicates: result.dup.length,
        exitCode: exitCode ?? 'signal',
      },
      ackedLost: result.lost.length,
    });

    expect(ackedBeforeRelease).toBe(0);
    expect([...journalWhileLocked.keys()].filter((id) => id.startsWith('ld-'))).toEqual([]);
    expect(disconnectsBeforeStop).toBe(0);
    expect(result.lost).toEqual([]);
    expect(result.dup).toEqual([]);
    expect(journal.size).toBe(BEFORE + DURING);
    expect(exitCode).toBe(0);
  });
});
