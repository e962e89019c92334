/**
 * Hikvision people counting camera (ISAPI, digest auth) → `door.crossing` events.
 *
 * Live: `GET /ISAPI/Event/notification/alertStream` stays open; its multipart parts are
 * EventNotificationAlert XML (protocols/hikvision-isapi.ts). PeopleCounting alerts of the
 * configured channel give counts; every other alert (the `videoloss` heartbeat of an idle
 * camera) keeps the stall watchdog quiet. The stream reconnects with backoff.
 *
 * - `realTime` alerts carry today's counts so far, sent on each change: while the stream
 *   stays connected, the increase since the previous alert is one event per person at the
 *   alert's time. The first alert on a connection (or after the driver started) only sets the
 *   base and marks the day for backfill.
 * - `timeRange` alerts carry the counts of one statistics period: one event per person with
 *   ts = period start and `period` = its length; persons are numbered within the period's hour
 *   in arrival order. A period that does not follow the previous one (start, outage) marks
 *   the day for backfill.
 *
 * Backfill: `POST /ISAPI/System/Video/inputs/channels/{n}/counting/search` for the day
 * (reportType daily → hourly counts) sends the persons of each closed hour not sent yet, ts =
 * hour start, `period` = 1 h. The numbering matches the live path's (realTime: ordinal in
 * the day; timeRange: ordinal in the hour), so nothing counts twice; a live hour that missed
 * a period numbered its persons too low, and the hour's backfill adds exactly the missing
 * ones. The method is learnt from the alerts; backfill waits for the first one.
 */
import {
  type DeviceEvent,
  type HikvisionAlert,
  hikvisionCountingSearchXml,
  localDayKey,
  localFields,
  localHourKey,
  MultipartStreamParser,
  multipartBoundary,
  parseDayKey,
  parseHikvisionAlert,
  parseHikvisionCountingResult,
} from '../../protocols/index.js';
import { type HttpResponse, readBody } from '../http/digest-client.js';
import { type LoopStep, loopStep } from '../lifecycle.js';
import type { DriverContext, SourceState } from '../source.js';
import { ordinalCrossings } from './count-ledger.js';
import { httpDetail, type PeopleCounterOptions, PeopleCounterSource } from './people-counter.js';

export const HIKVISION_ALERT_STREAM_PATH = '/ISAPI/Event/notification/alertStream';

export function hikvisionCountingSearchPath(channel: number): string {
  return `/ISAPI/System/Video/inputs/channels/${channel}/counting/search`;
}

export interface HikvisionPeopleCounterOptions extends PeopleCounterOptions {
  /** Video input channel of the counting camera. Default 1. */
  readonly channel?: number;
  /** No byte (heartbeats count) for this long = stalled: reconnect. Default 60 s. */
  readonly stallMs?: number;
}

const DAY_MS = 86_400_000;
type Method = 'realTime' | 'timeRange';

export class HikvisionPeopleCounter extends PeopleCounterSource {
  readonly #hik: HikvisionPeopleCounterOptions;
  readonly #channel: number;
  #current: HttpResponse | undefined;
  #connection = 0;
  #method: Method | undefined;
  /** realTime: the last counts and the connection they came on. */
  #rt: { day: string; enter: number; exit: number; connection: number } | undefined;
  /** timeRange: where the previous period ended, and persons numbered so far per hour. */
  #lastPeriodEnd: number | undefined;
  readonly #hourNext = new Map<string, number>();
  #lastBackfill = Number.NEGATIVE_INFINITY;
  #backfilling = false;

  constructor(ctx: DriverContext, options: HikvisionPeopleCounterOptions) {
    const channel = options.channel ?? 1;
    super(ctx, options, {
      component: 'hikvision-people-counter',
      product: 'Hikvision ISAPI',
      idPrefix: `ch${channel}:`,
    });
    this.#hik = options;
    this.#channel = channel;
  }

  protected async begin(base: URL): Promise<void> {
    this.link.set('connecting');
    this.startLoop((halted) => this.#streamRound(base, halted));
  }

  protected override release(): void {
    this.#current?.destroy();
  }

  /** One alert stream connection; when it is lost, back off and connect again. */
  async #streamRound(base: URL, halted: AbortSignal): Promise<LoopStep> {
    const { state, detail } = await this.#stream(base);
    if (halted.aborted) return loopStep.backoff;
    this.tally.failures++;
    this.log.warn({ state, detail }, 'alert stream lost');
    this.link.set(state, detail);
    return loopStep.backoff;
  }

