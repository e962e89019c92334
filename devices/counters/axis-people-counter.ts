/**
 * AXIS People Counter (VAPIX, digest auth) → `door.crossing` events.
 *
 * Live: polls `GET /local/tvpc/.api?live-sum.json` every `pollMs`; `in`/`out` are the
 * camera's counts since its midnight. Between two polls of the same day that are less than
 * `maxLiveGapMs` apart, the people counted in between crossed in [previous poll, this poll):
 * one event each (see count-ledger.ts), ts = the previous poll's camera time, `period` = the
 * poll interval.
 *
 * Backfill: whatever the live path could not attribute (the first poll after start, polls
 * further apart than maxLiveGapMs after an outage, a day change) marks the camera's day dirty;
 * the driver then reads the day's history (`export-csv&date=YYYYMMDD&res=15m`) and sends the
 * people of each closed 15-minute interval that were not sent yet, ts = interval start and
 * `period` = 15 min, so they count in the bucket of their own time. It repeats every
 * `backfillEveryMs` until a closed interval reaches past the break. A person is the same
 * ordinal in live and history, so nothing counts twice, also across gateway restarts.
 *
 * Health: link state (connected / disconnected / error with the fix for 401), the last
 * counts in the status detail, and a `device.status` event every `statusEveryMs` carrying
 * the camera's clock, from which the gateway shows its skew.
 */
import type { Logger } from 'pino';
import {
  AXIS_TVPC_PATH,
  type AxisLiveSum,
  type DeviceEvent,
  localDayKey,
  parseAxisHistoryCsv,
  parseAxisLiveSum,
  type RejectCode,
} from '../../protocols/index.js';
import { Backoff, type BackoffOptions, sleep } from '../backoff.js';
import { DriverConfigError, SourceStateError } from '../errors.js';
import { type Credentials, DigestClient, readBody } from '../http/digest-client.js';
import { EventOutbox, type OutboxOptions } from '../outbox.js';
import type { DriverContext, Source, SourceState } from '../source.js';
import { type CrossingSite, DirtyDays, OrdinalLedger, ordinalCrossings } from './count-ledger.js';
import { CounterLink, checkTimeZone } from './counter-link.js';

export interface AxisPeopleCounterOptions {
  /** Camera base URL, e.g. `http://192.168.0.90`. */
  readonly url: string;
  readonly auth: Credentials;
  readonly door: string;
  readonly zone: string;
  /** IANA zone of the camera's clock (its times carry no offset). */
  readonly timeZone: string;
  /** Default 5 s. */
  readonly pollMs?: number;
  /** Default max(3 × pollMs, 30 s). */
  readonly maxLiveGapMs?: number;
  /** Default 60 s. */
  readonly backfillEveryMs?: number;
  /** Default 60 s. */
  readonly statusEveryMs?: number;
  /** Default 10 s. */
  readonly timeoutMs?: number;
  /** Default 5 min. */
  readonly skewBoundMs?: number;
  readonly rejectUnauthorized?: boolean;
  readonly backoff?: BackoffOptions;
  readonly outbox?: OutboxOptions;
  readonly drainMs?: number;
}

export interface PeopleCounterStats {
  readonly polls: number;
  readonly failures: number;
  readonly liveIn: number;
  readonly liveOut: number;
  readonly backfilledIn: number;
  readonly backfilledOut: number;
  readonly backfills: number;
  readonly rejected: Readonly<Partial<Record<RejectCode, number>>>;
}

const DAY_MS = 86_400_000;

export class AxisPeopleCounter implements Source {
  readonly device: string;
  readonly #ctx: DriverContext;
  readonly #opts: AxisPeopleCounterOptions;
  readonly #log: Logger;
  readonly #outbox: EventOutbox;
  readonly #backoff: Backoff;
  readonly #halt = new AbortController();
  readonly #ledger = new OrdinalLedger();
  readonly #dirty = new DirtyDays();
  readonly #link: CounterLink;
  readonly #http: DigestClient;
  readonly #site: CrossingSite;
  #state: 'new' | 'started' | 'stopped' = 'new';
  #stopping: Promise<void> | undefined;
  #loop: Promise<void> | undefined;
  #prev: AxisLiveSum | undefined;
  #lastBackfill = Number.NEGATIVE_INFINITY;
  #polls = 0;
  #failures = 0;
  #liveIn = 0;
  #liveOut = 0;
  #backIn = 0;
  #backOut = 0;
  #backfills = 0;
  readonly #rejected: Partial<Record<RejectCode, number>> = {};

