/**
 * Two-beam door counter on GPIO. Beam A is the outer one, B the inner one: a person walking
 * in blocks A, then B, then clears A, then B. A crossing starts when a beam is blocked while
 * both were clear; it counts when the other beam was blocked too and the other beam is the
 * last to clear (A first and B last = in, B first and A last = out). A beam that blocks and
 * clears alone, or a person who turns back (the first beam clears last), is a half crossing
 * and is dropped, as is a crossing still open after `crossingTimeoutMs`. The beams must be
 * mounted closer than a body's width so that a passer blocks both at once.
 *
 * Bounce: an edge within `glitchMs` of the last accepted edge on the same pin is not taken
 * at once; when the window ends, the pin's latest level is taken if it differs (so a spike
 * is ignored and a bouncing edge counts once, at its settled level).
 */
import { type DoorCrossingEvent, EventFlags } from '../../protocols/index.js';
import { GpioUnavailableError } from '../errors.js';
import { DriverLifecycle } from '../lifecycle.js';
import type { OutboxOptions } from '../outbox.js';
import type { DriverContext } from '../source.js';
import { type GpioPin, type GpioPinFactory, gpioFix, onoffPinFactory, type PinValue } from './pin.js';

export type Beam = 'a' | 'b';
export type BeamOutcome = 'in' | 'out' | 'dropped';

/** The crossing rules on settled beam states, without timers or I/O. */
export class BeamTracker {
  readonly #blocked = { a: false, b: false };
  #crossing: { first: Beam; sawOther: boolean; startTs: number } | undefined;
  /** After a timeout (or a beam blocked at start): wait for both beams to clear. */
  #waitClear = false;

  constructor(initial: { a: boolean; b: boolean } = { a: false, b: false }) {
    this.#blocked.a = initial.a;
    this.#blocked.b = initial.b;
    this.#waitClear = initial.a || initial.b;
  }

  /** Start time of the crossing in progress. */
  get openSince(): number | undefined {
    return this.#crossing?.startTs;
  }

