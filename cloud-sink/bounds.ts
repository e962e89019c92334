/**
 * Explicit bounds on what a store may send, checked after the schema (protocols/upstream.ts)
 * and before anything reaches the database. The schema says "a non-negative integer"; these
 * say how large a number one 15-minute bucket of one store can honestly hold, and they keep
 * every value inside its column (PostgreSQL INTEGER is 32-bit: a `rev` of 3,000,000,000 used
 * to fail the whole batch forever). A message outside them is refused as invalid and kept in
 * the dead-letter table, never retried.
 *
 * Pure: no I/O.
 */
import { UPSTREAM_BUCKET_MS, type UpstreamMessage } from '../protocols/index.js';

/** PostgreSQL INTEGER (the `rev` and count columns). */
export const MAX_INT32 = 2_147_483_647;

export const UPSTREAM_BOUNDS = {
  /** A bucket's revision: it grows by one per change, and by the old revision on a rebuild. */
  rev: MAX_INT32,
  /** Any count in one 15-minute bucket of one store (people, sessions, items, receipts). */
  count: 1_000_000,
  /** Revenue of one bucket, absolute, in the store currency (1e9 → 1e11 cents, far inside BIGINT). */
  revenue: 1_000_000_000,
  /** Person-milliseconds in one bucket: a million people present for the whole 15 minutes. */
  personMs: 1_000_000 * UPSTREAM_BUCKET_MS,
  /** Dwell of one VIP journey in one bucket (ms): a day. */
  dwellMs: 24 * 3600_000,
  /** Earliest bucket HQ accepts (2000-01-01). */
  earliestBucket: Date.UTC(2000, 0, 1),
  /** A bucket may start at most this far after HQ's clock (store clocks drift; a day is generous). */
  futureMs: 24 * 3600_000,
} as const;

/** Why `message` is out of bounds, or undefined when it may be stored. `now`: HQ's clock. */
export function outOfBounds(message: UpstreamMessage, now: number): string | undefined {
  if (message.kind === 'health') return undefined; // stored as JSON only; its times are not trusted
  const b = message.body;
  const problems: string[] = [];
  const check = (path: string, value: number | undefined, max: number, min = 0) => {
    if (value === undefined) return;
    if (!Number.isFinite(value) || value > max || value < min)
      problems.push(`${path} ${value} outside [${min}, ${max}]`);
  };
  check('/rev', b.rev, UPSTREAM_BOUNDS.rev, 1);
  const start = Date.parse(b.bucketStart);
  const end = Date.parse(b.bucketEnd);
  if (end - start !== UPSTREAM_BUCKET_MS) problems.push('/bucketEnd must be bucketStart + 15 minutes');
  if (start < UPSTREAM_BOUNDS.earliestBucket || start > now + UPSTREAM_BOUNDS.futureMs) {
    problems.push(`/bucketStart ${b.bucketStart} outside [2000-01-01, HQ time + 1 day]`);
  }
  if (start % UPSTREAM_BUCKET_MS !== 0) problems.push('/bucketStart is not on a 15-minute boundary');
  check('/revenue', b.revenue, UPSTREAM_BOUNDS.revenue, -UPSTREAM_BOUNDS.revenue);
  if (message.kind === 'funnel') {
    const f = message.body;
    for (const key of [
      'passersBy',
      'visitors',
      'tryOnSessions',
      'itemsTried',
      'transactions',
      'triedBought',
      'exits',
    ] as const) {
      check(`/${key}`, f[key], UPSTREAM_BOUNDS.count);
    }
    check('/units', f.units, UPSTREAM_BOUNDS.count, -UPSTREAM_BOUNDS.count);
    check('/personMs', f.personMs, UPSTREAM_BOUNDS.personMs);
  } else {
    const v = message.body;
    for (const key of ['arrivals', 'members', 'invitedArrivals', 'transactions'] as const) {
      check(`/${key}`, v[key], UPSTREAM_BOUNDS.count);
    }
    v.journeys.forEach((j, i) => {
      for (const key of ['arrivals', 'departures', 'transactions'] as const) {
        check(`/journeys/${i}/${key}`, j[key], UPSTREAM_BOUNDS.count);
      }
      check(`/journeys/${i}/dwellMs`, j.dwellMs, UPSTREAM_BOUNDS.dwellMs);
      check(`/journeys/${i}/revenue`, j.revenue, UPSTREAM_BOUNDS.revenue, -UPSTREAM_BOUNDS.revenue);
    });
  }
  return problems.length === 0 ? undefined : problems.slice(0, 5).join('; ');
}
