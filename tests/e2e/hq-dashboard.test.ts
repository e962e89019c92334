/// <reference lib="dom" />
/**
 * Issue 16, HQ: the HQ dashboard in a real browser (Debian's Chromium) on the `demo:hq`
 * set-up (demo/hq.ts): nats-server with JetStream, three real gateways fed simulated days
 * over MQTT, publishing upstream to a cloud-sink (PostgreSQL when reachable, else SQLite).
 * Signs in through the form, checks the ranking table's figures and order against
 * GET /api/v1/ranking for each rank metric, the stale flag (a store silent for 2 hours),
 * one store's funnel against GET /api/v1/stores/{id}/funnel (current, previous period, last
 * year, breakdown), the CSV download, both languages fully translated, and no sideways
 * scroll at 390 px; writes screenshots (tests/artifacts/screenshots/hq-*).
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STORES, type RunningHqDemo, startHqDemo } from '../../demo/hq.js';
import { PG_URL, testHqDatabase } from '../integration/upstream/support/hq-store.js';
import { launchChromium, newPage, PHONE, screenshot, sidewaysScroll, WIDE } from '../support/browser.js';
import { languageProblems, visibleUiText } from '../support/ui-text.js';
import { waitFor } from '../support/wait.js';

type Metrics = Record<string, number | null>;
interface RankingAnswer {
  ranking: { rank: number; store: string; value: number | null; totals: Metrics }[];
}
interface FunnelAnswer {
  buckets: ({ start: string } & Metrics)[];
  totals: Metrics;
}
interface StoresAnswer {
  stores: { id: string; lastSeen: string | null; online: boolean }[];
}

const RANKED_COLUMNS = ['visitors', 'captureRate', 'tryOnRate', 'conversionRate', 'atv', 'upt', 'revenue'] as const;
const FUNNEL_ROWS = [
  'passersBy',
  'visitors',
  'captureRate',
  'tryOnSessions',
  'tryOnRate',
  'itemsTried',
  'transactions',
  'conversionRate',
  'units',
  'revenue',
  'atv',
  'upt',
  'triedBought',
] as const;
const addDays = (day: string, n: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
const mondayOf = (day: string) => addDays(day, -((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7));
const STALE = 's003';

const hqDb = await testHqDatabase();

describe(`HQ dashboard on the demo:hq set-up (HQ store: ${hqDb.label})`, () => {
  let demo: RunningHqDemo;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let day: string;

  const apiGet = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${demo.url}api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };
  const loaded = async (p: Page, id: string) => {
    await p.locator(`main[data-page="${id}"]`).waitFor();
    await p.waitForFunction(() => document.querySelector('[data-loading]') === null);
  };
  const signIn = async (p: Page) => {
    await p.goto('/');
    await p.locator('input[name="name"]').fill(demo.user.name);
    await p.locator('input[name="password"]').fill(demo.user.password);
    await p.locator('form.login-form button[type="submit"]').click();
    await loaded(p, 'ranking');
  };

  beforeAll(async () => {
    demo = await startHqDemo({
      days: 1,
      traffic: 0.3,
      ...(hqDb.kind === 'postgres'
        ? { databaseUrl: PG_URL, pgSchema: hqDb.env.HQ_PG_SCHEMA as string }
        : { env: { ...process.env, DATABASE_URL: '' } }),
    });
    day = demo.days.at(-1) as string;
    const login = await fetch(`${demo.url}api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: demo.user.name, password: demo.user.password }),
    });
    expect(login.status).toBe(200);
    token = ((await login.json()) as { token: string }).token;
    // Every store's whole day at HQ (firmware-sim's truth), and a health report from each.
    await demo.played;
    await waitFor(
      async () => {
        const answer = await apiGet<RankingAnswer>(`/ranking?from=${day}&to=${day}&metric=visitors`);
        const stores = await apiGet<StoresAnswer>('/stores');
        return demo.stores.every(
          (s) =>
            answer.ranking.find((r) => r.store === s.id)?.totals.visitors === s.truth.visitors &&
            stores.stores.find((x) => x.id === s.id)?.online,
        );
      },
      'every store’s day and health at HQ',
      60_000,
      250,
    );
    // s003 goes silent: its gateway stops, and HQ last heard from it two hours ago.
    await (demo.stores.find((s) => s.id === STALE) as RunningHqDemo['stores'][number]).stop();
    await new Promise((r) => setTimeout(r, 1500));
    await demo.sink.store.execute('UPDATE stores SET last_seen = ? WHERE id = ?', [Date.now() - 2 * 3600_000, STALE]);
    browser = await launchChromium();
    ({ context, page } = await newPage(browser, { baseURL: demo.url, viewport: WIDE, locale: 'zh-CN' }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    await hqDb.dispose();
  });

  it('refuses the dashboard’s data to anyone not signed in, then signs in through the form', async () => {
    const open = await fetch(`${demo.url}api/v1/ranking`);
    expect(open.status).toBe(401);
    await page.goto('/');
    await page.locator('form.login-form').waitFor();
    expect(await page.locator('table.ranking').count()).toBe(0);
    await page.locator('input[name="name"]').fill('hq');
    await page.locator('input[name="password"]').fill('wrong');
    await page.locator('form.login-form button[type="submit"]').click();
    await page.locator('form.login-form [role="alert"]').waitFor();
    await signIn(page);
    await screenshot(page, 'hq-ranking-zh-CN-1440');
  });

  it('ranks the stores exactly as the API does, for every rank metric, with the API’s figures', async () => {
    await loaded(page, 'ranking');
    for (const metric of ['conversionRate', 'captureRate', 'tryOnRate', 'atv', 'upt'] as const) {
      await page.locator('select[data-rank-by]').selectOption(metric);
      await page.locator(`table.ranking[data-ranking="${metric}"]:not([data-loading-more])`).waitFor();
      const answer = await apiGet<RankingAnswer>(`/ranking?from=${day}&to=${day}&metric=${metric}&order=desc`);
      expect(answer.ranking.map((r) => r.store).sort()).toEqual(DEMO_STORES.map((s) => s.id));
      const rows = await page.locator('table.ranking tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({
          store: tr.getAttribute('data-store'),
          rank: tr.querySelector('[data-rank] [data-raw]')?.getAttribute('data-raw'),
          figures: Object.fromEntries(
            Array.from(tr.querySelectorAll('td[data-metric]')).map((td) => [
              td.getAttribute('data-metric'),
              td.querySelector('[data-raw]')?.getAttribute('data-raw'),
            ]),
          ),
        })),
      );
      expect(
        rows.map((r) => r.store),
        metric,
      ).toEqual(answer.ranking.map((r) => r.store));
      for (const [i, entry] of answer.ranking.entries()) {
        const row = rows[i] as (typeof rows)[number];
        expect(row.rank).toBe(String(entry.rank));
        for (const column of RANKED_COLUMNS) {
          expect(row.figures[column], `${metric} ${entry.store} ${column}`).toBe(String(entry.totals[column]));
        }
      }
      // The ranking column is marked as the sort order.
      expect(await page.locator(`thead th.sorted[aria-sort="descending"]`).count()).toBe(1);
    }
    // The stores differ, so the ranking means something: not every store has the same rate.
    const answer = await apiGet<RankingAnswer>(`/ranking?from=${day}&to=${day}&metric=conversionRate`);
    expect(new Set(answer.ranking.map((r) => r.value)).size).toBe(3);
  });

  it('flags the store HQ has not heard from for two hours as stale, and only that one', async () => {
    const stores = await apiGet<StoresAnswer>('/stores');
    const staleByApi = stores.stores
      .filter((s) => s.lastSeen === null || Date.now() - Date.parse(s.lastSeen) > 30 * 60_000)
      .map((s) => s.id);
    expect(staleByApi).toEqual([STALE]);
    await page.reload();
    await loaded(page, 'ranking');
    const flags = await page
      .locator('table.ranking tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-store'), tr.getAttribute('data-freshness')]));
    expect(Object.fromEntries(flags)).toEqual({ s001: 'fresh', s002: 'fresh', s003: 'stale' });
    const stale = page.locator(`tr[data-store="${STALE}"] [data-status="stale"]`);
    expect(await stale.locator('.badge').textContent()).toBe('数据过期');
    expect(await stale.locator('[data-raw]').getAttribute('data-raw')).toBe(
      stores.stores.find((s) => s.id === STALE)?.lastSeen,
    );
    expect(await page.locator('[data-freshness-summary]').textContent()).toContain('3 家门店中 2 家正常上报');
  });

  it('downloads the CSV the API serves (all stores, day by day, in the page’s language)', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="csv"]').click()]);
    const text = readFileSync(await download.path(), 'utf8');
    const api = await fetch(
      `${demo.url}api/v1/export/funnel.csv?from=${day}&to=${day}&granularity=day&groupBy=store&lang=zh-CN`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    // Byte for byte, the BOM included (Response.text() would drop it).
    expect(text).toBe(new TextDecoder('utf-8', { ignoreBOM: true }).decode(await api.arrayBuffer()));
    expect(text.startsWith('\uFEFF门店,开始时间')).toBe(true);
    for (const s of DEMO_STORES) expect(text).toContain(`\r\n${s.id},`);
  });

  it('shows one store’s funnel against the previous period and last year exactly as the API', async () => {
    const id = 's001';
    await page.locator(`tr[data-store="${id}"] th a`).click();
    await loaded(page, 'store');
    await page.locator(`[data-funnel-store="${id}"]`).waitFor();
    const read = () =>
      page
        .locator('table.compare tbody tr')
        .evaluateAll((trs) =>
          Object.fromEntries(
            trs.map((tr) => [
              tr.getAttribute('data-metric'),
              Object.fromEntries(
                ['current', 'previous', 'lastYear'].map((p) => [
                  p,
                  tr.querySelector(`td[data-period="${p}"] [data-raw]`)?.getAttribute('data-raw'),
                ]),
              ),
            ]),
          ),
        );
    const check = async (periods: Record<'current' | 'previous' | 'lastYear', [string, string]>, what: string) => {
      const shown = await read();
      for (const [p, [from, to]] of Object.entries(periods)) {
        const answer = await apiGet<FunnelAnswer>(`/stores/${id}/funnel?from=${from}&to=${to}&granularity=day`);
        for (const metric of FUNNEL_ROWS) {
          expect(shown[metric]?.[p], `${what} ${p} ${metric}`).toBe(String(answer.totals[metric]));
        }
      }
    };
    await check(
      {
        current: [day, day],
        previous: [addDays(day, -1), addDays(day, -1)],
        lastYear: [addDays(day, -364), addDays(day, -364)],
      },
      'day',
    );
    // The day itself has data (the demo played it); the earlier ones are empty.
    expect(Number((await read()).visitors?.current)).toBe(demo.stores[0]?.truth.visitors);
    // Hours of the day: the breakdown rows are the API's hourly buckets that saw anyone.
    const hourly = await apiGet<FunnelAnswer>(`/stores/${id}/funnel?from=${day}&to=${day}&granularity=hour`);
    const busy = hourly.buckets.filter(
      (b) => (b.visitors ?? 0) > 0 || (b.passersBy ?? 0) > 0 || (b.transactions ?? 0) > 0,
    );
    const shownBuckets = await page
      .locator('table.breakdown tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [tr.getAttribute('data-bucket'), tr.querySelector('td [data-raw]')?.getAttribute('data-raw')]),
      );
    expect(shownBuckets).toEqual(busy.map((b) => [b.start, String(b.visitors)]));
    await screenshot(page, 'hq-store-zh-CN-1440');

    // A week: Monday to Sunday against the week before and 52 weeks earlier.
    await page.locator('button[data-period="week"]').click();
    await page.waitForFunction(() => document.querySelector('[data-loading]') === null);
    const monday = mondayOf(day);
    await waitFor(async () => (await read()).visitors?.current !== undefined, 'the week');
    await check(
      {
        current: [monday, addDays(monday, 6)],
        previous: [addDays(monday, -7), addDays(monday, -1)],
        lastYear: [addDays(monday, -364), addDays(monday, -358)],
      },
      'week',
    );
    await page.locator('button[data-period="day"]').click();
  });

  it('is fully translated in both languages on every page', async () => {
    const problems: string[] = [];
    for (const locale of ['zh-CN', 'en'] as const) {
      await page.locator(`button[data-locale="${locale}"]`).first().click();
      for (const [id, hash] of [
        ['ranking', '#/ranking'],
        ['store', '#/store/s002'],
      ] as const) {
        await page.goto(`/${hash}`);
        await loaded(page, id);
        await page.locator(id === 'ranking' ? 'table.ranking' : 'table.compare').waitFor();
        expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale);
        problems.push(...languageProblems(await visibleUiText(page), locale).map((p) => `${locale} ${id}: ${p}`));
      }
      await screenshot(page, `hq-store-${locale}-1440`);
    }
    // The sign-in page too, in both languages.
    const { context: fresh, page: login } = await newPage(browser, { baseURL: demo.url, locale: 'en-US' });
    await login.goto('/');
    await login.locator('form.login-form').waitFor();
    problems.push(...languageProblems(await visibleUiText(login), 'en').map((p) => `en login: ${p}`));
    await login.locator('button[data-locale="zh-CN"]').click();
    problems.push(...languageProblems(await visibleUiText(login), 'zh-CN').map((p) => `zh-CN login: ${p}`));
    await fresh.close();
    expect(problems).toEqual([]);
  });

  it('never scrolls sideways on a 390 px phone, in either language', async () => {
    const { context: phoneContext, page: phone } = await newPage(browser, { baseURL: demo.url, phone: true });
    expect(phone.viewportSize()?.width).toBe(PHONE.width);
    await signIn(phone);
    const problems: string[] = [];
    for (const locale of ['zh-CN', 'en'] as const) {
      await phone.locator(`button[data-locale="${locale}"]`).first().click();
      for (const [id, hash] of [
        ['ranking', '#/ranking'],
        ['store', '#/store/s001'],
      ] as const) {
        await phone.goto(`/${hash}`);
        await loaded(phone, id);
        await phone.locator(id === 'ranking' ? 'table.ranking' : 'table.breakdown').waitFor();
        if (id === 'ranking') {
          // The status column is off screen on a phone: the stale flag shows under the store's name.
          const flag = phone.locator(`tr[data-store="${STALE}"] th .show-narrow .badge`);
          expect(await flag.isVisible()).toBe(true);
          expect(((await flag.boundingBox())?.x ?? Number.POSITIVE_INFINITY) < PHONE.width).toBe(true);
          expect(await phone.locator('tr[data-store="s001"] th .show-narrow').count()).toBe(0);
        }
        const scroll = await sidewaysScroll(phone);
        if (scroll.scrollWidth > scroll.innerWidth) problems.push(`${locale} ${id}: ${JSON.stringify(scroll)}`);
        await screenshot(phone, `hq-${id}-${locale}-phone`);
      }
    }
    await phoneContext.close();
    expect(problems).toEqual([]);
  });

  it('signs out: the data is gone and the token no longer works', async () => {
    await page.goto('/#/ranking');
    await loaded(page, 'ranking');
    const stored = await page.evaluate(() => sessionStorage.getItem('hq.token'));
    expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await page.locator('[data-sign-out]').click();
    await page.locator('form.login-form').waitFor();
    await waitFor(
      async () =>
        (await fetch(`${demo.url}api/v1/stores`, { headers: { authorization: `Bearer ${stored}` } })).status === 401,
      'the token to end',
    );
    await context.close();
  });
});
