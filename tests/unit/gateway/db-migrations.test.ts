/**
 * Schema migrations carry a store's data forward: the snapshot leaves the progress row, and
 * a store from before order-independent derivation keeps its journal and progress but has
 * its derived state recomputed (no checkpoint yet), with its old alerts counted as pushed.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, openDb } from '../../../gateway/pipeline/journal/db.js';
import { tempDir } from '../../support/tmp.js';

describe('database migrations', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('moves an old-layout store forward: progress kept, snapshot dropped, alerts marked pushed', () => {
    // The layout before the snapshot table: the first five migrations, snapshot in progress.
    const old = new Database(`${dir.path}/gateway.db`);
    for (const sql of MIGRATIONS.slice(0, 5)) old.exec(sql);
    old.exec(`
      UPDATE progress SET applied_seq = 42, applied_tick = 4200, snapshot_seq = 40, snapshot_tick = 4000,
        snapshot = '{"visits":"state"}' WHERE id = 1;
      INSERT INTO alerts (id, ts, member, body) VALUES ('M1@1000', 1000, 'M1', '{}');
    `);
    old.pragma('user_version = 5');
    old.close();

    const migrated = openDb(dir.path);
    expect(migrated.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(migrated.prepare('SELECT * FROM progress').get()).toEqual({
      id: 1,
      applied_seq: 42,
      applied_tick: 4200,
      snapshot_seq: 40,
      snapshot_tick: 4000,
    });
    // Derived in arrival order before: recomputed from the journal on the first start.
    expect(migrated.prepare('SELECT COUNT(*) FROM snapshot').pluck().get()).toBe(0);
    expect(migrated.prepare('SELECT COUNT(*) FROM checkpoints').pluck().get()).toBe(0);
    expect(migrated.prepare('SELECT pushed_at, late, epoch FROM alerts').get()).toEqual({
      pushed_at: 1000,
      late: 0,
      epoch: 0,
    });
    migrated.close();
  });
});
