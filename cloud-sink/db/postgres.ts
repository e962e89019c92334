/** HQ store on PostgreSQL (DATABASE_URL): the production backend for several sink instances. */
import pg from 'pg';
import { HqStoreError } from '../errors.js';
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

/** `?` placeholders → `$1, $2, …` (the shared SQL holds no other `?`). */
export function pgSql(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/** Rows per multi-row upsert statement (16 parameters each, far below PostgreSQL's 65535). */
const ROWS_PER_STATEMENT = 500;

export interface PostgresStoreOptions {
  readonly connectionString: string;
  /** Schema holding the HQ tables; created when missing. */
  readonly schema?: string;
  readonly maxConnections?: number;
}

export class PostgresStore implements HqStore {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private closed = false;

  constructor(private readonly options: PostgresStoreOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 4,
      application_name: 'cloud-sink',
      ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // An idle client losing its server must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      // One instance at a time: CREATE … IF NOT EXISTS races between concurrent sessions.
      await client.query('SELECT pg_advisory_xact_lock(724001)');
      if (this.options.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.options.schema}`);
      for (const sql of SCHEMA_SQL) await client.query(sql);
    });
  }

  async applyBatch(batch: SinkBatch, receivedAt: number): Promise<BatchResult> {
    const funnel = newestPerKey(batch.funnel);
    const vip = newestPerKey(batch.vip);
    const health = newestHealth(batch.health);
    const total = batch.funnel.length + batch.vip.length;
    return this.transaction(async (client) => {
      let applied = 0;
      const seen = new Map<string, string>();
      for (const r of [...funnel, ...vip]) seen.set(r.store, r.tenant);
      for (const [store, tenant] of [...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        await client.query(pgSql(STORE_SEEN_SQL), [store, tenant, receivedAt]);
      }
      for (let i = 0; i < funnel.length; i += ROWS_PER_STATEMENT) {
        const chunk = funnel.slice(i, i + ROWS_PER_STATEMENT);
        const res = await client.query(
          pgSql(funnelUpsertSql(chunk.length)),
          chunk.flatMap((r) => funnelParams(r, receivedAt)),
        );
        applied += res.rowCount ?? 0;
      }
      for (let i = 0; i < vip.length; i += ROWS_PER_STATEMENT) {
        const chunk = vip.slice(i, i + ROWS_PER_STATEMENT);
        const res = await client.query(
          pgSql(vipUpsertSql(chunk.length)),
          chunk.flatMap((r) => vipParams(r, receivedAt)),
        );
        applied += res.rowCount ?? 0;
      }
      for (const h of health) await client.query(pgSql(STORE_HEALTH_SQL), healthParams(h, receivedAt));
      return { applied, stale: total - applied };
    });
  }

  async deadLetter(rows: readonly DeadLetter[]): Promise<void> {
    if (rows.length === 0) return;
    await this.transaction(async (client) => {
      for (const d of rows) await client.query(pgSql(DEAD_LETTER_SQL), deadLetterParams(d));
    });
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    const res = await this.pool.query<Row>(pgSql(DEAD_LETTERS_SELECT), [limit]);
    return res.rows.map(toDeadLetter);
  }

  async funnelRows(from: number, to: number, stores?: readonly string[]): Promise<FunnelRow[]> {
    const params: (number | string[])[] = [from, to];
    let sql = `${FUNNEL_SELECT} WHERE bucket_start >= $1 AND bucket_start < $2`;
    if (stores !== undefined) {
      sql += ' AND store = ANY($3)';
      params.push([...stores]);
    }
    const res = await this.pool.query<Row>(`${sql} ORDER BY bucket_start, store`, params);
    return res.rows.map(toFunnelRow);
  }

  async vipTotals(store: string, from: number, to: number): Promise<VipTotals> {
    const res = await this.pool.query<Row>(pgSql(VIP_TOTALS_SQL), [store, from, to]);
    return toVipTotals(res.rows[0]);
  }

  async stores(): Promise<StoreRecord[]> {
    const res = await this.pool.query<Row>(`${STORES_SELECT} ORDER BY id`);
    return res.rows.map(toStoreRecord);
  }

  async store(id: string): Promise<StoreRecord | undefined> {
    const res = await this.pool.query<Row>(`${STORES_SELECT} WHERE id = $1`, [id]);
    const row = res.rows[0];
    return row ? toStoreRecord(row) : undefined;
  }

  async importStores(list: readonly StoreImport[]): Promise<number> {
    const sorted = [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    await this.transaction(async (client) => {
      for (const s of sorted) await client.query(pgSql(STORE_IMPORT_SQL), storeImportParams(s));
    });
    return list.length;
  }

  async query(sql: string, params: readonly SqlParam[] = []): Promise<Record<string, SqlValue>[]> {
    return (await this.pool.query<Record<string, SqlValue>>(pgSql(sql), [...params])).rows;
  }

  async execute(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    return (await this.pool.query(pgSql(sql), [...params])).rowCount ?? 0;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end().catch(() => undefined);
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new HqStoreError('cannot connect to PostgreSQL', { cause: err });
    }
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

/** The newest health report per store in a batch, in store order. */
export function newestHealth<T extends { store: string; seenAt: number }>(list: readonly T[]): T[] {
  const best = new Map<string, T>();
  for (const h of list) {
    const seen = best.get(h.store);
    if (!seen || h.seenAt >= seen.seenAt) best.set(h.store, h);
  }
  return [...best.values()].sort((a, b) => (a.store < b.store ? -1 : a.store > b.store ? 1 : 0));
}
