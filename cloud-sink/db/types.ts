/**
 * HQ's store: PostgreSQL in production (DATABASE_URL), SQLite in HQ_DATA_DIR otherwise.
 * Both speak the same SQL: upsert-if-newer-revision keyed by (store, bucket_start), times
 * as epoch milliseconds (BIGINT), money as integer cents.
 */

import type { FunnelCounters } from '../../protocols/funnel.js';

/** The counters of one bucket: the shared shape (protocols/funnel.ts), as the funnel message carries them. */
export type { FunnelCounters };

export interface FunnelRecord extends FunnelCounters {
  readonly store: string;
  readonly tenant: string;
  readonly bucketStart: number;
  readonly bucketEnd: number;
  readonly rev: number;
}

export interface VipRecord {
  readonly store: string;
  readonly tenant: string;
  readonly bucketStart: number;
  readonly bucketEnd: number;
  readonly rev: number;
  readonly arrivals: number;
  readonly members: number;
  readonly invitedArrivals: number;
  readonly transactions: number;
  readonly revenueCents: number;
  /** Pseudonymised journeys as JSON. */
  readonly journeys: string;
}

export interface HealthRecord {
  readonly store: string;
  readonly tenant: string;
  /** The store's own `ts` (its clock: shown, never trusted for liveness). */
  readonly at: number;
  /**
   * When HQ's side saw it: the JetStream stored time (HQ's NATS server clock), capped at HQ's
   * receive time. `last_seen` and "online" come from this, so a forged `ts` cannot keep a dead
   * store online and a backlog of old reports does not look fresh.
   */
  readonly seenAt: number;
  readonly name?: string;
  readonly timezone?: string;
  readonly currency?: string;
  /** The health message as JSON. */
  readonly body: string;
}

export interface StoreImport {
  readonly id: string;
  readonly name?: string;
  readonly region?: string;
  readonly timezone?: string;
  readonly currency?: string;
}

export interface StoreRecord {
  readonly id: string;
  readonly tenant: string | null;
  readonly name: string | null;
  readonly region: string | null;
  readonly timezone: string | null;
  readonly currency: string | null;
  readonly firstSeen: number | null;
  readonly lastSeen: number | null;
  readonly lastHealth: string | null;
}

export interface FunnelRow extends FunnelCounters {
  readonly store: string;
  readonly bucketStart: number;
  readonly rev: number;
}

export interface VipTotals {
  readonly arrivals: number;
  readonly members: number;
  readonly invitedArrivals: number;
  readonly transactions: number;
  readonly revenueCents: number;
}

export interface SinkBatch {
  readonly funnel: readonly FunnelRecord[];
  readonly vip: readonly VipRecord[];
  readonly health: readonly HealthRecord[];
}

export interface BatchResult {
  /** Rows inserted or replaced by a newer revision. */
  readonly applied: number;
  /** Rows skipped: HQ already had this or a newer revision. */
  readonly stale: number;
}

/** A message HQ could not store: kept for an operator, never retried. */
export interface DeadLetter {
  readonly streamSeq: number;
  readonly subject: string;
  readonly msgId: string | null;
  readonly store: string | null;
  readonly deliveries: number;
  /** `invalid: …` (schema or bounds) or `store-failed: …` (the database refused it every time). */
  readonly reason: string;
  /** The payload as text (NUL bytes replaced, at most 64 KiB). */
  readonly payload: string;
  readonly receivedAt: number;
}

