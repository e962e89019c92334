/**
 * HQ API users, roles and sign-in (docs/security.md "HQ link"). Secure by default, like the
 * store: with no user in the HQ database the first start creates `admin` with a random
 * one-time password (written 0600 to HQ_DATA_DIR/initial-admin-password and printed once);
 * `HQ_HTTP_AUTH=off` is the only way to an open API, and it is logged loudly.
 *
 *   analyst  every GET under /api/v1 (funnels, stores, ranking, CSV export)
 *   admin    analyst + users (GET/POST/DELETE /api/v1/users) + GET /api/v1/dead-letters
 *
 * Sign-in: `POST /api/v1/auth/login {name, password}` → `{token}`; then `Authorization:
 * Bearer <token>` on every request (no cookie, so no CSRF to defend). Tokens are 32 random
 * bytes; the database keeps only their SHA-256 (table hq_sessions), so several HQ instances
 * share them and a copy of the database opens nothing. A user whose password is one-time
 * (the first admin, or one an admin set) can only change it (`POST /api/v1/auth/password`).
 *
 * Passwords: scrypt (N=16384, r=8, p=1), the same string format as the gateway's
 * (`scrypt$N$r$p$salt$hash`). The few lines are duplicated from gateway/pipeline/broker/credentials.ts
 * on purpose: cloud-sink never imports gateway/.
 */
