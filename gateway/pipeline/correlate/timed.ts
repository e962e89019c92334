/**
 * Deferred decisions. A reducer that must wait (a held `in` crossing, an open RFID second,
 * a session that may end) exposes its earliest deadline; the Correlator fires deadlines in
 * global time order, so the facts come out the same whichever ticks carried time past them.
 */
import type { Fact } from './facts.js';

export const NEVER = Number.POSITIVE_INFINITY;

export interface Timed {
  /** Earliest pending deadline (epoch ms), NEVER when nothing waits. */
  nextDeadline(): number;
  /** Takes every decision due at or before `deadline` (= this reducer's nextDeadline()). */
  fire(deadline: number, out: Fact[]): void;
}

/**
 * Extra clock time a decision waits for inputs that arrive after their own deadline (a
 * reader flushing its buffer): long enough for the rest of that flush to come in.
 */
export const LATE_HOLD_MS = 2_000;
