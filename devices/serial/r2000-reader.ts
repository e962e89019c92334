/**
 * R2000-family UHF reader on a serial port (DESIGN "Serial contract", protocols/r2000.ts).
 *
 * The host drives it: for each configured antenna in turn, select it (cmd 0x74), then run
 * one real-time inventory (cmd 0x89) and wait for its summary frame (or an error frame, or
 * a timeout). Tag frames carry their antenna; the config maps antenna → zone. Reads are
 * stamped on receipt (the reader has no clock) and folded into one `tag.seen` per (epc,
 * zone, second), sent once the second is over.
 *
 * Antenna numbers: the config uses the 1-based port numbers printed on the reader ("1"…);
 * the reader's AntennaID byte is 0-based (config "1" → 0x00). setWorkAntenna takes 0–3
 * (protocols/r2000.ts, after the datasheet), so ports 1–4 can be polled.
 */
import {
  EventFlags,
  type R2000Answer,
  R2000Cmd,
  R2000Parser,
  type RejectCode,
  r2000StatusName,
  realtimeInventory,
  setWorkAntenna,
} from '../../protocols/index.js';
import type { BackoffOptions } from '../backoff.js';
import { DriverConfigError, ReaderError } from '../errors.js';
import { DriverLifecycle, type LoopStep, loopStep } from '../lifecycle.js';
import type { OutboxOptions } from '../outbox.js';
import type { DriverContext } from '../source.js';
import { parseAntennaMap, TagFolder } from '../tags.js';
import { SerialLink } from './port.js';

/** setWorkAntenna accepts AntennaID 0–3, i.e. config ports 1–4. */
export const R2000_MAX_POLLED_ANTENNA = 4;

export interface R2000ReaderOptions {
  readonly path: string;
  /** Default 115200 (8N1). */
  readonly baudRate?: number;
  /** Reader address; default 0xFF, the public address every reader of this family answers. */
  readonly address?: number;
  /** Config antenna port ("1"–"4") → zone. */
  readonly antennas: Readonly<Record<string, string>>;
  /** Repeat byte of the inventory command: rounds per command. Default 1. */
  readonly repeat?: number;
  /** Longest wait for the summary frame of one inventory. Default 3 s. */
  readonly roundTimeoutMs?: number;
  /** Longest wait for the answer to setWorkAntenna. Default 1 s. */
  readonly ackTimeoutMs?: number;
  /** Pause after each cycle over all antennas. Default 0. */
  readonly cycleGapMs?: number;
  /** Commands in a row without an answer before the port is reopened. Default 3. */
  readonly maxMissed?: number;
  /** Reopen after this long without a byte. Default 10 s (the reader answers every poll). */
  readonly silenceMs?: number;
  readonly backoff?: BackoffOptions;
  /** How often closed seconds are folded and sent. Default 1 s. */
  readonly flushMs?: number;
  readonly outbox?: OutboxOptions;
  readonly drainMs?: number;
}

export interface R2000ReaderStats {
  readonly rounds: number;
  readonly reads: number;
  readonly unmappedReads: number;
  readonly timeouts: number;
  readonly readerErrors: number;
  readonly tagEvents: number;
  readonly rejected: Readonly<Partial<Record<RejectCode, number>>>;
  readonly reconnects: number;
  readonly silenceReopens: number;
}

type Expect = { readonly cmd: number; readonly antenna?: number };

interface Waiter {
  readonly expect: Expect;
  readonly resolve: (a: R2000Answer) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface R2000Plan {
  readonly antennas: ReadonlyMap<number, string>;
  readonly address: number;
}

export class R2000Reader extends DriverLifecycle<R2000Plan> {
  readonly #opts: R2000ReaderOptions;
  readonly #parser = new R2000Parser();
  #link: SerialLink | undefined;
  #folder: TagFolder | undefined;
  #antennas: ReadonlyMap<number, string> = new Map();
  #flushTimer: NodeJS.Timeout | undefined;
  #waiter: Waiter | undefined;
  readonly #antennaDown = new Set<number>();
  /** Commands in a row without an answer. */
  #missed = 0;
  #rounds = 0;
  #reads = 0;
  #unmapped = 0;
  #timeouts = 0;
  #readerErrors = 0;
  readonly #rejected: Partial<Record<RejectCode, number>> = {};

