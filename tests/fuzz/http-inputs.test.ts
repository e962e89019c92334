/**
 * Random HTTP inputs against every route of a real gateway (auth on): random query strings,
 * JSON and non-JSON bodies, content types, cookies, CSRF and other headers, as anonymous,
 * viewer and manager. No answer may be a 5xx, the gateway must stay up, and the stored
 * reference data must be unchanged afterwards. FUZZ_RUNS raises the number of runs.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_RULES } from '../../gateway/infra/auth/index.js';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { call, type Signed, signIn } from '../support/auth.js';
import { tempDir } from '../support/tmp.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const T0 = Date.parse('2026-11-23T14:00:00+08:00');

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));
const anyText = fc.string({ maxLength: 40, unit: 'grapheme' });

const queryValue = fc.oneof(
  anyText,
  fc.constantFrom(
    '2026-11-23',
    '2026-11-24',
    '2026-02-30',
    '9999-99-99',
    '2026-11-23T10:00:00+08:00',
    '2026-11-23T10:00:00Z',
    '0000-01-01T00:00:00Z',
    'hour',
    'day',
    'week',
    'month',
    '15m',
    'en',
    '-1',
    '0',
    '1e9',
    'NaN',
    '',
  ),
);
const queryKey = fc.oneof(
  fc.constantFrom(
    'from',
    'to',
    'granularity',
    'limit',
    'campaign',
    'lang',
    'device',
    'since',
    '__proto__',
    'constructor',
  ),
  anyText,
);
const query = fc
  .array(fc.tuple(queryKey, queryValue), { maxLength: 6 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  anyText,
  fc.constantFrom(
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '[{"id":"M-1"}]',
    '{"name":"manager","password":"wrong"}',
    '{"member":"M-1","staff":"s","channel":"wechat","campaign":"c","ts":"not a time"}',
    '{"staff":""}',
    '[]',
    '{}',
    'null',
    '{"a":',
  ),
);
const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
  ),
  printable(30),
);
const who = fc.constantFrom('anonymous', 'viewer', 'manager', 'manager-no-csrf');
const pathParam = fc.oneof(
  fc.constantFrom('M-1', 'nope', '..', '%00', 'M-1@1'),
  anyText.filter((s) => s.length > 0),
);
const extraHeaders = fc.record(
  {
    'x-csrf-token': printable(60),
    cookie: printable(80),
    'last-event-id': printable(12),
    'accept-language': printable(20),
    accept: printable(20),
  },
  { requiredKeys: [] },
);

describe('HTTP inputs fuzz', () => {
  const clock = new ManualClock(T0);
  const dir = tempDir();
  let gateway: RunningGateway;
  let viewer: Signed;
  let manager: Signed;
  const base = () => `http://127.0.0.1:${gateway.httpPort}/api/v1`;

  const storedDigest = () => {
    const h = createHash('sha256');
    for (const table of ['members', 'member_cards', 'catalog', 'invitations', 'sessions']) {
      const rows = gateway.db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all();
      h.update(`${table}:${JSON.stringify(rows)}`);
    }
    h.update(String((gateway.db.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n));
    return h.digest('hex');
  };

  beforeAll(async () => {
    const config = loadConfig(undefined, {
      GW_MQTT_PORT: '0',
      GW_HTTP_PORT: '0',
      GW_DATA_DIR: dir.path,
      GW_HTTP_AUTH: 'demo',
    });
    gateway = await startGateway({ config, clock, log: createLogger({ level: 'silent' }), tickEveryMs: 50 });
    manager = await signIn(base(), 'manager', 'manager');
    viewer = await signIn(base(), 'viewer', 'viewer');
    const members = [{ id: 'M-1', name: '王芳', tier: 5, phone: '13900000000', cards: ['E280689400005014AABB0009'] }];
    expect((await call(base(), manager, 'PUT', '/members', members)).status).toBe(200);
    const catalog = [
      { gtin: '00614141123452', sku: 'S1', style: 'ST1', color: 'red', size: 'M', name: 'Shirt', price: 99 },
    ];
    expect((await call(base(), manager, 'PUT', '/catalog', catalog)).status).toBe(200);
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  it(`never answers 5xx and keeps stored data intact (${RUNS} runs)`, async () => {
    const before = storedDigest();
    const routes = [
      ...ROUTE_RULES.map((r) => ({ method: r.method as string, path: r.path })),
      { method: 'GET', path: '/:id' },
    ];
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'rule'),
        pathParam,
        query,
        body,
        contentType,
        who,
        extraHeaders,
        async (route, methodChoice, param, q, text, type, principal, headers) => {
          const method = methodChoice === 'rule' ? route.method : methodChoice;
          // Signing out would end the fuzzer's own sessions; erasing would change the data under test.
          if (route.path === '/auth/logout' || (route.path === '/members/:id' && method === 'DELETE')) return;
          const path = route.path.replace(/:(id|device)/, encodeURIComponent(param));
          const h: Record<string, string> = { ...headers };
          const signed = principal === 'viewer' ? viewer : principal.startsWith('manager') ? manager : undefined;
          if (signed) h.cookie = `${signed.cookie}; ${headers.cookie ?? ''}`;
          if (signed && principal !== 'manager-no-csrf') h['x-csrf-token'] = signed.csrf;
          const withBody = text !== undefined && method !== 'GET';
          if (withBody) h['content-type'] = type;
          const abort = new AbortController();
          const res = await fetch(`${base()}${path}${q ? `?${q}` : ''}`, {
            method,
            headers: h,
            signal: abort.signal,
            ...(withBody ? { body: text } : {}),
          });
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          if (res.status >= 500) throw new Error(`${method} ${path}?${q} → ${res.status}: ${await res.text()}`);
          abort.abort(); // /stream never ends by itself
        },
      ),
      // The default run stays well under 20 s on a loaded machine; an explicit FUZZ_RUNS runs them all.
      { numRuns: RUNS, ...(process.env.FUZZ_RUNS ? {} : { interruptAfterTimeLimit: 15_000 }) },
    );
    // The gateway is up and nothing stored changed.
    expect((await fetch(`http://127.0.0.1:${gateway.httpPort}/healthz`)).status).toBe(200);
    expect(storedDigest()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The fuzz reached handlers, not only the auth gate.
    expect([...seen.keys()].some((s) => s === 200 || s === 204)).toBe(true);
    expect([...seen.keys()].some((s) => s === 400)).toBe(true);
  });
});
