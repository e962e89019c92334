/**
 * A serial port that stays open: opens with serialport, and reopens after an error, a close
 * or silence, with exponential backoff. Unplug detection is unreliable (FIELD-NOTES: the
 * `close` event fired in 4 of 6 socat kills), so a watchdog also reopens the port when no
 * byte has arrived for `silenceMs`. A quiet device cannot be told from a dead port, so a
 * reopen for silence is quiet: no 'disconnected' status and no reconnect counted unless
 * the reopen fails (a healthy counter that says nothing at night does not flap).
 * Writes go through the stream (never writeSync) and fail fast while the port is down.
 */
import type { Logger } from 'pino';
import type { SerialPort } from 'serialport';
import { Backoff, type BackoffOptions } from '../backoff.js';
import { SerialLinkError } from '../errors.js';
import { type SourceState, type SourceStatus, sourceStatus } from '../source.js';

export interface SerialLinkOptions {
  readonly path: string;
  readonly baudRate: number;
  /** Reopen after this long without a byte; 0 turns the watchdog off. */
  readonly silenceMs: number;
  readonly backoff?: BackoffOptions;
  /** Longest wait for an open, close or write to answer. Default 5 s. */
  readonly ioTimeoutMs?: number;
}

export interface SerialLinkHandlers {
  data(chunk: Buffer): void;
  /** After every successful open (drivers reset their parsers and resume here). */
  open?(): void;
  /** After the port was lost or closed for a reopen. */
  lost?(reason: string): void;
  status(s: SourceStatus): void;
}

export class SerialLink {
  readonly #opts: SerialLinkOptions;
  readonly #log: Logger;
  readonly #h: SerialLinkHandlers;
  readonly #backoff: Backoff;
  #port: SerialPort | undefined;
  #stopped = false;
  #started = false;
  #retry: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #lastRx = 0;
  #everOpen = false;
  /** The port was lost (not just reopened for silence) since it was last open. */
  #lost = false;
  /** The reopen in progress is for silence: report nothing unless it fails. */
  #quiet = false;
  #reconnects = 0;
  #silenceReopens = 0;
  #last: SourceStatus | undefined;
  #openWaiters: (() => void)[] = [];

  constructor(log: Logger, options: SerialLinkOptions, handlers: SerialLinkHandlers) {
    this.#log = log;
    this.#opts = options;
    this.#h = handlers;
    this.#backoff = new Backoff(options.backoff);
  }

  get isOpen(): boolean {
    return this.#port !== undefined;
  }

  /** Opens after a loss (error, close, failed write or failed open), since start. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** Reopens for silence that found the port again at once. */
  get silenceReopens(): number {
    return this.#silenceReopens;
  }

