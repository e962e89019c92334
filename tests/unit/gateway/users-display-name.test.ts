/** Users carry a display name; a users table from before display names gains the column. */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanDisplayName, UserDirectory } from '../../../gateway/infra/auth/users.js';
import { openDb } from '../../../gateway/pipeline/journal/index.js';
import { tempDir } from '../../support/tmp.js';

describe('user display names', () => {
  const dir = tempDir();
  afterEach(() => dir.remove());

  it('upgrades an older users table in place: existing users have none until one is set', () => {
    const db = openDb(dir.path);
    db.exec(`CREATE TABLE users (name TEXT PRIMARY KEY COLLATE NOCASE, role TEXT NOT NULL,
      password_hash TEXT NOT NULL, must_change INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL,
      updated INTEGER NOT NULL)`);
    db.prepare("INSERT INTO users VALUES ('ann', 'staff', 'scrypt$x', 0, 1, 1)").run();
    const users = new UserDirectory(db, []);
    expect(users.get('ann')?.displayName).toBeNull();
    expect(users.setDisplayName('ANN', '王芳')).toBe(true);
    expect(users.get('ann')?.displayName).toBe('王芳');
    users.add('bob', 'staff', 'a-long-password', false, '李雷');
    expect(users.get('bob')).toMatchObject({ role: 'staff', displayName: '李雷' });
    expect(users.setDisplayName('nobody', 'x')).toBe(false);
    db.close();
  });

  it('takes config users’ display names; a config user without one has none', () => {
    const db = openDb(dir.path);
    const users = new UserDirectory(db, [
      { name: 'wangfang', role: 'staff', passwordHash: 'scrypt$x', displayName: '王芳' },
      { name: 'staff', role: 'staff', passwordHash: 'scrypt$x' },
    ]);
    expect(users.get('WangFang')?.displayName).toBe('王芳');
    expect(users.get('staff')?.displayName).toBeNull();
    db.close();
  });

  it('refuses empty, overlong or control-character display names', () => {
    expect(cleanDisplayName('  王芳 ')).toBe('王芳');
    expect(cleanDisplayName('   ')).toBeUndefined();
    expect(cleanDisplayName('王'.repeat(65))).toBeUndefined();
    expect(cleanDisplayName('王'.repeat(64))).toBe('王'.repeat(64));
    expect(cleanDisplayName('a\nb')).toBeUndefined();
  });
});
