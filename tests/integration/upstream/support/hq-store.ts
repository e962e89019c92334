/**
 * The HQ database for a test: the real PostgreSQL at postgres://postgres@127.0.0.1:5432/test
 * (or TEST_DATABASE_URL) when reachable, in a uniquely named schema dropped afterwards;
 * else SQLite in a temp dir. `label` says which one ran (tests print it in their names).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type HqStore, PostgresStore, SqliteStore } from '../../../../cloud-sink/db/index.js';
import { tempDir } from '../../../support/tmp.js';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestHqDatabase {
  readonly kind: 'postgres' | 'sqlite';
  readonly label: string;
  /** Environment that points `cloud-sink` (openHqStore) at this database. */
  readonly env: Record<string, string>;
  /** A new connection to the same database (a second sink instance). */
  open(): Promise<HqStore>;
  /** Runs statements on the database outside the sink (a test's triggers, counts). */
  sql(statements: readonly string[]): Promise<Record<string, unknown>[]>;
  /** Drops the schema / removes the directory. */
  dispose(): Promise<void>;
}

let reachable: Promise<boolean> | undefined;

export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1500 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

export async function testHqDatabase(): Promise<TestHqDatabase> {
  return hqDatabaseOf((await postgresReachable()) ? 'postgres' : 'sqlite');
}

/** A test database of the given engine (PostgreSQL: the caller checks postgresReachable()). */
export async function hqDatabaseOf(kind: 'postgres' | 'sqlite'): Promise<TestHqDatabase> {
  if (kind === 'postgres') {
    const schema = `hq_test_${randomBytes(6).toString('hex')}`;
    const opened: HqStore[] = [];
    return {
      kind: 'postgres',
      label: `PostgreSQL (schema ${schema})`,
      env: { DATABASE_URL: PG_URL, HQ_PG_SCHEMA: schema },
      async open() {
        const store = new PostgresStore({ connectionString: PG_URL, schema });
        await store.migrate();
        opened.push(store);
        return store;
      },
      async sql(statements) {
        const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
        await client.connect();
        try {
          let rows: Record<string, unknown>[] = [];
          for (const statement of statements) rows = (await client.query(statement)).rows as Record<string, unknown>[];
          return rows;
        } finally {
          await client.end();
        }
      },
      async dispose() {
        for (const s of opened) await s.close();
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      },
    };
  }
  const dir = tempDir('hq-test-');
  const opened: HqStore[] = [];
  return {
    kind: 'sqlite',
    label: `SQLite (${dir.path})`,
    env: { HQ_DATA_DIR: dir.path },
    async open() {
      const store = new SqliteStore(dir.path);
      await store.migrate();
      opened.push(store);
      return store;
    },
    async sql(statements) {
      const db = new Database(join(dir.path, 'hq.db'), { timeout: 10_000 });
      try {
        let rows: Record<string, unknown>[] = [];
        for (const statement of statements) {
          const prepared = db.prepare(statement);
          if (prepared.reader) rows = prepared.all() as Record<string, unknown>[];
          else prepared.run();
        }
        return rows;
      } finally {
        db.close();
      }
    },
    async dispose() {
      for (const s of opened) await s.close();
      dir.remove();
    },
  };
}
