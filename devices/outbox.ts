/**
 * Hands a driver's events to ctx.emit one batch at a time. While a batch is out, new events
 * wait and go together in the next one (natural batching under a slow sink). A batch the
 * sink could not store goes back to the front and is sent again, with the same ids, after
 * `retryMs`: the gateway dedupes by (device, id), so a retry never counts twice.
 * Memory is bounded: past `maxPending`, the oldest events are dropped and counted.
 */
import type { Logger } from 'pino';
import type { DeviceEvent } from '../protocols/index.js';
import type { DriverContext } from './source.js';

export interface OutboxOptions {
  /** Events kept while the sink is failing or slow. Default 10 000. */
  readonly maxPending?: number;
  /** Events per emit call. Default 1000. */
  readonly maxBatch?: number;
  /** Wait before sending a failed batch again. Default 1 s. */
  readonly retryMs?: number;
}

export interface OutboxStats {
  readonly sent: number;
  readonly failedBatches: number;
  readonly dropped: number;
  readonly pending: number;
}

export class EventOutbox {
  readonly #ctx: DriverContext;
  readonly #log: Logger;
  readonly #maxPending: number;
  readonly #maxBatch: number;
  readonly #retryMs: number;
  #pending: DeviceEvent[] = [];
  #inflight: readonly DeviceEvent[] | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;
  #sent = 0;
  #failed = 0;
  #dropped = 0;
  #idle: (() => void)[] = [];

  constructor(ctx: DriverContext, log: Logger, options: OutboxOptions = {}) {
    this.#ctx = ctx;
    this.#log = log;
    this.#maxPending = options.maxPending ?? 10_000;
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#retryMs = options.retryMs ?? 1000;
  }

  get stats(): OutboxStats {
    return {
      sent: this.#sent,
      failedBatches: this.#failed,
      dropped: this.#dropped,
      pending: this.#pending.length + (this.#inflight?.length ?? 0),
    };
  }

  push(events: readonly DeviceEvent[]): void {
    if (events.length === 0) return;
    if (this.#closed) {
      this.#dropped += events.length;
      this.#log.warn({ events: events.length }, 'events after close dropped');
      return;
    }
    for (const e of events) this.#pending.push(Object.isFrozen(e) ? e : Object.freeze(e));
    this.#trim();
    this.#pump();
  }

  /** Resolves true once nothing is pending or in flight, false after timeoutMs. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.#isIdle()) return Promise.resolve(true);
    // A batch waiting for its retry is sent now: the caller is about to stop.
    if (this.#retry) {
      clearTimeout(this.#retry);
      this.#retry = undefined;
      this.#pump();
      if (this.#isIdle()) return Promise.resolve(true); // a synchronous sink is done already
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idle = this.#idle.filter((f) => f !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#idle.push(done);
    });
  }

  /** Stops retrying; what is still pending is dropped (and counted). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
    if (this.#pending.length > 0) {
      this.#dropped += this.#pending.length;
      this.#log.warn({ events: this.#pending.length }, 'unsent events dropped at stop');
      this.#pending = [];
    }
    this.#notifyIdle();
  }

  #isIdle(): boolean {
    return this.#pending.length === 0 && this.#inflight === undefined;
  }

  #trim(): void {
    const over = this.#pending.length - this.#maxPending;
    if (over > 0) {
      this.#pending.splice(0, over);
      this.#dropped += over;
      this.#log.warn({ dropped: over, maxPending: this.#maxPending }, 'event backlog full, oldest dropped');
    }
  }

  #pump(): void {
    if (this.#inflight || this.#retry || this.#closed || this.#pending.length === 0) {
      if (this.#isIdle()) this.#notifyIdle();
      return;
    }
    const batch = this.#pending.splice(0, this.#maxBatch);
    this.#inflight = batch;
    let called = false;
    const done = (err?: Error): void => {
      if (called) return; // a sink calling back twice must not duplicate a retry
      called = true;
      this.#inflight = undefined;
      if (err) {
        this.#failed++;
        this.#log.warn({ err, events: batch.length }, 'sink did not store events, will retry');
        if (!this.#closed) {
          this.#pending.unshift(...batch);
          this.#trim();
          this.#retry = setTimeout(() => {
            this.#retry = undefined;
            this.#pump();
          }, this.#retryMs);
        } else {
          this.#dropped += batch.length;
        }
      } else {
        this.#sent += batch.length;
      }
      this.#pump();
    };
    try {
      this.#ctx.emit(batch, done);
    } catch (err) {
      done(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #notifyIdle(): void {
    const waiters = this.#idle;
    this.#idle = [];
    for (const w of waiters) w();
  }
}