  /** Starts opening; resolves after the first attempt, whether it worked or not. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#connect();
  }

  /** Resolves when the port is open, or when the link stops or the signal aborts. */
  waitOpen(signal?: AbortSignal): Promise<void> {
    if (this.#port || this.#stopped || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.#openWaiters.push(done);
    });
  }

  /** Writes through the stream; a write not done within ioTimeoutMs means the port is gone. */
  write(bytes: Uint8Array): Promise<void> {
    const port = this.#port;
    if (!port) return Promise.reject(new SerialLinkError('serial-not-open', `${this.#opts.path} is not open`));
    const ms = this.#opts.ioTimeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      // Writing into a pty or USB adapter that has gone can hang without an error or close.
      const timer = setTimeout(() => {
        this.#lose(port, `write did not complete in ${ms} ms`);
        reject(new SerialLinkError('serial-write', `write to ${this.#opts.path} did not complete in ${ms} ms`));
      }, ms);
      port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (err) => {
        clearTimeout(timer);
        if (err) reject(new SerialLinkError('serial-write', `write to ${this.#opts.path} failed`, { cause: err }));
        else resolve();
      });
    });
  }

  /** Closes the port and opens it again after the first backoff delay (a driver that got no answers). */
  reopen(reason: string): void {
    const port = this.#port;
    if (!port || this.#stopped) return;
    this.#lose(port, reason);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#retry = undefined;
    this.#watchdog = undefined;
    const port = this.#port;
    this.#port = undefined;
    this.#wakeOpenWaiters();
    if (port) await this.#closeQuietly(port);
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    if (!this.#quiet) this.#report('connecting');
    // Loaded on first use: a store with no serial device never loads serialport and its
    // native binding (importing them costs a bare node process about 8 MB of RSS).
    const { SerialPort } = await import('serialport');
    if (this.#stopped) return;
    const port = new SerialPort({ path: this.#opts.path, baudRate: this.#opts.baudRate, autoOpen: false });
    // Until the port is ours, an error event must not go unhandled.
    port.on('error', () => {});
    const err = await this.#withTimeout((cb) => port.open(cb), 'open');
    if (this.#stopped) {
      if (!err) await this.#closeQuietly(port);
      return;
    }
    if (err) {
      const { state, detail } = describeOpenError(this.#opts.path, err);
      this.#log.warn({ err, path: this.#opts.path, attempt: this.#backoff.attempt + 1 }, 'serial open failed');
      // A silence reopen that cannot find the port: it really was lost.
      if (this.#everOpen) this.#lost = true;
      this.#quiet = false;
      this.#report(state, detail);
      this.#schedule();
      return;
    }
    this.#port = port;
    if (this.#lost) this.#reconnects++;
    else if (this.#quiet) this.#silenceReopens++;
    this.#everOpen = true;
    this.#lost = false;
    this.#quiet = false;
    this.#backoff.reset();
    this.#lastRx = Date.now();
    port.on('data', (chunk: Buffer) => {
      this.#lastRx = Date.now();
      this.#h.data(chunk);
    });
    port.on('error', (e: Error) => this.#lose(port, `error: ${e.message}`, e));
    port.on('close', (e: unknown) => this.#lose(port, e instanceof Error ? `closed: ${e.message}` : 'closed'));
    this.#armWatchdog();
    this.#log.info({ path: this.#opts.path, reconnects: this.#reconnects }, 'serial port open');
    this.#report('connected');
    this.#wakeOpenWaiters();
    this.#h.open?.();
  }

  #lose(port: SerialPort, reason: string, err?: Error, quiet = false): void {
    if (this.#port !== port) return; // an old port's late event
    this.#port = undefined;
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
    port.removeAllListeners('data');
    void this.#closeQuietly(port);
    if (this.#stopped) return;
    if (quiet) {
      this.#quiet = true;
      this.#log.info({ path: this.#opts.path, reason }, 'serial port quiet, reopening');
    } else {
      this.#lost = true;
      this.#log.warn({ path: this.#opts.path, reason, err }, 'serial port lost');
      this.#report('disconnected', reason);
    }
    this.#h.lost?.(reason);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped || this.#retry) return;
    const delay = this.#backoff.next();
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#connect();
    }, delay);
  }

  #armWatchdog(): void {
    const silence = this.#opts.silenceMs;
    if (silence <= 0) return;
    const check = (): void => {
      this.#watchdog = undefined;
      const port = this.#port;
      if (!port || this.#stopped) return;
      const quiet = Date.now() - this.#lastRx;
      if (quiet >= silence) {
        this.#lose(port, `silent for ${quiet} ms`, undefined, true);
        return;
      }
      this.#watchdog = setTimeout(check, silence - quiet);
    };
    this.#watchdog = setTimeout(check, silence);
  }

  /** Reports a status unless it says the same as the last one. */
  #report(state: SourceState, detail?: string): void {
    const s = sourceStatus(state, this.#reconnects, detail);
    const last = this.#last;
    if (last && last.state === s.state && last.detail === s.detail && last.reconnects === s.reconnects) return;
    this.#last = s;
    this.#h.status(s);
  }

  async #closeQuietly(port: SerialPort): Promise<void> {
    port.removeAllListeners('close');
    port.removeAllListeners('data');
    port.removeAllListeners('error');
    port.on('error', () => {});
    if (!port.isOpen) return;
    const err = await this.#withTimeout((cb) => port.close(cb), 'close');
    if (err) this.#log.debug({ err, path: this.#opts.path }, 'serial close failed');
  }

  /** Runs a callback-style port call; resolves its error (or a timeout error), never rejects. */
  #withTimeout(call: (cb: (err?: Error | null) => void) => void, what: string): Promise<Error | undefined> {
    const ms = this.#opts.ioTimeoutMs ?? 5000;
    return new Promise((resolve) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        resolve(new SerialLinkError('serial-open', `${what} of ${this.#opts.path} did not answer in ${ms} ms`));
      }, ms);
      try {
        call((err) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(err ?? undefined);
        });
      } catch (err) {
        settled = true;
        clearTimeout(timer);
        resolve(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  #wakeOpenWaiters(): void {
    const waiters = this.#openWaiters;
    this.#openWaiters = [];
    for (const w of waiters) w();
  }
}

/** An open failure → status, with the fix when we know it. */
function describeOpenError(path: string, err: Error): { state: 'disconnected' | 'error'; detail: string } {
  const msg = err.message;
  if (/EACCES|Permission denied/i.test(msg)) {
    return {
      state: 'error',
      detail: `permission denied opening ${path}: add the gateway's user to the 'dialout' group (or set a udev rule)`,
    };
  }
  if (/ENOENT|No such file/i.test(msg)) return { state: 'disconnected', detail: `${path} not found (unplugged?)` };
  if (/EBUSY|Resource busy|lock/i.test(msg)) {
    return { state: 'error', detail: `${path} is in use by another process` };
  }
  return { state: 'disconnected', detail: `cannot open ${path}: ${msg}` };
}
