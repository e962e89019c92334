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
import {
  AXIS_TVPC_PATH,
  type AxisLiveSum,
  type DeviceEvent,
  localDayKey,
  parseAxisHistoryCsv,
  parseAxisLiveSum,
} from '../../protocols/index.js';
import { readBody } from '../http/digest-client.js';
import { type LoopStep, loopStep } from '../lifecycle.js';
import type { DriverContext, SourceState } from '../source.js';
import { ordinalCrossings } from './count-ledger.js';
import { httpDetail, type PeopleCounterOptions, PeopleCounterSource } from './people-counter.js';

export interface AxisPeopleCounterOptions extends PeopleCounterOptions {
  /** Default 5 s. */
  readonly pollMs?: number;
  /** Default max(3 × pollMs, 30 s). */
  readonly maxLiveGapMs?: number;
}

const DAY_MS = 86_400_000;

export class AxisPeopleCounter extends PeopleCounterSource {
  readonly #axis: AxisPeopleCounterOptions;
  #prev: AxisLiveSum | undefined;
  #lastBackfill = Number.NEGATIVE_INFINITY;

  constructor(ctx: DriverContext, options: AxisPeopleCounterOptions) {
    super(ctx, options, { component: 'axis-people-counter', product: 'AXIS People Counter', idPrefix: '' });
    this.#axis = options;
  }

  protected async begin(base: URL): Promise<void> {
    this.link.set('connecting');
    this.startLoop((halted) => this.#round(base, halted));
  }

  /** One poll, and the backfill due after a good one. */
  async #round(base: URL, halted: AbortSignal): Promise<LoopStep> {
    const ok = await this.#poll(base);
    if (halted.aborted || !ok) return loopStep.backoff;
    await this.#maybeBackfill(base);
    return loopStep.wait(this.#axis.pollMs ?? 5000);
  }

  #url(base: URL, query: string): URL {
    const u = new URL(AXIS_TVPC_PATH, base);
    u.search = `?${query}`;
    return u;
  }

  /** One live-sum poll; false when the camera could not be read (link state set). */
  async #poll(base: URL): Promise<boolean> {
    const url = this.#url(base, 'live-sum.json');
    const text = await this.#get(url);
    if (text === undefined) return false;
    this.tally.polls++;
    const parsed = parseAxisLiveSum(text, this.opts.timeZone);
    if (!parsed.ok) {
      this.rejectInput(parsed.code, parsed.reason, text);
      // The camera answers, but not with counts: the link is up, the data is not.
      this.link.set('connected', `bad answer from live-sum.json (${parsed.code})`);
      return true;
    }
    this.#onLiveSum(parsed.value, this.ctx.clock.now());
    return true;
  }

  /** GET → body text of a 200; undefined (and link state) on any failure. */
  async #get(url: URL): Promise<string | undefined> {
    try {
      const r = await this.request({ method: 'GET', url });
      if (r.status !== 200) {
        r.res.resume();
        this.#fail(r.status === 401 || r.status === 403 ? 'error' : 'disconnected', httpDetail(r.status, url));
        return undefined;
      }
      return await readBody(r, 4 * 1024 * 1024, this.timeoutMs);
    } catch (err) {
      this.#fail('disconnected', `${url.pathname}: ${(err as Error).message}`);
      return undefined;
    }
  }

  #fail(state: SourceState, detail: string): void {
    this.tally.failures++;
    if (this.link.state !== state || this.link.detail !== detail) {
      this.log.warn({ state, detail }, 'people counter unreachable');
    }
    this.link.set(state, detail);
  }

  #onLiveSum(cur: AxisLiveSum, rxTs: number): void {
    const prev = this.#prev;
    const maxGap = this.#axis.maxLiveGapMs ?? Math.max(3 * (this.#axis.pollMs ?? 5000), 30_000);
    const events: DeviceEvent[] = [];
    if (prev && prev.day === cur.day && cur.ts >= prev.ts && cur.ts - prev.ts <= maxGap) {
      if (cur.in < prev.in || cur.out < prev.out) {
        // Counting data cleared on the camera: ordinals start over and would collide.
        this.log.warn({ day: cur.day, prev: [prev.in, prev.out], now: [cur.in, cur.out] }, 'counter went down');
        this.dirty.mark(cur.day, cur.ts);
      } else {
        const period = cur.ts - prev.ts;
        const fIn = this.ledger.take(cur.day, 'in', prev.in, cur.in);
        const fOut = this.ledger.take(cur.day, 'out', prev.out, cur.out);
        const eIn = ordinalCrossings(this.site, cur.day, 'in', fIn, prev.ts, period, rxTs);
        const eOut = ordinalCrossings(this.site, cur.day, 'out', fOut, prev.ts, period, rxTs);
        this.tally.liveIn += eIn.length;
        this.tally.liveOut += eOut.length;
        events.push(...eIn, ...eOut);
      }
    } else {
      // Start, an outage or a day change: history attributes what happened meanwhile.
      if (prev && prev.day !== cur.day) this.dirty.mark(prev.day, prev.ts);
      this.dirty.mark(cur.day, cur.ts);
      this.log.info({ day: cur.day, in: cur.in, out: cur.out, since: prev?.ts }, 'live counts rebased, backfill due');
    }
    this.#prev = cur;
    this.link.seen(cur.ts, rxTs, `in ${cur.in} out ${cur.out} today`, `tvpc ${cur.serial}`.trim());
    const status = this.link.heartbeat(rxTs);
    if (status) events.push(status);
    this.outbox.push(events);
    this.ledger.prune((unit) => unit >= localDayKey(cur.ts - 2 * DAY_MS, this.opts.timeZone));
  }

  async #maybeBackfill(base: URL): Promise<void> {
    const prev = this.#prev;
    if (this.dirty.size === 0 || !prev) return;
    const now = this.ctx.clock.now();
    if (now - this.#lastBackfill < (this.opts.backfillEveryMs ?? 60_000)) return;
    this.#lastBackfill = now;
    for (const [day] of this.dirty.list()) {
      if (this.halted.aborted) return;
      const text = await this.#get(this.#url(base, `export-csv&date=${day}&res=15m`));
      if (text === undefined) return; // link state set; try again next round
      this.tally.backfills++;
      const parsed = parseAxisHistoryCsv(text, this.opts.timeZone);
      if (!parsed.ok) {
        this.rejectInput(parsed.code, parsed.reason, text);
        continue;
      }
      for (const r of parsed.value.rejected) this.rejectInput(r.code, r.reason, undefined);
      this.#applyHistory(day, parsed.value.rows, prev);
    }
  }

  #applyHistory(
    day: string,
    rows: readonly { start: number; end: number; in: number; out: number }[],
    now: AxisLiveSum,
  ) {
    const rxTs = this.ctx.clock.now();
    const events: DeviceEvent[] = [];
    let cumIn = 0;
    let cumOut = 0;
    let closedUntil = Number.NEGATIVE_INFINITY;
    for (const row of rows) {
      if (localDayKey(row.start, this.opts.timeZone) !== day) continue;
      // Only closed intervals: the one in progress is still counting.
      if (row.end > now.ts) break;
      const before = { in: cumIn, out: cumOut };
      events.push(...this.historyCrossings(day, row.start, row.end - row.start, before, row, rxTs));
      cumIn += row.in;
      cumOut += row.out;
      closedUntil = row.end;
    }
    if (events.length > 0)
      this.log.info({ day, in: this.tally.backfilledIn, out: this.tally.backfilledOut }, 'history backfilled');
    this.outbox.push(events);
    this.dirty.settle(day, closedUntil, day < now.day);
  }
}
