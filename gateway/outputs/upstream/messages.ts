/**
 * Builders of upstream messages (protocols/upstream.ts is the contract): pure functions from
 * the store's rows to {subject, msgId, payload}. Member ids leave the store only as
 * HMAC-SHA256 pseudonyms under a store secret that itself never leaves the store.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type FunnelMessage,
  type HealthMessage,
  UPSTREAM_BUCKET_MS,
  upstreamMsgId,
  upstreamSubject,
  type VipJourney,
  type VipJourneyMessage,
} from '../../../protocols/index.js';
import type { BucketRow } from '../../pipeline/derive/buckets.js';
import { StoreSecretError } from './errors.js';
import type { OutboxMessage } from './outbox.js';

export interface BuiltMessage<T> extends OutboxMessage {
  readonly body: T;
}

const iso = (ts: number): string => new Date(ts).toISOString();

/**
 * One funnel bucket at its current revision. Revenue goes out as a decimal in the store
 * currency (integer cents / 100, exact to the cent); `bucketEnd` is passed in (start + 15
 * min for every 15-minute bucket in current zones).
 */
export function funnelBucketMessage(
  storeId: string,
  tenant: string,
  row: BucketRow,
  bucketEnd: number,
): BuiltMessage<FunnelMessage> {
  const rev = Math.max(1, row.rev);
  const body: FunnelMessage = {
    v: 1,
    tenant,
    store: storeId,
    bucketStart: iso(row.start),
    bucketEnd: iso(bucketEnd),
    rev,
    passersBy: row.passersBy,
    visitors: row.visitors,
    tryOnSessions: row.tryOnSessions,
    itemsTried: row.itemsTried,
    transactions: row.transactions,
    units: row.units,
    revenue: row.revenueCents / 100,
    triedBought: row.triedBought,
    exits: row.exits,
    personMs: Math.max(0, Math.round(row.occupancyMs)),
  };
  return {
    subject: upstreamSubject(tenant, storeId, 'funnel'),
    msgId: upstreamMsgId(storeId, 'funnel', row.start, rev),
    payload: JSON.stringify(body),
    body,
  };
}

/** One VIP's activity in a bucket, with the raw member id (pseudonymised by the builder). */
export interface VipJourneyInput {
  readonly memberId: string;
  readonly tier: number;
  readonly arrivals: number;
  readonly departures: number;
  readonly dwellMs: number;
  readonly invited: boolean;
  readonly transactions: number;
  readonly revenueCents: number;
}

export interface VipBucketInput {
  readonly bucketStart: number;
  readonly bucketEnd: number;
  readonly rev: number;
  readonly journeys: readonly VipJourneyInput[];
}

/** Journeys per message; a bucket with more VIPs than this is not a store we know of. */
export const MAX_JOURNEYS_PER_MESSAGE = 2000;

export function vipJourneyMessage(
  storeId: string,
  tenant: string,
  input: VipBucketInput,
  pseudonymizer: Pseudonymizer,
): BuiltMessage<VipJourneyMessage> {
  const rev = Math.max(1, input.rev);
  const sorted = [...input.journeys].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const journeys: VipJourney[] = sorted.slice(0, MAX_JOURNEYS_PER_MESSAGE).map((j) => ({
    member: pseudonymizer.pseudonym(j.memberId),
    tier: j.tier,
    arrivals: j.arrivals,
    departures: j.departures,
    dwellMs: Math.max(0, Math.round(j.dwellMs)),
    invited: j.invited,
    transactions: j.transactions,
    revenue: j.revenueCents / 100,
  }));
  let arrivals = 0;
  let invitedArrivals = 0;
  let transactions = 0;
  let revenueCents = 0;
  for (const j of input.journeys) {
    arrivals += j.arrivals;
    if (j.invited) invitedArrivals += j.arrivals;
    transactions += j.transactions;
    revenueCents += j.revenueCents;
  }
  const body: VipJourneyMessage = {
    v: 1,
    tenant,
    store: storeId,
    bucketStart: iso(input.bucketStart),
    bucketEnd: iso(input.bucketEnd),
    rev,
    arrivals,
    members: input.journeys.filter((j) => j.arrivals > 0).length,
    invitedArrivals,
    transactions,
    revenue: revenueCents / 100,
    journeys,
  };
  return {
    subject: upstreamSubject(tenant, storeId, 'vipjourney'),
    msgId: upstreamMsgId(storeId, 'vipjourney', input.bucketStart, rev),
    payload: JSON.stringify(body),
    body,
  };
}

