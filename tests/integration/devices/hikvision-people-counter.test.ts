/**
 * Hikvision people counting camera through the real gateway, against the emulator (real HTTP,
 * digest auth, multipart alert stream), on a manual clock shared by the camera and gateway:
 *
 * - timeRange PeopleCounting periods reach the funnel in the bucket of the period, minus the
 *   staff badge passages of the period; the first period marks the day for backfill, which
 *   adds the morning's hours from counting/search without counting the live hour again;
 * - after an outage the missed hour comes from counting/search; a period sent again is not
 *   counted again (journal total = the camera's total);
 * - a wrong password gives an `error` link with the fix, retried with backoff;
 * - garbage in the stream is a counted rejection and the driver keeps counting.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HikvisionCounterEmulator } from '../../../firmware-sim/counters/index.js';
import { ManualClock } from '../../../gateway/infra/clock/index.js';
import { parseConfig } from '../../../gateway/infra/config/index.js';
import { createLogger } from '../../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../../gateway/main.js';
import { tempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';
import { at, GatewayProbe, NOON, STORE_YAML } from './people-counters-support.js';

describe('Hikvision people counter driver in the gateway', () => {
  const dir = tempDir();
  const clock = new ManualClock(NOON);
  const probe = new GatewayProbe(() => gateway, clock);
  let gateway: RunningGateway;
  let camera: HikvisionCounterEmulator;
  let locked: HikvisionCounterEmulator;
  let client: MqttClient;

  beforeAll(async () => {
    camera = await HikvisionCounterEmulator.start({ now: () => clock.now(), password: 'Hik-pass1', keepAliveMs: 100 });
    locked = await HikvisionCounterEmulator.start({ now: () => clock.now(), password: 'other', keepAliveMs: 100 });
    // The camera counted this morning; one of the 11:50 ins is a staff member.
    camera.count('in', 3, at('10:05:00'));
    camera.count('in', 4, at('11:50:00'));
    camera.count('out', 2, at('11:55:00'));
    const passwordFile = `${dir.path}/hik.pass`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(passwordFile, 'Hik-pass1\n');
    const config = parseConfig(
      STORE_YAML(
        dir.path,
        `  hik-1: { kind: door-counter, transport: hikvision-isapi, url: "${camera.url}", username: admin, passwordFile: ${passwordFile}, channel: 1, door: main, zone: entrance }
  hik-2: { kind: door-counter, transport: hikvision-isapi, url: "${locked.url}", username: admin, password: wrong, door: side, zone: entrance }`,
      ),
      'hik.yaml',
      { GW_HTTP_AUTH: 'off' },
    );
    gateway = await startGateway({
      config,
      clock,
      log: createLogger({ level: 'silent' }),
      tickEveryMs: 20,
      counterTiming: { backfillEveryMs: 50, timeoutMs: 2000, stallMs: 1000, backoff: { initialMs: 50, maxMs: 300 } },
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

  it('counts live periods minus their staff passages and backfills the morning once', async () => {
    await waitFor(() => camera.clients === 1, 'alert stream connected');
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
    await waitFor(() => gateway.db.prepare("SELECT 1 FROM journal WHERE device = 'app'").get(), 'staff read journaled');
    camera.emitPeriod(at('11:45:00'), NOON);
    await waitFor(() => probe.journaled('hik-1', 'in') === 7, 'live period + backfilled morning');
    clock.set(NOON + 6000); // the 11:45 period's end + staffWindow + settle
    const v = await waitFor(async () => {
      const r = await probe.visitors('10:00', '12:15');
      return r.total === 6 ? r : undefined;
    }, '6 visitors');
    // 10:00–11:00 from the hourly search (its own hour), 11:45 from the live period.
    expect(v.byBucket).toEqual({ '10:00': 3, '11:45': 3 });
    expect(probe.journaled('hik-1', 'out')).toBe(2);
    expect(camera.searches).toBeGreaterThanOrEqual(1);
    const health = await probe.device('hik-1');
    expect(health?.link?.state).toBe('connected');
    expect(health?.link?.detail).toContain('in 4 out 2');
    expect(health?.skewMs).not.toBeNull();
  });

  it('backfills the hour an outage hid, and a period sent twice counts once', async () => {
    await camera.setOutage('refuse');
    await waitFor(async () => (await probe.device('hik-1'))?.link?.state === 'disconnected', 'outage seen');
    camera.count('in', 2, at('12:05:00'));
    camera.count('in', 1, at('12:20:00'));
    camera.count('in', 1, at('13:05:00'));
    clock.set(at('13:15:00'));
    await camera.setOutage(false);
    await waitFor(() => camera.clients === 1, 'reconnected');
    camera.emitPeriod(at('13:00:00'), at('13:15:00'));
    camera.emitPeriod(at('13:00:00'), at('13:15:00')); // re-delivered
    await waitFor(() => probe.journaled('hik-1', 'in') === 11, 'hour 12 backfilled, 13:00 live');
    clock.set(at('13:16:00'));
    const v = await waitFor(async () => {
      const r = await probe.visitors('10:00', '13:30');
      return r.total === 10 ? r : undefined;
    }, '10 visitors');
    expect(v.byBucket).toEqual({ '10:00': 3, '11:45': 3, '12:00': 3, '13:00': 1 });
    await new Promise((r) => setTimeout(r, 300)); // more backfill rounds change nothing
    expect(probe.journaled('hik-1', 'in')).toBe(camera.sum('in', at('00:00:00'), at('23:59:59')));
    expect((await probe.device('hik-1'))?.link?.reconnects).toBeGreaterThanOrEqual(1);
  });

  it('reports a wrong password as an error with the fix and keeps retrying with backoff', async () => {
    const h = await waitFor(async () => {
      const d = await probe.device('hik-2');
      return d?.link?.state === 'error' ? d : undefined;
    }, 'auth error');
    expect(h.link?.detail).toMatch(/HTTP 401 .*password/);
    const before = locked.authFailures;
    await new Promise((r) => setTimeout(r, 700));
    const retries = locked.authFailures - before;
    expect(retries).toBeGreaterThanOrEqual(2);
    expect(retries).toBeLessThan(20);
  });

  it('counts garbage in the stream as rejections and keeps counting', async () => {
    const before = (await probe.device('hik-1'))?.rejected ?? 0;
    camera.emitRaw('\x00\x01 not a part at all\r\n');
    camera.emitRaw(
      '--boundary\r\nContent-Type: application/xml\r\nContent-Length: 27\r\n\r\n<EventNotificationAlert><a>\r\n',
    );
    camera.emitRaw(
      '--boundary\r\nContent-Type: application/xml\r\nContent-Length: 120\r\n\r\n' +
        '<EventNotificationAlert><eventType>PeopleCounting</eventType><dateTime>yesterday</dateTime></EventNotificationAlert>'.padEnd(
          120,
        ) +
        '\r\n',
    );
    await waitFor(async () => ((await probe.device('hik-1'))?.rejected ?? 0) >= before + 3, 'rejections counted');
    camera.count('in', 1, at('13:20:00'));
    clock.set(at('13:30:00'));
    camera.emitPeriod(at('13:15:00'), at('13:30:00'));
    await waitFor(() => probe.journaled('hik-1', 'in') === 12, 'counting after the garbage');
  });
});