import { createHash, randomBytes, type ScryptOptions, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { typed } from '../common/typed-routes.js';
import { HqMe, HqUsers, UserParams } from '../protocols/hq-api.js';
import type { HqStore } from './db/index.js';
import { BadRequestError, HttpError, NotFoundError } from './errors.js';

export const HQ_ROLES = ['analyst', 'admin'] as const;
export type HqRole = (typeof HQ_ROLES)[number];

export interface HqUser {
  readonly name: string;
  readonly role: HqRole;
  readonly mustChange: boolean;
}

const PREFIX = '/api/v1';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
export const MIN_PASSWORD_LENGTH = 12;
export const INITIAL_ADMIN_FILE = 'initial-admin-password';
/** DEMO ONLY: the sign-in `npm run demo:hq` prints (HQ_HTTP_AUTH=demo). */
export const DEMO_HQ_USER = { name: 'hq', password: 'hq', role: 'admin' } as const;

// --- scrypt (duplicated from gateway/pipeline/broker/credentials.ts: cloud-sink never imports gateway/) ---

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

export function hashPassword(password: string, salt: Buffer = randomBytes(16)): string {
  const { N, r, p, keyLength } = SCRYPT;
  const hash = scryptSync(password, salt, keyLength, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** On libuv's thread pool: ~40 ms of CPU that does not hold up the sink. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (!Number.isInteger(N) || !Number.isInteger(r) || !Number.isInteger(p) || N > 1 << 20) return false;
  const salt = Buffer.from(parts[4] as string, 'base64');
  const hash = Buffer.from(parts[5] as string, 'base64');
  if (hash.length < 16) return false;
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, hash.length, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
  return timingSafeEqual(actual, hash);
}

/** A random password a person can type: 24 characters from base64url (144 bits). */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('base64url');

// --- users and tokens in the HQ database ---------------------------------------------------

export interface HqAuthOptions {
  readonly store: HqStore;
  readonly log: Logger;
  /** Sign-in token lifetime; default 12 h. */
  readonly tokenTtlMs?: number;
  readonly now?: () => number;
}

interface Principal {
  readonly user: HqUser;
  readonly tokenHash: string;
}

export class HqAuth {
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly failures = new Map<string, number[]>();
  private readonly principals = new WeakMap<FastifyRequest, Principal>();
  private readonly dummyHash = hashPassword(randomBytes(16).toString('hex'));

  constructor(private readonly options: HqAuthOptions) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.tokenTtlMs ?? 12 * 3600_000;
  }

  async users(): Promise<HqUser[]> {
    const rows = await this.options.store.query('SELECT name, role, must_change FROM hq_users ORDER BY name');
    return rows.map((r) => ({
      name: String(r.name),
      role: String(r.role) as HqRole,
      mustChange: Number(r.must_change) === 1,
    }));
  }

  /** Adds or replaces a user. `mustChange`: the password is one-time (the user must set their own). */
  async setUser(name: string, role: HqRole, password: string, mustChange: boolean): Promise<void> {
    checkName(name);
    checkPassword(password);
    if (!HQ_ROLES.includes(role)) throw new BadRequestError(`role must be one of ${HQ_ROLES.join(', ')}`);
    await this.options.store.execute(
      `INSERT INTO hq_users (name, role, password_hash, must_change, created) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
         must_change = excluded.must_change`,
      [name.toLowerCase(), role, hashPassword(password), mustChange ? 1 : 0, this.now()],
    );
    await this.options.store.execute('DELETE FROM hq_sessions WHERE name = ?', [name.toLowerCase()]);
  }

  /** Removes a user and their tokens; false when there was none. */
  async removeUser(name: string): Promise<boolean> {
    const removed = await this.options.store.execute('DELETE FROM hq_users WHERE name = ?', [name.toLowerCase()]);
    await this.options.store.execute('DELETE FROM hq_sessions WHERE name = ?', [name.toLowerCase()]);
    return removed > 0;
  }

  /**
   * With no user at all: creates `admin` with a random one-time password, writes it (0600) to
   * `dataDir/initial-admin-password` and returns it (the caller prints it once). Safe with
   * several instances starting at once: only the one whose insert won returns a password.
   */
  async ensureFirstAdmin(dataDir: string): Promise<{ password: string; file: string } | undefined> {
    const count = await this.options.store.query('SELECT COUNT(*) AS n FROM hq_users');
    if (Number(count[0]?.n ?? 0) > 0) return undefined;
    const password = randomPassword();
    const inserted = await this.options.store.execute(
      `INSERT INTO hq_users (name, role, password_hash, must_change, created)
       SELECT ?, ?, ?, 1, ? WHERE NOT EXISTS (SELECT 1 FROM hq_users)`,
      ['admin', 'admin', hashPassword(password), this.now()],
    );
    if (inserted === 0) return undefined;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, INITIAL_ADMIN_FILE);
    rmSync(file, { force: true });
    writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
    this.options.log.warn(
      { component: 'hq-auth', user: 'admin', file },
      'no HQ API user: created "admin" with a one-time password (printed once, and in the file); sign in and change it',
    );
    return { password, file };
  }

  /**
   * DEMO ONLY (`HQ_HTTP_AUTH=demo`, set by `npm run demo:hq`): the admin `hq` with the password
   * `hq`, below the 12-character minimum on purpose and not one-time, so a demo signs in at
   * once. Never in a real HQ: anyone who reads this file knows the password.
   */
  async ensureDemoUser(): Promise<HqUser> {
    const user: HqUser = { ...DEMO_HQ_USER, mustChange: false };
    await this.options.store.execute(
      `INSERT INTO hq_users (name, role, password_hash, must_change, created) VALUES (?, ?, ?, 0, ?)
       ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, must_change = 0`,
      [user.name, user.role, hashPassword(DEMO_HQ_USER.password), this.now()],
    );
    this.options.log.warn(
      { component: 'hq-auth', user: user.name },
      'HQ_HTTP_AUTH=demo: the demo admin "hq" (password "hq") can sign in. DEMO ONLY: never on a real HQ.',
    );
    return user;
  }

  /** Expired tokens out of the database. */
  async purgeExpired(): Promise<number> {
    return this.options.store.execute('DELETE FROM hq_sessions WHERE expires <= ?', [this.now()]);
  }

  /** The /api/v1 guard and the /api/v1/auth and /api/v1/users routes. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', async (request, reply) => this.guard(request, reply));

    app.post(`${PREFIX}/auth/login`, async (request, reply) => this.login(request, reply));
    app.post(`${PREFIX}/auth/logout`, async (request, reply) => {
      const principal = this.principals.get(request);
      if (principal)
        await this.options.store.execute('DELETE FROM hq_sessions WHERE token_hash = ?', [principal.tokenHash]);
      return reply.status(204).send();
    });
    const api = typed(app);
    api.get(`${PREFIX}/auth/me`, { schema: { response: { 200: HqMe } } }, async (request) => {
      const principal = this.principals.get(request);
      return { user: principal ? describe(principal.user) : null };
    });
    app.post(`${PREFIX}/auth/password`, async (request, reply) => {
      const principal = this.principals.get(request) as Principal;
      const body = record(request.body);
      const current = body.current;
      const next = body.password;
      if (typeof current !== 'string' || typeof next !== 'string' || current.length > 1024 || next.length > 1024) {
        throw new BadRequestError('body must be {"current": "<password>", "password": "<new password>"}');
      }
      const stored = await this.passwordHash(principal.user.name);
      if (!(await verifyPassword(current, stored ?? this.dummyHash)) || stored === undefined) {
        return deny(reply, 401, 'BAD_CREDENTIALS', 'current password is wrong');
      }
      if (next === current) throw new BadRequestError('the new password must differ from the current one');
      await this.setUser(principal.user.name, principal.user.role, next, false);
      this.options.log.info({ component: 'hq-auth', user: principal.user.name }, 'password changed');
      return reply.status(204).send();
    });

    api.get(`${PREFIX}/users`, { schema: { response: { 200: HqUsers } } }, async () => ({
      users: (await this.users()).map(describe),
    }));
    app.post(`${PREFIX}/users`, async (request, reply) => {
      const body = record(request.body);
      const { name, role } = body;
      if (typeof name !== 'string' || typeof role !== 'string') {
        throw new BadRequestError('body must be {"name", "role": "analyst"|"admin", "password"?}');
      }
      const given = typeof body.password === 'string' ? body.password : undefined;
      const password = given ?? randomPassword();
      await this.setUser(name, role as HqRole, password, true);
      this.options.log.info(
        { component: 'hq-auth', user: name, role, by: this.principals.get(request)?.user.name },
        'HQ user set',
      );
      // A generated one-time password is shown once, to the admin who asked.
      return reply.status(201).send({
        user: { name: name.toLowerCase(), role, mustChange: true },
        ...(given === undefined ? { password } : {}),
      });
    });
    api.delete(`${PREFIX}/users/:name`, { schema: { params: UserParams } }, async (request, reply) => {
      const name = request.params.name.toLowerCase();
      const users = await this.users();
      const target = users.find((u) => u.name === name);
      if (!target) throw new NotFoundError(`no user ${name}`);
      if (target.role === 'admin' && users.filter((u) => u.role === 'admin').length === 1) {
        throw new HttpError(409, 'LAST_ADMIN', 'cannot remove the last admin');
      }
      await this.removeUser(name);
      this.options.log.info(
        { component: 'hq-auth', user: name, by: this.principals.get(request)?.user.name },
        'HQ user removed',
      );
      return reply.status(204).send();
    });
  }

  private async guard(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const path = request.url.split('?')[0] ?? '';
    if (!path.startsWith(`${PREFIX}/`)) return undefined; // probes, metrics, 404s
    if (path === `${PREFIX}/auth/login` && request.method === 'POST') return undefined;
    const principal = await this.principalOf(request);
    if (!principal)
      return deny(
        reply,
        401,
        'UNAUTHENTICATED',
        'sign in first: POST /api/v1/auth/login, then Authorization: Bearer <token>',
      );
    this.principals.set(request, principal);
    const selfService =
      path === `${PREFIX}/auth/password` || path === `${PREFIX}/auth/logout` || path === `${PREFIX}/auth/me`;
    if (principal.user.mustChange && !selfService) {
      return deny(
        reply,
        403,
        'PASSWORD_CHANGE_REQUIRED',
        'this password is one-time: POST /api/v1/auth/password first',
      );
    }
    if (selfService) return undefined;
    const adminOnly =
      path === `${PREFIX}/users` || path.startsWith(`${PREFIX}/users/`) || path.startsWith(`${PREFIX}/dead-letters`);
    // Read-only for analysts: any method but GET/HEAD (and every admin route) needs admin.
    const needsAdmin = adminOnly || (request.method !== 'GET' && request.method !== 'HEAD');
    if (needsAdmin && principal.user.role !== 'admin') return deny(reply, 403, 'FORBIDDEN', 'admin role required');
    return undefined;
  }

  private async principalOf(request: FastifyRequest): Promise<Principal | undefined> {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9_-]{43})$/.exec(header) : null;
    const token = match?.[1];
    if (!token || !TOKEN.test(token)) return undefined;
    const tokenHash = sha256(token);
    const rows = await this.options.store.query(
      `SELECT u.name, u.role, u.must_change, s.expires FROM hq_sessions s JOIN hq_users u ON u.name = s.name
       WHERE s.token_hash = ?`,
      [tokenHash],
    );
    const row = rows[0];
    if (!row || Number(row.expires) <= this.now()) return undefined;
    return {
      tokenHash,
      user: { name: String(row.name), role: String(row.role) as HqRole, mustChange: Number(row.must_change) === 1 },
    };
  }

  private async passwordHash(name: string): Promise<string | undefined> {
    const rows = await this.options.store.query('SELECT password_hash FROM hq_users WHERE name = ?', [name]);
    return rows[0] ? String(rows[0].password_hash) : undefined;
  }

  private async login(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const body = record(request.body);
    const { name, password } = body;
    if (typeof name !== 'string' || typeof password !== 'string' || name.length > 64 || password.length > 1024) {
      throw new BadRequestError('body must be {"name": "<user>", "password": "<password>"}');
    }
    const keys = [`address:${request.ip}`, `user:${name.toLowerCase()}`];
    const wait = Math.max(...keys.map((k) => this.retryAfter(k)));
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return deny(reply, 429, 'RATE_LIMITED', `too many failed sign-ins; try again in ${wait} s`);
    }
    const rows = await this.options.store.query(
      'SELECT name, role, password_hash, must_change FROM hq_users WHERE name = ?',
      [name.toLowerCase()],
    );
    const row = rows[0];
    // Always one scrypt verification, so an unknown name answers like a wrong password.
    const valid =
      (await verifyPassword(password, row ? String(row.password_hash) : this.dummyHash)) && row !== undefined;
    if (!row || !valid) {
      for (const key of keys) this.fail(key);
      this.options.log.warn({ component: 'hq-auth', user: name.slice(0, 64), address: request.ip }, 'sign-in failed');
      return deny(reply, 401, 'BAD_CREDENTIALS', 'wrong user name or password');
    }
    this.failures.delete(keys[1] as string);
    const token = randomBytes(32).toString('base64url');
    const created = this.now();
    const expires = created + this.ttlMs;
    await this.options.store.execute(
      'INSERT INTO hq_sessions (token_hash, name, created, expires) VALUES (?, ?, ?, ?)',
      [sha256(token), String(row.name), created, expires],
    );
    void this.purgeExpired().catch(() => undefined);
    const user: HqUser = {
      name: String(row.name),
      role: String(row.role) as HqRole,
      mustChange: Number(row.must_change) === 1,
    };
    this.options.log.info({ component: 'hq-auth', user: user.name, role: user.role, address: request.ip }, 'signed in');
    return reply.send({
      token,
      expiresAt: new Date(expires).toISOString(),
      user: describe(user),
      passwordChangeRequired: user.mustChange,
    });
  }

  /** 5 failures per address or user name within 5 minutes, then 429 (in memory, at most 10,000 keys). */
  private retryAfter(key: string): number {
    const recent = this.recent(key);
    if (recent.length < 5) return 0;
    const oldest = recent[recent.length - 5] as number;
    return Math.max(1, Math.ceil((oldest + 300_000 - this.now()) / 1000));
  }

  private fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.failures.delete(key);
    this.failures.set(key, recent.slice(-5));
    while (this.failures.size > 10_000) {
      const first = this.failures.keys().next();
      if (first.done) break;
      this.failures.delete(first.value);
    }
  }

  private recent(key: string): number[] {
    const since = this.now() - 300_000;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }
}

function describe(user: HqUser) {
  return { name: user.name, role: user.role, mustChange: user.mustChange };
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw new BadRequestError('user name: 1–64 of A-Z a-z 0-9 _ . @ -');
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > 1024) {
    throw new BadRequestError(`password: at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function deny(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.status(status).send({ error: { code, message } });
}
