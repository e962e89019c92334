/**
 * `store-gateway demo`: the real gateway on the built-in demo-store config, with a simulated
 * store day (firmware-sim) feeding it over real MQTT, one connection per device, and the
 * days the dashboard compares it with (last week, last year) backfilled beside it. The
 * gateway's clock follows the simulation, so `--speed 60` plays a store day in ~13 minutes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateStoreDay, publishTimeline, urlClientFactory, variedDayOptions } from '../firmware-sim/index.js';
import { DemoClock } from './demo-clock.js';
import { backfillHistory, type HistoryPlan, planHistory } from './demo-history.js';
import { systemClock } from './infra/clock/index.js';
import { DEMO_STAFF_PERSONS } from './infra/config/defaults.js';
import { type GatewayConfig, loadConfig } from './infra/config/index.js';
import { createStoreCalendar } from './infra/time/index.js';
import { createLogger } from './log.js';
import { startGateway } from './main.js';
import type { Ingest } from './pipeline/ingest/index.js';
import { runUntilSignal } from './run.js';

export interface DemoOptions {
  readonly config: string | undefined;
  readonly speed: number | undefined;
  readonly seed: number | undefined;
  readonly date: string | undefined;
  /** Also run a serial door counter and an R2000 reader on socat pty pairs. */
  readonly serial?: boolean;
  /** Scales the simulated store's visitors (1 = a full store). */
  readonly traffic?: number | undefined;
  /** Backfill the days the dashboard compares today with (default true). */
  readonly history?: boolean;
}

/**
 * Above this the publisher, not the speed, sets the pace on an ordinary machine (a day takes
 * 5 s of simulated time at 10,000× and longer than that to publish), so a higher number
 * would only promise what it cannot keep. Results are the same at any accepted speed (see
 * DemoClock).
 */
export const MAX_DEMO_SPEED = 10_000;

/** The demo-only sign-ins (gateway/infra/config/defaults.ts DEMO_HTTP_USERS), printed at start. */
const DEMO_SIGN_INS: readonly { readonly name: string; readonly password: string; readonly role: string }[] = [
  { name: 'manager', password: 'manager', role: 'manager' },
  { name: 'wangfang', password: 'wangfang', role: 'staff: 王芳, one phone' },
  { name: 'lilei', password: 'lilei', role: 'staff: 李雷, another phone' },
  { name: 'staff', password: 'staff', role: 'shared staff account: acks show "staff"' },
  { name: 'viewer', password: 'viewer', role: 'viewer' },
];

/**
 * `alerts.maxAge` is store time, and the gateway paces its recomputations after late input
 * in real time: at N× a one-second pause is N seconds of the store's clock, so at 2,000× an
 * arrival two minutes "old" is 60 ms of real delay and would not be pushed. The demo judges
 * lateness by real delay instead (DEMO_REAL_MAX_AGE_MS of it at any speed), so the same
 * arrivals reach the phones at every speed; the backfilled history, days old, stays late.
 */
const DEMO_REAL_MAX_AGE_MS = 5_000;

function demoAlertAge(config: GatewayConfig, speed: number): GatewayConfig {
  const maxAgeMs = Math.max(config.alerts.maxAgeMs, DEMO_REAL_MAX_AGE_MS * speed);
  return { ...config, alerts: { ...config.alerts, maxAgeMs } };
}

/** Sessions close and sales convert within minutes of the last message: 15 minutes after it is enough. */
const DAY_TAIL_MS = 15 * 60_000;

