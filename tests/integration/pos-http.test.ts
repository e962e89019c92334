/**
 * Issue 16 (POS), through a real gateway on real ports: a till that cannot publish MQTT posts
 * its receipts to `POST /api/v1/ingest/pos/{device}` with its own HTTP Basic credentials, and a
 * till that can only export has its end-of-day CSV imported (`POST /api/v1/import/receipts`,
 * manager). Receipts are validated like MQTT ones, journaled idempotently, and count in /funnel.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/infra/config/index.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { hashPassword } from '../../gateway/pipeline/broker/credentials.js';
import { type Signed, signIn } from '../support/auth.js';
import { runCli } from '../support/gateway-process.js';
import { memoryLogger } from '../support/secure-gateway.js';
import { tempDir } from '../support/tmp.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const TILL = basic('till-1', 'till-secret');
const when = new Date(Date.now() - 10 * 60_000);
const ts = when.toISOString();

/** Shanghai wall-clock time of `when` (UTC+8, no DST), as the till's export writes it. */
function shanghai(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 19)}`;
}

function receipt(id: string, fields: { receipt: string; kind?: string; total: number; currency?: string }) {
  return {
    v: 1,
    type: 'pos.receipt',
    id,
    ts,
    receipt: fields.receipt,
    kind: fields.kind ?? 'sale',
    lines: [{ sku: 'SKU-1', qty: 1, price: fields.total }],
    total: fields.total,
    currency: fields.currency ?? 'CNY',
  };
}

describe('POS receipts over HTTP', () => {
  const dir = tempDir();
  const { log, lines } = memoryLogger('info');
  let gateway: RunningGateway;
  let manager: Signed;
  let base: string;

  const post = (body: unknown, authorization: string | null = TILL, device = 'till-1') =>
    fetch(`${base}/ingest/pos/${device}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization !== null ? { authorization } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const journaled = () =>
    (gateway.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'pos.receipt'").get() as { n: number }).n;
  const rejectedRows = () =>
    gateway.db.prepare('SELECT device, source, code, reason FROM rejected ORDER BY id').all() as {
      device: string;
      source: string;
      code: string;
      reason: string;
    }[];
  const funnel = async () => {
    const from = new Date(when.getTime() - 3_600_000).toISOString();
    const to = new Date(when.getTime() + 3_600_000).toISOString();
    const res = await fetch(`${base}/funnel?from=${from}&to=${to}&granularity=hour`, {
      headers: { cookie: manager.cookie },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { totals: { transactions: number; units: number; revenue: number } }).totals;
  };
  const importCsv = (csv: string, who: Signed | null = manager, device = 'till-2') =>
    fetch(`${base}/import/receipts?device=${device}`, {
      method: 'POST',
      headers: {
        'content-type': 'text/csv',
        ...(who ? { cookie: who.cookie, 'x-csrf-token': who.csrf } : {}),
      },
      body: csv,
    });

  let configFile: string;

  beforeAll(async () => {
    const yaml = `
version: 1
store: { id: s001, name: "店", timezone: Asia/Shanghai, currency: CNY, openingTime: "09:30", vipTier: 4, locale: zh-CN }
mqtt: { port: 0 }
http:
  port: 0
  auth:
    users:
      - { name: boss, role: manager, passwordHash: "${hashPassword('boss-secret')}" }
      - { name: eve, role: viewer, passwordHash: "${hashPassword('eve-secret')}" }
dataDir: ${join(dir.path, 'data')}
zones: { entrance: { kind: entrance }, till: { kind: cashdesk } }
devices:
  till-1: { kind: pos, transport: http, username: till-1, passwordHash: "${hashPassword('till-secret')}" }
  till-2:
    kind: pos
    transport: http
    username: till-2
    passwordHash: "${hashPassword('till-2-secret')}"
    import:
      columns: { receipt: "单号", ts: "时间", kind: "类型", sku: "货号", qty: "数量", price: "单价", total: "合计", member: "会员号" }
      kindValues: { sale: "销售", refund: "退货", void: "作废" }
  door-1: { kind: door-counter, transport: mqtt, door: main, zone: entrance, username: door-1, passwordHash: "${hashPassword('door-secret')}" }
`;
    configFile = join(dir.path, 'pos-http.yaml');
    writeFileSync(configFile, yaml);
    const config = parseConfig(yaml, configFile);
    gateway = await startGateway({ config, log });
    base = `http://127.0.0.1:${gateway.httpPort}/api/v1`;
    manager = await signIn(base, 'boss', 'boss-secret');
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  it('refuses a till without its own credentials with 401, journaling nothing', async () => {
    const good = [receipt('r-0', { receipt: 'X0', total: 10 })];
    const refusals = [
      await post(good, null),
      await post(good, basic('till-1', 'guess')),
      await post(good, basic('till-2', 'till-2-secret')),
      // A signed-in manager is no till either.
      await fetch(`${base}/ingest/pos/till-1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: manager.cookie, 'x-csrf-token': manager.csrf },
        body: JSON.stringify(good),
      }),
    ];
    for (const res of refusals) {
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('DEVICE_UNAUTHENTICATED');
    }
    expect(journaled()).toBe(0);
    expect(rejectedRows()).toEqual([]);
    expect(lines.filter((l) => l.msg === 'device HTTP request refused')).toHaveLength(4);
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/gateway_http_device_auth_failures_total\{device="till-1",reason="bad-credentials"\} 2/);
    // Not a POS: 404, whatever the credentials.
    expect((await post(good, TILL, 'door-1')).status).toBe(404);
  });

  it('journals good receipts, which count in /funnel; a resend is a duplicate', async () => {
    const batch = [receipt('r-1', { receipt: 'A1', total: 100 }), receipt('r-2', { receipt: 'A2', total: 250.5 })];
    const first = await post(batch);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: 0,
      results: [
        { index: 0, id: 'r-1', receipt: 'A1', status: 'accepted' },
        { index: 1, id: 'r-2', receipt: 'A2', status: 'accepted' },
      ],
    });
    expect(journaled()).toBe(2);
    expect(await funnel()).toMatchObject({ transactions: 2, units: 2, revenue: 350.5 });

    // One receipt as a bare object is fine too; the resend is a duplicate and counts once.
    const again = await post(batch[0]);
    expect(await again.json()).toMatchObject({
      accepted: 0,
      duplicates: 1,
      results: [{ index: 0, id: 'r-1', status: 'duplicate' }],
    });
    expect(journaled()).toBe(2);
    expect(await funnel()).toMatchObject({ transactions: 2, revenue: 350.5 });
  });

  it('journals the good receipts of a mixed batch and reports each bad one with its code', async () => {
    const res = await post([
      receipt('r-3', { receipt: 'A3', total: 40 }),
      receipt('r-4', { receipt: 'B1', total: 40, currency: 'USD' }),
      { ...receipt('r-5', { receipt: 'B2', total: 40 }), total: 41 },
      { ...receipt('r-6', { receipt: 'B3', total: 40 }), lines: 'none' },
      receipt('r-1', { receipt: 'A1', total: 100 }),
      42,
    ]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      accepted: number;
      duplicates: number;
      rejected: number;
      results: { index: number; status: string; code?: string; reason?: string }[];
    };
    expect([body.accepted, body.duplicates, body.rejected]).toEqual([1, 1, 4]);
    expect(body.results.map((r) => [r.index, r.status, r.code])).toEqual([
      [0, 'accepted', undefined],
      [1, 'rejected', 'wrong-currency'],
      [2, 'rejected', 'total-mismatch'],
      [3, 'rejected', 'schema'],
      [4, 'duplicate', undefined],
      [5, 'rejected', 'schema'],
    ]);
    expect(body.results[1]?.reason).toMatch(/USD.*CNY/);
    expect(journaled()).toBe(3);
    expect(rejectedRows().map((r) => [r.device, r.source, r.code])).toEqual([
      ['till-1', 'http:pos/till-1', 'wrong-currency'],
      ['till-1', 'http:pos/till-1', 'total-mismatch'],
      ['till-1', 'http:pos/till-1', 'schema'],
      ['till-1', 'http:pos/till-1', 'schema'],
    ]);
    expect(await funnel()).toMatchObject({ transactions: 3, revenue: 390.5 });
  });

  it('refuses a body that is no batch as a whole: malformed, too many receipts, oversized', async () => {
    const before = journaled();
    const malformed = await post('{"v":1,');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('MALFORMED_JSON');
    const many = Array.from({ length: 501 }, (_, i) => receipt(`m-${i}`, { receipt: `M${i}`, total: 1 }));
    const tooMany = await post(many);
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { error: { code: string } }).error.code).toBe('TOO_LARGE');
    const huge = await post(JSON.stringify([{ pad: 'x'.repeat(5 * 1024 * 1024) }]));
    expect(huge.status).toBe(413);
    // Unauthenticated and huge: refused before the body is read.
    expect((await post(JSON.stringify([{ pad: 'x'.repeat(5 * 1024 * 1024) }]), null)).status).toBe(401);
    expect(journaled()).toBe(before);
    expect(
      rejectedRows()
        .slice(-2)
        .map((r) => r.code),
    ).toEqual(['malformed-json', 'too-large']);
  });

  describe('end-of-day file import', () => {
    const t1 = shanghai(when.getTime() - 60_000);
    const t2 = shanghai(when.getTime());
    const csv = [
      '单号,时间,类型,货号,数量,单价,合计,会员号',
      `F001,${t1},销售,SKU-A,2,99.50,"249.00",M1`,
      `F001,${t1},销售,SKU-B,1,50,249.00,M1`,
      `F002,${t2},销售,"SKU-C, blue",1,120,120,`,
      `F001,${t2},退货,SKU-B,-1,50,-50,M1`,
      `F003,${t2},销售,SKU-D,1,10,99,`,
    ].join('\r\n');

    it('imports a CSV with Chinese headers through the mapping; a bad receipt is reported and skipped', async () => {
      const res = await importCsv(csv);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ device: 'till-2', rows: 5, receipts: 4, accepted: 3, duplicates: 0, rejected: 1 });
      expect(body.rejections).toEqual([
        { receipt: 'F003', kind: 'sale', code: 'total-mismatch', reason: expect.stringMatching(/sum to 10\.00/) },
      ]);
      const f001 = gateway.db
        .prepare("SELECT msg_id AS id, body FROM journal WHERE device = 'till-2' ORDER BY seq")
        .all() as { id: string; body: string }[];
      expect(f001.map((r) => r.id)).toEqual(['file:sale:F001', 'file:sale:F002', 'file:refund:F001']);
      expect(JSON.parse(f001[0]?.body ?? '{}')).toMatchObject({
        receipt: 'F001',
        kind: 'sale',
        member: 'M1',
        total: 249,
        ts: when.getTime() - 60_000 - ((when.getTime() - 60_000) % 1000),
        lines: [
          { sku: 'SKU-A', qty: 2, price: 99.5 },
          { sku: 'SKU-B', qty: 1, price: 50 },
        ],
      });
      // 390.50 before; + 249 + 120 − 50.
      expect(await funnel()).toMatchObject({ transactions: 5, revenue: 709.5 });
    });

    it('changes nothing when the same file is imported again', async () => {
      const count = journaled();
      const res = await importCsv(csv);
      expect(await res.json()).toMatchObject({ accepted: 0, duplicates: 3, rejected: 1 });
      expect(journaled()).toBe(count);
      expect(await funnel()).toMatchObject({ transactions: 5, revenue: 709.5 });
    });

    it('refuses a malformed file with its row numbers and imports nothing of it', async () => {
      const count = journaled();
      const bad = [
        '单号,时间,类型,货号,数量,单价,合计,会员号',
        `G001,${t1},销售,SKU-A,1,10,10,`,
        `G002,yesterday,销售,SKU-A,1,10,10,`,
        `G003,${t1},换货,SKU-A,1,10,10,`,
        `G004,${t1},销售,,1.5,ten,10,`,
      ].join('\n');
      const res = await importCsv(bad);
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as {
        error: { code: string; message: string; rows: { row: number; reason: string }[] };
      };
      expect(error.code).toBe('IMPORT_INVALID');
      expect(error.rows.map((r) => r.row)).toEqual([3, 4, 5]);
      expect(error.rows[0]?.reason).toMatch(/"时间".*"yesterday" is not a time/);
      expect(error.rows[1]?.reason).toMatch(/"类型".*"换货"/);
      expect(error.rows[2]?.reason).toMatch(/"数量".*"单价".*no article/);
      expect(error.message).toMatch(/^nothing imported: row 3: /);
      // A header without a mapped column: row 1.
      const noColumn = await importCsv('单号,时间,货号,数量,单价\nH1,2026-01-01 10:00,S,1,1\n');
      const missing = (await noColumn.json()) as { error: { rows: { row: number; reason: string }[] } };
      expect(missing.error.rows).toEqual([
        { row: 1, reason: expect.stringMatching(/no column "类型".*"合计".*"会员号"/) },
      ]);
      expect(journaled()).toBe(count);
    });

    it('imports through the CLI with the till credentials: same rules, nothing twice', async () => {
      const csvFile = join(dir.path, 'day.csv');
      const t3 = shanghai(when.getTime() + 60_000);
      writeFileSync(csvFile, `\uFEFF${csv}\r\nK001,${t3},销售,SKU-E,3,20,60,M2\r\n`);
      const args = ['import-receipts', '--device', 'till-2', csvFile, '--config', configFile];
      const url = `http://127.0.0.1:${gateway.httpPort}`;
      const env = { GW_DEVICE_PASSWORD: 'till-2-secret' };
      const first = await runCli([...args, '--url', url], env);
      expect(first.stderr).toMatch(/receipt F003: rejected \(total-mismatch\)/);
      expect(first.stdout).toMatch(/6 rows, 5 receipts: 1 imported, 3 already there, 1 rejected/);
      expect(first.code).toBe(0);
      expect(await funnel()).toMatchObject({ transactions: 6, revenue: 769.5 });
      const again = await runCli([...args, '--url', url], env);
      expect(again.stdout).toMatch(/0 imported, 4 already there, 1 rejected/);
      expect(await funnel()).toMatchObject({ transactions: 6, revenue: 769.5 });
      // Wrong password: refused by the gateway; malformed file: refused before sending.
      const refused = await runCli([...args, '--url', url], { GW_DEVICE_PASSWORD: 'nope' });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/answered 401/);
      writeFileSync(csvFile, `单号,时间,类型,货号,数量,单价,合计,会员号\nL1,${t3},销售,SKU-E,x,20,60,\n`);
      const malformed = await runCli([...args, '--url', url], env);
      expect(malformed.code).toBe(1);
      expect(malformed.stderr).toMatch(/nothing imported\n {2}row 2: "数量": "x" is not a whole number/);
    });

    it('is for managers only, and only for a POS with a mapping', async () => {
      const viewer = await signIn(base, 'eve', 'eve-secret');
      expect((await importCsv(csv, viewer)).status).toBe(403);
      expect((await importCsv(csv, null)).status).toBe(401);
      // The till's own credentials do not open the manager route.
      const asTill = await fetch(`${base}/import/receipts?device=till-2`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', authorization: basic('till-2', 'till-2-secret') },
        body: csv,
      });
      expect(asTill.status).toBe(401);
      const noMapping = await importCsv(csv, manager, 'till-1');
      expect(noMapping.status).toBe(400);
      expect(((await noMapping.json()) as { error: { code: string } }).error.code).toBe('NO_MAPPING');
    });
  });
});
