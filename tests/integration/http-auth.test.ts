/**
 * Sign-in, roles, CSRF, PII and audit over real HTTP against a real gateway (demo users:
 * manager/manager, staff/staff, viewer/viewer). The role test walks the whole access table,
 * so a rule changed there is a rule tested here.
 */
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_RULES, type Role, roleAtLeast } from '../../gateway/infra/auth/index.js';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import { DEFAULT_CONFIG_YAML, DEMO_HTTP_USERS } from '../../gateway/infra/config/defaults.js';
import { loadConfig, parseConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { call, rawRequest, readSse, type Signed, signIn } from '../support/auth.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const T0 = Date.parse('2026-11-23T14:00:00+08:00');
const VIP_CARD = 'E280689400005014AABB0001';
const ROLES: readonly Role[] = ['viewer', 'staff', 'manager'];

function capturingLogger(lines: string[]) {
  return pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
}

const SAMPLE_BODY: Record<string, unknown> = {
  'PUT /members': [],
  'PUT /catalog': [],
  'POST /invitations': {},
  'POST /vip/alerts/:id/ack': { staff: 'x' },
  'POST /auth/login': {},
};

describe('HTTP auth with the demo users', () => {
  const clock = new ManualClock(T0);
  const dir = tempDir();
  const logLines: string[] = [];
  let gateway: RunningGateway;
  let devices: MqttClient;
  const as: Partial<Record<Role, Signed>> = {};
  const base = () => `http://127.0.0.1:${gateway.httpPort}/api/v1`;
  const who = (role: Role): Signed => {
    const s = as[role];
    if (!s) throw new Error(`not signed in as ${role}`);
    return s;
  };

  beforeAll(async () => {
    const config = loadConfig(undefined, {
      GW_MQTT_PORT: '0',
      GW_HTTP_PORT: '0',
      GW_DATA_DIR: dir.path,
      GW_HTTP_AUTH: 'demo',
    });
    gateway = await startGateway({ config, clock, log: capturingLogger(logLines), tickEveryMs: 20 });
    for (const role of ROLES) as[role] = await signIn(base(), role, role);
    devices = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'devices',
      reconnectPeriod: 0,
    });
  });

  afterAll(async () => {
    await devices?.endAsync();
    await gateway?.stop();
    dir.remove();
  });

  it('lists every registered /api/v1 route in the access table', () => {
    expect(logLines.filter((l) => l.includes('missing from the access table'))).toEqual([]);
    expect(logLines.filter((l) => l.includes('GW_HTTP_AUTH=off'))).toEqual([]);
  });

  it('GET /auth/me answers 200 without a session and with one', async () => {
    const anon = await fetch(`${base()}/auth/me`);
    expect(anon.status).toBe(200);
    expect(await anon.json()).toEqual({ authRequired: true, user: null, csrfToken: null });
    const me = await call(base(), who('staff'), 'GET', '/auth/me');
    expect(await me.json()).toEqual({
      authRequired: true,
      user: { name: 'staff', role: 'staff', displayName: null },
      csrfToken: who('staff').csrf,
    });
  });

  it('signs in with a session cookie that is HttpOnly, SameSite=Strict, Path=/, not Secure over plain HTTP', async () => {
    const res = await fetch(`${base()}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Manager', password: 'manager' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: unknown; csrfToken: string };
    expect(body.user).toEqual({ name: 'manager', role: 'manager', displayName: null });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^gw_session=[A-Za-z0-9_-]{43};/);
    const attrs = cookie.split(';').map((a) => a.trim());
    expect(attrs).toContain('HttpOnly');
    expect(attrs).toContain('SameSite=Strict');
    expect(attrs).toContain('Path=/');
    expect(attrs).toContain('Max-Age=43200');
    expect(attrs).not.toContain('Secure');
    // The token itself is not in the database, only its hash.
    const token = cookie.split(';')[0]?.split('=')[1] ?? '';
    const stored = gateway.db.prepare('SELECT token_hash FROM sessions').all() as { token_hash: string }[];
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.some((r) => r.token_hash === token)).toBe(false);
  });

  it('answers a wrong password and an unknown user alike, in similar time', async () => {
    const attempt = async (name: string) => {
      const started = performance.now();
      const r = await rawRequest(`${base()}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, password: 'not-it' }),
        localAddress: '127.0.0.9',
      });
      return { r, ms: performance.now() - started };
    };
    const wrong = await attempt('manager');
    const unknown = await attempt('nobody');
    expect(wrong.r.status).toBe(401);
    expect(unknown.r.status).toBe(401);
    const strip = (b: string) => JSON.parse(b) as unknown;
    expect(strip(unknown.r.body)).toEqual(strip(wrong.r.body));
    expect(strip(wrong.r.body)).toMatchObject({ error: { code: 'BAD_CREDENTIALS' } });
    // Both run one scrypt verification (tens of ms); an early exit would take ~1 ms.
    expect(unknown.ms).toBeGreaterThan(wrong.ms * 0.4);
  });

  it('rate-limits failures per user name and per address, with Retry-After, and lets go after the window', async () => {
    const login = (name: string, password: string, from: string) =>
      rawRequest(`${base()}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, password }),
        localAddress: from,
      });
    // Per name: five failures for "staff" from one address lock "staff" from any address.
    for (let i = 0; i < 5; i++) expect((await login('staff', `wrong${i}`, '127.0.0.2')).status).toBe(401);
    const locked = await login('staff', 'staff', '127.0.0.3');
    expect(locked.status).toBe(429);
    expect(JSON.parse(locked.body)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login('manager', 'manager', '127.0.0.3')).status).toBe(200);
    // Per address: five failures with different names lock the address for every name.
    for (let i = 0; i < 5; i++) expect((await login(`ghost${i}`, 'x', '127.0.0.4')).status).toBe(401);
    expect((await login('viewer', 'viewer', '127.0.0.4')).status).toBe(429);
    expect((await login('viewer', 'viewer', '127.0.0.5')).status).toBe(200);
    // The window is 5 minutes on the gateway's clock.
    clock.advance(5 * 60_000 + 1000);
    expect((await login('staff', 'staff', '127.0.0.3')).status).toBe(200);
    expect((await login('viewer', 'viewer', '127.0.0.4')).status).toBe(200);
  });

  it('counts a sign-in before its password check: 40 parallel wrong passwords get at most 5 answers of 401', async () => {
    const attempt = (i: number) =>
      rawRequest(`${base()}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'manager', password: `guess-${i}` }),
        localAddress: '127.0.0.20',
      });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(i)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(35);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // The name is locked now, even with the right password from elsewhere…
    const right = await rawRequest(`${base()}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'manager', password: 'manager' }),
      localAddress: '127.0.0.21',
    });
    expect(right.status).toBe(429);
    clock.advance(5 * 60_000 + 1000);
    // …and a right password in parallel with wrong ones does not eat into the limit.
    const mixed = await Promise.all([
      ...Array.from({ length: 3 }, (_, i) =>
        rawRequest(`${base()}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'viewer', password: i === 1 ? 'viewer' : 'nope' }),
          localAddress: '127.0.0.22',
        }),
      ),
    ]);
    expect(mixed.map((m) => m.status).sort()).toEqual([200, 401, 401]);
  });

  it('records an invitation as the signed-in user, and refuses back-dated or future ones', async () => {
    const member = [{ id: 'M-INV', name: '王芳', tier: 3, cards: ['E280689400005014AABB0099'] }];
    expect((await call(base(), who('manager'), 'PUT', '/members', member)).status).toBe(200);
    const body = (extra: Record<string, unknown>) => ({
      member: 'M-INV',
      channel: 'wechat',
      campaign: 'autumn',
      ...extra,
    });
    const posed = await call(base(), who('staff'), 'POST', '/invitations', body({ staff: 'manager' }));
    expect(posed.status).toBe(201);
    expect(((await posed.json()) as { invitation: { staff: string } }).invitation.staff).toBe('staff');
    const unnamed = await call(base(), who('staff'), 'POST', '/invitations', body({}));
    expect(unnamed.status).toBe(201);
    expect(((await unnamed.json()) as { invitation: { staff: string } }).invitation.staff).toBe('staff');

    const now = clock.now();
    const at = (ms: number) => new Date(ms).toISOString();
    const old = await call(base(), who('staff'), 'POST', '/invitations', body({ ts: '2020-01-01T00:00:00Z' }));
    expect(old.status).toBe(400);
    expect(await old.json()).toMatchObject({ error: { code: 'INVITATION_TOO_OLD' } });
    const justInside = await call(
      base(),
      who('staff'),
      'POST',
      '/invitations',
      body({ ts: at(now - 13 * 86_400_000) }),
    );
    expect(justInside.status).toBe(201);
    const tooOld = await call(base(), who('staff'), 'POST', '/invitations', body({ ts: at(now - 15 * 86_400_000) }));
    expect(tooOld.status).toBe(400);
    const future = await call(base(), who('staff'), 'POST', '/invitations', body({ ts: at(now + 86_400_000) }));
    expect(future.status).toBe(400);
    expect(await future.json()).toMatchObject({ error: { code: 'INVITATION_IN_FUTURE' } });
    const range = `from=${at(now - 14 * 86_400_000)}&to=${at(now + 60_000)}`;
    const listed = await waitFor(async () => {
      const l = (await (await call(base(), who('manager'), 'GET', `/invitations?${range}`)).json()) as {
        invitations: { staff: string }[];
      };
      return l.invitations.length >= 3 ? l.invitations : undefined;
    }, 'three invitations');
    expect(listed.map((i) => i.staff)).toEqual(['staff', 'staff', 'staff']);
  });

  it('applies the access table: 401 without a session, 403 below the role, through at or above it', async () => {
    const failures: string[] = [];
    // Own sessions: the walk ends with POST /auth/logout, which ends them.
    const own: Partial<Record<Role, Signed>> = {};
    for (const role of ROLES) own[role] = await signIn(base(), role, role);
    const rules = [...ROUTE_RULES].sort(
      (a, b) => Number(a.path === '/auth/logout') - Number(b.path === '/auth/logout'),
    );
    for (const rule of rules) {
      const path = rule.path.replace(':id', 'nope').replace(':device', 'nope');
      const key = `${rule.method} ${rule.path}`;
      const body = SAMPLE_BODY[key] ?? (rule.method === 'GET' || rule.method === 'DELETE' ? undefined : {});
      const send = async (signed: Signed | undefined) => {
        const abort = new AbortController();
        const headers: Record<string, string> = {};
        if (signed) headers.cookie = signed.cookie;
        if (signed && rule.method !== 'GET') headers['x-csrf-token'] = signed.csrf;
        if (body !== undefined) headers['content-type'] = 'application/json';
        const res = await fetch(`${base()}${path}`, {
          method: rule.method,
          headers,
          signal: abort.signal,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        const status = res.status;
        const code = res.headers.get('content-type')?.includes('json')
          ? ((await res.json()) as { error?: { code?: string } }).error?.code
          : undefined;
        abort.abort(); // the stream never ends by itself
        return { status, code };
      };
      const anon = await send(undefined);
      if (rule.access === 'public') {
        if (anon.status === 401 || anon.status === 403) failures.push(`${key} anonymous got ${anon.status}`);
      } else if (anon.status !== 401 || anon.code !== 'UNAUTHENTICATED') {
        failures.push(`${key} anonymous got ${anon.status} ${anon.code}`);
      }
      for (const role of ROLES) {
        const r = await send(own[role]);
        const allowed = rule.access === 'public' || roleAtLeast(role, rule.access);
        if (allowed && (r.status === 401 || r.status === 403 || r.status >= 500)) {
          failures.push(`${key} ${role} refused: ${r.status} ${r.code}`);
        }
        if (!allowed && (r.status !== 403 || r.code !== 'FORBIDDEN')) {
          failures.push(`${key} ${role} not refused: ${r.status} ${r.code}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses state-changing requests without the session CSRF token and accepts them with it', async () => {
    const manager = who('manager');
    const product = [
      { gtin: '00614141123452', sku: 'S1', style: 'ST1', color: 'red', size: 'M', name: 'Shirt', price: 99 },
    ];
    const none = await call(base(), manager, 'PUT', '/catalog', product, { 'x-csrf-token': '' });
    expect(none.status).toBe(403);
    expect(await none.json()).toMatchObject({ error: { code: 'CSRF' } });
    const other = await call(base(), manager, 'PUT', '/catalog', product, { 'x-csrf-token': who('staff').csrf });
    expect(other.status).toBe(403);
    const ok = await call(base(), manager, 'PUT', '/catalog', product);
    expect(ok.status).toBe(200);
    // GET needs no token.
    expect((await call(base(), manager, 'GET', '/funnel')).status).toBe(200);
  });

  it('sets the security headers on API, health, 404 and SSE responses', async () => {
    const abort = new AbortController();
    const responses = [
      await call(base(), who('viewer'), 'GET', '/funnel'),
      await fetch(`http://127.0.0.1:${gateway.httpPort}/healthz`),
      await fetch(`http://127.0.0.1:${gateway.httpPort}/no/such/page`),
      await fetch(`${base()}/stream`, { headers: { cookie: who('viewer').cookie }, signal: abort.signal }),
    ];
    abort.abort();
    for (const res of responses) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("img-src 'self' data:");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('permissions-policy')).toContain('camera=()');
    }
    expect(responses[0]?.headers.get('cache-control')).toBe('no-store');
  });

  it('gives staff and managers the VIP profile and viewers none of the member PII, on every route and SSE', async () => {
    const members = [
      { id: 'M-VIP', name: '陈静', tier: 5, phone: '13800000000', cards: [VIP_CARD], notes: '喜欢真丝' },
    ];
    expect((await call(base(), who('manager'), 'PUT', '/members', members)).status).toBe(200);
    const viewerSse: { event: string; data: unknown }[] = [];
    const staffSse: { event: string; data: unknown }[] = [];
    const abort = new AbortController();
    void readSse(`${base()}/stream`, { cookie: who('viewer').cookie }, abort.signal, viewerSse);
    void readSse(`${base()}/stream`, { cookie: who('staff').cookie }, abort.signal, staffSse);
    await new Promise((r) => setTimeout(r, 200));

    const ts = new Date(clock.now()).toISOString();
    await devices.publishAsync(
      'retail/s001/rfid/rfid-fr/reads',
      JSON.stringify({ v: 1, type: 'rfid.reads', id: 'vip-1', ts, reads: [{ epc: VIP_CARD, ant: 5, rssi: -50, ts }] }),
      { qos: 1 },
    );
    const alerts = await waitFor(async () => {
      const body = (await (await call(base(), who('staff'), 'GET', '/vip/alerts')).json()) as {
        alerts: { id: string; profile: { name: string | null; notes: string | null } }[];
      };
      return body.alerts.length > 0 ? body.alerts : undefined;
    }, 'the VIP alert');
    expect(alerts[0]?.profile.name).toBe('陈静');
    expect(alerts[0]?.profile.notes).toBe('喜欢真丝');

    // /live: the manager sees the name, the viewer the VIP without it.
    const liveOf = async (role: Role) =>
      (await (await call(base(), who(role), 'GET', '/live')).json()) as {
        vipsInStore: { member: string; name: string | null }[];
      };
    const managerLive = await waitFor(async () => {
      const l = await liveOf('manager');
      return l.vipsInStore.length > 0 ? l : undefined;
    }, 'VIP in store');
    expect(managerLive.vipsInStore[0]?.name).toBe('陈静');
    const viewerLive = await liveOf('viewer');
    expect(viewerLive.vipsInStore[0]).toMatchObject({ member: 'M-VIP', name: null });
    expect(JSON.stringify(viewerLive)).not.toContain('陈静');

    // SSE: both got the arrival; only staff with the profile.
    await waitFor(
      () => staffSse.some((m) => m.event === 'vip.arrival') && viewerSse.some((m) => m.event === 'vip.arrival'),
      'SSE arrivals',
    );
    const staffArrival = staffSse.find((m) => m.event === 'vip.arrival')?.data as { profile: { name: string } };
    expect(staffArrival.profile.name).toBe('陈静');
    const viewerText = JSON.stringify(viewerSse);
    for (const pii of ['陈静', '13800000000', '喜欢真丝']) expect(viewerText).not.toContain(pii);
    // A viewer may not read /vip/alerts: the stream gives it the arrival (who, where), no profile.
    const viewerArrival = viewerSse.find((m) => m.event === 'vip.arrival')?.data;
    expect(viewerArrival).toEqual({
      id: alerts[0]?.id,
      type: 'vip.arrival',
      ts: expect.any(Number),
      member: 'M-VIP',
      tier: 5,
      zone: 'entrance',
      via: 'card',
    });
    expect((await call(base(), who('viewer'), 'GET', '/vip/alerts')).status).toBe(403);

    // Ack: the acting user is the signed-in one, not what the body claims.
    const alertId = alerts[0]?.id ?? '';
    const ack = await call(base(), who('staff'), 'POST', `/vip/alerts/${encodeURIComponent(alertId)}/ack`, {
      staff: 'someone-else',
    });
    expect(ack.status).toBe(200);
    // The shared account has no display name: the ack names the account.
    expect(((await ack.json()) as { alert: { ack: unknown } }).alert.ack).toMatchObject({ by: 'staff', name: 'staff' });
    abort.abort();

    // Audit: the PII views, the stream, the import.
    const audit = (await (await call(base(), who('manager'), 'GET', '/audit')).json()) as {
      entries: { user: string; role: string; action: string; target: string; address: string; ts: string }[];
    };
    const has = (user: string, action: string, target: string) =>
      audit.entries.some((e) => e.user === user && e.action === action && e.target.includes(target));
    expect(has('staff', 'pii.view', '/api/v1/vip/alerts')).toBe(true);
    expect(has('manager', 'pii.view', '/api/v1/live')).toBe(true);
    expect(has('staff', 'pii.stream', '/api/v1/stream')).toBe(true);
    expect(has('manager', 'members.import', 'PUT /api/v1/members (1 records)')).toBe(true);
    expect(audit.entries.every((e) => e.user !== 'viewer')).toBe(true);
    expect(audit.entries[0]?.address).toMatch(/127\.0\.0\.1/);
    // Polling /live again within the window adds no row.
    const before = audit.entries.filter((e) => e.user === 'manager' && e.target.includes('/live')).length;
    await liveOf('manager');
    const again = (await (await call(base(), who('manager'), 'GET', '/audit')).json()) as typeof audit;
    expect(again.entries.filter((e) => e.user === 'manager' && e.target.includes('/live')).length).toBe(before);
  });

  it('audits CSV exports and member erasure', async () => {
    expect((await call(base(), who('manager'), 'GET', '/export/funnel.csv')).status).toBe(200);
    expect((await call(base(), who('manager'), 'DELETE', '/members/M-VIP')).status).toBe(204);
    expect((await call(base(), who('manager'), 'DELETE', '/members/M-VIP')).status).toBe(404);
    const alerts = (await (await call(base(), who('staff'), 'GET', '/vip/alerts')).json()) as {
      alerts: { profile: { name?: string } }[];
    };
    expect(JSON.stringify(alerts)).not.toContain('陈静');
    const audit = (await (await call(base(), who('manager'), 'GET', '/audit')).json()) as {
      entries: { action: string; target: string }[];
    };
    expect(audit.entries.some((e) => e.action === 'export.funnel')).toBe(true);
    expect(audit.entries.some((e) => e.action === 'members.erase' && e.target.includes('M-VIP'))).toBe(true);
    expect((await call(base(), who('staff'), 'GET', '/audit')).status).toBe(403);
  });

  it('logs out: 204, cookie cleared, the session gone; needs the CSRF token', async () => {
    const s = await signIn(base(), 'staff', 'staff');
    const noCsrf = await call(base(), s, 'POST', '/auth/logout', undefined, { 'x-csrf-token': 'nope' });
    expect(noCsrf.status).toBe(403);
    const out = await call(base(), s, 'POST', '/auth/logout');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^gw_session=; .*Max-Age=0/);
    expect(await (await call(base(), s, 'GET', '/auth/me')).json()).toMatchObject({ user: null });
    expect((await call(base(), s, 'GET', '/live')).status).toBe(401);
  });

  it('expires sessions after sessionTtl on the gateway clock', async () => {
    const s = await signIn(base(), 'viewer', 'viewer');
    expect((await call(base(), s, 'GET', '/live')).status).toBe(200);
    clock.advance(12 * 3_600_000 - 60_000);
    expect((await call(base(), s, 'GET', '/live')).status).toBe(200);
    clock.advance(61_000);
    expect((await call(base(), s, 'GET', '/live')).status).toBe(401);
    expect(await (await call(base(), s, 'GET', '/auth/me')).json()).toEqual({
      authRequired: true,
      user: null,
      csrfToken: null,
    });
  });
});

