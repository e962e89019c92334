/// <reference lib="dom" />
/**
 * The manager dashboard in a real browser (Debian's Chromium) against the real demo: the
 * `demo` command runs the gateway with a simulated store day at speed. Checks that the
 * Overview follows the day live and shows exactly the API's numbers, that every page is
 * fully translated in both languages, that the CSV opens with correct Chinese, and writes
 * screenshots of every page at desktop and phone size (tests/artifacts/screenshots).
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newPage, screenshot, signIn } from '../support/browser.js';
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process.js';
import { tempDir } from '../support/tmp.js';
import { languageProblems, visibleUiText } from '../support/ui-text.js';
import { waitFor } from '../support/wait.js';

const PAGES = ['overview', 'rooms', 'products', 'vip', 'devices', 'reports'] as const;
/** The Overview tiles and the /live field each one shows. */
const TODAY_METRICS = [
  'passersBy',
  'visitors',
  'tryOnSessions',
  'itemsTried',
  'transactions',
  'units',
  'revenue',
  'triedBought',
  'estimatedDwellMinutes',
  'captureRate',
  'tryOnRate',
  'conversionRate',
  'atv',
  'upt',
] as const;

type Metrics = Record<(typeof TODAY_METRICS)[number], number | null>;
interface Live {
  at: string;
  occupancy: number;
  today: Metrics;
  sameTimeLastWeek: Metrics;
}
interface Funnel {
  buckets: ({
    start: string;
    visitors: number;
    tryOnSessions: number;
    transactions: number;
    revenue: number;
  } & Metrics)[];
  totals: Metrics;
}

