/**
 * What the people counter emulators share: a real HTTP server behind digest auth that can
 * go away (refuse connections, answer 503) and come back on the same port, a clock (the
 * camera's, injectable), local time with a fixed UTC offset, and the crossings it counted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DigestGuard } from './digest-auth.js';

export interface CounterEmulatorOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port; kept across outages). */
  readonly port?: number;
  /** Default admin / the vendor's example password. */
  readonly username?: string;
  readonly password?: string;
  /** The camera's clock offset from UTC in minutes. Default +480 (Asia/Shanghai). */
  readonly utcOffsetMinutes?: number;
  /** The camera's clock (epoch ms). Default Date.now. */
  readonly now?: () => number;
}

export type Outage = false | 'refuse' | 'unavailable';

export interface Crossing {
  readonly ts: number;
  readonly dir: 'in' | 'out';
  readonly n: number;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Wall-clock fields of `ms` at a fixed offset. */
export function wall(ms: number, offsetMinutes: number) {
  const d = new Date(ms + offsetMinutes * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

export function compactStamp(ms: number, offsetMinutes: number): string {
  const w = wall(ms, offsetMinutes);
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

/** `YYYY-MM-DDThh:mm:ss` local, with `+hh:mm` when asked. */
export function isoLocal(ms: number, offsetMinutes: number, withOffset: boolean): string {
  const w = wall(ms, offsetMinutes);
  const base = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
  if (!withOffset) return base;
  const abs = Math.abs(offsetMinutes);
  return `${base}${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Epoch ms of local midnight of the day holding `ms`. */
export function localMidnight(ms: number, offsetMinutes: number): number {
  const w = wall(ms, offsetMinutes);
  return Date.UTC(w.year, w.month - 1, w.day) - offsetMinutes * 60_000;
}

export abstract class CounterDevice {
  protected readonly opts: CounterEmulatorOptions;
  protected readonly offset: number;
  protected readonly guard: DigestGuard;
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #port = 0;
  #host: string;
  #outage: Outage = false;
  readonly crossings: Crossing[] = [];
  /** Requests answered (any status), by path. */
  readonly requests = new Map<string, number>();

  protected constructor(options: CounterEmulatorOptions, realm: string) {
    this.opts = options;
    this.offset = options.utcOffsetMinutes ?? 480;
    this.#host = options.host ?? '127.0.0.1';
    this.guard = new DigestGuard(realm, {
      username: options.username ?? 'admin',
      password: options.password ?? 'admin12345',
    });
  }

  get url(): string {
    return `http://${this.#host}:${this.#port}`;
  }

  /** Requests refused for bad credentials. */
  get authFailures(): number {
    return this.guard.refused;
  }

  now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Counts `n` people crossing in `dir` at `ts` (default now). */
  count(dir: 'in' | 'out', n = 1, ts = this.now()): void {
    this.crossings.push({ ts, dir, n });
    this.onCount(dir, n, ts);
  }

  /** Sum of crossings in [from, to). */
  sum(dir: 'in' | 'out', from: number, to: number): number {
    let s = 0;
    for (const c of this.crossings) if (c.dir === dir && c.ts >= from && c.ts < to) s += c.n;
    return s;
  }

  /**
   * `refuse`: the camera is gone (listener closed, connections dropped); `unavailable`: it
   * answers 503; false: back (on the same port).
   */
  async setOutage(outage: Outage): Promise<void> {
    this.#outage = outage;
    if (outage === 'refuse') {
      this.dropClients();
      await this.#close();
    } else if (!this.#server) {
      await this.#listen(this.#port);
    }
    if (outage === 'unavailable') this.dropClients();
  }

  /** Drops every open connection (a camera reboot); the server keeps listening. */
  dropClients(): void {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
  }

  async close(): Promise<void> {
    this.dropClients();
    await this.#close();
  }

  protected async listen(): Promise<void> {
    await this.#listen(this.opts.port ?? 0);
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse, body: string): void;
  protected onCount(_dir: 'in' | 'out', _n: number, _ts: number): void {}

  async #listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
      if (this.#outage === 'unavailable') {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
        return;
      }
      if (!this.guard.check(req, res)) return;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.#host, () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  async #close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
