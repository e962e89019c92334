/**
 * A position in the order correlation applies input in: event time `ts`, ties in arrival
 * order (journal `seq`). Derived state "at" a position holds every input up to it. A tick
 * to time t is the position (t, 0): before any input at t, after every input before t.
 */
export interface Position {
  readonly ts: number;
  readonly seq: number;
}

/** Before all input. */
export const GENESIS: Position = { ts: Number.MIN_SAFE_INTEGER, seq: 0 };

export function isBefore(a: Position, b: Position): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.seq < b.seq);
}
