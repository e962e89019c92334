/**
 * The store database: one SQLite file in WAL mode with synchronous=FULL, so a commit is
 * on disk (and survives power loss) before anything is acknowledged.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Ordered migrations; index + 1 is the schema version stored in `user_version`. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE journal (
    seq     INTEGER PRIMARY KEY,
    device  TEXT    NOT NULL,
    msg_id  TEXT    NOT NULL,
    type    TEXT    NOT NULL,
    ts      INTEGER NOT NULL,
    rx_ts   INTEGER NOT NULL,
    body    TEXT    NOT NULL,
    UNIQUE (device, msg_id)
  );
  CREATE INDEX journal_rx_ts ON journal (rx_ts);

  CREATE TABLE rejected (
    id      INTEGER PRIMARY KEY,
    rx_ts   INTEGER NOT NULL,
    device  TEXT,
    source  TEXT    NOT NULL,
    code    TEXT    NOT NULL,
    reason  TEXT    NOT NULL,
    raw     BLOB
  );

  -- Derived state: everything below can be rebuilt from the journal.
  CREATE TABLE buckets (
    start         INTEGER PRIMARY KEY,
    passers_by    INTEGER NOT NULL DEFAULT 0,
    visitors      INTEGER NOT NULL DEFAULT 0,
    exits         INTEGER NOT NULL DEFAULT 0,
    sessions      INTEGER NOT NULL DEFAULT 0,
    items_tried   INTEGER NOT NULL DEFAULT 0,
    transactions  INTEGER NOT NULL DEFAULT 0,
    units         INTEGER NOT NULL DEFAULT 0,
    revenue_cents INTEGER NOT NULL DEFAULT 0,
    tried_bought  INTEGER NOT NULL DEFAULT 0,
    person_ms     INTEGER NOT NULL DEFAULT 0,
    rev           INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE facts (
    id      INTEGER PRIMARY KEY,
    type    TEXT    NOT NULL,
    ts      INTEGER NOT NULL,
    member  TEXT,
    body    TEXT    NOT NULL
  );
  CREATE INDEX facts_type_ts ON facts (type, ts);
  CREATE INDEX facts_member ON facts (member, type, ts) WHERE member IS NOT NULL;

  -- One row: how far derived state got, and the correlator snapshot it can restart from.
  CREATE TABLE progress (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    applied_seq    INTEGER NOT NULL,
    applied_tick   INTEGER NOT NULL,
    snapshot_seq   INTEGER,
    snapshot_tick  INTEGER,
    snapshot       TEXT
  );
  INSERT INTO progress (id, applied_seq, applied_tick) VALUES (1, 0, 0);
  `,
  `
  -- Reference data: the VIP roster and the product catalog (imported or mirrored from HQ).
  CREATE TABLE members (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    tier     INTEGER NOT NULL,
    phone    TEXT,
    sizes    TEXT,
    brands   TEXT,
    notes    TEXT,
    updated  INTEGER NOT NULL
  );
  CREATE TABLE member_cards (
    card      TEXT PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE
  );
  CREATE INDEX member_cards_member ON member_cards (member_id);
  CREATE TABLE catalog (
    gtin   TEXT PRIMARY KEY,
    sku    TEXT NOT NULL,
    style  TEXT NOT NULL,
    color  TEXT NOT NULL,
    size   TEXT NOT NULL,
    name   TEXT NOT NULL,
    brand  TEXT,
    price  REAL NOT NULL
  );
  CREATE INDEX catalog_sku ON catalog (sku);
  `,
  `
  -- Upstream outbox: messages for HQ, written in the transaction that produced them and
  -- deleted only after JetStream acknowledged them (gateway/outputs/upstream).
  CREATE TABLE outbox (
    seq      INTEGER PRIMARY KEY,
    subject  TEXT    NOT NULL,
    msg_id   TEXT    NOT NULL UNIQUE,
    payload  TEXT    NOT NULL,
    created  INTEGER NOT NULL
  );
  `,
  `
  -- VIP alerts with the profile staff saw, and who took care of them.
  CREATE TABLE alerts (
    id        TEXT PRIMARY KEY,
    ts        INTEGER NOT NULL,
    member    TEXT    NOT NULL,
    body      TEXT    NOT NULL,
    acked_by  TEXT,
    acked_at  INTEGER
  );
  CREATE INDEX alerts_ts ON alerts (ts);
  -- Invitations (邀约) as recorded; the journal holds the same record for replay.
  CREATE TABLE invitations (
    id        TEXT PRIMARY KEY,
    ts        INTEGER NOT NULL,
    member    TEXT    NOT NULL,
    staff     TEXT    NOT NULL,
    channel   TEXT    NOT NULL,
    campaign  TEXT    NOT NULL
  );
  CREATE INDEX invitations_ts ON invitations (ts);
  `,
  `
  -- Dashboard login sessions (gateway/infra/auth): only a hash of the token is kept.
  CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user        TEXT    NOT NULL,
    created     INTEGER NOT NULL,
    expires     INTEGER NOT NULL
  );
  CREATE INDEX sessions_expires ON sessions (expires);
  -- Who viewed, exported, imported or erased member PII (gateway/infra/auth/audit.ts).
  CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    ts       INTEGER NOT NULL,
    user     TEXT    NOT NULL,
    role     TEXT    NOT NULL,
    action   TEXT    NOT NULL,
    target   TEXT    NOT NULL,
    address  TEXT    NOT NULL
  );
  CREATE INDEX audit_ts ON audit (ts);
  `,
  `
  -- The correlator snapshot (often megabytes) leaves the progress row: that row is updated
  -- on every commit, and SQLite rewrites a whole row, overflow pages included, on UPDATE.
  CREATE TABLE snapshot (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    body  TEXT NOT NULL
  );
  INSERT INTO snapshot (id, body) SELECT 1, snapshot FROM progress WHERE id = 1 AND snapshot IS NOT NULL;
  ALTER TABLE progress DROP COLUMN snapshot;
  `,
  `
  -- Order independence (gateway/pipeline/derive): correlation reads the journal in event-time order,
  -- and input that arrives late rewinds derived state to a checkpoint before it. Everything
  -- derived is tagged with the epoch (checkpoint interval) whose input produced it, so a
  -- rewind can take exactly that back out.
  CREATE INDEX journal_ts ON journal (ts);
  ALTER TABLE facts ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX facts_epoch ON facts (epoch);
  CREATE TABLE bucket_epochs (
    epoch         INTEGER NOT NULL,
    start         INTEGER NOT NULL,
    passers_by    INTEGER NOT NULL DEFAULT 0,
    visitors      INTEGER NOT NULL DEFAULT 0,
    exits         INTEGER NOT NULL DEFAULT 0,
    sessions      INTEGER NOT NULL DEFAULT 0,
    items_tried   INTEGER NOT NULL DEFAULT 0,
    transactions  INTEGER NOT NULL DEFAULT 0,
    units         INTEGER NOT NULL DEFAULT 0,
    revenue_cents INTEGER NOT NULL DEFAULT 0,
    tried_bought  INTEGER NOT NULL DEFAULT 0,
    person_ms     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (epoch, start)
  ) WITHOUT ROWID;
  -- Correlator state after every input up to (ts, seq) in event-time order; epoch 0 is the
  -- empty state before all input and is never stored.
  CREATE TABLE checkpoints (
    epoch  INTEGER PRIMARY KEY,
    ts     INTEGER NOT NULL,
    seq    INTEGER NOT NULL,
    body   TEXT    NOT NULL
  );
  ALTER TABLE alerts ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE alerts ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE alerts ADD COLUMN pushed_at INTEGER;
  -- Alerts before this version were pushed as they were derived.
  UPDATE alerts SET pushed_at = ts;
  CREATE INDEX alerts_member ON alerts (member, ts);
  -- Derived state from before this version was computed in arrival order: recompute it all
  -- (there is no checkpoint yet, so the first start rewinds to the empty state).
  DELETE FROM snapshot;
  `,
  `
  -- Fitting-room assistance cards (gateway/outputs/alerts/assist-store.ts): one per session that
  -- asked for staff, with the same epoch/late/push/ack life as VIP alerts.
  CREATE TABLE assist_alerts (
    id         TEXT PRIMARY KEY,
    ts         INTEGER NOT NULL,
    room       TEXT    NOT NULL,
    session    TEXT    NOT NULL,
    start      INTEGER NOT NULL,
    body       TEXT    NOT NULL,
    epoch      INTEGER NOT NULL DEFAULT 0,
    late       INTEGER NOT NULL DEFAULT 0,
    pushed_at  INTEGER,
    acked_by   TEXT,
    acked_at   INTEGER
  );
  CREATE INDEX assist_alerts_ts ON assist_alerts (ts);
  CREATE INDEX assist_alerts_room ON assist_alerts (room, start);
  `,
  `
  -- Staff are people: an ack and an invitation record the person's display name beside the
  -- sign-in name (a shared account has none; older rows show the sign-in name).
  ALTER TABLE alerts ADD COLUMN acked_by_name TEXT;
  ALTER TABLE invitations ADD COLUMN staff_name TEXT;
  ALTER TABLE assist_alerts ADD COLUMN acked_by_name TEXT;
  `,
];

export interface OpenDbOptions {
  /** FULL unless a benchmark compares settings; never lower it in production. */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /**
   * Caps the database at this many pages (PRAGMA max_page_count; 4 KiB pages); beyond it
   * commits fail with SQLITE_FULL exactly as on a full disk. Default: GW_DB_MAX_PAGES.
   */
  readonly maxPageCount?: number;
}

