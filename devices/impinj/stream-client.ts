/**
 * Client of an Impinj R700/R720 reader's HTTP event stream (`GET /api/v1/data/stream`):
 * newline-delimited JSON events, with CR LF keep-alives while nothing happens. Tag reads are
 * mapped antenna → zone and folded into one `tag.seen` per (epc, zone, second). The reader
 * has a clock (NTP), so reads keep its time; the gateway checks the skew.
 *
 * The stream can die without the socket noticing (a switch in between, a reader stuck), so
 * a stall watchdog aborts it when no byte (keep-alives count) has come for `stallMs`, and
 * the client reconnects with backoff. It does not start the reader's inventory: that is the
 * reader's own configuration (an inventory preset started at boot).
 */
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ImpinjStreamParser, type RejectCode } from '../../protocols/index.js';
import type { BackoffOptions } from '../backoff.js';
import { DriverConfigError, StreamError } from '../errors.js';
import { DriverLifecycle, type LoopStep, loopStep } from '../lifecycle.js';
import type { OutboxOptions } from '../outbox.js';
import type { DriverContext } from '../source.js';
import { parseAntennaMap, TagFolder } from '../tags.js';

export const IMPINJ_STREAM_PATH = '/api/v1/data/stream';

export interface ImpinjStreamOptions {
  /** The reader's base URL, e.g. `https://impinj-14-56-c3` (the stream path is added). */
  readonly url: string;
  /** Antenna port ("1"…"64") → zone. */
  readonly antennas: Readonly<Record<string, string>>;
  /** HTTP basic auth (the reader's REST user). */
  readonly auth?: { readonly username: string; readonly password: string };
  /** For https with the reader's self-signed certificate. Default true. */
  readonly rejectUnauthorized?: boolean;
  /** No byte for this long = stalled: abort and reconnect. Default 90 s. */
  readonly stallMs?: number;
  readonly backoff?: BackoffOptions;
  /** How often closed seconds are folded and sent. Default 1 s. */
  readonly flushMs?: number;
  /** Longest a read waits for its second to close when no later read comes. Default 2 s. */
  readonly holdMs?: number;
  readonly outbox?: OutboxOptions;
  readonly drainMs?: number;
}

export interface ImpinjStreamStats {
  readonly connects: number;
  readonly stalls: number;
  readonly reads: number;
  readonly unmappedReads: number;
  readonly tagEvents: number;
  readonly rejected: Readonly<Partial<Record<RejectCode, number>>>;
}

interface ImpinjPlan {
  readonly url: URL;
  readonly antennas: ReadonlyMap<number, string>;
}

export class ImpinjStreamClient extends DriverLifecycle<ImpinjPlan> {
  readonly #opts: ImpinjStreamOptions;
  readonly #parser = new ImpinjStreamParser();
  #antennas: ReadonlyMap<number, string> = new Map();
  #folder: TagFolder | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  #req: ClientRequest | undefined;
  #connects = 0;
  #stalls = 0;
  #reads = 0;
  #unmapped = 0;
  readonly #rejected: Partial<Record<RejectCode, number>> = {};

  constructor(ctx: DriverContext, options: ImpinjStreamOptions) {
    super(ctx, {
      component: 'impinj-stream',
      label: 'Impinj stream',
      backoff: options.backoff,
      outbox: options.outbox,
      drainMs: options.drainMs,
    });
    this.#opts = options;
  }

