/**
 * Dashboard/API authentication and authorisation (docs/security.md "HTTP").
 *
 * One instance per gateway. `routes()` is the first plugin under /api/v1: its hooks check
 * every route against the table in roles.ts (session → role → CSRF), strip member PII from
 * what viewers receive, audit PII shown to staff and managers, and it serves /auth/*,
 * /audit and the member erasure route. Sign-in is always required unless GW_HTTP_AUTH=off
 * (then every request acts as the local manager, and a warning says so at start). Users come
 * from the config and the store database (users.ts); with none at all, the first manager is
 * created with a one-time password that must be changed at first sign-in.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import {
  BadRequestError,
  HttpError,
  type LocalDays,
  NotFoundError,
  parseLimit,
  parseRange,
} from '../../../common/http.js';
import { typed } from '../../../common/typed-routes.js';
import { AuditEntries, AuthState, IdParams, LimitedRangeQuery } from '../../../protocols/http-api.js';
import { redactedArrival } from '../../outputs/alerts/redact.js';
import type { VipAlert } from '../../outputs/alerts/store.js';
import { hashPassword, verifyPassword } from '../../pipeline/broker/credentials.js';
import type { Db } from '../../pipeline/journal/index.js';
import type { FeedMessage } from '../../read/live/feed.js';
import type { Clock } from '../clock/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { HttpAuthConfig } from '../config/types.js';
import type { ReferenceData } from '../reference/index.js';
import { AuditLog } from './audit.js';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from './cookies.js';
import { carriesMemberPii, stripMemberPii } from './pii.js';
import { FailureLimiter } from './rate-limit.js';
import { isKnownRoute, type Role, type RouteRule, roleAtLeast, ruleFor, STATE_CHANGING } from './roles.js';
import { csrfMatches, SessionStore } from './sessions.js';
import { INITIAL_PASSWORD_FILE, MIN_PASSWORD_LENGTH, personName, UserDirectory, type UserRecord } from './users.js';

const PREFIX = '/api/v1';

export interface Principal {
  readonly name: string;
  readonly role: Role;
  /** The person's name as colleagues know it (users' display name); null for a shared account. */
  readonly displayName: string | null;
  /** Present when signed in (auth on); absent for the open API's local manager. */
  readonly session?: { readonly token: string; readonly csrfToken: string };
  /** Signed in with a one-time password: only /auth/* until it is changed. */
  readonly mustChange?: boolean;
}

const LOCAL: Principal = { name: 'local', role: 'manager', displayName: null };

/** The role GET /vip/alerts needs: the same one decides what SSE sends of an alert. */
const VIP_ALERT_READER = ruleFor('GET', '/vip/alerts').access as Role;

export interface HttpAuthDeps {
  readonly config: GatewayConfig;
  readonly db: Db;
  readonly clock: Clock;
  readonly days: LocalDays;
  readonly reference: ReferenceData;
  readonly log: Logger;
}

const DEFAULT_SETTINGS: HttpAuthConfig = { users: [], sessionTtlMs: 12 * 3_600_000, secureCookies: false };

