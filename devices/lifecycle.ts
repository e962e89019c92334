/**
 * The lifecycle every driver shares (the Source contract in source.ts), written once:
 *
 * - `start(signal)`: single use (a second start is a SourceStateError); `prepare()` checks the
 *   config and may throw DriverConfigError before anything runs; an aborted signal stops at
 *   once; aborting it later stops too; then `begin()` does the driver's I/O.
 * - `stop()`: idempotent, never throws. Aborts `halted`, runs `release()` (synchronous: close
 *   what would keep a loop waiting), waits for the loop started with `startLoop`, then
 *   `finish()` (flush what is held), drains the outbox for `drainMs`, closes it and reports
 *   `disconnected / stopped`.
 * - `startLoop(step)`: the reconnect loop of the network drivers. Each step says what comes
 *   next: wait a fixed time (success: the backoff starts over), back off (a transient
 *   failure: exponential delay with jitter, see backoff.ts), or halt (a fatal error).
 * - `halt(reason)`: a fatal error. Logged with its reason, reported as `error` status with
 *   the reason as detail, the loop ends; the source stays halted until stopped.
 *
 * Subclasses keep their own state private; what they share is protected here.
 */
import type { Logger } from 'pino';
import { Backoff, type BackoffOptions, sleep } from './backoff.js';
import { SourceStateError } from './errors.js';
import { EventOutbox, type OutboxOptions } from './outbox.js';
import { type DriverContext, type Source, type SourceState, sourceStatus } from './source.js';

export interface LifecycleOptions {
  /** pino `component` field, e.g. 'door-counter'. */
  readonly component: string;
  /** What the driver is called in error messages, e.g. 'door counter' (device id follows). */
  readonly label: string;
  readonly backoff?: BackoffOptions | undefined;
  readonly outbox?: OutboxOptions | undefined;
  /** Longest a stop waits for the sink to take the last events. Default 2 s. */
  readonly drainMs?: number | undefined;
}

export type LifecyclePhase = 'new' | 'running' | 'halted' | 'stopped';

/** What the loop does after one step. */
export type LoopStep =
  | { readonly next: 'wait'; readonly ms: number }
  | { readonly next: 'backoff' }
  | { readonly next: 'halt'; readonly reason: string };

export const loopStep = {
  wait: (ms: number): LoopStep => ({ next: 'wait', ms }),
  backoff: { next: 'backoff' } as LoopStep,
  halt: (reason: string): LoopStep => ({ next: 'halt', reason }),
} as const;

export abstract class DriverLifecycle<Plan = void> implements Source {
  readonly device: string;
  protected readonly ctx: DriverContext;
  protected readonly log: Logger;
  protected readonly outbox: EventOutbox;
  protected readonly backoff: Backoff;
  readonly #label: string;
  readonly #drainMs: number;
  readonly #halt = new AbortController();
  #phase: LifecyclePhase = 'new';
  #haltReason: string | undefined;
  #loop: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(ctx: DriverContext, options: LifecycleOptions) {
    this.device = ctx.device;
    this.ctx = ctx;
    this.log = ctx.log.child({ component: options.component, device: ctx.device });
    this.outbox = new EventOutbox(ctx, this.log, options.outbox);
    this.backoff = new Backoff(options.backoff);
    this.#label = options.label;
    this.#drainMs = options.drainMs ?? 2000;
  }

  /** new → running → (halted) → stopped. */
  get phase(): LifecyclePhase {
    return this.#phase;
  }

  /** Why the source halted, if it did. */
  get haltReason(): string | undefined {
    return this.#haltReason;
  }

  /** Aborts on stop and on halt: loops, sleeps and waits listen to it. */
  protected get halted(): AbortSignal {
    return this.#halt.signal;
  }

  /** True from start until stop or halt. */
  protected get running(): boolean {
    return this.#phase === 'running';
  }

  async start(signal: AbortSignal): Promise<void> {
    if (this.#phase !== 'new') throw new SourceStateError(`${this.#label} ${this.device} was already started`);
    const plan = this.prepare();
    this.#phase = 'running';
    if (signal.aborted) {
      await this.stop();
      return;
    }
    signal.addEventListener('abort', () => void this.stop(), { once: true });
    await this.begin(plan);
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /** Checks the config before anything runs; throws DriverConfigError. */
  protected abstract prepare(): Plan;

  /** The driver's I/O; resolves once the source runs (a missing device is a status, not an error). */
  protected abstract begin(plan: Plan): Promise<void>;

  /** On stop, before the loop is awaited: close what would keep it waiting (sockets, pins). */
  protected release(): void {}

  /** On stop, after the loop ended and before the drain: flush what is held. */
  protected async finish(): Promise<void> {}

  /** Reconnects since start, for the status objects the lifecycle reports. */
  protected get reconnects(): number {
    return 0;
  }

  /** Sends a status; drivers with their own link state (people counters) override it. */
  protected report(state: SourceState, detail?: string): void {
    this.ctx.status(sourceStatus(state, this.reconnects, detail));
  }

  /** Runs `step` until stop or halt, waiting between steps as each one says. */
  protected startLoop(step: (halted: AbortSignal) => Promise<LoopStep>): void {
    this.#loop = this.#run(step);
  }

  /** A fatal error: logged and reported with its reason; the loop ends, nothing retries. */
  protected halt(reason: string, fields: Record<string, unknown> = {}): void {
    if (this.#phase !== 'running') return;
    this.#phase = 'halted';
    this.#haltReason = reason;
    this.#halt.abort();
    this.log.error({ ...fields, reason }, 'driver halted');
    this.report('error', reason);
  }

  async #run(step: (halted: AbortSignal) => Promise<LoopStep>): Promise<void> {
    const halted = this.#halt.signal;
    while (!halted.aborted) {
      const s = await step(halted);
      if (halted.aborted) break;
      if (s.next === 'halt') {
        this.halt(s.reason);
        break;
      }
      let ms: number;
      if (s.next === 'wait') {
        this.backoff.reset();
        ms = s.ms;
      } else {
        ms = this.backoff.next();
      }
      await sleep(ms, halted);
    }
  }

  async #stop(): Promise<void> {
    this.#phase = 'stopped';
    this.#halt.abort();
    try {
      this.release();
      await this.#loop;
      await this.finish();
      await this.outbox.drain(this.#drainMs);
    } catch (err) {
      this.log.warn({ err }, 'stop failed');
    } finally {
      this.outbox.close();
      this.report('disconnected', 'stopped');
    }
  }
}
