/**
 * The Source contract every driver follows (STYLE "A driver is a Source"):
 *
 * - construction only assigns (no I/O, no timers, no validation that could throw late);
 * - `start(signal)` does all I/O; it resolves once the source is running (a device that is
 *   absent is not an error: it is reported through `status` and retried), and rejects only
 *   on a configuration the driver cannot run with (DriverConfigError) or a second start;
 * - `stop()` is idempotent and never throws; aborting the start signal stops too;
 * - events leave through `ctx.emit`, frozen, and `done` tells whether the sink kept them;
 *   bad input leaves through `ctx.reject`; connection state through `ctx.status`.
 *
 * A Source is single use: after stop, make a new one.
 */
import type { Logger } from 'pino';
import type { DeviceEvent, RejectCode } from '../protocols/index.js';

export interface Clock {
  /** Epoch milliseconds (injectable: tests and simulated days run on their own clock). */
  now(): number;
}

export type SourceState = 'connecting' | 'connected' | 'disconnected' | 'error';

export interface SourceStatus {
  readonly state: SourceState;
  /** Why, for people: shown in device health (e.g. the fix for a permission error). */
  readonly detail?: string;
  /** Connections re-established after a loss since start (the first connect is not one). */
  readonly reconnects: number;
}

export interface SourceRejection {
  readonly code: RejectCode;
  readonly reason: string;
  readonly raw?: Uint8Array;
}

export interface DriverContext {
  /** Configured device id: every event carries it. */
  readonly device: string;
  readonly log: Logger;
  readonly clock: Clock;
  /**
   * Hands events to the gateway. `done()` once they are stored, `done(err)` if they were not
   * (the driver then keeps them and sends them again with the same ids).
   */
  emit(events: readonly DeviceEvent[], done: (err?: Error) => void): void;
  reject(r: SourceRejection): void;
  status(s: SourceStatus): void;
}

export interface Source {
  readonly device: string;
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

/** Builds a status object without an undefined `detail` (exactOptionalPropertyTypes). */
export function sourceStatus(state: SourceState, reconnects: number, detail?: string): SourceStatus {
  return detail === undefined ? { state, reconnects } : { state, detail, reconnects };
}
