/**
 * Drill: the gateway's wall clock jumps forward 2 h and then back 1 h (an NTP step, an RTC
 * reset) while devices keep publishing QoS1 door crossings. The store opens at 09:30
 * (Asia/Shanghai); the clock goes 08:00 → 10:00 (across the opening) → 09:00 (before it
 * again) → 09:45 → 10:10, so the opening is crossed twice by the clock.
 *
 * Must hold (DESIGN "Time", "Definitions"): nothing crashes, every acknowledged message is
 * journaled once; each visitor counts in the bucket of its device `ts` when that is within the
 * skew bound of rxTs (late is fine), and at rxTs, flagged, when it is ahead beyond the bound;
 * occupancy resets once at the opening, not again when the clock crosses it a second time;
 * the upstream scheduler sends every closed bucket at its newest revision and does not
 * re-send while the clock stands still or runs behind.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import {
  audit,
  connectDevice,
  doorCrossing,
  journalCounts,
  type Outgoing,
  publishAll,
  recordDrill,
} from './support.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** 2026-11-19 08:00 in Asia/Shanghai (UTC+8, no DST). */
const T0 = Date.parse('2026-11-19T00:00:00Z');
const local = (hhmm: string) => Date.parse(`2026-11-19T${hhmm}:00+08:00`);

interface Bucket {
  readonly start: string;
  readonly visitors: number;
}

