/**
 * `store-gateway demo`: the real gateway on the built-in demo-store config, with a simulated
 * store day (firmware-sim) feeding it over real MQTT, one connection per device. The
 * gateway's clock follows the simulation, so `--speed 60` plays a store day in ~13 minutes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateStoreDay, publishTimeline, urlClientFactory } from '../firmware-sim/index.js';
import { type Clock, systemClock } from './clock/index.js';
import { loadConfig } from './config/index.js';
import { createLogger } from './log.js';
import { startGateway } from './main.js';
import { runUntilSignal } from './run.js';
import { createStoreCalendar } from './time/index.js';

export interface DemoOptions {
  readonly config: string | undefined;
  readonly speed: number | undefined;
  readonly seed: number | undefined;
  readonly date: string | undefined;
  /** Also run a serial door counter and an R2000 reader on socat pty pairs. */
  readonly serial?: boolean;
}

/**
 * Frozen at the scenario start until the publisher anchors it, then runs at `speed`. While
 * the day plays it never runs past `until` (just after the last message): a publisher that
 * falls behind on a busy machine must not push "today" into the next day at 2500×.
 */
class SimulationClock implements Clock {
  private origin: { wall: number; scenario: number; speed: number } | undefined;
  private until: number;
  constructor(
    private readonly start: number,
    until: number,
  ) {
    this.until = until;
  }
  anchor(origin: { wall: number; scenario: number; speed: number }, until = this.until): void {
    this.origin = origin;
    this.until = until;
  }
  now(): number {
    const o = this.origin;
    if (!o) return this.start;
    return Math.min(this.until, Math.floor(o.scenario + (Date.now() - o.wall) * o.speed));
  }
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const speed = options.speed ?? 60;
  if (!Number.isFinite(speed) || speed <= 0 || speed > 10_000) {
    console.error('--speed must be a number from 1 to 10000');
    return 1;
  }
  // A fresh data directory per run unless one is given: the simulated day's message ids
  // repeat, so a second run into the same journal would be all duplicates.
  const dataDir = process.env.GW_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'store-gateway-demo-'));
  // The demo signs in with the demo users (gateway/config/defaults.ts) unless GW_HTTP_AUTH says otherwise.
  const loaded = loadConfig(options.config, {
    ...process.env,
    GW_DATA_DIR: dataDir,
    GW_HTTP_AUTH: process.env.GW_HTTP_AUTH ?? 'demo',
  });
  const serial = options.serial ? await startSerialDevices(dataDir) : undefined;
  const config = serial ? { ...loaded, devices: { ...loaded.devices, ...serial.devices } } : loaded;
  const log = createLogger({ pretty: process.stdout.isTTY, level: process.env.GW_LOG_LEVEL ?? 'info' });
  const calendar = createStoreCalendar(config.store.timezone);
  const date = options.date ?? calendar.localDay(Date.now());
  const day = generateStoreDay({ seed: options.seed ?? 1, date });
  const first = day.messages[0]?.at ?? calendar.openingTs(date, config.store.openingTime);
  // Sessions close and sales convert within minutes of the last message: 15 minutes after it is enough.
  const clock = new SimulationClock(first, (day.messages.at(-1)?.at ?? first) + 15 * 60_000);
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
      console.log(
        `\n  store-gateway demo — store ${config.store.id} (${config.store.name}), ${date} at ${speed}× speed`,
      );
      console.log(`  dashboard + API  http://127.0.0.1:${gateway.httpPort}/`);
      console.log(`  staff app        http://127.0.0.1:${gateway.httpPort}/staff/  (on a phone)`);
      console.log(`  live funnel      http://127.0.0.1:${gateway.httpPort}/api/v1/live`);
      console.log('  sign in          manager/manager, staff/staff, viewer/viewer (demo-only users)');
      console.log(`  MQTT             mqtt://127.0.0.1:${gateway.mqttPort}`);
      console.log(`  data             ${dataDir}`);
      if (serial) console.log(`  serial devices   ${Object.keys(serial.devices).join(', ')} on socat ptys`);
      console.log('');
      void feed(gateway.httpPort, gateway.mqttPort);
    },
  );

  async function feed(httpPort: number, mqttPort: number): Promise<void> {
    try {
      // Staff record invitations in the app; with logins on, the demo signs in as its demo staff user.
      const headers = await demoStaffHeaders(`http://127.0.0.1:${httpPort}/api/v1`, config.http.auth !== undefined);
      if (!headers) log.warn({ component: 'demo' }, 'the configured login refused the demo staff user: no invitations');
      for (const invitation of headers ? day.invitations : []) {
        await fetch(`http://127.0.0.1:${httpPort}/api/v1/invitations`, {
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
      clock.anchor({ wall: Date.now(), scenario: clock.now(), speed: 1 }, Number.POSITIVE_INFINITY);
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
 * Request headers for the demo's staff user (DEMO_HTTP_USERS), {} when the API is open, or
 * undefined when a configured login refuses the demo user (the invitations are then skipped).
 */
async function demoStaffHeaders(api: string, authOn: boolean): Promise<Record<string, string> | undefined> {
  if (!authOn) return {};
  const response = await fetch(`${api}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'staff', password: 'staff' }),
  });
  if (!response.ok) return undefined;
  const body = (await response.json()) as { csrfToken?: unknown };
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (typeof body.csrfToken !== 'string' || cookie === undefined) return undefined;
  return { cookie, 'x-csrf-token': body.csrfToken };
}
