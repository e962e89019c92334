/**
 * What the AXIS and Hikvision people counters share: the lifecycle (lifecycle.ts) with the
 * camera's URL and time zone checked at start, digest-auth requests with the configured
 * timeout, link state and camera clock (counter-link.ts), the ordinal ledger and dirty days
 * (count-ledger.ts), their stats and the counting of rejected input. Each subclass adds its
 * live path (AXIS polls, Hikvision holds a stream) and its history backfill.
 */
import type { DeviceEvent, RejectCode } from '../../protocols/index.js';
import type { BackoffOptions } from '../backoff.js';
import { DriverConfigError } from '../errors.js';
import { type Credentials, DigestClient, type HttpCall, type HttpResponse } from '../http/digest-client.js';
import { DriverLifecycle } from '../lifecycle.js';
import type { OutboxOptions } from '../outbox.js';
import type { DriverContext, SourceState } from '../source.js';
import { type CrossingSite, DirtyDays, OrdinalLedger, ordinalCrossings } from './count-ledger.js';
import { CounterLink, checkTimeZone } from './counter-link.js';

export interface PeopleCounterOptions {
  /** Camera base URL, e.g. `http://192.168.0.90`. */
  readonly url: string;
  readonly auth: Credentials;
  readonly door: string;
  readonly zone: string;
  /** IANA zone of the camera's clock (its times carry no offset). */
  readonly timeZone: string;
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

export interface PeopleCounterKind {
  /** pino component, e.g. 'axis-people-counter'. */
  readonly component: string;
  /** Product name in the `device.status` fw field, e.g. 'AXIS People Counter'. */
  readonly product: string;
  /** Prefix of event ids (Hikvision: the channel). */
  readonly idPrefix: string;
}

type Tally = { -readonly [K in Exclude<keyof PeopleCounterStats, 'rejected'>]: number };

export abstract class PeopleCounterSource extends DriverLifecycle<URL> {
  protected readonly opts: PeopleCounterOptions;
  protected readonly ledger = new OrdinalLedger();
  protected readonly dirty = new DirtyDays();
  protected readonly link: CounterLink;
  protected readonly site: CrossingSite;
  /** Counters behind `stats`; subclasses add to them. */
  protected readonly tally: Tally = {
    polls: 0,
    failures: 0,
    liveIn: 0,
    liveOut: 0,
    backfilledIn: 0,
    backfilledOut: 0,
    backfills: 0,
  };
  readonly #http: DigestClient;
  readonly #rejected: Partial<Record<RejectCode, number>> = {};

  constructor(ctx: DriverContext, options: PeopleCounterOptions, kind: PeopleCounterKind) {
    super(ctx, {
      component: kind.component,
      label: 'people counter',
      backoff: options.backoff,
      outbox: { maxPending: 50_000, ...options.outbox },
      drainMs: options.drainMs,
    });
    this.opts = options;
    this.#http = new DigestClient(options.auth);
    this.site = {
      device: ctx.device,
      door: options.door,
      zone: options.zone,
      idPrefix: kind.idPrefix,
      skewBoundMs: options.skewBoundMs ?? 5 * 60_000,
    };
    this.link = new CounterLink(ctx, kind.product, options.statusEveryMs ?? 60_000);
  }

  get stats(): PeopleCounterStats {
    return { ...this.tally, rejected: { ...this.#rejected } };
  }

  /** The camera's base URL, checked, with its time zone. */
  protected prepare(): URL {
    let base: URL;
    try {
      base = new URL(this.opts.url);
    } catch {
      throw new DriverConfigError(`people counter ${this.device}: bad url ${JSON.stringify(this.opts.url)}`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new DriverConfigError(`people counter ${this.device}: url must be http(s), got ${base.protocol}`);
    }
    checkTimeZone(this.device, this.opts.timeZone);
    return base;
  }

  /** Status goes through the link, which reports only changes and counts reconnects. */
  protected override report(state: SourceState, detail?: string): void {
    this.link.set(state, detail);
  }

  protected get timeoutMs(): number {
    return this.opts.timeoutMs ?? 10_000;
  }

  /** A digest-auth request with the configured timeout and TLS check. */
  protected request(options: Omit<HttpCall, 'timeoutMs' | 'rejectUnauthorized'>): Promise<HttpResponse> {
    return this.#http.request({
      ...options,
      timeoutMs: this.timeoutMs,
      ...(this.opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: this.opts.rejectUnauthorized } : {}),
    });
  }

  /**
   * The persons of one closed history interval not sent yet, one event each: `unit` numbers
   * them (a day, or an hour), `before` says how many of the unit came earlier, `count` how
   * many crossed in [start, start + period).
   */
  protected historyCrossings(
    unit: string,
    start: number,
    period: number,
    before: { readonly in: number; readonly out: number },
    count: { readonly in: number; readonly out: number },
    rxTs: number,
  ): DeviceEvent[] {
    const fIn = this.ledger.take(unit, 'in', before.in, before.in + count.in);
    const fOut = this.ledger.take(unit, 'out', before.out, before.out + count.out);
    const eIn = ordinalCrossings(this.site, unit, 'in', fIn, start, period, rxTs);
    const eOut = ordinalCrossings(this.site, unit, 'out', fOut, start, period, rxTs);
    this.tally.backfilledIn += eIn.length;
    this.tally.backfilledOut += eOut.length;
    return [...eIn, ...eOut];
  }

  protected rejectInput(code: RejectCode, reason: string, text: string | undefined): void {
    this.#rejected[code] = (this.#rejected[code] ?? 0) + 1;
    this.ctx.reject({ code, reason, ...(text !== undefined ? { raw: Buffer.from(text.slice(0, 4096)) } : {}) });
  }
}

export function httpDetail(status: number, url: URL): string {
  const hint = status === 401 || status === 403 ? ' (check the camera user name and password)' : '';
  return `HTTP ${status} from ${url.pathname}${hint}`;
}