  /** A beam changed state; returns the crossing it completes or drops, if any. */
  change(beam: Beam, blocked: boolean, ts: number): BeamOutcome | undefined {
    if (this.#blocked[beam] === blocked) return undefined;
    this.#blocked[beam] = blocked;
    const other: Beam = beam === 'a' ? 'b' : 'a';
    if (blocked) {
      if (this.#waitClear) return undefined;
      if (!this.#crossing) {
        if (!this.#blocked[other]) this.#crossing = { first: beam, sawOther: false, startTs: ts };
      } else if (beam !== this.#crossing.first) {
        this.#crossing.sawOther = true;
      }
      return undefined;
    }
    if (this.#blocked[other]) return undefined; // still someone in the beams
    if (this.#waitClear) {
      this.#waitClear = false;
      return undefined;
    }
    const c = this.#crossing;
    this.#crossing = undefined;
    if (!c) return undefined;
    // Through: both beams blocked, and the beam blocked first is not the last to clear.
    if (c.sawOther && beam !== c.first) return c.first === 'a' ? 'in' : 'out';
    return 'dropped';
  }

  /** Drops a crossing open since before `now - timeoutMs`. */
  expire(now: number, timeoutMs: number): BeamOutcome | undefined {
    if (!this.#crossing || now - this.#crossing.startTs < timeoutMs) return undefined;
    this.#crossing = undefined;
    this.#waitClear = this.#blocked.a || this.#blocked.b;
    return 'dropped';
  }
}

export interface BeamCounterOptions {
  readonly pins: { readonly a: number; readonly b: number };
  readonly door: string;
  readonly zone: string;
  /** The level a pin reads while its beam is blocked. Default 1. */
  readonly blockedLevel?: PinValue;
  /** Bounce window per pin. Default 15 ms. */
  readonly glitchMs?: number;
  /** A crossing not complete after this long is dropped. Default 5 s. */
  readonly crossingTimeoutMs?: number;
  /** GPIO backend; default onoff (sysfs). Tests pass a double. */
  readonly openPin?: GpioPinFactory;
  readonly outbox?: OutboxOptions;
  readonly drainMs?: number;
}

export interface BeamCounterStats {
  readonly in: number;
  readonly out: number;
  readonly dropped: number;
  /** Edges seen, and edges taken after the glitch filter. */
  readonly edges: number;
  readonly accepted: number;
  readonly pinErrors: number;
}

interface PinState {
  readonly beam: Beam;
  readonly number: number;
  pin: GpioPin | undefined;
  level: PinValue;
  raw: PinValue;
  lastAccept: number;
  settle: NodeJS.Timeout | undefined;
}

export class BeamCounter extends DriverLifecycle {
  readonly #opts: BeamCounterOptions;
  readonly #glitchMs: number;
  readonly #timeoutMs: number;
  readonly #blockedLevel: PinValue;
  #tracker = new BeamTracker();
  readonly #pins: Record<Beam, PinState>;
  #expiry: NodeJS.Timeout | undefined;
  #idPrefix = '';
  #seq = 0;
  #in = 0;
  #out = 0;
  #dropped = 0;
  #edges = 0;
  #accepted = 0;
  #pinErrors = 0;

  constructor(ctx: DriverContext, options: BeamCounterOptions) {
    super(ctx, { component: 'beam-counter', label: 'beam counter', outbox: options.outbox, drainMs: options.drainMs });
    this.#opts = options;
    this.#glitchMs = options.glitchMs ?? 15;
    this.#timeoutMs = options.crossingTimeoutMs ?? 5000;
    this.#blockedLevel = options.blockedLevel ?? 1;
    const clear: PinValue = this.#blockedLevel === 1 ? 0 : 1;
    const pin = (beam: Beam, number: number): PinState => ({
      beam,
      number,
      pin: undefined,
      level: clear,
      raw: clear,
      lastAccept: Number.NEGATIVE_INFINITY,
      settle: undefined,
    });
    this.#pins = { a: pin('a', options.pins.a), b: pin('b', options.pins.b) };
  }

  get stats(): BeamCounterStats {
    return {
      in: this.#in,
      out: this.#out,
      dropped: this.#dropped,
      edges: this.#edges,
      accepted: this.#accepted,
      pinErrors: this.#pinErrors,
    };
  }

  protected prepare(): void {}

  protected async begin(): Promise<void> {
    this.#idPrefix = String(this.ctx.clock.now());
    this.report('connecting');
    const open = this.#opts.openPin ?? onoffPinFactory;
    for (const p of [this.#pins.a, this.#pins.b]) {
      try {
        p.pin = await open(p.number);
      } catch (err) {
        const detail =
          err instanceof GpioUnavailableError
            ? err.message
            : `GPIO pin ${p.number} (beam ${p.beam}) cannot be opened: ${String(err)}; ${gpioFix(p.number)}`;
        // Nothing to retry: the pin needs a person (permissions, wiring, pin number).
        this.halt(detail, { err, pin: p.number, beam: p.beam });
        this.release();
        return;
      }
    }
    if (!this.running) {
      this.release();
      return;
    }
    const now = this.ctx.clock.now();
    for (const p of [this.#pins.a, this.#pins.b]) {
      const level = await p.pin?.read?.().catch(() => undefined);
      if (level !== undefined) {
        p.level = level;
        p.raw = level;
      }
      p.lastAccept = now;
    }
    this.#tracker = new BeamTracker({ a: this.#isBlocked(this.#pins.a), b: this.#isBlocked(this.#pins.b) });
    for (const p of [this.#pins.a, this.#pins.b]) {
      p.pin?.watch((err, value) => this.#edge(p, err, value));
    }
    this.log.info({ pins: this.#opts.pins, door: this.#opts.door }, 'beam counter watching');
    this.report('connected');
  }

  /** Unwatches and unexports the pins, and drops the pending timers. */
  protected override release(): void {
    if (this.#expiry) clearTimeout(this.#expiry);
    this.#expiry = undefined;
    for (const p of [this.#pins.a, this.#pins.b]) {
      if (p.settle) clearTimeout(p.settle);
      p.settle = undefined;
      const pin = p.pin;
      p.pin = undefined;
      if (!pin) continue;
      try {
        pin.unwatch();
        pin.unexport();
      } catch (err) {
        this.log.warn({ err, pin: p.number }, 'gpio release failed');
      }
    }
  }

  #isBlocked(p: PinState): boolean {
    return p.level === this.#blockedLevel;
  }

  #edge(p: PinState, err: Error | null | undefined, value: PinValue): void {
    if (!this.running) return;
    if (err) {
      this.#pinErrors++;
      this.log.warn({ err, pin: p.number, beam: p.beam }, 'gpio watch error');
      return;
    }
    this.#edges++;
    p.raw = value;
    const now = this.ctx.clock.now();
    if (p.settle) return; // the settle timer will take the latest level
    if (now - p.lastAccept >= this.#glitchMs) {
      this.#accept(p, value, now);
      return;
    }
    p.settle = setTimeout(
      () => {
        p.settle = undefined;
        if (this.running) this.#accept(p, p.raw, this.ctx.clock.now());
      },
      p.lastAccept + this.#glitchMs - now,
    );
  }

  #accept(p: PinState, value: PinValue, ts: number): void {
    if (value === p.level) return;
    p.level = value;
    p.lastAccept = ts;
    this.#accepted++;
    const outcome = this.#tracker.change(p.beam, this.#isBlocked(p), ts);
    this.#outcome(outcome, ts);
    this.#armExpiry();
  }

  #armExpiry(): void {
    const since = this.#tracker.openSince;
    if (since === undefined) {
      if (this.#expiry) clearTimeout(this.#expiry);
      this.#expiry = undefined;
      return;
    }
    if (this.#expiry) return;
    const wait = Math.max(0, since + this.#timeoutMs - this.ctx.clock.now());
    this.#expiry = setTimeout(() => {
      this.#expiry = undefined;
      const now = this.ctx.clock.now();
      this.#outcome(this.#tracker.expire(now, this.#timeoutMs), now);
      this.#armExpiry();
    }, wait);
  }

  #outcome(outcome: BeamOutcome | undefined, ts: number): void {
    if (outcome === undefined) return;
    if (outcome === 'dropped') {
      this.#dropped++;
      this.log.debug({ ts }, 'half crossing dropped');
      return;
    }
    if (outcome === 'in') this.#in++;
    else this.#out++;
    const event: DoorCrossingEvent = Object.freeze({
      type: 'door.crossing',
      device: this.device,
      id: `${this.#idPrefix}-${this.#seq++}`,
      ts,
      rxTs: ts,
      flags: EventFlags.clockUntrusted,
      door: this.#opts.door,
      zone: this.#opts.zone,
      dir: outcome,
      n: 1,
    });
    this.outbox.push([event]);
  }
}
