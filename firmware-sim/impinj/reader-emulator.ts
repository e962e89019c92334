/**
 * An Impinj R700-style reader's IoT Device Interface outputs (protocols/impinj.ts): the HTTP
 * event stream (`GET /api/v1/data/stream`, newline-delimited JSON with CR LF keep-alives)
 * and webhook batches (`POST` of a JSON array). Events are shaped like the reader's own:
 * base64 `epc` (plus `epcHex` when asked), `peakRssiCdbm` in centi-dBm, RFC 3339 times with
 * nanoseconds.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const STREAM_PATH = '/api/v1/data/stream';

export interface EmulatedRead {
  /** Hex EPC. */
  readonly epc: string;
  readonly antennaPort: number;
  readonly rssiDbm: number;
  /** Epoch ms. */
  readonly ts: number;
}

export type ImpinjEvent = Record<string, unknown>;

/** A `tagInventory` event as the reader emits it. */
export function impinjTagEvent(read: EmulatedRead, options: { hostname?: string; epcHex?: boolean } = {}): ImpinjEvent {
  const epcBytes = Buffer.from(read.epc, 'hex');
  const timestamp = `${new Date(read.ts).toISOString().slice(0, -1)}123456Z`; // nanosecond digits, as the reader sends
  return {
    timestamp,
    hostname: options.hostname ?? 'impinj-sim',
    eventType: 'tagInventory',
    tagInventoryEvent: {
      epc: epcBytes.toString('base64'),
      ...(options.epcHex ? { epcHex: read.epc.toUpperCase() } : {}),
      antennaPort: read.antennaPort,
      antennaName: `Antenna ${read.antennaPort}`,
      peakRssiCdbm: Math.round(read.rssiDbm * 100),
      frequency: 920_625,
      transmitPowerCdbm: 3000,
      lastSeenTime: new Date(read.ts).toISOString(),
    },
  };
}

export interface ImpinjReaderEmulatorOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** CR LF sent while no event is due. Default 1 s. */
  readonly keepAliveMs?: number;
  readonly hostname?: string;
  /** Require HTTP basic auth. */
  readonly auth?: { readonly username: string; readonly password: string };
}

export class ImpinjReaderEmulator {
  readonly #opts: ImpinjReaderEmulatorOptions;
  readonly #server: Server;
  readonly #streams = new Set<ServerResponse>();
  #keepAlive: NodeJS.Timeout | undefined;
  #silent = false;
  #connections = 0;
  #url = '';

  private constructor(options: ImpinjReaderEmulatorOptions) {
    this.#opts = options;
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  static async start(options: ImpinjReaderEmulatorOptions = {}): Promise<ImpinjReaderEmulator> {
    const emu = new ImpinjReaderEmulator(options);
    await new Promise<void>((resolve, reject) => {
      emu.#server.once('error', reject);
      emu.#server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const addr = emu.#server.address() as AddressInfo;
    emu.#url = `http://${addr.address}:${addr.port}`;
    emu.#keepAlive = setInterval(() => {
      if (!emu.#silent) for (const s of emu.#streams) s.write('\r\n');
    }, options.keepAliveMs ?? 1000);
    return emu;
  }

  /** Base URL, e.g. http://127.0.0.1:40123. */
  get url(): string {
    return this.#url;
  }

  /** Stream clients connected now. */
  get clients(): number {
    return this.#streams.size;
  }

  /** Stream connections accepted since start. */
  get connections(): number {
    return this.#connections;
  }

  /** A silent reader keeps its connections open but sends nothing, not even keep-alives. */
  set silent(value: boolean) {
    this.#silent = value;
  }

  /** Writes events to every stream client (dropped while silent). Returns clients written to. */
  emit(events: readonly ImpinjEvent[]): number {
    if (this.#silent || events.length === 0) return 0;
    const text = events.map((e) => `${JSON.stringify(e)}\r\n`).join('');
    for (const s of this.#streams) s.write(text);
    return this.#streams.size;
  }

  /** Writes raw text to every stream client (for malformed lines). */
  emitRaw(text: string): void {
    if (!this.#silent) for (const s of this.#streams) s.write(text);
  }

  /** Ends every stream connection (a reader reboot), the server keeps listening. */
  dropClients(): void {
    for (const s of this.#streams) s.destroy();
    this.#streams.clear();
  }

  async close(): Promise<void> {
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    this.dropClients();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const auth = this.#opts.auth;
    if (auth) {
      const want = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      if (req.headers.authorization !== want) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="impinj"' }).end();
        return;
      }
    }
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== STREAM_PATH) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
      return;
    }
    this.#connections++;
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache' });
    res.flushHeaders();
    this.#streams.add(res);
    res.on('close', () => this.#streams.delete(res));
  }
}

/**
 * POSTs a webhook batch as the reader does: a JSON array of events (anything, to send broken
 * events too), or a raw body (to send broken JSON). Resolves with the answer's status and body.
 */
export function postImpinjWebhook(
  url: string,
  body: readonly unknown[] | string,
): Promise<{ status: number; body: string }> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (s: string) => {
        text += s;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.end(payload);
  });
}
