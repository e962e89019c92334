/**
 * Every decoder in protocols/ returns a Decoded<T> instead of throwing: bad device input
 * is normal operation for a gateway, and callers must be forced to handle it.
 */
export type RejectCode =
  | 'malformed-json'
  | 'schema'
  | 'bad-checksum'
  | 'bad-frame'
  | 'bad-topic'
  | 'wrong-store'
  | 'unknown-device'
  | 'wrong-kind'
  | 'too-large'
  | 'too-old'
  | 'unsupported'
  // A POS receipt that would corrupt the numbers (gateway/pipeline/ingest/receipt-check.ts).
  | 'wrong-currency'
  | 'total-mismatch'
  | 'bad-amount';

export interface Rejection {
  readonly ok: false;
  readonly code: RejectCode;
  /** Human-readable, safe to log and to show in the rejected table. */
  readonly reason: string;
}

export interface Accepted<T> {
  readonly ok: true;
  readonly value: T;
}

export type Decoded<T> = Accepted<T> | Rejection;

export function accept<T>(value: T): Accepted<T> {
  return { ok: true, value };
}

export function reject(code: RejectCode, reason: string): Rejection {
  return { ok: false, code, reason };
}