export interface HqStore {
  readonly kind: 'postgres' | 'sqlite';
  /** Creates the tables (idempotent; safe with several instances starting at once). */
  migrate(): Promise<void>;
  /** One transaction: upserts if newer, registers unknown stores, records health. */
  applyBatch(batch: SinkBatch, receivedAt: number): Promise<BatchResult>;
  /** Keeps messages that cannot be stored (idempotent per stream sequence and subject). */
  deadLetter(rows: readonly DeadLetter[]): Promise<void>;
  /** Newest first. */
  deadLetters(limit: number): Promise<DeadLetter[]>;
  /** 15-minute rows with bucket_start in [from, to), ordered by bucket_start, store. */
  funnelRows(from: number, to: number, stores?: readonly string[]): Promise<FunnelRow[]>;
  vipTotals(store: string, from: number, to: number): Promise<VipTotals>;
  stores(): Promise<StoreRecord[]>;
  store(id: string): Promise<StoreRecord | undefined>;
  /** Upserts stores; given fields replace, absent fields stay. */
  importStores(list: readonly StoreImport[]): Promise<number>;
  /** One statement outside the sink's write path (HQ users and sign-in tokens); `?` placeholders. */
  query(sql: string, params?: readonly SqlParam[]): Promise<Record<string, SqlValue>[]>;
  /** One statement; resolves to the number of rows it changed. */
  execute(sql: string, params?: readonly SqlParam[]): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type SqlParam = string | number | null;

export const FUNNEL_COLUMNS = [
  ['passers_by', 'passersBy'],
  ['visitors', 'visitors'],
  ['try_on_sessions', 'tryOnSessions'],
  ['items_tried', 'itemsTried'],
  ['transactions', 'transactions'],
  ['units', 'units'],
  ['revenue_cents', 'revenueCents'],
  ['tried_bought', 'triedBought'],
  ['exits', 'exits'],
  ['person_ms', 'personMs'],
] as const satisfies readonly (readonly [string, keyof FunnelCounters])[];

/** DDL shared by both engines (BIGINT is INTEGER affinity in SQLite). */
export const SCHEMA_SQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS stores (
    id          TEXT PRIMARY KEY,
    tenant      TEXT,
    name        TEXT,
    region      TEXT,
    timezone    TEXT,
    currency    TEXT,
    first_seen  BIGINT,
    last_seen   BIGINT,
    last_health TEXT
  )`,
  `CREATE TABLE IF NOT EXISTS funnel (
    store           TEXT    NOT NULL,
    bucket_start    BIGINT  NOT NULL,
    bucket_end      BIGINT  NOT NULL,
    tenant          TEXT    NOT NULL,
    rev             INTEGER NOT NULL,
    passers_by      INTEGER NOT NULL,
    visitors        INTEGER NOT NULL,
    try_on_sessions INTEGER NOT NULL,
    items_tried     INTEGER NOT NULL,
    transactions    INTEGER NOT NULL,
    units           INTEGER NOT NULL,
    revenue_cents   BIGINT  NOT NULL,
    tried_bought    INTEGER NOT NULL,
    exits           INTEGER NOT NULL DEFAULT 0,
    person_ms       BIGINT  NOT NULL DEFAULT 0,
    received_at     BIGINT  NOT NULL,
    PRIMARY KEY (store, bucket_start)
  )`,
  'CREATE INDEX IF NOT EXISTS funnel_bucket_start ON funnel (bucket_start)',
  `CREATE TABLE IF NOT EXISTS vip_journey (
    store            TEXT    NOT NULL,
    bucket_start     BIGINT  NOT NULL,
    bucket_end       BIGINT  NOT NULL,
    tenant           TEXT    NOT NULL,
    rev              INTEGER NOT NULL,
    arrivals         INTEGER NOT NULL,
    members          INTEGER NOT NULL,
    invited_arrivals INTEGER NOT NULL,
    transactions     INTEGER NOT NULL,
    revenue_cents    BIGINT  NOT NULL,
    journeys         TEXT    NOT NULL,
    received_at      BIGINT  NOT NULL,
    PRIMARY KEY (store, bucket_start)
  )`,
  `CREATE TABLE IF NOT EXISTS hq_users (
    name          TEXT    PRIMARY KEY,
    role          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    must_change   INTEGER NOT NULL DEFAULT 0,
    created       BIGINT  NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS hq_sessions (
    token_hash TEXT   PRIMARY KEY,
    name       TEXT   NOT NULL,
    created    BIGINT NOT NULL,
    expires    BIGINT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS dead_letter (
    stream_seq  BIGINT  NOT NULL,
    subject     TEXT    NOT NULL,
    msg_id      TEXT,
    store       TEXT,
    deliveries  INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    received_at BIGINT  NOT NULL,
    PRIMARY KEY (stream_seq, subject)
  )`,
];

export const DEAD_LETTER_SQL = `INSERT INTO dead_letter (stream_seq, subject, msg_id, store, deliveries, reason, payload, received_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stream_seq, subject) DO NOTHING`;

export function deadLetterParams(d: DeadLetter): (string | number | null)[] {
  return [
    d.streamSeq,
    d.subject.slice(0, 512),
    d.msgId?.slice(0, 256) ?? null,
    d.store?.slice(0, 128) ?? null,
    d.deliveries,
    d.reason.slice(0, 2000),
    d.payload,
    d.receivedAt,
  ];
}

export const DEAD_LETTERS_SELECT = `SELECT stream_seq, subject, msg_id, store, deliveries, reason, payload, received_at
  FROM dead_letter ORDER BY received_at DESC, stream_seq DESC LIMIT ?`;

export function toDeadLetter(r: Record<string, SqlValue>): DeadLetter {
  const s = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
  return {
    streamSeq: Number(r.stream_seq),
    subject: String(r.subject),
    msgId: s(r.msg_id),
    store: s(r.store),
    deliveries: Number(r.deliveries),
    reason: String(r.reason),
    payload: String(r.payload),
    receivedAt: Number(r.received_at),
  };
}

const funnelInsertColumns = [
  'store',
  'bucket_start',
  'bucket_end',
  'tenant',
  'rev',
  ...FUNNEL_COLUMNS.map(([c]) => c),
  'received_at',
];

/** Upsert-if-newer for `rows` funnel rows; placeholders `?` (PostgreSQL: rewritten to $n). */
export function funnelUpsertSql(rows: number): string {
  const tuple = `(${funnelInsertColumns.map(() => '?').join(', ')})`;
  const updates = funnelInsertColumns
    .filter((c) => c !== 'store' && c !== 'bucket_start')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  return `INSERT INTO funnel (${funnelInsertColumns.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}
    ON CONFLICT (store, bucket_start) DO UPDATE SET ${updates}
    WHERE excluded.rev > funnel.rev`;
}

export function funnelParams(r: FunnelRecord, receivedAt: number): (string | number)[] {
  return [r.store, r.bucketStart, r.bucketEnd, r.tenant, r.rev, ...FUNNEL_COLUMNS.map(([, k]) => r[k]), receivedAt];
}

const vipInsertColumns = [
  'store',
  'bucket_start',
  'bucket_end',
  'tenant',
  'rev',
  'arrivals',
  'members',
  'invited_arrivals',
  'transactions',
  'revenue_cents',
  'journeys',
  'received_at',
];

export function vipUpsertSql(rows: number): string {
  const tuple = `(${vipInsertColumns.map(() => '?').join(', ')})`;
  const updates = vipInsertColumns
    .filter((c) => c !== 'store' && c !== 'bucket_start')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  return `INSERT INTO vip_journey (${vipInsertColumns.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}
    ON CONFLICT (store, bucket_start) DO UPDATE SET ${updates}
    WHERE excluded.rev > vip_journey.rev`;
}

export function vipParams(r: VipRecord, receivedAt: number): (string | number)[] {
  return [
    r.store,
    r.bucketStart,
    r.bucketEnd,
    r.tenant,
    r.rev,
    r.arrivals,
    r.members,
    r.invitedArrivals,
    r.transactions,
    r.revenueCents,
    r.journeys,
    receivedAt,
  ];
}

/** A store seen on the stream for the first time (no health yet). */
export const STORE_SEEN_SQL = `INSERT INTO stores (id, tenant, first_seen) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`;

/** A health report: liveness, and the store's own name/zone/currency unless HQ set them. */
export const STORE_HEALTH_SQL = `INSERT INTO stores (id, tenant, name, timezone, currency, first_seen, last_seen, last_health)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET
    tenant = excluded.tenant,
    name = COALESCE(stores.name, excluded.name),
    timezone = COALESCE(stores.timezone, excluded.timezone),
    currency = COALESCE(stores.currency, excluded.currency),
    last_seen = excluded.last_seen,
    last_health = excluded.last_health
  WHERE stores.last_seen IS NULL OR excluded.last_seen > stores.last_seen`;

export function healthParams(h: HealthRecord, receivedAt: number): (string | number | null)[] {
  return [h.store, h.tenant, h.name ?? null, h.timezone ?? null, h.currency ?? null, receivedAt, h.seenAt, h.body];
}

export const STORE_IMPORT_SQL = `INSERT INTO stores (id, name, region, timezone, currency) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET
    name = COALESCE(excluded.name, stores.name),
    region = COALESCE(excluded.region, stores.region),
    timezone = COALESCE(excluded.timezone, stores.timezone),
    currency = COALESCE(excluded.currency, stores.currency)`;

export function storeImportParams(s: StoreImport): (string | null)[] {
  return [s.id, s.name ?? null, s.region ?? null, s.timezone ?? null, s.currency ?? null];
}

export const FUNNEL_SELECT = `SELECT store, bucket_start, rev, ${FUNNEL_COLUMNS.map(([c]) => c).join(', ')} FROM funnel`;

export const STORES_SELECT =
  'SELECT id, tenant, name, region, timezone, currency, first_seen, last_seen, last_health FROM stores';

export const VIP_TOTALS_SQL = `SELECT COALESCE(SUM(arrivals), 0) AS arrivals, COALESCE(SUM(members), 0) AS members,
  COALESCE(SUM(invited_arrivals), 0) AS invited_arrivals, COALESCE(SUM(transactions), 0) AS transactions,
  COALESCE(SUM(revenue_cents), 0) AS revenue_cents
  FROM vip_journey WHERE store = ? AND bucket_start >= ? AND bucket_start < ?`;

export type SqlValue = string | number | bigint | null;

/** Row mapping shared by both engines (PostgreSQL returns BIGINT and SUM as strings). */
export function toFunnelRow(r: Record<string, SqlValue>): FunnelRow {
  const n = (v: SqlValue | undefined): number => (v === null || v === undefined ? 0 : Number(v));
  return {
    store: String(r.store),
    bucketStart: n(r.bucket_start),
    rev: n(r.rev),
    passersBy: n(r.passers_by),
    visitors: n(r.visitors),
    tryOnSessions: n(r.try_on_sessions),
    itemsTried: n(r.items_tried),
    transactions: n(r.transactions),
    units: n(r.units),
    revenueCents: n(r.revenue_cents),
    triedBought: n(r.tried_bought),
    exits: n(r.exits),
    personMs: n(r.person_ms),
  };
}

export function toStoreRecord(r: Record<string, SqlValue>): StoreRecord {
  const s = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
  const n = (v: SqlValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    id: String(r.id),
    tenant: s(r.tenant),
    name: s(r.name),
    region: s(r.region),
    timezone: s(r.timezone),
    currency: s(r.currency),
    firstSeen: n(r.first_seen),
    lastSeen: n(r.last_seen),
    lastHealth: s(r.last_health),
  };
}

export function toVipTotals(r: Record<string, SqlValue> | undefined): VipTotals {
  const n = (v: SqlValue | undefined): number => (v === null || v === undefined ? 0 : Number(v));
  return {
    arrivals: n(r?.arrivals),
    members: n(r?.members),
    invitedArrivals: n(r?.invited_arrivals),
    transactions: n(r?.transactions),
    revenueCents: n(r?.revenue_cents),
  };
}

/** One row per key with its highest revision (a multi-row upsert may not touch a row twice). */
export function newestPerKey<T extends { store: string; bucketStart: number; rev: number }>(rows: readonly T[]): T[] {
  const best = new Map<string, T>();
  for (const row of rows) {
    const key = `${row.store}\u0000${row.bucketStart}`;
    const seen = best.get(key);
    if (!seen || row.rev > seen.rev) best.set(key, row);
  }
  // A fixed lock order across instances: no deadlocks between concurrent batches.
  return [...best.values()].sort((a, b) =>
    a.store < b.store ? -1 : a.store > b.store ? 1 : a.bucketStart - b.bucketStart,
  );
}