function deny(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.status(status).send({ error: { code, message } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class HttpAuth {
  readonly audit: AuditLog;
  private readonly settings: HttpAuthConfig | undefined;
  private readonly sessions: SessionStore | undefined;
  private readonly limiter: FailureLimiter;
  private readonly users: UserDirectory | undefined;
  private readonly principals = new WeakMap<FastifyRequest, Principal>();
  /** Verified for unknown names, so they cost the same time as a wrong password. */
  private readonly dummyHash: string;

  constructor(private readonly deps: HttpAuthDeps) {
    this.audit = new AuditLog(deps.db, deps.clock);
    this.limiter = new FailureLimiter(deps.clock);
    if (deps.config.http.openApi !== true) {
      this.settings = deps.config.http.auth ?? DEFAULT_SETTINGS;
      this.sessions = new SessionStore(deps.db, deps.clock, this.settings.sessionTtlMs);
      this.users = new UserDirectory(deps.db, this.settings.users, () => deps.clock.now());
      this.dummyHash = hashPassword(randomBytes(16).toString('hex'));
      const created = this.users.bootstrap(deps.config.dataDir);
      if (created) {
        // Printed once: the one-time password is also in the 0600 file until it is changed.
        deps.log.warn(
          { component: 'auth', user: created.name, password: created.password, file: created.file },
          `no dashboard users: created the manager "${created.name}" with a one-time password (also in ${created.file}); it must be changed at first sign-in`,
        );
      }
    } else {
      this.dummyHash = '';
      deps.log.warn(
        { component: 'auth' },
        'GW_HTTP_AUTH=off: the API and dashboard are OPEN to anyone on the network, acting as manager; never run a store like this',
      );
    }
  }

  get required(): boolean {
    return this.settings !== undefined;
  }

  /** Expired sessions out of the database (the retention job calls it). */
  purgeSessions(): number {
    return this.sessions?.purgeExpired() ?? 0;
  }

  /**
   * What a Server-Sent Events client may see, decided once when it connects (its session
   * was checked by the route hook): viewers get every message without member PII.
   */
  readonly feedView = (request: FastifyRequest): ((message: FeedMessage) => FeedMessage) => {
    const principal = this.principals.get(request) ?? LOCAL;
    if (!roleAtLeast(principal.role, VIP_ALERT_READER)) {
      // Same rule as GET /vip/alerts (staff and up): an arrival without its profile, nothing else of it.
      return (m) => {
        if (m.event === 'vip.arrival') return { ...m, data: redactedArrival(m.data as VipAlert) };
        return carriesMemberPii(m.data) ? { ...m, data: stripMemberPii(m.data) } : m;
      };
    }
    // VIP alerts with profiles may flow on the stream: that is a PII view.
    this.recordAudit(request, principal, 'pii.stream', `${request.method} ${request.url}`, true);
    return (m) => m;
  };

  /** The /api/v1 plugin: register it before every other route plugin. */
  routes() {
    return (untyped: FastifyInstance) => {
      const app = typed(untyped);
      app.addHook('onRoute', (route) => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        for (const method of methods) {
          if (method === 'HEAD' || method === 'OPTIONS') continue;
          if (!isKnownRoute(method, this.pathOf(route.url))) {
            this.deps.log.warn(
              { component: 'auth', method, route: route.url },
              'route missing from the access table (gateway/infra/auth/roles.ts): managers only',
            );
          }
        }
      });
      app.addHook('onRequest', async (request, reply) => this.authorise(request, reply));
      app.addHook('preHandler', async (request) => this.stampActor(request));
      app.addHook('preSerialization', async (request, reply, payload: unknown) => this.filter(request, reply, payload));
      app.addHook('onResponse', async (request, reply) => {
        const rule = this.ruleOf(request);
        const principal = this.principals.get(request);
        if (!rule?.audit || !principal || reply.statusCode >= 400) return;
        const body: unknown = request.body;
        const count = Array.isArray(body) ? ` (${body.length} records)` : '';
        this.recordAudit(request, principal, rule.audit, `${request.method} ${request.url}${count}`, false);
      });

      app.get('/auth/me', { schema: { response: { 200: AuthState } } }, async (request) => {
        if (!this.required)
          return {
            authRequired: false,
            user: { name: LOCAL.name, role: LOCAL.role, displayName: null },
            csrfToken: null,
          };
        const principal = this.principals.get(request);
        return principal?.session
          ? {
              authRequired: true,
              user: { name: principal.name, role: principal.role, displayName: principal.displayName },
              csrfToken: principal.session.csrfToken,
              ...(principal.mustChange ? { mustChangePassword: true } : {}),
            }
          : { authRequired: true, user: null, csrfToken: null };
      });
      app.post('/auth/login', async (request, reply) => this.login(request, reply));
      app.post('/auth/password', async (request, reply) => this.changePassword(request, reply));
      app.post('/auth/logout', async (request, reply) => {
        const principal = this.principals.get(request);
        if (principal?.session && this.sessions) {
          if (!csrfMatches(request.headers['x-csrf-token'], principal.session.csrfToken)) {
            return deny(reply, 403, 'CSRF', 'missing or wrong x-csrf-token header');
          }
          this.sessions.destroy(principal.session.token);
          this.deps.log.info({ component: 'auth', user: principal.name }, 'signed out');
        }
        if (this.required) reply.header('set-cookie', clearedSessionCookie(this.secureFor(request)));
        return reply.status(204).send();
      });

      const auditSchema = { querystring: LimitedRangeQuery, response: { 200: AuditEntries } };
      app.get('/audit', { schema: auditSchema }, async (request) => {
        const { query } = request;
        const { from, to } = parseRange(query, this.deps.clock.now(), this.deps.days);
        const entries = this.audit.list(from, to, parseLimit(query.limit, 1000, 10_000));
        return { entries: entries.map((e) => ({ ...e, ts: new Date(e.ts).toISOString() })) };
      });

      // Erasure of one member (a data-subject request): secure delete, alert profiles scrubbed.
      app.delete('/members/:id', { schema: { params: IdParams } }, async (request, reply) => {
        const { id } = request.params;
        if (id.length > 64 || !this.deps.reference.memberById(id)) throw new NotFoundError(`no member ${id}`);
        this.deps.reference.deleteMembers([id], { secure: true });
        this.deps.log.info({ component: 'auth', member: id }, 'member erased on request');
        return reply.status(204).send();
      });
    };
  }

  private pathOf(url: string): string {
    return url.startsWith(PREFIX) ? url.slice(PREFIX.length) : url;
  }

  private ruleOf(request: FastifyRequest): RouteRule | undefined {
    const url = request.routeOptions.url;
    return url === undefined ? undefined : ruleFor(request.method, this.pathOf(url));
  }

  private async authorise(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const rule = this.ruleOf(request);
    if (!rule) return undefined; // no route: the 404 handler answers
    if (!this.sessions) {
      this.principals.set(request, LOCAL);
      return undefined;
    }
    const principal = this.principalFromCookie(request);
    if (principal) this.principals.set(request, principal);
    if (rule.access === 'public') return undefined;
    if (!principal) return deny(reply, 401, 'UNAUTHENTICATED', 'sign in first (POST /api/v1/auth/login)');
    if (principal.mustChange && rule.path !== '/auth/password') {
      return deny(
        reply,
        403,
        'PASSWORD_CHANGE_REQUIRED',
        'set a new password first (POST /api/v1/auth/password {current, password})',
      );
    }
    if (!roleAtLeast(principal.role, rule.access)) {
      return deny(reply, 403, 'FORBIDDEN', `${rule.access} role required`);
    }
    if (
      STATE_CHANGING.has(request.method) &&
      !csrfMatches(request.headers['x-csrf-token'], principal.session?.csrfToken ?? '')
    ) {
      return deny(reply, 403, 'CSRF', 'missing or wrong x-csrf-token header');
    }
    return undefined;
  }

  private principalFromCookie(request: FastifyRequest): Principal | undefined {
    const token = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (!token || !this.sessions) return undefined;
    const session = this.sessions.get(token);
    if (!session) return undefined;
    // The config and the users table decide the role now: a removed user's sessions stop at once.
    const user = this.users?.get(session.user);
    if (!user) return undefined;
    return {
      name: user.name,
      role: user.role,
      displayName: user.displayName,
      session: { token, csrfToken: session.csrfToken },
      ...(user.mustChange ? { mustChange: true } : {}),
    };
  }

  /**
   * With auth on, "who did it" in a body (ack's `staff`) is the signed-in user, not a claim,
   * and the person's name beside it (`staffName`) is that user's display name.
   */
  private stampActor(request: FastifyRequest): void {
    const rule = this.ruleOf(request);
    const principal = this.principals.get(request);
    if (!rule?.actorField || !principal?.session || !isRecord(request.body)) return;
    request.body[rule.actorField] = principal.name;
    if (rule.actorNameField) request.body[rule.actorNameField] = personName(principal);
  }

  private filter(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
    const principal = this.principals.get(request);
    if (!principal) return payload;
    if (principal.role === 'viewer') return stripMemberPii(payload);
    if (reply.statusCode < 400 && carriesMemberPii(payload)) {
      this.recordAudit(request, principal, 'pii.view', `${request.method} ${request.url}`, true);
    }
    return payload;
  }

  private recordAudit(
    request: FastifyRequest,
    principal: Principal,
    action: string,
    target: string,
    coalesce: boolean,
  ) {
    try {
      this.audit.append(
        { user: principal.name, role: principal.role, action, target, address: request.ip },
        { coalesce },
      );
    } catch (err) {
      // An audit write that fails must be seen; it does not take the answer down with it.
      this.deps.log.error({ component: 'auth', err, action }, 'audit write failed');
    }
  }

  private async login(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    if (!this.sessions) throw new HttpError(400, 'AUTH_DISABLED', 'GW_HTTP_AUTH=off: no sign-in needed');
    const body: unknown = request.body;
    const name = isRecord(body) ? body.name : undefined;
    const password = isRecord(body) ? body.password : undefined;
    if (typeof name !== 'string' || typeof password !== 'string' || name.length > 64 || password.length > 1024) {
      throw new BadRequestError('body must be {"name": "<user>", "password": "<password>"}');
    }
    const keys = [`address:${request.ip}`, `user:${name.toLowerCase()}`];
    const wait = Math.max(...keys.map((k) => this.limiter.retryAfter(k)));
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return deny(reply, 429, 'RATE_LIMITED', `too many failed sign-ins; try again in ${wait} s`);
    }
    // Counted before the (asynchronous) password check: 40 parallel guesses must not all get
    // past the limit while their scrypt runs. A right password takes its count back.
    for (const key of keys) this.limiter.fail(key);
    const user = this.users?.get(name);
    // Always one scrypt verification, so an unknown name answers like a wrong password.
    const valid = (await verifyPassword(password, user?.passwordHash ?? this.dummyHash)) && user !== undefined;
    if (!user || !valid) {
      this.deps.log.warn({ component: 'auth', user: name.slice(0, 64), address: request.ip }, 'sign-in failed');
      return deny(reply, 401, 'BAD_CREDENTIALS', 'wrong user name or password');
    }
    this.limiter.forgive(keys[0] ?? '');
    this.limiter.reset(keys[1] ?? '');
    const previous = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (previous) this.sessions.destroy(previous);
    this.deps.log.info({ component: 'auth', user: user.name, role: user.role, address: request.ip }, 'signed in');
    return this.startSession(request, reply, user);
  }

  private startSession(request: FastifyRequest, reply: FastifyReply, user: UserRecord): FastifyReply {
    if (!this.sessions) throw new HttpError(400, 'AUTH_DISABLED', 'GW_HTTP_AUTH=off: no sign-in');
    const { token, session } = this.sessions.create(user.name);
    reply.header('set-cookie', sessionCookie(token, session.expires - session.created, this.secureFor(request)));
    return reply.send({
      user: { name: user.name, role: user.role, displayName: user.displayName },
      csrfToken: session.csrfToken,
      ...(user.mustChange ? { mustChangePassword: true } : {}),
    });
  }

  /**
   * POST /auth/password {current, password}: a signed-in user of the users table sets a new
   * password (config users change theirs in the config file). Every session of the user ends;
   * the caller gets a new one (cookie and CSRF token in the answer, like a sign-in).
   */
  private async changePassword(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const principal = this.principals.get(request);
    if (!this.users || !principal?.session) {
      throw new HttpError(400, 'AUTH_DISABLED', 'GW_HTTP_AUTH=off: no passwords to change');
    }
    const body: unknown = request.body;
    const current = isRecord(body) ? body.current : undefined;
    const password = isRecord(body) ? body.password : undefined;
    if (typeof current !== 'string' || typeof password !== 'string' || current.length > 1024) {
      throw new BadRequestError('body must be {"current": "<password>", "password": "<new password>"}');
    }
    if (password.length < MIN_PASSWORD_LENGTH || password.length > 1024) {
      throw new BadRequestError(
        `the new password needs ${MIN_PASSWORD_LENGTH} to 1024 characters`,
        'PASSWORD_TOO_SHORT',
      );
    }
    if (password === current) throw new BadRequestError('the new password must differ', 'PASSWORD_UNCHANGED');
    const user = this.users.get(principal.name);
    if (!user) return deny(reply, 401, 'UNAUTHENTICATED', 'sign in first (POST /api/v1/auth/login)');
    if (user.fromConfig) {
      throw new HttpError(
        409,
        'PASSWORD_IN_CONFIG',
        'this user is listed in the config file: change its passwordHash there',
      );
    }
    // The current password is a guess like a sign-in: same limiter, counted before the check.
    const key = `user:${user.name.toLowerCase()}`;
    const wait = this.limiter.retryAfter(key);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return deny(reply, 429, 'RATE_LIMITED', `too many failed attempts; try again in ${wait} s`);
    }
    this.limiter.fail(key);
    if (!(await verifyPassword(current, user.passwordHash))) {
      this.deps.log.warn({ component: 'auth', user: user.name, address: request.ip }, 'password change refused');
      return deny(reply, 401, 'BAD_CREDENTIALS', 'wrong current password');
    }
    this.limiter.reset(key);
    this.users.setPassword(user.name, password, false);
    if (user.mustChange) rmSync(join(this.deps.config.dataDir, INITIAL_PASSWORD_FILE), { force: true });
    this.deps.log.info({ component: 'auth', user: user.name, address: request.ip }, 'password changed; sessions ended');
    const updated = this.users.get(user.name);
    return updated ? this.startSession(request, reply, updated) : reply.status(204).send();
  }

  private secureFor(request: FastifyRequest): boolean {
    return this.settings?.secureCookies === true || request.protocol === 'https';
  }
}