describe('manager dashboard on a demo day', () => {
  const dir = tempDir();
  let demo: GatewayProcess;
  let browser: Browser;
  let page: Page;
  let base: string;

  const apiGet = async <T>(path: string): Promise<T> => {
    const response = await page.request.get(`/api/v1${path}`);
    expect(response.status(), path).toBe(200);
    return (await response.json()) as T;
  };
  const rawOf = (selector: string) => page.locator(selector).first().getAttribute('data-raw');
  const pageLoaded = async (id: string) => {
    await page.locator(`main[data-page="${id}"]`).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-loading]') === null);
  };

  beforeAll(async () => {
    demo = await startGatewayProcess(dir.path, { GW_LOG_LEVEL: 'info' }, ['demo', '--speed', '2500', '--seed', '7']);
    base = `http://127.0.0.1:${demo.httpPort}`;
    browser = await launchChromium();
    ({ page } = await newPage(browser, { baseURL: base }));
    await signIn(page, '/', 'manager', 'manager');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    demo?.child.kill('SIGTERM');
    await demo?.exited;
    dir.remove();
  });

  it('Overview follows the running day over SSE, then shows exactly the API numbers', async () => {
    await pageLoaded('overview');
    const visitors = page.locator('.kpi[data-metric="visitors"] .kpi-value [data-raw]');
    await visitors.waitFor();
    const first = Number(await visitors.getAttribute('data-raw'));
    // No reload, no polling: the number moves because the stream said something changed.
    await waitFor(async () => Number(await visitors.getAttribute('data-raw')) > first, 'visitors to rise live', 30_000);

    await waitFor(async () => demo.output().includes('simulated day finished'), 'the demo day to finish', 60_000);
    // Sessions still close and sales still convert just after the last message: wait for equality.
    let mismatch = '';
    await waitFor(
      async () => {
        const live = await apiGet<Live>('/live');
        const shown: Record<string, string | null> = {
          occupancy: await rawOf('.kpi[data-metric="occupancy"] [data-raw]'),
        };
        const expected: Record<string, string> = { occupancy: String(live.occupancy) };
        for (const key of TODAY_METRICS) {
          shown[key] = await rawOf(`.kpi[data-metric="${key}"] .kpi-value [data-raw]`);
          expected[key] = String(live.today[key]);
        }
        mismatch = JSON.stringify({ shown, expected });
        return JSON.stringify(shown) === JSON.stringify(expected);
      },
      'overview = /live',
      20_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${mismatch}`);
    });
    const live = await apiGet<Live>('/live');
    expect(live.today.visitors).toBeGreaterThan(100);

    // The hourly table is /funnel?granularity=hour for today, row by row.
    const funnel = await apiGet<Funnel>('/funnel?granularity=hour');
    const rows = await page.locator('.hourly-table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        start: tr.getAttribute('data-hour'),
        visitors: tr.querySelector('[data-metric="visitors"] [data-raw]')?.getAttribute('data-raw'),
        tryOnSessions: tr.querySelector('[data-metric="tryOnSessions"] [data-raw]')?.getAttribute('data-raw'),
        transactions: tr.querySelector('[data-metric="transactions"] [data-raw]')?.getAttribute('data-raw'),
        revenue: tr.querySelector('[data-metric="revenue"] [data-raw]')?.getAttribute('data-raw'),
      })),
    );
    expect(rows.length).toBeGreaterThan(8);
    for (const row of rows) {
      const bucket = funnel.buckets.find((b) => b.start === row.start);
      expect(bucket, `bucket ${row.start}`).toBeDefined();
      expect(row).toEqual({
        start: bucket?.start,
        visitors: String(bucket?.visitors),
        tryOnSessions: String(bucket?.tryOnSessions),
        transactions: String(bucket?.transactions),
        revenue: String(bucket?.revenue),
      });
    }
    const hourlyVisitors = rows.reduce((sum, r) => sum + Number(r.visitors), 0);
    expect(hourlyVisitors).toBe(live.today.visitors);
    // Money is shown in the store's currency, formatted for the language.
    expect(await page.locator('.kpi[data-metric="revenue"] .kpi-value').textContent()).toMatch(/^¥[\d,]+\.\d\d$/);
  });

  it('every page is fully translated in Chinese and in English', async () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      await page.goto('/#/overview');
      await pageLoaded('overview');
      await page.locator(`.topbar [data-locale="${locale}"]`).click();
      await page.waitForFunction((l) => document.documentElement.lang === l, locale);
      for (const id of PAGES) {
        await page.locator(`nav a[data-page="${id}"]`).click();
        await pageLoaded(id);
        const texts = await visibleUiText(page);
        expect(texts.length, `${locale} ${id}`).toBeGreaterThan(10);
        expect(languageProblems(texts, locale), `${locale} ${id}`).toEqual([]);
      }
    }
    // Switching back needs no reload either.
    await page.locator('.topbar [data-locale="zh-CN"]').click();
    await expect.poll(() => page.locator('nav a[data-page="overview"]').textContent()).toBe('概览');
  });

  it('is usable from the keyboard: KPI definitions open on focus, pages by their links', async () => {
    await page.goto('/#/overview');
    await pageLoaded('overview');
    const label = page.locator('.kpi[data-metric="conversionRate"] .has-definition');
    const definition = page.locator('.kpi[data-metric="conversionRate"] [role="tooltip"]');
    expect(await definition.isVisible()).toBe(false);
    // Tab through the page until the conversion-rate label has the focus.
    for (let i = 0; i < 60 && !(await label.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    expect(await label.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await definition.isVisible()).toBe(true);
    expect(await definition.textContent()).toBe('成交笔数 ÷ 进店客数。');
    expect(await label.getAttribute('aria-describedby')).toBe(await definition.getAttribute('id'));
    await page.locator('nav a[data-page="devices"]').focus();
    await page.keyboard.press('Enter');
    await pageLoaded('devices');
  });

  it('the CSV export opens with correct Chinese text and the API totals', async () => {
    await page.goto('/#/reports');
    await pageLoaded('reports');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="csv"]').click()]);
    const bytes = readFileSync(await download.path());
    // UTF-8 with a byte-order mark, so Excel on Windows reads the Chinese right.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    const header = lines[0]?.split(',') ?? [];
    expect(header).toContain('进店客数');
    expect(header).toContain('客单价');
    const totals = lines.at(-1)?.split(',') ?? [];
    expect(totals[0]).toBe('合计');
    const day = await page.locator('input[type="date"]').inputValue();
    const funnel = await apiGet<Funnel>(`/funnel?from=${day}&to=${day}&granularity=hour`);
    expect(funnel.totals.visitors).toBeGreaterThan(100);
    expect(Number(totals[header.indexOf('进店客数')])).toBe(funnel.totals.visitors);
    expect(Number(totals[header.indexOf('销售额')])).toBe(funnel.totals.revenue);
  });

  it('writes screenshots of every page at desktop and phone size', async () => {
    const written: string[] = [];
    for (const id of PAGES) {
      await page.goto(`/#/${id}`);
      await pageLoaded(id);
      written.push(await screenshot(page, `dashboard-${id}-desktop`));
    }
    const { context: phoneContext, page: phone } = await newPage(browser, { baseURL: base, phone: true });
    await signIn(phone, '/', 'manager', 'manager');
    for (const id of PAGES) {
      await phone.goto(`/#/${id}`);
      await phone.locator(`main[data-page="${id}"]`).waitFor();
      await phone.waitForFunction(() => document.querySelector('[data-loading]') === null);
      written.push(await screenshot(phone, `dashboard-${id}-phone`));
    }
    await phoneContext.close();
    const { context: staffContext, page: staffPhone } = await newPage(browser, { baseURL: base, phone: true });
    await signIn(staffPhone, '/staff/', 'staff', 'staff');
    await staffPhone.locator('.alert-card').first().waitFor();
    written.push(await screenshot(staffPhone, 'staff-phone', false));
    written.push(await screenshot(staffPhone, 'staff-phone-all'));
    await staffContext.close();
    const { context: wide, page: staffDesktop } = await newPage(browser, { baseURL: base });
    await signIn(staffDesktop, '/staff/', 'staff', 'staff');
    await staffDesktop.locator('.alert-card').first().waitFor();
    written.push(await screenshot(staffDesktop, 'staff-desktop'));
    await wide.close();
    for (const path of written) expect(readFileSync(path).subarray(1, 4).toString()).toBe('PNG');
    expect(written).toHaveLength(PAGES.length * 2 + 3);
  });
});
