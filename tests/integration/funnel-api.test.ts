/**
 * The first numbers through the whole path: door crossings over real MQTT → journal →
 * correlation → store-local 15-minute buckets → GET /api/v1/funnel and /api/v1/live.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

// Noon in Shanghai (UTC+8) on a Monday; the store opened at 09:30.
const NOON = Date.parse('2026-11-23T12:00:00+08:00');
const at = (hhmmss: string) => new Date(Date.parse(`2026-11-23T${hhmmss}+08:00`)).toISOString();

describe('funnel and live API', () => {
  let gateway: RunningGateway;
  let client: MqttClient;
  const clock = new ManualClock(NOON);
  const dir = tempDir();
  const base = () => `http://127.0.0.1:${gateway.httpPort}/api/v1`;
  let n = 0;
  const door = (device: string, ts: string, dir: 'in' | 'out', count = 1) =>
    client.publishAsync(
      `retail/s001/door/${device}/event`,
      JSON.stringify({
        v: 1,
        type: 'door.crossing',
        id: `c${n++}`,
        ts,
        door: device === 'street-1' ? 'street' : 'main',
        dir,
        n: count,
      }),
      { qos: 1 },
    );

  beforeAll(async () => {
    const config = loadConfig(undefined, {
      GW_MQTT_PORT: '0',
      GW_HTTP_PORT: '0',
      GW_DATA_DIR: dir.path,
      GW_HTTP_AUTH: 'off',
    });
    gateway = await startGateway({ config, clock, log: createLogger({ level: 'silent' }), tickEveryMs: 20 });
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'door-sim',
      reconnectPeriod: 0,
    });
  });

  afterAll(async () => {
    await client?.endAsync();
    await gateway?.stop();
    dir.remove();
  });

  it('counts visitors, exits and passers-by into store-local buckets and serves them', async () => {
    // 11:30–11:31:30: ten visitors in, three out; 11:50: two more in (a group of two).
    for (let k = 0; k < 10; k++) await door('door-1', at(`11:30:${String(k * 5).padStart(2, '0')}`), 'in');
    for (let k = 0; k < 3; k++) await door('door-1', at(`11:31:${String(k * 10).padStart(2, '0')}`), 'out');
    await door('door-1', at('11:50:00'), 'in', 2);
    await door('street-1', at('11:40:00'), 'in', 30);
    await door('street-1', at('11:41:00'), 'out', 10);
    // Staff window (3 s) plus settle must pass on the gateway's clock before ins become visitors.
    clock.set(NOON + 10_000);

    const funnel15 = await waitFor(async () => {
      const body = (await (
        await fetch(`${base()}/funnel?from=2026-11-23T11:00:00%2B08:00&to=2026-11-23T12:00:00%2B08:00&granularity=15m`)
      ).json()) as {
        buckets: {
          start: string;
          visitors: number;
          exits: number;
          passersBy: number;
          captureRate: number | null;
          conversionRate: number | null;
          atv: number | null;
        }[];
        totals: { visitors: number; passersBy: number };
      };
      // The street counter's 11:40 messages come after the door's 11:50 one: late input, applied
      // by a (paced) rewind, so passers-by may land a moment after the visitors.
      return body.totals.visitors === 12 && body.totals.passersBy === 40 ? body : undefined;
    }, 'visitors and passers-by in the funnel');
    expect(funnel15.buckets.map((b) => [b.start, b.visitors, b.exits, b.passersBy])).toEqual([
      ['2026-11-23T11:00:00+08:00', 0, 0, 0],
      ['2026-11-23T11:15:00+08:00', 0, 0, 0],
      ['2026-11-23T11:30:00+08:00', 10, 3, 40],
      ['2026-11-23T11:45:00+08:00', 2, 0, 0],
    ]);
    const b1130 = funnel15.buckets[2];
    expect(b1130?.captureRate).toBeCloseTo(10 / 40);
    // No transactions: rates over zero are null, never NaN or Infinity.
    expect(b1130?.conversionRate).toBe(0);
    expect(funnel15.buckets[0]?.conversionRate).toBeNull();
    expect(b1130?.atv).toBeNull();

    const hourly = (await (await fetch(`${base()}/funnel?from=2026-11-23&granularity=hour`)).json()) as {
      buckets: { start: string; visitors: number }[];
    };
    expect(hourly.buckets).toHaveLength(24);
    expect(hourly.buckets.find((b) => b.start === '2026-11-23T11:00:00+08:00')?.visitors).toBe(12);

    const daily = (await (await fetch(`${base()}/funnel?from=2026-11-17&to=2026-11-23&granularity=day`)).json()) as {
      buckets: { start: string; visitors: number; passersBy: number }[];
      totals: { visitors: number; passersBy: number };
    };
    expect(daily.buckets).toHaveLength(7);
    expect(daily.buckets.at(-1)).toMatchObject({ start: '2026-11-23T00:00:00+08:00', visitors: 12, passersBy: 40 });
    expect(daily.totals).toMatchObject({ visitors: 12, passersBy: 40 });

    const live = (await (await fetch(`${base()}/live`)).json()) as {
      occupancy: number;
      today: { visitors: number };
      fittingRooms: unknown[];
    };
    expect(live.occupancy).toBe(12 - 3);
    expect(live.today.visitors).toBe(12);
    expect(live.fittingRooms).toHaveLength(4);

    const csv = Buffer.from(
      await (await fetch(`${base()}/export/funnel.csv?from=2026-11-23&granularity=day`)).arrayBuffer(),
    );
    // UTF-8 byte-order mark first, so Excel reads the Chinese headers correctly.
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.subarray(3).toString('utf8');
    expect(text.split('\r\n')[0]).toContain('进店客数');
    // Excel-ready cells: a local date Excel recognises, rates as percentages with one decimal.
    expect(text).toContain('\r\n2026-11-23,2026-11-23,40,12,30.0%,');
  });

  it('exports an Excel-ready CSV: local times, percentages, opening hours, comparisons, a named file', async () => {
    const response = await fetch(
      `${base()}/export/funnel.csv?from=2026-11-23&to=2026-11-23&granularity=hour&hours=open&compare=previous,lastYear&lang=en`,
    );
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="funnel-s001-2026-11-23-open-hours.csv"; filename*=UTF-8''funnel-s001-2026-11-23-open-hours.csv`,
    );
    const lines = Buffer.from(await response.arrayBuffer())
      .subarray(3)
      .toString('utf8')
      .trimEnd()
      .split('\r\n');
    const header = lines[0]?.split(',') ?? [];
    expect(header.slice(0, 5)).toEqual(['Start', 'End', 'Passers-by', 'Visitors', 'Capture rate']);
    expect(header).toContain('Visitors (previous)');
    expect(header).toContain('Start (last year)');
    // Opening hours only: from the 09:00 row (the store opens 09:30) to the last active hour.
    expect(lines[1]?.startsWith('2026-11-23 09:00,2026-11-23 10:00,')).toBe(true);
    const eleven = lines.find((l) => l.startsWith('2026-11-23 11:00'))?.split(',') ?? [];
    expect(eleven.slice(0, 5)).toEqual(['2026-11-23 11:00', '2026-11-23 12:00', '40', '12', '30.0%']);
    // The same hour a week earlier, as a real date-time cell.
    expect(eleven[header.indexOf('Start (previous)')]).toBe('2026-11-16 11:00');
    expect(eleven[header.indexOf('Visitors (previous)')]).toBe('0');
    expect(lines.at(-2)?.startsWith('2026-11-23 11:00')).toBe(true);
    expect(lines.at(-1)?.startsWith('Total,,40,12,30.0%')).toBe(true);
  });

  it('adds like-for-like comparison periods to /funnel on request, cut at the same time of day', async () => {
    const result = (await (
      await fetch(`${base()}/funnel?from=2026-11-23&to=2026-11-23&compare=previous,lastYear`)
    ).json()) as {
      asOf: string | null;
      comparisons: Record<
        string,
        { rule: string; fromDay: string; toDay: string; to: string; totals: { visitors: number } }
      >;
      totals: { visitors: number };
    };
    expect(result.totals.visitors).toBe(12);
    expect(result.asOf?.slice(0, 16)).toBe('2026-11-23T12:00');
    expect(result.comparisons.previous).toMatchObject({
      rule: 'sameWeekdayLastWeek',
      fromDay: '2026-11-16',
      toDay: '2026-11-16',
    });
    expect(result.comparisons.previous?.to.slice(0, 16)).toBe('2026-11-16T12:00');
    expect(result.comparisons.lastYear).toMatchObject({ rule: 'sameWeekdayLastYear', fromDay: '2025-11-24' });
    const bad = await fetch(`${base()}/funnel?compare=yesterday`);
    expect(bad.status).toBe(400);
  });

  it('publishes the running funnel retained on retail/{store}/live/funnel', async () => {
    const screen = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'screen',
      reconnectPeriod: 0,
    });
    const received = new Promise<{ type: string; today: { visitors: number }; occupancy: number }>((resolve) =>
      screen.on('message', (_t, payload) => resolve(JSON.parse(payload.toString()))),
    );
    await screen.subscribeAsync('retail/s001/live/funnel', { qos: 1 });
    const message = await received; // retained: it arrives on subscribe
    expect(message).toMatchObject({ type: 'funnel.live', occupancy: 9, today: { visitors: 12 } });
    await screen.endAsync();
  });

  it('a late event (a device flushing its buffer) re-opens its bucket with a higher revision', async () => {
    const bucket1130 = Date.parse('2026-11-23T11:30:00+08:00');
    const rev = () =>
      gateway.db.prepare('SELECT rev, visitors FROM buckets WHERE start = ?').get(bucket1130) as {
        rev: number;
        visitors: number;
      };
    const before = rev();
    clock.set(NOON + 20 * 60_000); // 12:20: the 11:30 bucket closed long ago
    await door('door-1', at('11:33:00'), 'in');
    clock.advance(10_000);
    const after = await waitFor(() => (rev().visitors === before.visitors + 1 ? rev() : undefined), 'the late visitor');
    expect(after.rev).toBeGreaterThan(before.rev);
  });

  it('answers bad queries with 400 and an error code, never a stack', async () => {
    for (const query of [
      'granularity=minute',
      'from=yesterday',
      'from=2026-11-23&to=2026-11-22',
      'from=2020-01-01&to=2026-01-01&granularity=15m',
    ]) {
      const res = await fetch(`${base()}/funnel?${query}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toMatch(/^[A-Z_]+$/);
      expect(JSON.stringify(body)).not.toContain('at ');
    }
  });
});
