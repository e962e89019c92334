/**
 * Login sessions in SQLite, so a gateway restart or update does not sign out every tablet on
 * the shop floor (the store's DB is already durable and local; nothing else to run). Only
 * SHA-256 of the 32-byte random token is stored: a copy of the database opens no session.
 * The CSRF token is an HMAC of the session token, so it needs no storage and dies with it.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../pipeline/journal/index.js';
import type { Clock } from '../clock/index.js';

export interface Session {
  readonly user: string;
  readonly created: number;
  readonly expires: number;
  readonly csrfToken: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
const csrfOf = (token: string) => createHmac('sha256', token).update('gw-csrf').digest('base64url');
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export class SessionStore {
  private readonly insert;
  private readonly select;
  private readonly remove;
  private readonly removeExpired;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {
    this.insert = db.prepare('INSERT INTO sessions (token_hash, user, created, expires) VALUES (?, ?, ?, ?)');
    this.select = db.prepare('SELECT user, created, expires FROM sessions WHERE token_hash = ?');
    this.remove = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
    this.removeExpired = db.prepare('DELETE FROM sessions WHERE expires <= ?');
  }

  /** A new session; the returned token goes to the client only (cookie). */
  create(user: string): { token: string; session: Session } {
    const token = randomBytes(32).toString('base64url');
    const created = this.clock.now();
    const expires = created + this.ttlMs;
    this.insert.run(hashToken(token), user, created, expires);
    return { token, session: { user, created, expires, csrfToken: csrfOf(token) } };
  }

  /** The live session of `token`; an expired one is deleted on the way. */
  get(token: string): Session | undefined {
    if (!TOKEN.test(token)) return undefined;
    const hash = hashToken(token);
    const row = this.select.get(hash) as { user: string; created: number; expires: number } | undefined;
    if (!row) return undefined;
    if (row.expires <= this.clock.now()) {
      this.remove.run(hash);
      return undefined;
    }
    return { ...row, csrfToken: csrfOf(token) };
  }

  destroy(token: string): void {
    if (TOKEN.test(token)) this.remove.run(hashToken(token));
  }

  purgeExpired(): number {
    return this.removeExpired.run(this.clock.now()).changes;
  }
}

/** Constant-time comparison of a presented CSRF header with the session's token. */
export function csrfMatches(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