  /** One alert stream connection, to its end; resolves with the link state it left. */
  async #stream(base: URL): Promise<{ state: SourceState; detail: string }> {
    const url = new URL(HIKVISION_ALERT_STREAM_PATH, base);
    let r: HttpResponse;
    try {
      r = await this.request({ method: 'GET', url });
    } catch (err) {
      return { state: 'disconnected', detail: `${url.pathname}: ${(err as Error).message}` };
    }
    if (r.status !== 200) {
      r.res.resume();
      r.destroy();
      return {
        state: r.status === 401 || r.status === 403 ? 'error' : 'disconnected',
        detail: httpDetail(r.status, url),
      };
    }
    const boundary = multipartBoundary(r.headers['content-type']);
    if (!boundary) {
      r.destroy();
      this.rejectInput(
        'bad-frame',
        `alertStream answered ${r.headers['content-type'] ?? 'no content type'}`,
        undefined,
      );
      return { state: 'disconnected', detail: 'alertStream is not multipart/mixed' };
    }
    this.#current = r;
    this.#connection++;
    this.backoff.reset();
    this.link.set('connected', this.link.detail);
    const parser = new MultipartStreamParser(boundary);
    const base2 = base;
    return new Promise((resolve) => {
      let done = false;
      const stallMs = this.#hik.stallMs ?? 60_000;
      let lastByte = Date.now();
      let timer: NodeJS.Timeout;
      const onHalt = (): void => finish('stopped');
      const finish = (detail: string): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.halted.removeEventListener('abort', onHalt);
        this.#current = undefined;
        r.destroy();
        resolve({ state: 'disconnected', detail });
      };
      const watch = (): void => {
        const quiet = Date.now() - lastByte;
        if (quiet >= stallMs) finish(`no byte for ${quiet} ms`);
        else timer = setTimeout(watch, stallMs - quiet);
      };
      timer = setTimeout(watch, stallMs);
      r.res.on('data', (chunk: Buffer) => {
        lastByte = Date.now();
        const batch = parser.push(chunk);
        for (const rej of batch.rejected) this.rejectInput(rej.code, rej.reason, undefined);
        for (const part of batch.parts) this.#onPart(part.body);
        this.#maybeBackfill(base2);
      });
      r.res.once('end', () => finish('the camera ended the alert stream'));
      r.res.once('error', (err) => finish(`alert stream failed: ${err.message}`));
      r.res.once('close', () => finish('alert stream closed'));
      this.halted.addEventListener('abort', onHalt, { once: true });
    });
  }

  #onPart(xml: string): void {
    const rxTs = this.ctx.clock.now();
    const parsed = parseHikvisionAlert(xml, this.opts.timeZone);
    if (!parsed.ok) {
      this.rejectInput(parsed.code, parsed.reason, xml);
      return;
    }
    const alert = parsed.value;
    if (alert.channel !== undefined && alert.channel !== this.#channel) return;
    this.tally.polls++;
    const events: DeviceEvent[] = [];
    if (alert.kind === 'people-counting') {
      this.#method = alert.method;
      if (alert.method === 'realTime') this.#realTime(alert, rxTs, events);
      else this.#timeRange(alert, rxTs, events);
      this.link.seen(
        alert.dateTime,
        rxTs,
        `in ${alert.enter} out ${alert.exit} (${alert.method})`,
        `ch${this.#channel}`,
      );
    } else if (alert.dateTime !== undefined) {
      this.link.seen(alert.dateTime, rxTs, undefined, `ch${this.#channel}`);
    }
    const status = this.link.heartbeat(rxTs);
    if (status) events.push(status);
    this.outbox.push(events);
  }

  #realTime(a: Extract<HikvisionAlert, { method: 'realTime' }>, rxTs: number, out: DeviceEvent[]): void {
    const day = localDayKey(a.time, this.opts.timeZone);
    const rt = this.#rt;
    this.#rt = { day, enter: a.enter, exit: a.exit, connection: this.#connection };
    if (!rt || rt.connection !== this.#connection) {
      this.dirty.mark(day, a.time);
      return;
    }
    // A new day on a live stream: today's counts so far came after the previous alert.
    const fromIn = rt.day === day ? rt.enter : 0;
    const fromOut = rt.day === day ? rt.exit : 0;
    if (a.enter < fromIn || a.exit < fromOut) {
      this.log.warn({ day, before: [fromIn, fromOut], now: [a.enter, a.exit] }, 'counter went down');
      this.dirty.mark(day, a.time);
      return;
    }
    const eIn = ordinalCrossings(this.site, day, 'in', this.ledger.take(day, 'in', fromIn, a.enter), a.time, 0, rxTs);
    const eOut = ordinalCrossings(
      this.site,
      day,
      'out',
      this.ledger.take(day, 'out', fromOut, a.exit),
      a.time,
      0,
      rxTs,
    );
    this.tally.liveIn += eIn.length;
    this.tally.liveOut += eOut.length;
    out.push(...eIn, ...eOut);
  }

  #timeRange(a: Extract<HikvisionAlert, { method: 'timeRange' }>, rxTs: number, out: DeviceEvent[]): void {
    if (this.#lastPeriodEnd !== undefined && a.end <= this.#lastPeriodEnd) return; // a repeat
    if (this.#lastPeriodEnd !== a.start) {
      // Periods were missed (or this is the first): backfill renumbers those hours.
      if (this.#lastPeriodEnd !== undefined) {
        this.dirty.mark(localDayKey(this.#lastPeriodEnd, this.opts.timeZone), this.#lastPeriodEnd);
      }
      this.dirty.mark(localDayKey(a.start, this.opts.timeZone), a.start);
    }
    this.#lastPeriodEnd = a.end;
    const hour = localHourKey(a.start, this.opts.timeZone);
    const period = a.end - a.start;
    for (const [dir, n] of [
      ['in', a.enter],
      ['out', a.exit],
    ] as const) {
      const key = `${hour}|${dir}`;
      const from = this.#hourNext.get(key) ?? 0;
      this.#hourNext.set(key, from + n);
      const events = ordinalCrossings(
        this.site,
        hour,
        dir,
        this.ledger.take(hour, dir, from, from + n),
        a.start,
        period,
        rxTs,
      );
      if (dir === 'in') this.tally.liveIn += events.length;
      else this.tally.liveOut += events.length;
      out.push(...events);
    }
    const oldest = localHourKey(a.start - 2 * DAY_MS, this.opts.timeZone);
    for (const key of this.#hourNext.keys()) if (key < oldest) this.#hourNext.delete(key);
  }

  #maybeBackfill(base: URL): void {
    if (this.dirty.size === 0 || this.#method === undefined || this.#backfilling) return;
    const now = this.ctx.clock.now();
    if (now - this.#lastBackfill < (this.opts.backfillEveryMs ?? 60_000)) return;
    this.#lastBackfill = now;
    this.#backfilling = true;
    this.#backfill(base, this.#method)
      .catch((err: unknown) => this.log.warn({ err }, 'backfill failed'))
      .finally(() => {
        this.#backfilling = false;
      });
  }

  async #backfill(base: URL, method: Method): Promise<void> {
    const url = new URL(hikvisionCountingSearchPath(this.#channel), base);
    for (const [day] of this.dirty.list()) {
      if (this.halted.aborted) return;
      const fields = parseDayKey(day);
      if (!fields) continue;
      let text: string;
      try {
        const r = await this.request({
          method: 'POST',
          url,
          body: hikvisionCountingSearchXml(fields),
          headers: { 'content-type': 'application/xml; charset="UTF-8"' },
        });
        if (r.status !== 200) {
          r.res.resume();
          this.log.warn({ day, status: r.status }, 'counting search refused');
          if (r.status === 401 || r.status === 403) this.link.set('error', httpDetail(r.status, url));
          return;
        }
        text = await readBody(r, 1024 * 1024, this.timeoutMs);
      } catch (err) {
        this.log.warn({ err, day }, 'counting search failed');
        return;
      }
      this.tally.backfills++;
      const parsed = parseHikvisionCountingResult(text, this.opts.timeZone);
      if (!parsed.ok) {
        this.rejectInput(parsed.code, parsed.reason, text);
        continue;
      }
      for (const rej of parsed.value.rejected) this.rejectInput(rej.code, rej.reason, undefined);
      this.#applyHistory(day, parsed.value.periods, method);
    }
  }

  #applyHistory(
    day: string,
    periods: readonly { start: number; end: number; enter: number; exit: number }[],
    method: Method,
  ) {
    const rxTs = this.ctx.clock.now();
    const deviceNow = this.link.deviceNow(rxTs) ?? rxTs;
    const events: DeviceEvent[] = [];
    let cumIn = 0;
    let cumOut = 0;
    let closedUntil = Number.NEGATIVE_INFINITY;
    for (const p of periods) {
      if (localDayKey(p.start, this.opts.timeZone) !== day) continue;
      if (p.end > deviceNow) break; // the hour in progress is still counting
      const unit = method === 'realTime' ? day : localHourKey(p.start, this.opts.timeZone);
      // realTime numbers persons in the day, timeRange in the hour.
      const before = method === 'realTime' ? { in: cumIn, out: cumOut } : { in: 0, out: 0 };
      const count = { in: p.enter, out: p.exit };
      events.push(...this.historyCrossings(unit, p.start, p.end - p.start, before, count, rxTs));
      cumIn += p.enter;
      cumOut += p.exit;
      closedUntil = p.end;
    }
    if (events.length > 0) this.log.info({ day, events: events.length }, 'history backfilled');
    this.outbox.push(events);
    const today = localDayKey(deviceNow, this.opts.timeZone);
    this.dirty.settle(day, closedUntil, day < today);
    const f = localFields(deviceNow - 2 * DAY_MS, this.opts.timeZone);
    const oldest = `${f.year}${String(f.month).padStart(2, '0')}${String(f.day).padStart(2, '0')}`;
    this.ledger.prune((unit) => unit.slice(0, 8) >= oldest);
  }
}
