/**
 * Issue 5 acceptance, the outage drill: the real gateway process streams a simulated day to
 * a real nats-server; the server is stopped for the middle of the day and restarted; the
 * gateway is SIGKILLed as the backlog starts to drain and restarted. HQ (cloud-sink on
 * PostgreSQL when reachable, else SQLite) must then hold exactly the gateway's buckets:
 * every bucket once, at its newest revision, no member PII anywhere.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHqConfig } from '../../cloud-sink/config.js';
import { type RunningSink, startSink } from '../../cloud-sink/main.js';
import { generateStoreDay } from '../../firmware-sim/index.js';
import { testHqDatabase } from '../integration/upstream/support/hq-store.js';
import { NatsServer } from '../integration/upstream/support/nats-server.js';
import { DeviceFleet } from '../support/device-fleet.js';
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const DATE = '2026-11-19';
const day = generateStoreDay({ seed: 11, date: DATE });
const hqDb = await testHqDatabase();

describe(`HQ outage drill (HQ store: ${hqDb.label})`, () => {
  const dir = tempDir();
  const hqDir = tempDir();
  let nats: NatsServer | undefined;
  let sink: RunningSink | undefined;
  let gateway: GatewayProcess | undefined;

  afterAll(async () => {
    if (gateway && gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    await sink?.stop();
    await nats?.dispose();
    await hqDb.dispose();
    dir.remove();
    hqDir.remove();
  });

  it('delivers every bucket exactly once at its newest revision across a NATS outage and a kill -9', async () => {
    nats = await NatsServer.start();
    const natsServer = nats;
    const hqStore = await hqDb.open();
    sink = await startSink({
      config: loadHqConfig({ HQ_NATS_URL: natsServer.url, HQ_HTTP_PORT: '0', HQ_DATA_DIR: hqDir.path }),
      log: pino({ level: 'silent' }),
      store: hqStore,
      http: false,
    });
    const start = () => startGatewayProcess(dir.path, { GW_CLOCK: 'follow-devices', GW_NATS_URL: natsServer.url });
    gateway = await start();
    const api = (path: string) => `http://127.0.0.1:${gateway?.httpPort}/api/v1${path}`;
    const put = { method: 'PUT', headers: { 'content-type': 'application/json' } };
    expect((await fetch(api('/members'), { ...put, body: JSON.stringify(day.roster) })).status).toBe(200);
    expect((await fetch(api('/catalog'), { ...put, body: JSON.stringify(day.catalog) })).status).toBe(200);

    const fleet = DeviceFleet.of(day.messages);
    await fleet.connect(gateway.mqttPort);

    const third = Math.floor(day.messages.length / 3);
    for (let i = 0; i < day.messages.length; i++) {
      const m = day.messages[i] as (typeof day.messages)[number];
      if (i === third) await natsServer.stop(true); // HQ link lost for the middle of the day
      if (i === 2 * third) {
        await natsServer.start();
        // The backlog starts draining: kill the gateway in the middle of it.
        await new Promise((r) => setTimeout(r, 50));
        gateway.child.kill('SIGKILL');
        await gateway.exited;
        gateway = await start();
        await fleet.connect(gateway.mqttPort);
      }
      const payload = JSON.stringify(m.payload);
      while (!(await fleet.publish(m.topic, payload))) await fleet.connect(gateway.mqttPort);
    }
    const closing = (day.messages.at(-1)?.at ?? 0) + 3 * 3_600_000;
    await fleet.publish(
      'retail/s001/device/door-1/status',
      JSON.stringify({
        v: 1,
        type: 'device.status',
        id: 'closing',
        ts: new Date(closing).toISOString(),
        uptime: 1,
        fw: 'x',
      }),
    );
    fleet.end();

    // Wait for the outbox to drain, then stop the gateway and read what it computed.
    await waitFor(
      async () => {
        const status = (await (await fetch(api('/upstream'))).json()) as {
          outbox: { depth: number };
          lateInputPending: boolean;
        };
        // Late input still waiting would revise buckets after the drain.
        return status.outbox.depth === 0 && !status.lateInputPending;
      },
      'the outbox to drain',
      60_000,
    );
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    const db = new Database(join(dir.path, 'gateway.db'), { readonly: true });
    const buckets = db
      .prepare(
        'SELECT start, visitors, passers_by AS passersBy, transactions, units, revenue_cents AS revenueCents, tried_bought AS triedBought, rev FROM buckets',
      )
      .all() as {
      start: number;
      visitors: number;
      passersBy: number;
      transactions: number;
      units: number;
      revenueCents: number;
      triedBought: number;
      rev: number;
    }[];
    db.close();
    expect(buckets.reduce((n, b) => n + b.visitors, 0)).toBe(day.truth.totals.visitors);

    const hqRows = await waitFor(
      async () => {
        const rows = await hqStore.funnelRows(0, Number.MAX_SAFE_INTEGER, ['s001']);
        const byStart = new Map(rows.map((r) => [r.bucketStart, r]));
        return buckets.every((b) => byStart.get(b.start)?.rev === b.rev) ? rows : undefined;
      },
      'HQ to hold every bucket at its newest revision',
      60_000,
    );
    expect(hqRows).toHaveLength(buckets.length);
    const byStart = new Map(hqRows.map((r) => [r.bucketStart, r]));
    for (const b of buckets) {
      expect(byStart.get(b.start)).toMatchObject({
        visitors: b.visitors,
        passersBy: b.passersBy,
        transactions: b.transactions,
        units: b.units,
        revenueCents: b.revenueCents,
        triedBought: b.triedBought,
        rev: b.rev,
      });
    }
    const hqVisitors = hqRows.reduce((n, r) => n + r.visitors, 0);
    expect(hqVisitors).toBe(day.truth.totals.visitors);
  }, 300_000);
});
