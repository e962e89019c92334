/**
 * Issue 3 acceptance, the hard half: the same simulated day into the real gateway process
 * (the CLI, GW_CLOCK=follow-devices), killed with SIGKILL twice mid-day and restarted on
 * its data, gives exactly the uninterrupted results; then `store-gateway rebuild` from the
 * journal reproduces the live buckets and facts exactly.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { generateStoreDay } from '../../firmware-sim/index.js';
import { DeviceFleet } from '../support/device-fleet.js';
import { type GatewayProcess, runCli, startGatewayProcess } from '../support/gateway-process.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const DATE = '2026-11-18';
const day = generateStoreDay({ seed: 7, date: DATE });
const dir = tempDir();

type Totals = Record<'passersBy' | 'visitors' | 'transactions' | 'units' | 'revenue' | 'triedBought', number>;

function derivedState(dataDir: string) {
  const db = new Database(join(dataDir, 'gateway.db'), { readonly: true });
  try {
    return {
      buckets: db
        .prepare(
          'SELECT start, passers_by, visitors, exits, sessions, items_tried, transactions, units, revenue_cents, tried_bought, person_ms FROM buckets ORDER BY start',
        )
        .all(),
      facts: db.prepare('SELECT type, ts, body FROM facts ORDER BY type, ts, body').all(),
      alerts: db.prepare('SELECT id FROM alerts ORDER BY id').all(),
      // Each alert is tagged with the epoch of the arrival that derived it, or a later rewind
      // could not take it back (gateway/outputs/alerts/store.ts): rebuild feeds the same writers as live.
      alertsOutOfStep: db
        .prepare(
          `SELECT count(*) FROM alerts a WHERE a.epoch IS NOT (SELECT f.epoch FROM facts f
           WHERE f.type = 'vip.arrival' AND f.member = a.member AND f.ts = a.ts)`,
        )
        .pluck()
        .get(),
    };
  } finally {
    db.close();
  }
}

describe('a store day with two kill -9s', () => {
  let gateway: GatewayProcess | undefined;
  afterAll(() => {
    if (gateway && gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    dir.remove();
  });

  it('gives the uninterrupted results, and rebuild equals live', async () => {
    const start = () => startGatewayProcess(dir.path, { GW_CLOCK: 'follow-devices' });
    gateway = await start();
    const api = (path: string) => `http://127.0.0.1:${gateway?.httpPort}/api/v1${path}`;
    const json = { method: 'PUT', headers: { 'content-type': 'application/json' } };
    expect((await fetch(api('/members'), { ...json, body: JSON.stringify(day.roster) })).status).toBe(200);
    expect((await fetch(api('/catalog'), { ...json, body: JSON.stringify(day.catalog) })).status).toBe(200);
    const fleet = DeviceFleet.of(day.messages);
    await fleet.connect(gateway.mqttPort);
    // The clock follows the devices: a heartbeat at the day's start sets it, so invitations
    // are recorded within their bounds (not "in the future" of a clock still at 0).
    const opening = day.messages[0]?.at ?? 0;
    const heartbeat = {
      v: 1,
      type: 'device.status',
      id: 'opening',
      ts: new Date(opening).toISOString(),
      uptime: 1,
      fw: 'x',
    };
    expect(await fleet.publish('retail/s001/device/door-1/status', JSON.stringify(heartbeat))).toBe(true);
    for (const invitation of day.invitations) {
      const body = JSON.stringify({ ...invitation, id: undefined });
      expect((await fetch(api('/invitations'), { ...json, method: 'POST', body })).status).toBe(201);
    }

    const killAt = new Set([Math.floor(day.messages.length / 3), Math.floor((2 * day.messages.length) / 3)]);
    let restarts = 0;
    for (let i = 0; i < day.messages.length; i++) {
      const m = day.messages[i] as (typeof day.messages)[number];
      if (killAt.has(i)) {
        // Unannounced: whatever was in flight is the devices' problem, as in a power cut.
        gateway.child.kill('SIGKILL');
        await gateway.exited;
        fleet.end();
        gateway = await start();
        await fleet.connect(gateway.mqttPort);
        restarts++;
      }
      const payload = JSON.stringify(m.payload);
      while (!(await fleet.publish(m.topic, payload))) {
        // Not acknowledged: a device re-sends after reconnecting.
        await fleet.connect(gateway.mqttPort);
      }
    }
    expect(restarts).toBe(2);
    // Close the day: a heartbeat three hours after the last message moves the clock on.
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

    const totals = await waitFor(
      async () => {
        const body = (await (await fetch(api(`/funnel?from=${DATE}&granularity=day`))).json()) as { totals: Totals };
        return body.totals.triedBought === day.truth.totals.triedBought ? body.totals : undefined;
      },
      'the day to settle',
      30_000,
    );
    for (const key of ['passersBy', 'visitors', 'transactions', 'units', 'triedBought'] as const) {
      expect(totals[key]).toBe(day.truth.totals[key]);
    }
    expect(totals.revenue).toBeCloseTo(day.truth.totals.revenue, 2);
    const alerts = (await (await fetch(api(`/vip/alerts?from=${DATE}&limit=1000`))).json()) as {
      alerts: { member: string }[];
    };
    expect(alerts.alerts.map((a) => a.member).sort()).toEqual(day.truth.expectedAlerts.map((a) => a.member).sort());
    fleet.end();

    // Stop, remember what live computed, rebuild from the journal, compare.
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    const live = derivedState(dir.path);
    const rebuilt = await runCli(['rebuild'], { GW_DATA_DIR: dir.path }, 120_000);
    expect(rebuilt.code).toBe(0);
    const after = derivedState(dir.path);
    expect(after.buckets).toEqual(live.buckets);
    expect(after.facts.length).toBe(live.facts.length);
    expect(after.facts).toEqual(live.facts);
    expect(after.alerts).toEqual(live.alerts);
    expect(live.alertsOutOfStep).toBe(0);
    expect(after.alertsOutOfStep).toBe(0);
  }, 300_000);
});
