/**
 * The HTTP contract (protocols/http-api.ts) against a real gateway: what the typed routes
 * answer fits the schemas the dashboard's types come from (the compiler checks the handlers;
 * this checks the running answers, data included), and a query string that fails its
 * schema gets the project's 400 `{error: {code, message}}`.
 */
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_RULES } from '../../gateway/infra/auth/index.js';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import {
  AssistAlerts,
  AssistanceReport,
  AuditEntries,
  AuthState,
  DevicesAnswer,
  FittingRooms,
  FunnelAnswer,
  InvitationReport,
  Invitations,
  Journeys,
  LiveSnapshot,
  MemberSearch,
  RecordedInvitation,
  RejectedInputs,
  Sessions,
  StaffingResult,
  StoreInfo,
  TriedNotBoughtRanking,
  UpstreamState,
  VipAlerts,
} from '../../protocols/http-api.js';
import { tempDir } from '../support/tmp.js';

const NOON = Date.parse('2026-11-23T12:00:00+08:00');

describe('HTTP contract', () => {
  let gateway: RunningGateway;
  const clock = new ManualClock(NOON);
  const dir = tempDir();
  const base = () => `http://127.0.0.1:${gateway.httpPort}/api/v1`;
  const send = (method: string, path: string, body: unknown) =>
    fetch(`${base()}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    const config = loadConfig(undefined, {
      GW_MQTT_PORT: '0',
      GW_HTTP_PORT: '0',
      GW_DATA_DIR: dir.path,
      GW_HTTP_AUTH: 'off',
    });
    gateway = await startGateway({ config, clock, log: createLogger({ level: 'silent' }), tickEveryMs: 20 });
    const members = [{ id: 'M-1', name: '王芳', tier: 5, cards: ['E280689400005014AABB0009'], sizes: { top: 'M' } }];
    expect((await send('PUT', '/members', members)).status).toBe(200);
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  function expectFits(schema: TSchema, body: unknown, what: string) {
    const check = Compile(schema);
    const errors = check.Check(body) ? [] : check.Errors(body).map((e) => `${e.instancePath} ${e.message}`);
    expect(errors, what).toEqual([]);
  }

  it('answers every typed route in the shape its response schema declares', async () => {
    const invitation = { member: 'M-1', staff: 'Li', channel: 'wechat', campaign: 'winter' };
    const created = await send('POST', '/invitations', invitation);
    expect(created.status).toBe(201);
    expectFits(RecordedInvitation, await created.json(), 'POST /invitations');

    const routes: [string, TSchema][] = [
      ['/funnel?granularity=hour', FunnelAnswer],
      ['/funnel?from=2026-11-23&granularity=day&compare=previous,lastYear', FunnelAnswer],
      ['/live', LiveSnapshot],
      ['/store', StoreInfo],
      ['/devices', DevicesAnswer],
      ['/fitting-rooms', FittingRooms],
      ['/sessions', Sessions],
      ['/products/tried-not-bought', TriedNotBoughtRanking],
      ['/vip/alerts', VipAlerts],
      ['/invitations', Invitations],
      ['/invitations/report', InvitationReport],
      ['/upstream', UpstreamState],
      ['/auth/me', AuthState],
      ['/rejected', RejectedInputs],
      ['/audit', AuditEntries],
      ['/assist/alerts', AssistAlerts],
      ['/fitting-rooms/assistance', AssistanceReport],
      ['/staffing', StaffingResult],
      ['/invitations/journey', Journeys],
      ['/members/search?q=M-1', MemberSearch],
    ];
    // Every JSON GET route of the access table is checked here: a new one must be added.
    const checked = new Set(routes.map(([path]) => path.split('?')[0]));
    const notJson = new Set(['/stream', '/export/funnel.csv']);
    const unchecked = ROUTE_RULES.filter((r) => r.method === 'GET' && !notJson.has(r.path) && !checked.has(r.path));
    expect(unchecked.map((r) => r.path)).toEqual([]);
    for (const [path, schema] of routes) {
      const res = await fetch(`${base()}${path}`);
      expect(res.status, path).toBe(200);
      expectFits(schema, await res.json(), `GET ${path}`);
    }
    // The answers carry data, not only empty lists: the invitation and the configured devices.
    const listed = (await (await fetch(`${base()}/invitations`)).json()) as { invitations: unknown[] };
    expect(listed.invitations).toHaveLength(1);
    const devices = (await (await fetch(`${base()}/devices`)).json()) as { devices: unknown[] };
    expect(devices.devices.length).toBeGreaterThan(0);
  });

  it('answers a query value of the wrong type with the 400 error format', async () => {
    // A repeated key arrives as an array where the schema wants one string.
    for (const [path, name] of [
      ['/sessions?limit=5&limit=6', 'limit'],
      ['/funnel?granularity=day&granularity=hour', 'granularity'],
      ['/invitations/report?campaign=a&campaign=b', 'campaign'],
      ['/rejected?device=door-1&device=door-2', 'device'],
    ] as const) {
      const res = await fetch(`${base()}${path}`);
      expect(res.status, path).toBe(400);
      expect(await res.json(), path).toEqual({
        error: { code: 'BAD_REQUEST', message: `${name} must be given once` },
      });
    }
    // Unknown keys are still ignored, and a good query still answers.
    expect((await fetch(`${base()}/sessions?limit=5&_=1`)).status).toBe(200);
  });
});