export interface HealthInput {
  readonly name?: string;
  readonly timezone?: string;
  readonly currency?: string;
  readonly version?: string;
  readonly uptimeMs: number;
  readonly outbox: { readonly depth: number; readonly oldestAgeMs: number };
  readonly reference?: { readonly members: number; readonly products: number };
  readonly devices?: { readonly total: number; readonly online: number };
}

export const HEALTH_PERIOD_MS = 60_000;

/** A health report; its msgId names the minute, so one report per minute survives dedupe. */
export function healthMessage(
  storeId: string,
  tenant: string,
  input: HealthInput,
  now: number,
): BuiltMessage<HealthMessage> {
  const body: HealthMessage = {
    v: 1,
    tenant,
    store: storeId,
    ts: iso(now),
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.timezone !== undefined ? { timezone: input.timezone } : {}),
    ...(input.currency !== undefined ? { currency: input.currency } : {}),
    ...(input.version !== undefined ? { version: input.version } : {}),
    uptimeS: Math.max(0, Math.round(input.uptimeMs / 1000)),
    outbox: { depth: input.outbox.depth, oldestAgeS: Math.max(0, Math.round(input.outbox.oldestAgeMs / 1000)) },
    ...(input.reference !== undefined ? { reference: input.reference } : {}),
    ...(input.devices !== undefined ? { devices: input.devices } : {}),
  };
  const period = Math.floor(now / HEALTH_PERIOD_MS) * HEALTH_PERIOD_MS;
  return {
    subject: upstreamSubject(tenant, storeId, 'health'),
    msgId: upstreamMsgId(storeId, 'health', period, 1),
    payload: JSON.stringify(body),
    body,
  };
}

/** End of the 15-minute bucket starting at `start`. */
export function bucketEndOf(start: number): number {
  return start + UPSTREAM_BUCKET_MS;
}

// --- pseudonyms ------------------------------------------------------------------------

/** HMAC-SHA256(secret, member id) as lower-case hex: stable per store, not reversible without the secret. */
export class Pseudonymizer {
  private readonly key: Buffer;
  private readonly cache = new Map<string, string>();

  constructor(secret: string | Buffer) {
    this.key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
    if (this.key.length < 16) throw new StoreSecretError('the pseudonym secret must be at least 16 bytes');
  }

  pseudonym(memberId: string): string {
    let value = this.cache.get(memberId);
    if (value === undefined) {
      value = createHmac('sha256', this.key).update(memberId, 'utf8').digest('hex');
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(memberId, value);
    }
    return value;
  }
}

export const STORE_SECRET_FILE = 'upstream-secret.key';

/**
 * The store's pseudonym secret: the configured one, else `{dataDir}/upstream-secret.key`,
 * created on first use (32 random bytes as hex, mode 0600). Keep the file with the data
 * directory: a new secret gives every member a new pseudonym at HQ.
 */
export function loadStoreSecret(dataDir: string, configured?: string): string {
  if (configured !== undefined && configured !== '') {
    if (Buffer.byteLength(configured) < 16) throw new StoreSecretError('the configured pseudonym secret is too short');
    return configured;
  }
  const path = join(dataDir, STORE_SECRET_FILE);
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new StoreSecretError(`cannot create ${path}`, { cause: err });
    }
  }
  const secret = readFileSync(path, 'utf8').trim();
  if (Buffer.byteLength(secret) < 16) throw new StoreSecretError(`${path} holds no usable secret`);
  return secret;
}