describe('drill: wall clock jumps', () => {
  const dir = tempDir('gw-drill-clock-');
  const clock = new ManualClock(T0);
  let gateway: RunningGateway | undefined;
  let client: MqttClient | undefined;

  afterAll(async () => {
    client?.end(true);
    await gateway?.stop();
    dir.remove();
  });

  it('keeps every message, buckets by event time, resets occupancy once, and neither spins nor skips upstream', async () => {
    const config = loadConfig(undefined, {
      GW_MQTT_PORT: '0',
      GW_HTTP_PORT: '0',
      GW_DATA_DIR: dir.path,
      GW_HTTP_AUTH: 'off',
    });
    gateway = await startGateway({ config, clock, log: createLogger({ level: 'silent' }), tickEveryMs: 20 });
    const gw = gateway;
    const base = `http://127.0.0.1:${gw.httpPort}/api/v1`;
    client = await connectDevice(gw.mqttPort, 'door-1');
    const device = client;
    const all: Outgoing[] = [];
    const acked: string[] = [];
    const send = async (messages: Outgoing[]) => {
      all.push(...messages);
      const run = publishAll(device, messages, 5);
      await waitFor(() => run.acked.length === messages.length, 'acknowledgements', 20_000);
      acked.push(...run.acked);
    };
    const occupancy = async () => ((await (await fetch(`${base}/live`)).json()) as { occupancy: number }).occupancy;
    const settle = async (to: number) => {
      clock.set(to);
      // Wait for ticks at the new time to be committed (the ticker runs every 20 ms).
      await new Promise((r) => setTimeout(r, 200));
    };
    const crossings = (prefix: string, n: number, ts: (i: number) => number) =>
      Array.from({ length: n }, (_, i) => doorCrossing(`${prefix}-${i}`, ts(i)));

    // A, 08:00: the clock is right. 5 visitors before opening.
    await send(crossings('a', 5, (i) => T0 + i * 1000));
    await settle(T0 + 30_000);
    await waitFor(async () => (await occupancy()) === 5, 'occupancy 5 before opening');

    // B, jump forward 2 h to 10:00, across the 09:30 opening: occupancy resets.
    await settle(T0 + 2 * HOUR);
    await waitFor(async () => (await occupancy()) === 0, 'occupancy reset at the opening');
    // A device whose clock followed the jump, and one whose clock did not (late, kept: 08:01).
    await send(crossings('b-synced', 4, (i) => T0 + 2 * HOUR + i * 1000));
    await send(crossings('b-late', 3, (i) => T0 + MIN + i * 1000));
    await settle(T0 + 2 * HOUR + 30_000);
    await waitFor(async () => (await occupancy()) === 4, 'occupancy 4 after the jump');

    // C, jump back 1 h to 09:00:30, before the opening again.
    await settle(T0 + HOUR + 30_000);
    await send(crossings('c-synced', 2, (i) => T0 + HOUR + 30_000 + i * 1000));
    // A device still 65 min ahead (beyond the 5 min skew bound): its ts is replaced by rxTs.
    await send(crossings('c-ahead', 2, (i) => T0 + 2 * HOUR + 5 * MIN + i * 1000));
    // The clock walks across 09:30 a second time: no second reset (crossings of 09:00 are
    // from before the current opening and do not touch today's occupancy).
    for (let t = T0 + HOUR + 35 * MIN; t <= T0 + HOUR + 45 * MIN; t += 5 * MIN) await settle(t);
    expect(await occupancy()).toBe(4);
    await send(crossings('c-open', 1, () => T0 + HOUR + 45 * MIN + 30_000));
    // And on past the newest time seen before the jump back.
    for (let t = T0 + 2 * HOUR + 5 * MIN; t <= T0 + 2 * HOUR + 10 * MIN + 30_000; t += 5 * MIN) await settle(t);
    await waitFor(async () => (await occupancy()) === 5, 'occupancy 5: 4 + 1 since the one reset');
    const occupancyAtEnd = await occupancy();

    // Every acknowledged message journaled once.
    const journal = journalCounts(dir.path);
    const { lost, dup } = audit(acked, journal);

    // Journal times: kept device ts (late or synced), rxTs + flag when ahead.
    const rows = gw.db
      .prepare("SELECT msg_id AS id, ts, rx_ts AS rxTs, body FROM journal WHERE device = 'door-1'")
      .all() as {
      id: string;
      ts: number;
      rxTs: number;
      body: string;
    }[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const m of all) {
      const row = byId.get(m.id);
      const deviceTs = Date.parse((JSON.parse(m.payload) as { ts: string }).ts);
      const flags = (JSON.parse(row?.body ?? '{}') as { flags?: number }).flags ?? 0;
      if (m.id.startsWith('c-ahead')) {
        expect(row?.ts).toBe(row?.rxTs);
        expect(flags & 1).toBe(1);
      } else {
        expect(row?.ts).toBe(deviceTs);
        expect(flags & 1).toBe(0);
      }
    }

    // Visitors per 15-minute bucket of their own time.
    const from = new Date(local('07:00')).toISOString();
    const to = new Date(local('11:00')).toISOString();
    const funnel = await waitFor(async () => {
      const body = (await (await fetch(`${base}/funnel?from=${from}&to=${to}&granularity=15m`)).json()) as {
        buckets: Bucket[];
        totals: { visitors: number };
      };
      return body.totals.visitors === all.length ? body : undefined;
    }, `${all.length} visitors in the funnel`);
    const visitorsAt = (hhmm: string) => funnel.buckets.find((b) => Date.parse(b.start) === local(hhmm))?.visitors ?? 0;
    const expected = { '08:00': 5 + 3, '09:00': 2 + 2, '09:45': 1, '10:00': 4 };
    const measuredBuckets = Object.fromEntries(Object.keys(expected).map((k) => [k, visitorsAt(k)]));

    // Upstream: every closed bucket at its newest revision, nothing for open buckets, and no
    // new messages while the clock stands still.
    const appliedTick = (gw.db.prepare('SELECT applied_tick FROM progress').pluck().get() as number) ?? 0;
    const outbox = () =>
      (gw.db.prepare("SELECT msg_id FROM outbox WHERE msg_id LIKE 's001:funnel:%'").pluck().all() as string[]).map(
        (id) => {
          const [, , start = '0', rev = '0'] = id.split(':');
          return { start: Number(start), rev: Number(rev) };
        },
      );
    const sent = outbox();
    const buckets = gw.db.prepare('SELECT start, rev FROM buckets').all() as { start: number; rev: number }[];
    const closed = buckets.filter((b) => b.start + 15 * MIN + MIN <= appliedTick);
    const skipped = closed.filter((b) => !sent.some((s) => s.start === b.start && s.rev === b.rev));
    const sentOpen = sent.filter((s) => s.start + 15 * MIN + MIN > appliedTick);
    await settle(clock.now());
    await new Promise((r) => setTimeout(r, 500));
    const sentAfterIdle = outbox().length;

    recordDrill({
      drill: 'clock-jump',
      what: 'gateway clock 08:00 → +2 h (across the 09:30 opening) → −1 h → forward again, devices publishing throughout',
      load: `${all.length} QoS1 door crossings in 3 phases (synced, late, 65 min ahead)`,
      measured: {
        journaled: journal.size,
        duplicates: dup.length,
        visitorsByBucket: JSON.stringify(measuredBuckets),
        occupancyAtEnd,
        closedBucketsSkipped: skipped.length,
        openBucketsSent: sentOpen.length,
        upstreamMessages: sent.length,
        upstreamMessagesAfterIdle: sentAfterIdle,
      },
      ackedLost: lost.length,
    });

    expect(lost).toEqual([]);
    expect(dup).toEqual([]);
    expect(journal.size).toBe(all.length);
    expect(measuredBuckets).toEqual(expected);
    expect(occupancyAtEnd).toBe(5);
    expect(closed.length).toBeGreaterThan(0);
    expect(skipped).toEqual([]);
    expect(sentOpen).toEqual([]);
    expect(sentAfterIdle).toBe(sent.length);
  });
});
