/**
 * AXIS People Counter through the real gateway, against the emulator (real HTTP, digest
 * auth), on a manual clock shared by the camera and the gateway:
 *
 * - at start the driver backfills the day's closed 15-minute intervals from export-csv,
 *   each in its own bucket, and a staff badge passage in an interval excuses one of its ins;
 * - live-sum increases reach the funnel per poll;
 * - after an outage the missed intervals are backfilled, and an interval the live path had
 *   partly counted is not counted twice (journal total = the camera's total);
 * - a wrong password gives an `error` link with the fix, retried with backoff;
 * - a garbage answer is a counted rejection and the driver keeps counting.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AxisCounterEmulator } from '../../../firmware-sim/counters/index.js';
import { ManualClock } from '../../../gateway/infra/clock/index.js';
import { parseConfig } from '../../../gateway/infra/config/index.js';
import { createLogger } from '../../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../../gateway/main.js';
import { tempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';
import { at, GatewayProbe, NOON, STORE_YAML } from './people-counters-support.js';

describe('AXIS People Counter driver in the gateway', () => {
  const dir = tempDir();
  const clock = new ManualClock(NOON);
  const probe = new GatewayProbe(() => gateway, clock);
  let gateway: RunningGateway;
  let camera: AxisCounterEmulator;
  let locked: AxisCounterEmulator;
  let client: MqttClient;

  /** Waits until the driver has read live-sum again (after the clock moved). */
  const nextPoll = async (): Promise<void> => {
    const before = camera.requests.get('/local/tvpc/.api') ?? 0;
    await waitFor(() => (camera.requests.get('/local/tvpc/.api') ?? 0) >= before + 2, 'a poll');
  };

  beforeAll(async () => {
    camera = await AxisCounterEmulator.start({ now: () => clock.now(), password: 'Axis-pass1' });
    locked = await AxisCounterEmulator.start({ now: () => clock.now(), password: 'other' });
    await camera.setOutage('refuse'); // absent at start: the driver keeps trying
    const config = parseConfig(
      STORE_YAML(
        dir.path,
        `  axis-1: { kind: door-counter, transport: axis-vapix, url: "${camera.url}", username: admin, password: Axis-pass1, door: main, zone: entrance, pollInterval: 50ms }
  axis-2: { kind: door-counter, transport: axis-vapix, url: "${locked.url}", username: admin, password: wrong, door: side, zone: entrance, pollInterval: 50ms }`,
      ),
      'axis.yaml',
      { GW_HTTP_AUTH: 'off' },
    );
    gateway = await startGateway({
      config,
      clock,
      log: createLogger({ level: 'silent' }),
      tickEveryMs: 20,
      counterTiming: { backfillEveryMs: 50, timeoutMs: 2000, backoff: { initialMs: 50, maxMs: 300 } },
    });
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, { clientId: 'app', reconnectPeriod: 0 });
  });

  afterAll(async () => {
    await client?.endAsync();
    await gateway?.stop();
    await camera?.close();
    await locked?.close();
    dir.remove();
  });

  it('backfills the day at start, each interval in its own bucket, minus the staff passages of the interval', async () => {
    await waitFor(async () => (await probe.device('axis-1'))?.link?.state === 'disconnected', 'axis-1 unreachable');
    // The camera counted this morning while the gateway could not reach it.
    camera.count('in', 3, at('10:05:00'));
    camera.count('in', 2, at('10:20:00'));
    camera.count('out', 1, at('10:21:00'));
    camera.count('in', 4, at('11:50:00')); // one of them is staff:
    await client.publishAsync(
      'retail/s001/member/app/seen',
      JSON.stringify({
        v: 1,
        type: 'member.seen',
        id: 'staff-1',
        ts: new Date(at('11:52:10')).toISOString(),
        credential: 'E200001',
        zone: 'entrance',
        via: 'staff',
      }),
      { qos: 1 },
    );
    await camera.setOutage(false);
    await waitFor(() => probe.journaled('axis-1', 'in') === 9, 'backfill journaled');
    // The 11:45–12:00 interval is decided once its end + staffWindow + settle has passed.
    clock.set(NOON + 6000);
    const v = await waitFor(async () => {
      const r = await probe.visitors('10:00', '12:15');
      return r.total === 8 ? r : undefined;
    }, '8 visitors backfilled');
    expect(v.byBucket).toEqual({ '10:00': 3, '10:15': 2, '11:45': 3 });
    expect(probe.journaled('axis-1', 'in')).toBe(9);
    expect(probe.journaled('axis-1', 'out')).toBe(1);
    const health = await probe.device('axis-1');
    expect(health?.link).toMatchObject({ state: 'connected', detail: 'in 9 out 1 today' });
    expect(health?.skewMs).toBe(0); // the camera's clock is the gateway's here
    expect(health?.fw).toContain('ACCC8E8C1D2A');
  });

  it('counts live-sum increases per poll', async () => {
    await nextPoll();
    clock.set(NOON + 8000);
    camera.count('in', 2, NOON + 7000);
    await nextPoll();
    clock.set(NOON + 20_000); // past the staff window of those ins
    const v = await waitFor(async () => {
      const r = await probe.visitors('10:00', '12:15');
      return r.total === 10 ? r : undefined;
    }, '2 live visitors');
    expect(v.byBucket['12:00']).toBe(2);
    expect(probe.journaled('axis-1', 'in')).toBe(11);
  });

  it('backfills an outage without counting what the live path already had', async () => {
    await nextPoll();
    await camera.setOutage('refuse');
    await waitFor(async () => (await probe.device('axis-1'))?.link?.state === 'disconnected', 'outage seen');
    camera.count('in', 5, at('12:10:00')); // same interval as the 2 live ins
    camera.count('in', 1, at('12:35:00'));
    clock.set(at('12:40:00'));
    await camera.setOutage(false);
    await waitFor(() => probe.journaled('axis-1', 'in') === 16, 'closed intervals backfilled');
    // 12:30–12:45 is still open at 12:40: its person comes when it has closed.
    expect(probe.journaled('axis-1', 'in')).toBe(16);
    clock.set(at('12:46:00'));
    await waitFor(() => probe.journaled('axis-1', 'in') === 17, 'the interval once closed');
    const v = await waitFor(async () => {
      const r = await probe.visitors('10:00', '13:00');
      return r.total === 16 ? r : undefined;
    }, '16 visitors');
    expect(v.byBucket).toEqual({ '10:00': 3, '10:15': 2, '11:45': 3, '12:00': 7, '12:30': 1 });
    const totalIn = camera.sum('in', at('00:00:00'), at('23:59:59'));
    expect(probe.journaled('axis-1', 'in')).toBe(totalIn);
    expect((await probe.device('axis-1'))?.link?.reconnects).toBeGreaterThanOrEqual(1);
  });

  it('reports a wrong password as an error with the fix and keeps retrying with backoff', async () => {
    const h = await waitFor(async () => {
      const d = await probe.device('axis-2');
      return d?.link?.state === 'error' ? d : undefined;
    }, 'auth error');
    expect(h.link?.detail).toMatch(/HTTP 401 .*password/);
    const before = locked.authFailures;
    await new Promise((r) => setTimeout(r, 700));
    const retries = locked.authFailures - before;
    expect(retries).toBeGreaterThanOrEqual(2);
    expect(retries).toBeLessThan(20); // backoff, not a tight loop
  });

  it('counts a garbage answer as a rejection and keeps counting', async () => {
    const before = (await probe.device('axis-1'))?.rejected ?? 0;
    camera.garbage = 'live';
    await waitFor(async () => ((await probe.device('axis-1'))?.rejected ?? 0) > before, 'rejection counted');
    camera.garbage = undefined;
    await nextPoll();
    clock.set(at('12:46:03'));
    camera.count('in', 1, at('12:46:02'));
    await waitFor(() => probe.journaled('axis-1', 'in') === 18, 'counting after the garbage');
  });
});
