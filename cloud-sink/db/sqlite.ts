/** HQ store on SQLite (HQ_DATA_DIR/hq.db) when DATABASE_URL is unset: one-box HQ, demos, tests. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { newestHealth } from './postgres.js';
import {
  type BatchResult,
  DEAD_LETTER_SQL,
  DEAD_LETTERS_SELECT,
  type DeadLetter,
  deadLetterParams,
  FUNNEL_SELECT,
  type FunnelRow,
  funnelParams,
  funnelUpsertSql,
  type HqStore,
  healthParams,
  newestPerKey,
  SCHEMA_SQL,
  type SinkBatch,
  type SqlParam,
  type SqlValue,
  STORE_HEALTH_SQL,
  STORE_IMPORT_SQL,
  STORE_SEEN_SQL,
  STORES_SELECT,
  type StoreImport,
  type StoreRecord,
  storeImportParams,
  toDeadLetter,
  toFunnelRow,
  toStoreRecord,
  toVipTotals,
  VIP_TOTALS_SQL,
  type VipTotals,
  vipParams,
  vipUpsertSql,
} from './types.js';

type Row = Record<string, string | number | null>;

export class SqliteStore implements HqStore {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  private readonly db: Database.Database;
  private closed = false;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.path = join(dataDir, 'hq.db');
    // Several sink processes may share the file: wait for the write lock instead of failing.
    this.db = new Database(this.path, { timeout: 10_000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('journal_size_limit = 67108864');
  }

  async migrate(): Promise<void> {
    this.db
      .transaction(() => {
        for (const sql of SCHEMA_SQL) this.db.exec(sql);
      })
      .immediate();
  }

  async applyBatch(batch: SinkBatch, receivedAt: number): Promise<BatchResult> {
    const funnel = newestPerKey(batch.funnel);
    const vip = newestPerKey(batch.vip);
    const health = newestHealth(batch.health);
    const upsertFunnel = this.db.prepare(funnelUpsertSql(1));
    const upsertVip = this.db.prepare(vipUpsertSql(1));
    const seen = this.db.prepare(STORE_SEEN_SQL);
    const healthy = this.db.prepare(STORE_HEALTH_SQL);
    let applied = 0;
    // IMMEDIATE: take the write lock up front, so two processes never deadlock on upgrade.
    this.db
      .transaction(() => {
        const stores = new Map<string, string>();
        for (const r of [...funnel, ...vip]) stores.set(r.store, r.tenant);
        for (const [store, tenant] of stores) seen.run(store, tenant, receivedAt);
        for (const r of funnel) applied += upsertFunnel.run(...funnelParams(r, receivedAt)).changes;
        for (const r of vip) applied += upsertVip.run(...vipParams(r, receivedAt)).changes;
        for (const h of health) healthy.run(...healthParams(h, receivedAt));
      })
      .immediate();
    return { applied, stale: batch.funnel.length + batch.vip.length - applied };
  }

  async deadLetter(rows: readonly DeadLetter[]): Promise<void> {
    if (rows.length === 0) return;
    const insert = this.db.prepare(DEAD_LETTER_SQL);
    this.db
      .transaction(() => {
        for (const d of rows) insert.run(...deadLetterParams(d));
      })
      .immediate();
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    return (this.db.prepare(DEAD_LETTERS_SELECT).all(limit) as Row[]).map(toDeadLetter);
  }

  async funnelRows(from: number, to: number, stores?: readonly string[]): Promise<FunnelRow[]> {
    let sql = `${FUNNEL_SELECT} WHERE bucket_start >= ? AND bucket_start < ?`;
    const params: (string | number)[] = [from, to];
    if (stores !== undefined) {
      if (stores.length === 0) return [];
      sql += ` AND store IN (${stores.map(() => '?').join(', ')})`;
      params.push(...stores);
    }
    return (this.db.prepare(`${sql} ORDER BY bucket_start, store`).all(...params) as Row[]).map(toFunnelRow);
  }

  async vipTotals(store: string, from: number, to: number): Promise<VipTotals> {
    return toVipTotals(this.db.prepare(VIP_TOTALS_SQL).get(store, from, to) as Row | undefined);
  }

  async stores(): Promise<StoreRecord[]> {
    return (this.db.prepare(`${STORES_SELECT} ORDER BY id`).all() as Row[]).map(toStoreRecord);
  }

  async store(id: string): Promise<StoreRecord | undefined> {
    const row = this.db.prepare(`${STORES_SELECT} WHERE id = ?`).get(id) as Row | undefined;
    return row ? toStoreRecord(row) : undefined;
  }

  async importStores(list: readonly StoreImport[]): Promise<number> {
    const upsert = this.db.prepare(STORE_IMPORT_SQL);
    this.db.transaction(() => {
      for (const s of list) upsert.run(...storeImportParams(s));
    })();
    return list.length;
  }

  async query(sql: string, params: readonly SqlParam[] = []): Promise<Record<string, SqlValue>[]> {
    return this.db.prepare(sql).all(...params) as Record<string, SqlValue>[];
  }

  async execute(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    return this.db.prepare(sql).run(...params).changes;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