  constructor(ctx: DriverContext, options: AxisPeopleCounterOptions) {
    this.device = ctx.device;
    this.#ctx = ctx;
    this.#opts = options;
    this.#log = ctx.log.child({ component: 'axis-people-counter', device: ctx.device });
    this.#outbox = new EventOutbox(ctx, this.#log, { maxPending: 50_000, ...options.outbox });
    this.#backoff = new Backoff(options.backoff);
    this.#http = new DigestClient(options.auth);
    this.#site = {
      device: ctx.device,
      door: options.door,
      zone: options.zone,
      idPrefix: '',
      skewBoundMs: options.skewBoundMs ?? 5 * 60_000,
    };
    this.#link = new CounterLink(ctx, 'AXIS People Counter', options.statusEveryMs ?? 60_000);
  }

  get stats(): PeopleCounterStats {
    return {
      polls: this.#polls,
      failures: this.#failures,
      liveIn: this.#liveIn,
      liveOut: this.#liveOut,
      backfilledIn: this.#backIn,
      backfilledOut: this.#backOut,
      backfills: this.#backfills,
      rejected: { ...this.#rejected },
    };
  }

  async start(signal: AbortSignal): Promise<void> {
    if (this.#state !== 'new') throw new SourceStateError(`people counter ${this.device} was already started`);
    let base: URL;
    try {
      base = new URL(this.#opts.url);
    } catch {
      throw new DriverConfigError(`people counter ${this.device}: bad url ${JSON.stringify(this.#opts.url)}`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new DriverConfigError(`people counter ${this.device}: url must be http(s), got ${base.protocol}`);
    }
    checkTimeZone(this.device, this.#opts.timeZone);
    this.#state = 'started';
    if (signal.aborted) {
      await this.stop();
      return;
    }
    signal.addEventListener('abort', () => void this.stop(), { once: true });
    this.#link.set('connecting');
    this.#loop = this.#run(base);
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#state = 'stopped';
    this.#halt.abort();
    try {
      await this.#loop;
      await this.#outbox.drain(this.#opts.drainMs ?? 2000);
    } catch (err) {
      this.#log.warn({ err }, 'stop failed');
    } finally {
      this.#outbox.close();
      this.#link.set('disconnected', 'stopped');
    }
  }

  #url(base: URL, query: string): URL {
    const u = new URL(AXIS_TVPC_PATH, base);
    u.search = `?${query}`;
    return u;
  }

  async #run(base: URL): Promise<void> {
    const halt = this.#halt.signal;
    const pollMs = this.#opts.pollMs ?? 5000;
    while (!halt.aborted) {
      const ok = await this.#poll(base);
      if (halt.aborted) break;
      if (ok) {
        this.#backoff.reset();
        await this.#maybeBackfill(base);
      }
      await sleep(ok ? pollMs : this.#backoff.next(), halt);
    }
  }

  /** One live-sum poll; false when the camera could not be read (link state set). */
  async #poll(base: URL): Promise<boolean> {
    const url = this.#url(base, 'live-sum.json');
    const text = await this.#get(url);
    if (text === undefined) return false;
    this.#polls++;
    const parsed = parseAxisLiveSum(text, this.#opts.timeZone);
    if (!parsed.ok) {
      this.#rejectInput(parsed.code, parsed.reason, text);
      // The camera answers, but not with counts: the link is up, the data is not.
      this.#link.set('connected', `bad answer from live-sum.json (${parsed.code})`);
      return true;
    }
    this.#onLiveSum(parsed.value, this.#ctx.clock.now());
    return true;
  }

  /** GET → body text of a 200; undefined (and link state) on any failure. */
  async #get(url: URL): Promise<string | undefined> {
    const timeoutMs = this.#opts.timeoutMs ?? 10_000;
    try {
      const r = await this.#http.request({
        method: 'GET',
        url,
        timeoutMs,
        ...(this.#opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: this.#opts.rejectUnauthorized } : {}),
      });
      if (r.status !== 200) {
        r.res.resume();
        this.#fail(r.status === 401 || r.status === 403 ? 'error' : 'disconnected', httpDetail(r.status, url));
        return undefined;
      }
      return await readBody(r, 4 * 1024 * 1024, timeoutMs);
    } catch (err) {
      this.#fail('disconnected', `${url.pathname}: ${(err as Error).message}`);
      return undefined;
    }
  }

  #fail(state: SourceState, detail: string): void {
    this.#failures++;
    if (this.#link.state !== state || this.#link.detail !== detail) {
      this.#log.warn({ state, detail }, 'people counter unreachable');
    }
    this.#link.set(state, detail);
  }

  #onLiveSum(cur: AxisLiveSum, rxTs: number): void {
    const prev = this.#prev;
    const maxGap = this.#opts.maxLiveGapMs ?? Math.max(3 * (this.#opts.pollMs ?? 5000), 30_000);
    const events: DeviceEvent[] = [];
    if (prev && prev.day === cur.day && cur.ts >= prev.ts && cur.ts - prev.ts <= maxGap) {
      if (cur.in < prev.in || cur.out < prev.out) {
        // Counting data cleared on the camera: ordinals start over and would collide.
        this.#log.warn({ day: cur.day, prev: [prev.in, prev.out], now: [cur.in, cur.out] }, 'counter went down');
        this.#dirty.mark(cur.day, cur.ts);
      } else {
        const period = cur.ts - prev.ts;
        const fIn = this.#ledger.take(cur.day, 'in', prev.in, cur.in);
        const fOut = this.#ledger.take(cur.day, 'out', prev.out, cur.out);
        const eIn = ordinalCrossings(this.#site, cur.day, 'in', fIn, prev.ts, period, rxTs);
        const eOut = ordinalCrossings(this.#site, cur.day, 'out', fOut, prev.ts, period, rxTs);
        this.#liveIn += eIn.length;
        this.#liveOut += eOut.length;
        events.push(...eIn, ...eOut);
      }
    } else {
      // Start, an outage or a day change: history attributes what happened meanwhile.
      if (prev && prev.day !== cur.day) this.#dirty.mark(prev.day, prev.ts);
      this.#dirty.mark(cur.day, cur.ts);
      this.#log.info({ day: cur.day, in: cur.in, out: cur.out, since: prev?.ts }, 'live counts rebased, backfill due');
    }
    this.#prev = cur;
    this.#link.seen(cur.ts, rxTs, `in ${cur.in} out ${cur.out} today`, `tvpc ${cur.serial}`.trim());
    const status = this.#link.heartbeat(rxTs);
    if (status) events.push(status);
    this.#outbox.push(events);
    this.#ledger.prune((unit) => unit >= localDayKey(cur.ts - 2 * DAY_MS, this.#opts.timeZone));
  }

  async #maybeBackfill(base: URL): Promise<void> {
    const prev = this.#prev;
    if (this.#dirty.size === 0 || !prev) return;
    const now = this.#ctx.clock.now();
    if (now - this.#lastBackfill < (this.#opts.backfillEveryMs ?? 60_000)) return;
    this.#lastBackfill = now;
    for (const [day] of this.#dirty.list()) {
      if (this.#halt.signal.aborted) return;
      const text = await this.#get(this.#url(base, `export-csv&date=${day}&res=15m`));
      if (text === undefined) return; // link state set; try again next round
      this.#backfills++;
      const parsed = parseAxisHistoryCsv(text, this.#opts.timeZone);
      if (!parsed.ok) {
        this.#rejectInput(parsed.code, parsed.reason, text);
        continue;
      }
      for (const r of parsed.value.rejected) this.#rejectInput(r.code, r.reason, undefined);
      this.#applyHistory(day, parsed.value.rows, prev);
    }
  }

  #applyHistory(
    day: string,
    rows: readonly { start: number; end: number; in: number; out: number }[],
    now: AxisLiveSum,
  ) {
    const rxTs = this.#ctx.clock.now();
    const events: DeviceEvent[] = [];
    let cumIn = 0;
    let cumOut = 0;
    let closedUntil = Number.NEGATIVE_INFINITY;
    for (const row of rows) {
      if (localDayKey(row.start, this.#opts.timeZone) !== day) continue;
      // Only closed intervals: the one in progress is still counting.
      if (row.end > now.ts) break;
      const period = row.end - row.start;
      const fIn = this.#ledger.take(day, 'in', cumIn, cumIn + row.in);
      const fOut = this.#ledger.take(day, 'out', cumOut, cumOut + row.out);
      const eIn = ordinalCrossings(this.#site, day, 'in', fIn, row.start, period, rxTs);
      const eOut = ordinalCrossings(this.#site, day, 'out', fOut, row.start, period, rxTs);
      this.#backIn += eIn.length;
      this.#backOut += eOut.length;
      events.push(...eIn, ...eOut);
      cumIn += row.in;
      cumOut += row.out;
      closedUntil = row.end;
    }
    if (events.length > 0) this.#log.info({ day, in: this.#backIn, out: this.#backOut }, 'history backfilled');
    this.#outbox.push(events);
    this.#dirty.settle(day, closedUntil, day < now.day);
  }

  #rejectInput(code: RejectCode, reason: string, text: string | undefined): void {
    this.#rejected[code] = (this.#rejected[code] ?? 0) + 1;
    this.#ctx.reject({ code, reason, ...(text !== undefined ? { raw: Buffer.from(text.slice(0, 4096)) } : {}) });
  }
}

export function httpDetail(status: number, url: URL): string {
  const hint = status === 401 || status === 403 ? ' (check the camera user name and password)' : '';
  return `HTTP ${status} from ${url.pathname}${hint}`;
}
