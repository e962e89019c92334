/**
 * An AXIS People Counter (the `tvpc` ACAP on an Axis camera) as the VAPIX People counter API
 * documents it (see protocols/axis-people-counter.ts):
 *
 * - `GET /local/tvpc/.api?live-sum.json` → `{serial, name, timestamp, in, out}`: today's
 *   counts so far, camera local time `YYYYMMDDhhmmss`;
 * - `GET /local/tvpc/.api?export-csv&date=YYYYMMDD[,YYYYMMDD…]&res=15m|1h|24h` → CSV with the
 *   header `Interval start,Interval stop,Camera serial number,Counter name,Pedestrians coming
 *   in,Pedestrians going out`, one row per interval from midnight up to the one in progress.
 *
 * Behind digest auth; counts are injected with `count()`; `setOutage` takes it away;
 * `garbage` makes an endpoint answer 200 with a broken body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AXIS_TVPC_PATH } from '../../protocols/index.js';
import { CounterDevice, type CounterEmulatorOptions, compactStamp, localMidnight, wall } from './counter-device.js';

export interface AxisCounterEmulatorOptions extends CounterEmulatorOptions {
  readonly serial?: string;
  readonly name?: string;
}

const RES: Record<string, number> = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000 };
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export class AxisCounterEmulator extends CounterDevice {
  readonly serial: string;
  readonly name: string;
  /** Which answer is broken (200 with garbage), if any. */
  garbage: 'live' | 'history' | undefined;

  private constructor(options: AxisCounterEmulatorOptions) {
    super(options, 'AXIS_ACCC8E000000');
    this.serial = options.serial ?? 'ACCC8E8C1D2A';
    this.name = options.name ?? 'Entrance';
  }

  static async start(options: AxisCounterEmulatorOptions = {}): Promise<AxisCounterEmulator> {
    const emu = new AxisCounterEmulator(options);
    await emu.listen();
    return emu;
  }

  /** The live-sum.json body the camera would answer now. */
  liveSum(): Record<string, unknown> {
    const now = this.now();
    const midnight = localMidnight(now, this.offset);
    return {
      serial: this.serial,
      name: this.name,
      timestamp: compactStamp(now, this.offset),
      in: this.sum('in', midnight, now + 1),
      out: this.sum('out', midnight, now + 1),
    };
  }

  /** export-csv for the given days (`YYYYMMDD`) at `resMs`. */
  historyCsv(days: readonly string[], resMs: number): string {
    const lines = [
      'Interval start,Interval stop,Camera serial number,Counter name,Pedestrians coming in,Pedestrians going out',
    ];
    const now = this.now();
    for (const day of days) {
      const start =
        Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8))) - this.offset * 60_000;
      for (let t = start; t < start + 86_400_000 && t <= now; t += resMs) {
        const end = t + resMs;
        lines.push(
          [
            this.#stamp(t),
            this.#stamp(end),
            this.serial,
            this.name,
            this.sum('in', t, end),
            this.sum('out', t, end),
          ].join(','),
        );
      }
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  #stamp(ms: number): string {
    const w = wall(ms, this.offset);
    return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const [path, query = ''] = (req.url ?? '').split('?');
    if (req.method !== 'GET' || path !== AXIS_TVPC_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    const args = query.split('&');
    if (args[0] === 'live-sum.json') {
      const body = this.garbage === 'live' ? '{"serial":"ACCC8E8C1D2A","in":' : JSON.stringify(this.liveSum());
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      return;
    }
    if (args[0] === 'export-csv') {
      const param = (k: string): string | undefined => args.find((a) => a.startsWith(`${k}=`))?.slice(k.length + 1);
      const res0 = RES[param('res') ?? '15m'];
      const date = param('date') ?? '';
      const days = date.split(',').filter((d) => /^\d{8}$/.test(d));
      if (res0 === undefined || days.length === 0) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad Request');
        return;
      }
      const body =
        this.garbage === 'history' ? '<html>Internal error</html>\n\u0000\u0001' : this.historyCsv(days, res0);
      res.writeHead(200, { 'content-type': 'text/csv' }).end(body);
      return;
    }
    res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad Request');
  }
}
