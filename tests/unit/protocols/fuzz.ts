/**
 * Shared settings for the property tests of protocols/: a bounded number of runs by default,
 * raised with FUZZ_RUNS=<n> for a longer local or nightly fuzz.
 */
import fc from 'fast-check';

const fromEnv = Number.parseInt(process.env.FUZZ_RUNS ?? '', 10);

/** Runs per property: FUZZ_RUNS when set, else `fallback` (default 300). */
export function runs(fallback = 300): number {
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : fallback;
}

export function params<T>(fallback = 300): fc.Parameters<T> {
  return { numRuns: runs(fallback) };
}

/** Byte arrays that never contain `byte` (garbage that cannot fake a frame start). */
export function bytesWithout(byte: number, maxLength = 64): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ maxLength }).map((a) => a.map((b) => (b === byte ? (b + 1) & 0xff : b)));
}

/** Splits `bytes` at the given cut points (any values: reduced modulo the length). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  if (bytes.length === 0) return [bytes];
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** "A0 04 01" → bytes. */
export function hexBytes(spaced: string): Uint8Array {
  return new Uint8Array(Buffer.from(spaced.replace(/\s+/g, ''), 'hex'));
}
