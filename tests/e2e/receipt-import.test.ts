/// <reference lib="dom" />
/**
 * Issue 16 (POS) as a store manager meets it in Chromium: on the Devices page, the upload form
 * imports a till's end-of-day CSV (Chinese headers mapped in the config) and says what became
 * of it; a malformed file imports nothing and lists its bad rows. A viewer has no form.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { hashPassword } from '../../gateway/pipeline/broker/credentials.js';
import { launchChromium, newPage, signIn } from '../support/browser.js';
import { tempDir } from '../support/tmp.js';

/** Shanghai wall-clock time (UTC+8, no DST) of `ms`, as the till writes it. */
function shanghai(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 19)}`;
}

describe('receipts file upload on the Devices page', () => {
  const dir = tempDir();
  let gateway: RunningGateway;
  let browser: Browser;
  const base = () => `http://127.0.0.1:${gateway.httpPort}`;

  beforeAll(async () => {
    const config = parseConfig(
      `
version: 1
store: { id: s001, name: "旗舰店", timezone: Asia/Shanghai, currency: CNY, openingTime: "09:30", vipTier: 4, locale: zh-CN }
mqtt: { port: 0 }
http:
  port: 0
  auth:
    users:
      - { name: boss, role: manager, passwordHash: "${hashPassword('boss-secret')}" }
      - { name: eve, role: viewer, passwordHash: "${hashPassword('eve-secret')}" }
dataDir: ${join(dir.path, 'data')}
zones: { entrance: { kind: entrance } }
devices:
  pos-1:
    kind: pos
    transport: http
    import:
      columns: { receipt: "单号", ts: "时间", kind: "类型", sku: "货号", qty: "数量", price: "单价", total: "合计" }
      kindValues: { sale: "销售", refund: "退货", void: "作废" }
`,
      'upload.yaml',
    );
    gateway = await startGateway({ config, log: createLogger({ level: 'silent' }) });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    dir.remove();
  });

  it('imports a good file, refuses a malformed one with its rows, and is not shown to viewers', async () => {
    const t = shanghai(Date.now() - 5 * 60_000);
    const good = join(dir.path, '日结.csv');
    writeFileSync(
      good,
      `单号,时间,类型,货号,数量,单价,合计\nA1,${t},销售,SKU-1,2,50,100\nA2,${t},销售,SKU-2,1,80,80\n`,
    );
    const bad = join(dir.path, 'bad.csv');
    writeFileSync(
      bad,
      `单号,时间,类型,货号,数量,单价,合计\nB1,${t},销售,SKU-1,two,50,100\nB2,${t},换货,SKU-2,1,80,80\n`,
    );

    // The store's language (zh-CN) is the dashboard's default.
    const { context, page } = await newPage(browser, { baseURL: base(), locale: 'zh-CN' });
    await signIn(page, '/', 'boss', 'boss-secret');
    await page.goto('/#/devices');
    const form = page.locator('form[data-form="receipt-import"]');
    await form.waitFor();
    await form.locator('input[type="file"]').setInputFiles(good);
    await form.locator('button[type="submit"]').click();
    const done = page.locator('[data-import="done"]');
    await done.waitFor();
    expect(await done.textContent()).toContain('2 行，2 张小票：导入 2 张，已存在 0 张，拒收 0 张');

    // The same file again changes nothing.
    await form.locator('button[type="submit"]').click();
    await page.locator('[data-import="done"]', { hasText: '导入 0 张，已存在 2 张' }).waitFor();

    await form.locator('input[type="file"]').setInputFiles(bad);
    await form.locator('button[type="submit"]').click();
    const invalid = page.locator('[data-import="invalid"]');
    await invalid.waitFor();
    expect(await invalid.locator('p').textContent()).toBe('未导入任何数据。请修正以下各行后重新导入：');
    expect(await invalid.locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-row')))).toEqual([
      '2',
      '3',
    ]);
    expect(await invalid.locator('li[data-row="2"]').textContent()).toMatch(/^第 2 行： "数量": "two"/);

    const range = `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;
    const funnel = (await (await page.request.get(`/api/v1/funnel?${range}&granularity=hour`)).json()) as {
      totals: { revenue: number };
    };
    expect(funnel.totals.revenue).toBe(180);
    await context.close();

    const viewer = await newPage(browser, { baseURL: base(), locale: 'zh-CN' });
    await signIn(viewer.page, '/', 'eve', 'eve-secret');
    await viewer.page.goto('/#/devices');
    await viewer.page.locator('main[data-page="devices"] table').waitFor();
    expect(await viewer.page.locator('form[data-form="receipt-import"]').count()).toBe(0);
    await viewer.context.close();
  });
});
