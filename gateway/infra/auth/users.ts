/**
 * Dashboard/API users: those of the config file (`http.auth.users`, read-only here) and those
 * managed with `store-gateway user add|passwd|remove` or created at first start, kept in the
 * store database (`users` table). A name in the config wins over the same name in the database.
 * Names match case-insensitively.
 *
 * The table is created here (CREATE TABLE IF NOT EXISTS) rather than as a numbered migration:
 * both the gateway and the CLI open it, and it is independent of the event-sourced schema.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '../../pipeline/broker/credentials.js';
import type { Db } from '../../pipeline/journal/index.js';
import type { HttpAuthConfig, Role } from '../config/types.js';

export interface UserRecord {
  readonly name: string;
  readonly role: Role;
  readonly passwordHash: string;
  /** Signed in with a one-time password: must set a new one before using the API. */
  readonly mustChange: boolean;
  /** Listed in the config file (its password changes there, not through the API or CLI). */
  readonly fromConfig: boolean;
  /** The person's name as colleagues know it (王芳); null for a shared or unnamed account. */
  readonly displayName: string | null;
}

export const USER_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
export const ROLES: readonly Role[] = ['viewer', 'staff', 'manager'];
/** Where the first manager's one-time password is written (0600) when the gateway creates it. */
export const INITIAL_PASSWORD_FILE = 'initial-manager-password';
export const MIN_PASSWORD_LENGTH = 10;
/** Display names: any letters (Chinese included), 1–64 characters, no control characters. */
export const DISPLAY_NAME_MAX = 64;

/** The display name trimmed, or undefined when it is empty, too long or holds control characters. */
export function cleanDisplayName(value: string): string | undefined {
  const name = value.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (name === '' || [...name].length > DISPLAY_NAME_MAX || /[\u0000-\u001f\u007f]/.test(name)) return undefined;
  return name;
}

/** Who a record names: the display name, else the sign-in name. */
export function personName(user: { readonly name: string; readonly displayName: string | null }): string {
  return user.displayName ?? user.name;
}

/** A random password people can type: 20 characters of base32 without look-alikes. */
export function randomPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export class UserDirectory {
  private readonly config = new Map<string, UserRecord>();
  private readonly select;
  private readonly count;
  private readonly insert;
  private readonly update;
  private readonly remove;
  private readonly rename;
  private readonly endSessions;

  constructor(
    private readonly db: Db,
    configUsers: HttpAuthConfig['users'],
    private readonly now: () => number = Date.now,
  ) {
    ensureUsersTable(db);
    for (const u of configUsers) {
      this.config.set(u.name.toLowerCase(), {
        name: u.name,
        role: u.role,
        passwordHash: u.passwordHash,
        mustChange: false,
        fromConfig: true,
        displayName: u.displayName ?? null,
      });
    }
    this.select = db.prepare(
      'SELECT name, role, password_hash, must_change, display_name FROM users WHERE name = ? COLLATE NOCASE',
    );
    this.count = db.prepare('SELECT COUNT(*) AS n FROM users');
    this.insert = db.prepare(
      'INSERT INTO users (name, role, password_hash, must_change, display_name, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.rename = db.prepare('UPDATE users SET display_name = ?, updated = ? WHERE name = ? COLLATE NOCASE');
    this.update = db.prepare(
      'UPDATE users SET password_hash = ?, must_change = ?, updated = ? WHERE name = ? COLLATE NOCASE',
    );
    this.remove = db.prepare('DELETE FROM users WHERE name = ? COLLATE NOCASE');
    this.endSessions = db.prepare('DELETE FROM sessions WHERE user = ? COLLATE NOCASE');
  }

  /** The user of this name (config first, then the database), read now: CLI changes apply at once. */
  get(name: string): UserRecord | undefined {
    const fromConfig = this.config.get(name.toLowerCase());
    if (fromConfig) return fromConfig;
    const row = this.select.get(name) as
      | { name: string; role: Role; password_hash: string; must_change: number; display_name: string | null }
      | undefined;
    if (!row || !ROLES.includes(row.role)) return undefined;
    return {
      name: row.name,
      role: row.role,
      passwordHash: row.password_hash,
      mustChange: row.must_change === 1,
      fromConfig: false,
      displayName: row.display_name,
    };
  }

  get empty(): boolean {
    return this.config.size === 0 && (this.count.get() as { n: number }).n === 0;
  }

  isConfigUser(name: string): boolean {
    return this.config.has(name.toLowerCase());
  }

  add(name: string, role: Role, password: string, mustChange: boolean, displayName?: string): void {
    const t = this.now();
    this.insert.run(name, role, hashPassword(password), mustChange ? 1 : 0, displayName ?? null, t, t);
  }

  /** Sets (or with undefined clears) a database user's display name. False when no such user. */
  setDisplayName(name: string, displayName: string | undefined): boolean {
    return this.rename.run(displayName ?? null, this.now(), name).changes > 0;
  }

  /** Sets a new password and ends every session of the user. False when no such database user. */
  setPassword(name: string, password: string, mustChange: boolean): boolean {
    const hash = hashPassword(password);
    return this.db.transaction(() => {
      const changed = this.update.run(hash, mustChange ? 1 : 0, this.now(), name).changes > 0;
      if (changed) this.endSessions.run(name);
      return changed;
    })();
  }

  /** Removes a database user and ends its sessions. False when no such database user. */
  removeUser(name: string): boolean {
    return this.db.transaction(() => {
      const removed = this.remove.run(name).changes > 0;
      if (removed) this.endSessions.run(name);
      return removed;
    })();
  }

  /**
   * Secure by default: with no user anywhere, creates the manager `manager` with a random
   * one-time password, written 0600 to `<dataDir>/initial-manager-password`. Returns it (for
   * the one log line), or undefined when users exist.
   */
  bootstrap(dataDir: string): { name: string; password: string; file: string } | undefined {
    if (!this.empty) return undefined;
    const password = randomPassword();
    const file = join(dataDir, INITIAL_PASSWORD_FILE);
    rmSync(file, { force: true });
    writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
    this.add('manager', 'manager', password, true);
    return { name: 'manager', password, file };
  }
}

export function ensureUsersTable(db: Db): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS users (
      name          TEXT PRIMARY KEY COLLATE NOCASE,
      role          TEXT NOT NULL,
      password_hash TEXT NOT NULL,
      must_change   INTEGER NOT NULL DEFAULT 0,
      display_name  TEXT,
      created       INTEGER NOT NULL,
      updated       INTEGER NOT NULL
    )
  `);
  // Databases from before display names: the column joins (nullable: those users stay unnamed).
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('users') as string[];
  if (!columns.includes('display_name')) db.exec('ALTER TABLE users ADD COLUMN display_name TEXT');
}
