/**
 * Serial door counter (DESIGN "Serial contract"): `$PCNT` lines with cumulative totals.
 *
 * Each line is compared with the previous one of the same door: the increase becomes
 * `door.crossing` events (dir in/out, n = increase) at the configured door and zone. The
 * first line after start only sets the base (unless a persisted base is given); a new
 * bootId, or a total that went down, means the counter restarted, and its new totals are
 * the crossings since the restart (never negative). A repeated line (same bootId and seq)
 * and a line from an older boot are ignored, and the base survives a port reopen, so a
 * reconnect neither loses nor double counts: the totals cover the lines missed meanwhile.
 *
 * No `door.totals` events: the gateway turns door.totals into deltas itself
 * (gateway/pipeline/correlate/door-totals.ts), so sending both would count every crossing twice. The
 * base is exposed instead (`base`, `onBase`) for whoever wants to persist it.
 */
import {
  type DoorCrossingEvent,
  type DoorLine,
  DoorLineParser,
  EventFlags,
  type RejectCode,
} from '../../protocols/index.js';
import type { BackoffOptions } from '../backoff.js';
import { DriverLifecycle } from '../lifecycle.js';
import type { OutboxOptions } from '../outbox.js';
import type { DriverContext } from '../source.js';
import { SerialLink } from './port.js';

/** Where counting resumes: the last line seen from a counter door. */
export interface DoorCounterBase {
  /** The `<door>` field of the counter's lines. */
  readonly lineDoor: string;
  readonly bootId: string;
  readonly seq: number;
  readonly totalIn: number;
  readonly totalOut: number;
}

export interface DoorDelta {
  readonly dIn: number;
  readonly dOut: number;
  /** Why the base was reset, if it was. */
  readonly restart?: 'boot' | 'decrease';
  /** Line not counted: a repeat, or from a boot already replaced. */
  readonly ignored?: 'duplicate' | 'stale-boot' | 'base';
  /** Event id stem for this line, unique per counter run. */
  readonly id: string;
}

/** Boots remembered per door, so a late line from one of them is not taken for a restart. */
const KEPT_BOOTS = 4;

interface DoorState {
  bootId: string;
  seq: number;
  totalIn: number;
  totalOut: number;
  oldBoots: string[];
  /** Restarts without a new bootId: keeps event ids unique when seq starts over. */
  epoch: number;
}

/**
 * The counting rules, without I/O: feed lines in order, get the crossings each one adds.
 * State is per `<door>` field, so a counter that reports several doors on one line never
 * looks like it restarted.
 */
export class DoorLineCounter {
  readonly #doors = new Map<string, DoorState>();

  constructor(bases: readonly DoorCounterBase[] = []) {
    for (const b of bases) {
      this.#doors.set(b.lineDoor, {
        bootId: b.bootId,
        seq: b.seq,
        totalIn: b.totalIn,
        totalOut: b.totalOut,
        oldBoots: [],
        epoch: 0,
      });
    }
  }

  /** The current base of every door, for persistence. */
  bases(): DoorCounterBase[] {
    return [...this.#doors].map(([lineDoor, s]) => ({
      lineDoor,
      bootId: s.bootId,
      seq: s.seq,
      totalIn: s.totalIn,
      totalOut: s.totalOut,
    }));
  }

  apply(line: DoorLine): DoorDelta {
    const s = this.#doors.get(line.door);
    if (!s) {
      const fresh: DoorState = {
        bootId: line.bootId,
        seq: line.seq,
        totalIn: line.totalIn,
        totalOut: line.totalOut,
        oldBoots: [],
        epoch: 0,
      };
      this.#doors.set(line.door, fresh);
      return { dIn: 0, dOut: 0, ignored: 'base', id: idOf(fresh, line.seq) };
    }
    if (line.bootId === s.bootId && line.seq === s.seq) {
      return { dIn: 0, dOut: 0, ignored: 'duplicate', id: idOf(s, line.seq) };
    }
    if (line.bootId !== s.bootId) {
      if (s.oldBoots.includes(line.bootId)) return { dIn: 0, dOut: 0, ignored: 'stale-boot', id: idOf(s, line.seq) };
      s.oldBoots.push(s.bootId);
      if (s.oldBoots.length > KEPT_BOOTS) s.oldBoots.shift();
      s.bootId = line.bootId;
      s.epoch = 0;
      s.seq = line.seq;
      s.totalIn = line.totalIn;
      s.totalOut = line.totalOut;
      // Counted from zero: the new totals are the crossings since the restart.
      return { dIn: line.totalIn, dOut: line.totalOut, restart: 'boot', id: idOf(s, line.seq) };
    }
    if (line.totalIn < s.totalIn || line.totalOut < s.totalOut) {
      // Same boot but a total went down: only the direction that went down restarted for
      // sure; the other counts its increase, so nothing is counted twice.
      const dIn = line.totalIn < s.totalIn ? line.totalIn : line.totalIn - s.totalIn;
      const dOut = line.totalOut < s.totalOut ? line.totalOut : line.totalOut - s.totalOut;
      s.epoch++;
      s.seq = line.seq;
      s.totalIn = line.totalIn;
      s.totalOut = line.totalOut;
      return { dIn, dOut, restart: 'decrease', id: idOf(s, line.seq) };
    }
    const dIn = line.totalIn - s.totalIn;
    const dOut = line.totalOut - s.totalOut;
    s.seq = line.seq;
    s.totalIn = line.totalIn;
    s.totalOut = line.totalOut;
    return { dIn, dOut, id: idOf(s, line.seq) };
  }
}

function idOf(s: DoorState, seq: number): string {
  return s.epoch === 0 ? `${s.bootId}:${seq}` : `${s.bootId}~${s.epoch}:${seq}`;
}