  constructor(ctx: DriverContext, options: R2000ReaderOptions) {
    super(ctx, { component: 'r2000-reader', label: 'R2000 reader', outbox: options.outbox, drainMs: options.drainMs });
    this.#opts = options;
  }

  get stats(): R2000ReaderStats {
    return {
      rounds: this.#rounds,
      reads: this.#reads,
      unmappedReads: this.#unmapped,
      timeouts: this.#timeouts,
      readerErrors: this.#readerErrors,
      tagEvents: this.#folder?.events ?? 0,
      rejected: { ...this.#rejected },
      reconnects: this.#link?.reconnects ?? 0,
      silenceReopens: this.#link?.silenceReopens ?? 0,
    };
  }

  protected override get reconnects(): number {
    return this.#link?.reconnects ?? 0;
  }

  protected prepare(): R2000Plan {
    const { map, bad } = parseAntennaMap(this.#opts.antennas, 1, R2000_MAX_POLLED_ANTENNA);
    if (bad.length > 0 || map.size === 0) {
      throw new DriverConfigError(
        `R2000 reader ${this.device}: antennas must be ports 1–${R2000_MAX_POLLED_ANTENNA} ` +
          `(setWorkAntenna selects AntennaID 0–3)${bad.length > 0 ? `; bad: ${bad.join(', ')}` : '; none configured'}`,
      );
    }
    const address = this.#opts.address ?? 0xff;
    if (!Number.isInteger(address) || address < 0 || address > 0xff) {
      throw new DriverConfigError(`R2000 reader ${this.device}: address must be 0–255`);
    }
    const repeat = this.#opts.repeat ?? 1;
    if (!Number.isInteger(repeat) || repeat < 1 || repeat > 0xff) {
      throw new DriverConfigError(`R2000 reader ${this.device}: repeat must be 1–255`);
    }
    return { antennas: new Map([...map].sort((a, b) => a[0] - b[0])), address };
  }

  protected async begin(plan: R2000Plan): Promise<void> {
    this.#antennas = plan.antennas;
    const folder = new TagFolder(this.outbox, {
      device: this.device,
      idPrefix: String(this.ctx.clock.now()),
      flags: EventFlags.clockUntrusted,
      deviceTime: false,
    });
    this.#folder = folder;
    const link = new SerialLink(
      this.log,
      {
        path: this.#opts.path,
        baudRate: this.#opts.baudRate ?? 115_200,
        silenceMs: this.#opts.silenceMs ?? 10_000,
        ...(this.#opts.backoff ? { backoff: this.#opts.backoff } : {}),
      },
      {
        data: (chunk) => this.#onData(chunk),
        open: () => this.#parser.reset(),
        lost: () => this.#waiter?.reject(new ReaderError('reader-timeout', 'port lost')),
        status: (s) => this.ctx.status(s),
      },
    );
    this.#link = link;
    this.#flushTimer = setInterval(() => folder.flush(this.ctx.clock.now()), this.#opts.flushMs ?? 1000);
    await link.start();
    // A reader that stops answering is the serial link's to reopen, with its own backoff.
    this.startLoop((halted) => this.#cycle(link, plan.address, halted));
  }

  // The round in progress finishes first (the loop is awaited), so the reads the reader sent are all counted.
  protected override async finish(): Promise<void> {
    if (this.#flushTimer) clearInterval(this.#flushTimer);
    this.#folder?.flush(this.ctx.clock.now(), true);
    await this.#link?.stop();
  }

  /** One cycle over all antennas (or a wait for the port to open); says how long to pause after it. */
  async #cycle(link: SerialLink, address: number, halt: AbortSignal): Promise<LoopStep> {
    const maxMissed = this.#opts.maxMissed ?? 3;
    if (!link.isOpen) {
      await link.waitOpen(halt);
      return loopStep.wait(0);
    }
    let answered = 0;
    for (const port of this.#antennas.keys()) {
      if (halt.aborted || !link.isOpen) break;
      try {
        const ack = await this.#command(
          link,
          setWorkAntenna(address, port - 1),
          { cmd: R2000Cmd.setWorkAntenna },
          this.#opts.ackTimeoutMs ?? 1000,
        );
        this.#missed = 0;
        if (ack.kind === 'error') {
          this.#readerError(port, ack.code);
          continue;
        }
        const end = await this.#command(
          link,
          realtimeInventory(address, this.#opts.repeat ?? 1),
          { cmd: R2000Cmd.realTimeInventory, antenna: port },
          this.#opts.roundTimeoutMs ?? 3000,
        );
        if (end.kind === 'error') {
          this.#readerError(port, end.code);
          continue;
        }
        this.#rounds++;
        answered++;
        if (this.#antennaDown.delete(port)) this.log.info({ antenna: port }, 'antenna answering again');
      } catch (err) {
        if (halt.aborted) break;
        this.#timeouts++;
        this.#missed++;
        this.#parser.reset();
        this.log.warn({ err, antenna: port, missed: this.#missed }, 'reader did not answer');
        if (this.#missed >= maxMissed) {
          this.#missed = 0;
          link.reopen(`no answer to ${maxMissed} commands`);
          break;
        }
      }
    }
    // A cycle where every antenna failed would otherwise spin as fast as the reader answers.
    const gap = answered === 0 ? Math.max(500, this.#opts.cycleGapMs ?? 0) : (this.#opts.cycleGapMs ?? 0);
    return loopStep.wait(link.isOpen ? gap : 0);
  }

  #readerError(port: number, code: number): void {
    this.#readerErrors++;
    // An antenna without a cable answers every poll with an error: say so once.
    if (!this.#antennaDown.has(port)) {
      this.#antennaDown.add(port);
      this.log.warn(
        { antenna: port, zone: this.#antennas.get(port), code: r2000StatusName(code) },
        'reader reported an error for antenna',
      );
    }
  }

  /** Writes a command and resolves with the answer that ends it. */
  #command(link: SerialLink, frame: Uint8Array, expect: Expect, timeoutMs: number): Promise<R2000Answer> {
    return new Promise<R2000Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new ReaderError('reader-timeout', `no answer to cmd 0x${expect.cmd.toString(16)} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = {
        expect,
        timer,
        resolve: (a) => {
          clearTimeout(timer);
          this.#waiter = undefined;
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          this.#waiter = undefined;
          reject(e);
        },
      };
      if (this.log.isLevelEnabled('trace')) this.log.trace({ hex: Buffer.from(frame).toString('hex') }, 'command');
      link
        .write(frame)
        .catch((err: unknown) => this.#waiter?.reject(err instanceof Error ? err : new Error(String(err))));
    });
  }

  #onData(chunk: Buffer): void {
    if (this.log.isLevelEnabled('trace')) this.log.trace({ hex: chunk.toString('hex') }, 'serial bytes');
    const batch = this.#parser.push(chunk);
    for (const r of batch.rejected) {
      this.#rejected[r.code] = (this.#rejected[r.code] ?? 0) + 1;
      this.ctx.reject({ code: r.code, reason: r.reason });
    }
    if (batch.frames.length === 0) return;
    const rxTs = this.ctx.clock.now();
    for (const f of batch.frames) this.#onFrame(f, rxTs);
  }

  #onFrame(f: R2000Answer, rxTs: number): void {
    if (f.kind === 'tag') {
      const zone = this.#antennas.get(f.antenna);
      if (zone === undefined) {
        this.#unmapped++;
        this.log.debug({ antenna: f.antenna, epc: f.epc }, 'read on an unmapped antenna');
        return;
      }
      this.#reads++;
      this.#folder?.add({ epc: f.epc, zone, rssi: f.rssiDbm, ts: rxTs }, rxTs);
      return;
    }
    const w = this.#waiter;
    if (!w || f.cmd !== w.expect.cmd) {
      this.log.debug({ kind: f.kind, cmd: f.cmd }, 'answer nobody waits for');
      return;
    }
    if (f.kind === 'inventory-end' && w.expect.antenna !== undefined && f.antenna !== w.expect.antenna) {
      // The end of an earlier round that had timed out: not the one we wait for.
      this.log.debug({ antenna: f.antenna, want: w.expect.antenna }, 'late inventory end');
      return;
    }
    if (f.kind === 'ack' || f.kind === 'error' || f.kind === 'inventory-end') w.resolve(f);
  }
}