/**
 * The store database cannot be opened (not a SQLite file, damaged, locked, unwritable).
 * The message names the file and what to do, for the CLI to print instead of a stack trace.
 */
export class DatabaseOpenError extends Error {
  override readonly name = 'DatabaseOpenError';
  readonly code = 'DB_OPEN_FAILED';
  constructor(
    readonly path: string,
    readonly sqliteCode: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function openDb(dataDir: string, options: OpenDbOptions = {}): Db {
  const path = join(dataDir, 'gateway.db');
  const maxPageCount = options.maxPageCount ?? maxPagesFromEnv(process.env.GW_DB_MAX_PAGES);
  let db: Db | undefined;
  try {
    // The database holds member PII and session hashes: the folder is the gateway user's only
    // (0700 when the gateway creates it) and the files 0600 whatever the umask.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    db = new Database(path, { timeout: 5000 });
    // Before WAL mode: SQLite creates -wal and -shm with the database file's permissions.
    restrictDbFiles(path);
    db.pragma('journal_mode = WAL');
    restrictDbFiles(path);
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    // WAL grows without bound by default; keep it to 64 MiB after checkpoints.
    db.pragma('journal_size_limit = 67108864');
    db.pragma('foreign_keys = ON');
    // Checkpoint every ~40 MB of WAL instead of 4 MB: hot pages (indexes, buckets, progress)
    // rewritten by many commits reach the database file once per checkpoint, and each
    // checkpoint's fsync of the database file happens a tenth as often under load.
    db.pragma('wal_autocheckpoint = 10000');
    // SQLite's own default page cache (2 MB), not better-sqlite3's build default of 16 MB: the
    // journal appends to the right edge of its b-trees and the funnel reads a few thousand
    // bucket rows, so a bigger cache bought no throughput, but under a burst it filled to
    // 16 MB of malloc heap that never went back to the system (RSS peak 154-157 -> 140-143 MB).
    db.pragma('cache_size = -2000');
    if (maxPageCount !== undefined) db.pragma(`max_page_count = ${maxPageCount}`);
    migrate(db);
    return db;
  } catch (err) {
    db?.close();
    throw openFailure(path, err);
  }
}

/** chmod 0600 the database file and its -wal / -shm companions (those that exist). */
export function restrictDbFiles(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

/**
 * GW_DB_MAX_PAGES: an ops and test knob. Ops: keep the database from filling a disk it shares
 * (the gateway then stops acknowledging instead of starving other services). Tests: the
 * disk-full drill (tests/drills/disk-full.test.ts) makes SQLITE_FULL happen on demand.
 */
function maxPagesFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) {
    throw new DatabaseOpenError(
      '',
      undefined,
      `GW_DB_MAX_PAGES must be a positive integer, not ${JSON.stringify(value)}`,
    );
  }
  return Number(value);
}

function openFailure(path: string, err: unknown): Error {
  if (err instanceof DatabaseOpenError) return err;
  const code = (err as { code?: unknown }).code;
  const sqliteCode = typeof code === 'string' ? code : undefined;
  const detail = err instanceof Error ? err.message : String(err);
  const hint =
    sqliteCode === 'SQLITE_NOTADB' || sqliteCode === 'SQLITE_CORRUPT'
      ? 'the file is not a SQLite database or is damaged: stop the gateway, move gateway.db (and gateway.db-wal, gateway.db-shm) aside, and restore a backup or start with an empty database'
      : sqliteCode === 'SQLITE_BUSY'
        ? 'another process holds a lock on it: stop that process'
        : sqliteCode === 'SQLITE_FULL'
          ? 'the disk is full (or GW_DB_MAX_PAGES is too small): free space'
          : 'check that the data directory (dataDir / GW_DATA_DIR) exists and is writable';
  return new DatabaseOpenError(
    path,
    sqliteCode,
    `cannot open the store database ${path}: ${detail}${sqliteCode ? ` (${sqliteCode})` : ''}; ${hint}`,
    { cause: err },
  );
}

function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    const sql = MIGRATIONS[v];
    if (sql === undefined) break;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