export interface SerialDoorCounterOptions {
  readonly path: string;
  /** Default 9600 (8N1). */
  readonly baudRate?: number;
  /** Configured door and zone, put on every event. */
  readonly door: string;
  readonly zone: string;
  /** Persisted bases from a previous run: counting resumes from them instead of the first line. */
  readonly base?: readonly DoorCounterBase[];
  /** Called after every counted line with the new bases (to persist them). */
  readonly onBase?: (bases: readonly DoorCounterBase[]) => void;
  /** Reopen the port after this long without a byte. Default 60 s; 0 = never. */
  readonly silenceMs?: number;
  readonly backoff?: BackoffOptions;
  readonly outbox?: OutboxOptions;
  /** Longest a stop waits for the sink to take the last events. Default 2 s. */
  readonly drainMs?: number;
}

export interface DoorCounterStats {
  readonly lines: number;
  readonly duplicates: number;
  readonly restarts: number;
  readonly crossingsIn: number;
  readonly crossingsOut: number;
  /** Rejections by code (bad frames, checksums, garbage runs, over-long lines). */
  readonly rejected: Readonly<Partial<Record<RejectCode, number>>>;
  /** Port reopens after a loss, and quiet reopens after silence (see SerialLink). */
  readonly reconnects: number;
  readonly silenceReopens: number;
}

export class SerialDoorCounter extends DriverLifecycle {
  readonly #opts: SerialDoorCounterOptions;
  readonly #parser = new DoorLineParser();
  readonly #counter: DoorLineCounter;
  readonly #link: SerialLink;
  #lines = 0;
  #duplicates = 0;
  #restarts = 0;
  #in = 0;
  #out = 0;
  readonly #rejected: Partial<Record<RejectCode, number>> = {};
  readonly #warnedDoors = new Set<string>();

  constructor(ctx: DriverContext, options: SerialDoorCounterOptions) {
    super(ctx, { component: 'door-counter', label: 'door counter', outbox: options.outbox, drainMs: options.drainMs });
    this.#opts = options;
    this.#counter = new DoorLineCounter(options.base);
    this.#link = new SerialLink(
      this.log,
      {
        path: options.path,
        baudRate: options.baudRate ?? 9600,
        silenceMs: options.silenceMs ?? 60_000,
        ...(options.backoff ? { backoff: options.backoff } : {}),
      },
      {
        data: (chunk) => this.#onData(chunk),
        // A half line from before the reopen would only be reported as torn.
        open: () => this.#parser.reset(),
        status: (s) => ctx.status(s),
      },
    );
  }

  get stats(): DoorCounterStats {
    return {
      lines: this.#lines,
      duplicates: this.#duplicates,
      restarts: this.#restarts,
      crossingsIn: this.#in,
      crossingsOut: this.#out,
      rejected: { ...this.#rejected },
      reconnects: this.#link.reconnects,
      silenceReopens: this.#link.silenceReopens,
    };
  }

  /** Where counting would resume (per counter door). */
  get base(): readonly DoorCounterBase[] {
    return this.#counter.bases();
  }

  protected override get reconnects(): number {
    return this.#link.reconnects;
  }

  protected prepare(): void {}

  protected async begin(): Promise<void> {
    await this.#link.start();
  }

  protected override async finish(): Promise<void> {
    await this.#link.stop();
  }

  #onData(chunk: Buffer): void {
    if (this.log.isLevelEnabled('trace')) this.log.trace({ hex: chunk.toString('hex') }, 'serial bytes');
    const batch = this.#parser.push(chunk);
    for (const r of batch.rejected) {
      this.#rejected[r.code] = (this.#rejected[r.code] ?? 0) + 1;
      this.ctx.reject({ code: r.code, reason: r.reason });
    }
    if (batch.lines.length === 0) return;
    const rxTs = this.ctx.clock.now();
    const events: DoorCrossingEvent[] = [];
    for (const line of batch.lines) this.#count(line, rxTs, events);
    this.outbox.push(events);
    this.#opts.onBase?.(this.#counter.bases());
  }

  #count(line: DoorLine, rxTs: number, out: DoorCrossingEvent[]): void {
    this.#lines++;
    if (line.door !== this.#opts.door && !this.#warnedDoors.has(line.door)) {
      // Not an error (the counter's own door name may differ), but worth knowing once.
      this.#warnedDoors.add(line.door);
      this.log.info({ lineDoor: line.door, lineDevice: line.device, door: this.#opts.door }, 'counter door name');
    }
    const d = this.#counter.apply(line);
    if (d.ignored === 'duplicate' || d.ignored === 'stale-boot') {
      this.#duplicates++;
      this.log.debug({ bootId: line.bootId, seq: line.seq, why: d.ignored }, 'door line ignored');
      return;
    }
    if (d.ignored === 'base') {
      this.log.info(
        { bootId: line.bootId, seq: line.seq, totalIn: line.totalIn, totalOut: line.totalOut },
        'door counter base set',
      );
      return;
    }
    if (d.restart) {
      this.#restarts++;
      this.log.warn({ bootId: line.bootId, seq: line.seq, reason: d.restart }, 'door counter restarted');
    }
    const base = {
      device: this.device,
      ts: rxTs,
      rxTs,
      flags: EventFlags.clockUntrusted,
      door: this.#opts.door,
      zone: this.#opts.zone,
    };
    if (d.dIn > 0) {
      this.#in += d.dIn;
      out.push(Object.freeze({ ...base, type: 'door.crossing', id: `${d.id}#in`, dir: 'in', n: d.dIn }));
    }
    if (d.dOut > 0) {
      this.#out += d.dOut;
      out.push(Object.freeze({ ...base, type: 'door.crossing', id: `${d.id}#out`, dir: 'out', n: d.dOut }));
    }
  }
}