describe('HTTP auth settings', () => {
  it('opens the API as the local manager only with GW_HTTP_AUTH=off, and warns once', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const config = loadConfig(undefined, {
      GW_MQTT_PORT: '0',
      GW_HTTP_PORT: '0',
      GW_DATA_DIR: dir.path,
      GW_HTTP_AUTH: 'off',
    });
    const gateway = await startGateway({ config, log: capturingLogger(lines) });
    try {
      const base = `http://127.0.0.1:${gateway.httpPort}/api/v1`;
      expect(await (await fetch(`${base}/auth/me`)).json()).toEqual({
        authRequired: false,
        user: { name: 'local', role: 'manager', displayName: null },
        csrfToken: null,
      });
      expect((await fetch(`${base}/audit`)).status).toBe(200);
      const put = await fetch(`${base}/catalog`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '[]',
      });
      expect(put.status).toBe(200);
      expect(lines.filter((l) => l.includes('GW_HTTP_AUTH=off') && l.includes('"level":40'))).toHaveLength(1);
    } finally {
      await gateway.stop();
      dir.remove();
    }
  });

  it('marks the cookie Secure with secureCookies and honours sessionTtl; survives a restart', async () => {
    const dir = tempDir();
    const users = DEMO_HTTP_USERS.map((u) => `{ name: ${u.name}, role: ${u.role}, passwordHash: "${u.passwordHash}" }`);
    const yaml = DEFAULT_CONFIG_YAML.replace(
      'http: { port: 8080 }',
      `http: { port: 0, auth: { secureCookies: true, sessionTtl: 1h, users: [${users.join(', ')}] } }`,
    );
    const config = parseConfig(yaml, 'test', { GW_MQTT_PORT: '0', GW_DATA_DIR: dir.path });
    const log = createLogger({ level: 'silent' });
    let gateway = await startGateway({ config, log });
    try {
      const base = () => `http://127.0.0.1:${gateway.httpPort}/api/v1`;
      const res = await fetch(`${base()}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'viewer', password: 'viewer' }),
      });
      const cookie = res.headers.get('set-cookie') ?? '';
      expect(cookie).toContain('; Secure');
      expect(cookie).toContain('Max-Age=3600');
      const signed = { cookie: cookie.split(';')[0] ?? '', csrf: '' };
      await gateway.stop();
      gateway = await startGateway({ config, log });
      expect((await call(base(), signed, 'GET', '/funnel')).status).toBe(200);
    } finally {
      await gateway.stop();
      dir.remove();
    }
  });
});