  get stats(): ImpinjStreamStats {
    return {
      connects: this.#connects,
      stalls: this.#stalls,
      reads: this.#reads,
      unmappedReads: this.#unmapped,
      tagEvents: this.#folder?.events ?? 0,
      rejected: { ...this.#rejected },
    };
  }

  protected override get reconnects(): number {
    return Math.max(0, this.#connects - 1);
  }

  protected prepare(): ImpinjPlan {
    let url: URL;
    try {
      url = new URL(IMPINJ_STREAM_PATH, this.#opts.url);
    } catch {
      throw new DriverConfigError(`Impinj stream ${this.device}: bad url ${JSON.stringify(this.#opts.url)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new DriverConfigError(`Impinj stream ${this.device}: url must be http(s), got ${url.protocol}`);
    }
    const { map, bad } = parseAntennaMap(this.#opts.antennas, 1, 64);
    if (bad.length > 0) {
      throw new DriverConfigError(`Impinj stream ${this.device}: antenna ports must be 1–64; bad: ${bad.join(', ')}`);
    }
    return { url, antennas: map };
  }

  protected async begin(plan: ImpinjPlan): Promise<void> {
    this.#antennas = plan.antennas;
    const folder = new TagFolder(this.outbox, {
      device: this.device,
      idPrefix: String(this.ctx.clock.now()),
      flags: 0,
      deviceTime: true,
      ...(this.#opts.holdMs !== undefined ? { holdMs: this.#opts.holdMs } : {}),
    });
    this.#folder = folder;
    this.#flushTimer = setInterval(() => folder.flush(this.ctx.clock.now()), this.#opts.flushMs ?? 1000);
    this.startLoop((halted) => this.#connection(plan.url, halted));
  }

  protected override release(): void {
    this.#req?.destroy();
  }

  protected override async finish(): Promise<void> {
    if (this.#flushTimer) clearInterval(this.#flushTimer);
    this.#folder?.flush(this.ctx.clock.now(), true);
  }

  /** One connection to its end; a lost stream backs off (an HTTP error status too: it may be fixed). */
  async #connection(url: URL, halted: AbortSignal): Promise<LoopStep> {
    this.report('connecting');
    const err = await this.#once(url);
    if (halted.aborted) return loopStep.backoff;
    const state = err.code === 'stream-http-status' ? 'error' : 'disconnected';
    this.log.warn({ err, url: url.href }, 'impinj stream lost');
    this.report(state, err.message);
    return loopStep.backoff;
  }

  /** One connection, from request to its end; resolves with why it ended. */
  #once(url: URL): Promise<StreamError> {
    return new Promise((resolve) => {
      let settled = false;
      let stall: NodeJS.Timeout | undefined;
      const finish = (err: StreamError): void => {
        if (settled) return;
        settled = true;
        if (stall) clearTimeout(stall);
        this.#req = undefined;
        req.destroy();
        resolve(err);
      };
      const stallMs = this.#opts.stallMs ?? 90_000;
      let lastByte = Date.now();
      const watch = (): void => {
        const quiet = Date.now() - lastByte;
        if (quiet >= stallMs) {
          this.#stalls++;
          finish(new StreamError('stream-stalled', `no byte for ${quiet} ms`));
          return;
        }
        stall = setTimeout(watch, stallMs - quiet);
      };
      const headers: Record<string, string> = { accept: 'application/json' };
      if (this.#opts.auth) {
        const { username, password } = this.#opts.auth;
        headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
      }
      const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = request(url, {
        method: 'GET',
        headers,
        ...(url.protocol === 'https:' ? { rejectUnauthorized: this.#opts.rejectUnauthorized ?? true } : {}),
      });
      this.#req = req;
      // The watchdog also covers a reader that accepts the connection and never answers.
      stall = setTimeout(watch, stallMs);
      req.on('error', (e) => finish(new StreamError('stream-ended', `request failed: ${e.message}`, { cause: e })));
      req.on('response', (res: IncomingMessage) => {
        lastByte = Date.now();
        if (res.statusCode !== 200) {
          const hint = res.statusCode === 401 || res.statusCode === 403 ? ' (check the reader user and password)' : '';
          res.resume();
          finish(new StreamError('stream-http-status', `HTTP ${res.statusCode ?? '?'} from ${url.href}${hint}`));
          return;
        }
        this.#connects++;
        this.backoff.reset();
        this.#parser.reset();
        this.log.info({ url: url.href, reconnects: this.#connects - 1 }, 'impinj stream connected');
        this.report('connected');
        res.on('data', (chunk: Buffer) => {
          lastByte = Date.now();
          this.#onData(chunk);
        });
        res.on('end', () => finish(new StreamError('stream-ended', 'the reader ended the stream')));
        res.on('error', (e) => finish(new StreamError('stream-ended', `stream failed: ${e.message}`, { cause: e })));
        res.on('close', () => finish(new StreamError('stream-ended', 'stream closed')));
      });
      req.end();
    });
  }

  #onData(chunk: Buffer): void {
    const batch = this.#parser.push(chunk);
    for (const r of batch.rejected) {
      this.#rejected[r.code] = (this.#rejected[r.code] ?? 0) + 1;
      this.ctx.reject({ code: r.code, reason: r.reason });
    }
    if (batch.reads.length === 0) return;
    const rxTs = this.ctx.clock.now();
    for (const r of batch.reads) {
      const zone = this.#antennas.get(r.antennaPort);
      if (zone === undefined) {
        this.#unmapped++;
        continue;
      }
      this.#reads++;
      this.#folder?.add({ epc: r.epc, zone, rssi: r.rssiDbm, ts: r.ts }, rxTs);
    }
  }
}