export async function runDemo(options: DemoOptions): Promise<number> {
  const speed = options.speed ?? 60;
  if (!Number.isFinite(speed) || speed < 1 || speed > MAX_DEMO_SPEED) {
    console.error(
      `--speed must be a number from 1 to ${MAX_DEMO_SPEED} (got ${String(options.speed)}): above ${MAX_DEMO_SPEED}× ` +
        'the simulated store cannot publish a day any faster, and the results are the same at every speed up to it',
    );
    return 1;
  }
  const traffic = options.traffic ?? 1;
  if (!Number.isFinite(traffic) || traffic <= 0 || traffic > 3) {
    console.error(`--traffic must be a number above 0 and at most 3 (got ${String(options.traffic)})`);
    return 1;
  }
  const seed = options.seed ?? 1;
  // A fresh data directory per run unless one is given: the simulated day's message ids
  // repeat, so a second run into the same journal would be all duplicates.
  const dataDir = process.env.GW_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'store-gateway-demo-'));
  // The demo signs in with the demo users (gateway/infra/config/defaults.ts) unless GW_HTTP_AUTH says otherwise.
  const loaded = loadConfig(options.config, {
    ...process.env,
    GW_DATA_DIR: dataDir,
    GW_HTTP_AUTH: process.env.GW_HTTP_AUTH ?? 'demo',
  });
  const serial = options.serial ? await startSerialDevices(dataDir) : undefined;
  const config = demoAlertAge(
    serial ? { ...loaded, devices: { ...loaded.devices, ...serial.devices } } : loaded,
    speed,
  );
  const log = createLogger({ pretty: process.stdout.isTTY, level: process.env.GW_LOG_LEVEL ?? 'info' });
  const calendar = createStoreCalendar(config.store.timezone);
  const date = options.date ?? calendar.localDay(Date.now());
  const day = generateStoreDay(variedDayOptions({ seed, date, traffic }));
  const history: HistoryPlan = options.history === false ? { days: [], views: [] } : planHistory(calendar, date);
  const first = day.messages[0]?.at ?? calendar.openingTs(date, config.store.openingTime);
  const clock = new DemoClock(first);
  const abort = new AbortController();

  return runUntilSignal(
    config,
    log,
    async (c, l) => {
      const gateway = await startGateway({ config: c, log: l, clock, wallClock: systemClock });
      gateway.reference.importMembers(
        day.roster.map((m) => ({ ...m, cards: [...m.cards], ...(m.sizes ? { sizes: { ...m.sizes } } : {}) })),
      );
      gateway.reference.importCatalog(day.catalog);
      return {
        ...gateway,
        stop: async () => {
          abort.abort();
          await gateway.stop();
          await serial?.stop();
        },
      };
    },
    (gateway) => {
      const base = `http://127.0.0.1:${gateway.httpPort}`;
      const lines = [
        `store-gateway demo — store ${config.store.id} (${config.store.name}), ${date} at ${speed}× speed`,
        `dashboard + API  ${base}/`,
        `staff app        ${base}/staff/  (on a phone)`,
        `live funnel      ${base}/api/v1/live`,
        ...(config.http.auth === undefined
          ? ['sign in          not needed (GW_HTTP_AUTH=off)']
          : DEMO_SIGN_INS.map(
              (u, i) =>
                `${i === 0 ? 'sign in         ' : '                '} ${u.name} / ${u.password}  (${u.role}, demo only)`,
            )),
        `MQTT             mqtt://127.0.0.1:${gateway.mqttPort}`,
        `data             ${dataDir}`,
        history.days.length > 0
          ? `history          ${history.days.length} days for the ${history.views.join(', ')} comparisons (last week, last year), backfilling now`
          : 'history          none (--no-history)',
        ...(serial ? [`serial devices   ${Object.keys(serial.devices).join(', ')} on socat ptys`] : []),
      ];
      console.log(`\n${lines.map((line) => `  ${line}`).join('\n')}\n`);
      void feed(gateway.httpPort, gateway.mqttPort);
      if (history.days.length > 0) void backfill(gateway.ingest);
    },
  );

  async function backfill(target: Ingest): Promise<void> {
    try {
      const report = await backfillHistory({
        ingest: target,
        config,
        days: history.days,
        seed,
        traffic,
        log,
        signal: abort.signal,
      });
      log.info(
        { component: 'demo', ...report, from: history.days[0], to: history.days.at(-1), views: history.views },
        'history backfilled',
      );
    } catch (err) {
      if (!abort.signal.aborted) log.error({ component: 'demo', err }, 'history backfill stopped');
    }
  }

  async function feed(httpPort: number, mqttPort: number): Promise<void> {
    try {
      // Staff record invitations in the app; with logins on, the demo signs in as its staff
      // persons, and each of the scenario's inviters is one of them (the same one all day).
      const api = `http://127.0.0.1:${httpPort}/api/v1`;
      const authOn = config.http.auth !== undefined;
      const persons = await Promise.all(DEMO_STAFF_PERSONS.map((name) => demoStaffHeaders(api, authOn, name)));
      const signedIn = persons.filter((h): h is Record<string, string> => h !== undefined);
      if (signedIn.length === 0)
        log.warn({ component: 'demo' }, 'the configured login refused the demo staff persons: no invitations');
      const inviters = [...new Set(day.invitations.map((i) => i.staff))];
      for (const invitation of signedIn.length > 0 ? day.invitations : []) {
        const headers = signedIn[inviters.indexOf(invitation.staff) % signedIn.length] ?? {};
        await fetch(`${api}/invitations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({
            member: invitation.member,
            staff: invitation.staff,
            channel: invitation.channel,
            campaign: invitation.campaign,
            ts: invitation.ts,
          }),
        });
      }
      const report = await publishTimeline(urlClientFactory(`mqtt://127.0.0.1:${mqttPort}`), day.messages, {
        speed,
        signal: abort.signal,
        onStart: (origin) => clock.anchor({ ...origin, speed }),
      });
      // From here the store's clock runs at wall speed: the day just played stays "today"
      // on the dashboard instead of racing through the following days.
      clock.release(DAY_TAIL_MS);
      log.info({ component: 'demo', published: report.published, acked: report.acked }, 'simulated day finished');
    } catch (err) {
      if (!abort.signal.aborted) log.error({ component: 'demo', err }, 'simulated store stopped');
    }
  }
}

