/** Schema migrations carry a store's data forward: the snapshot leaves the progress row. */
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../gateway/journal/db.js';
import { tempDir } from '../../support/tmp.js';

describe('database migrations', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('moves a snapshot kept in the progress row (the old layout) into the snapshot table', () => {
    // Make the layout of the version before: snapshot column in progress, no snapshot table.
    const fresh = openDb(dir.path);
    const version = fresh.pragma('user_version', { simple: true }) as number;
    fresh.exec(`
      DROP TABLE snapshot;
      ALTER TABLE progress ADD COLUMN snapshot TEXT;
      UPDATE progress SET applied_seq = 42, applied_tick = 4200, snapshot_seq = 40, snapshot_tick = 4000,
        snapshot = '{"visits":"state"}' WHERE id = 1;
    `);
    fresh.pragma(`user_version = ${version - 1}`);
    fresh.close();

    const migrated = openDb(dir.path);
    expect(migrated.pragma('user_version', { simple: true })).toBe(version);
    expect(migrated.prepare('SELECT body FROM snapshot WHERE id = 1').pluck().get()).toBe('{"visits":"state"}');
    expect(migrated.prepare('SELECT * FROM progress').get()).toEqual({
      id: 1,
      applied_seq: 42,
      applied_tick: 4200,
      snapshot_seq: 40,
      snapshot_tick: 4000,
    });
    migrated.close();
  });
});
