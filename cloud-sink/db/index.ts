// HQ store: PostgreSQL when DATABASE_URL is set, else SQLite in HQ_DATA_DIR.
import type { HqConfig } from '../config.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { HqStore } from './types.js';

export { PostgresStore, pgSql } from './postgres.js';
export { SqliteStore } from './sqlite.js';
export type {
  BatchResult,
  DeadLetter,
  FunnelCounters,
  FunnelRecord,
  FunnelRow,
  HealthRecord,
  HqStore,
  SinkBatch,
  SqlParam,
  SqlValue,
  StoreImport,
  StoreRecord,
  VipRecord,
  VipTotals,
} from './types.js';

/** Opens (and migrates) the configured store. */
export async function openHqStore(config: Pick<HqConfig, 'databaseUrl' | 'pgSchema' | 'dataDir'>): Promise<HqStore> {
  const store: HqStore =
    config.databaseUrl !== undefined
      ? new PostgresStore({
          connectionString: config.databaseUrl,
          ...(config.pgSchema !== undefined ? { schema: config.pgSchema } : {}),
        })
      : new SqliteStore(config.dataDir);
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