/**
 * The serial part of the demo store: a side-door counter and a fitting-room R2000 reader,
 * each the firmware emulator on one end of a socat pty pair, the gateway's driver on the
 * other — the same bytes real hardware would send.
 */
async function startSerialDevices(dir: string) {
  const { DoorCounterFirmware, PtyPair, R2000Emulator } = await import('../firmware-sim/serial/index.js');
  const doorPair = await PtyPair.open({ a: join(dir, 'door-counter'), b: join(dir, 'ttyDOOR') });
  const readerPair = await PtyPair.open({ a: join(dir, 'r2000'), b: join(dir, 'ttyR2000') });
  const counter = await DoorCounterFirmware.open({
    path: doorPair.a,
    device: 'side-1',
    door: 'side',
    heartbeatMs: 5000,
  });
  const reader = await R2000Emulator.open({ path: readerPair.a });
  reader.setTags(1, [
    { epc: '3074257BF7194E4000001A85', rssiDbm: -52 },
    { epc: '3074257BF7194E4000001A86', rssiDbm: -58 },
  ]);
  // A visitor through the side door every few seconds, sometimes leaving.
  let n = 0;
  const timer = setInterval(() => {
    counter.count(n++ % 3 === 2 ? 'out' : 'in');
    void counter.sendLine();
  }, 4000);
  return {
    devices: {
      'door-serial': {
        kind: 'door-counter',
        transport: 'serial',
        path: doorPair.b,
        baudRate: 9600,
        door: 'side',
        zone: 'entrance',
      },
      'r2000-fr': {
        kind: 'rfid-reader',
        transport: 'serial',
        path: readerPair.b,
        baudRate: 115_200,
        antennas: { '1': 'fr-4' },
      },
    } as const,
    stop: async () => {
      clearInterval(timer);
      await counter.close();
      await reader.close();
      await doorPair.close();
      await readerPair.close();
    },
  };
}

/**
 * Request headers for one of the demo's staff persons (DEMO_HTTP_USERS; the password is the
 * name), {} when the API is open, or undefined when a configured login refuses them.
 */
async function demoStaffHeaders(
  api: string,
  authOn: boolean,
  name: string,
): Promise<Record<string, string> | undefined> {
  if (!authOn) return {};
  const response = await fetch(`${api}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: name }),
  });
  if (!response.ok) return undefined;
  const body = (await response.json()) as { csrfToken?: unknown };
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (typeof body.csrfToken !== 'string' || cookie === undefined) return undefined;
  return { cookie, 'x-csrf-token': body.csrfToken };
}
