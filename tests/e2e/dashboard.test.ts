/// <reference lib="dom" />
/**
 * The manager dashboard in a real browser (Debian's Chromium) against the real demo: the
 * `demo` command runs the gateway with a simulated store day at speed. Checks that the
 * Overview follows the day live and shows exactly the API's numbers (the funnel's step
 * rates included), that Reports compare like with like as the API says, that every page is
 * fully translated in both languages, that lower roles see only what they may use and
 * translated errors, that no page scrolls sideways on a 390 px phone, that the CSV is
 * Excel-ready, and writes screenshots of every page at 1440 px and phone size in both
 * languages (tests/artifacts/screenshots).
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newPage, screenshot, sidewaysScroll, signIn, WIDE } from '../support/browser.js';
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
interface Compared extends Funnel {
  asOf: string | null;
  comparisons: Record<'previous' | 'lastYear', { rule: string; fromDay: string; toDay: string; totals: Metrics }>;
}
const addDays = (day: string, n: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
const mondayOf = (day: string) => addDays(day, -((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7));
const monthEnd = (day: string) => {
  const d = new Date(`${day.slice(0, 8)}01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  d.setUTCDate(0);
  return d.toISOString().slice(0, 10);
};
const STEPS = ['captureRate', 'tryOnRate', 'conversionRate'] as const;
const LOCALES = ['zh-CN', 'en'] as const;

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
    // Without the backfilled history (last week, last year): this test follows the running day.
    demo = await startGatewayProcess(dir.path, { GW_LOG_LEVEL: 'info' }, [
      'demo',
      '--speed',
      '2500',
      '--seed',
      '7',
      '--no-history',
    ]);
    base = `http://127.0.0.1:${demo.httpPort}`;
    browser = await launchChromium();
    ({ page } = await newPage(browser, { baseURL: base, viewport: WIDE }));
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

    // The hourly table is /funnel?granularity=hour for today, row by row. It is a fetch of its
    // own, which may still be in flight when the tiles already match, and passers-by arrive as
    // late input (the street counter batches): wait until every row equals a fresh answer.
    const readRows = () =>
      page.locator('.hourly-table tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({
          start: tr.getAttribute('data-hour'),
          passersBy: tr.querySelector('[data-metric="passersBy"] [data-raw]')?.getAttribute('data-raw'),
          visitors: tr.querySelector('[data-metric="visitors"] [data-raw]')?.getAttribute('data-raw'),
          captureRate: tr.querySelector('[data-metric="captureRate"] [data-raw]')?.getAttribute('data-raw'),
          conversionRate: tr.querySelector('[data-metric="conversionRate"] [data-raw]')?.getAttribute('data-raw'),
          tryOnSessions: tr.querySelector('[data-metric="tryOnSessions"] [data-raw]')?.getAttribute('data-raw'),
          transactions: tr.querySelector('[data-metric="transactions"] [data-raw]')?.getAttribute('data-raw'),
          revenue: tr.querySelector('[data-metric="revenue"] [data-raw]')?.getAttribute('data-raw'),
        })),
      );
    const expectedRow = (bucket: Funnel['buckets'][number] | undefined) => ({
      start: bucket?.start,
      passersBy: String(bucket?.passersBy),
      visitors: String(bucket?.visitors),
      captureRate: String(bucket?.captureRate),
      conversionRate: String(bucket?.conversionRate),
      tryOnSessions: String(bucket?.tryOnSessions),
      transactions: String(bucket?.transactions),
      revenue: String(bucket?.revenue),
    });
    let funnel = await apiGet<Funnel>('/funnel?granularity=hour');
    let rows = await readRows();
    let tableMismatch = '';
    await waitFor(
      async () => {
        funnel = await apiGet<Funnel>('/funnel?granularity=hour');
        rows = await readRows();
        const wrong = rows.filter(
          (row) =>
            JSON.stringify(row) !== JSON.stringify(expectedRow(funnel.buckets.find((b) => b.start === row.start))),
        );
        tableMismatch = JSON.stringify(wrong.slice(0, 2));
        return rows.length > 8 && wrong.length === 0;
      },
      'hourly table = /funnel',
      20_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${tableMismatch}`);
    });
    for (const row of rows) {
      const bucket = funnel.buckets.find((b) => b.start === row.start);
      expect(bucket, `bucket ${row.start}`).toBeDefined();
      expect(row).toEqual(expectedRow(bucket));
    }
    const hourlyVisitors = rows.reduce((sum, r) => sum + Number(r.visitors), 0);
    expect(hourlyVisitors).toBe(live.today.visitors);
    // Money is shown in the store's currency, formatted for the language.
    expect(await page.locator('.kpi[data-metric="revenue"] .kpi-value').textContent()).toMatch(/^¥[\d,]+\.\d\d$/);
    // At 1440 px every KPI figure stays on one line (revenue used to wrap: "¥368,938.0 / 0").
    const lines = await page
      .locator('.kpi-value')
      .evaluateAll((els) =>
        els.map((el) =>
          Math.round(el.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(el).lineHeight)),
        ),
      );
    expect(
      lines.every((n) => n === 1),
      JSON.stringify(lines),
    ).toBe(true);
  });

  it('the funnel view shows the API stages and step rates, today against last week, weakest step marked', async () => {
    await page.goto('/#/overview');
    await pageLoaded('overview');
    await waitFor(async () => demo.output().includes('simulated day finished'), 'the demo day to finish', 90_000);
    const funnel = page.locator('[data-funnel]');
    // Sessions still close just after the last message: wait until the screen has caught up.
    const shownRates = () =>
      funnel
        .locator('[data-step] .funnel-rate [data-raw]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-raw')));
    let live = await apiGet<Live>('/live');
    await expect
      .poll(
        async () => {
          live = await apiGet<Live>('/live');
          return JSON.stringify(await shownRates()) === JSON.stringify(STEPS.map((k) => String(live.today[k])));
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    for (const stage of ['passersBy', 'visitors', 'tryOnSessions', 'transactions'] as const) {
      expect(await funnel.locator(`[data-stage="${stage}"] .funnel-count [data-raw]`).getAttribute('data-raw')).toBe(
        String(live.today[stage]),
      );
    }
    const changes: number[] = [];
    for (const step of STEPS) {
      const item = funnel.locator(`[data-step="${step}"]`);
      expect(await item.locator('.funnel-rate [data-raw]').getAttribute('data-raw'), step).toBe(
        String(live.today[step]),
      );
      expect(await item.locator('[data-before] [data-raw]').getAttribute('data-raw'), step).toBe(
        String(live.sameTimeLastWeek[step]),
      );
      const now = live.today[step];
      const before = live.sameTimeLastWeek[step];
      changes.push(now !== null && before ? now / before - 1 : Number.POSITIVE_INFINITY);
      // A rate's change is in percentage points, one decimal: "+2.7个百分点".
      if (now !== null && before !== null) {
        const text = await item.locator('.funnel-change .delta [data-content]').first().textContent();
        expect(text).toMatch(/^[+-]?\d+\.\d个百分点$/);
        expect(Number(text?.replace('个百分点', ''))).toBeCloseTo(Math.round((now - before) * 1000) / 10, 5);
      } else {
        expect(await item.locator('.funnel-change').first().textContent()).toContain('—');
      }
    }
    // The weakest step: the rate that fell most against last week.
    // Without last week's data (the demo has none) it is the lowest rate.
    const comparable = changes.some(Number.isFinite);
    const scores = comparable ? changes : STEPS.map((step) => live.today[step] ?? Number.POSITIVE_INFINITY);
    const weakest = STEPS[scores.indexOf(Math.min(...scores))];
    expect(await funnel.locator('[data-weakest]').count()).toBe(1);
    expect(await funnel.locator('[data-weakest]').getAttribute('data-step')).toBe(weakest);
    // The comparison is stated on screen.
    expect(await page.locator('[data-compare-note]').textContent()).toContain('上周同一天');

    // Per fitting room: sessions → items tried → tried→bought, as /fitting-rooms says.
    await page.goto('/#/rooms');
    await pageLoaded('rooms');
    type Rooms = {
      rooms: { room: string; sessionsToday: number; itemsTriedToday: number; triedBoughtToday: number }[];
    };
    let rooms: Rooms = { rooms: [] };
    // The screen refetches on the facts it is told of: poll until it has caught up with the API.
    const mismatch = async (): Promise<string> => {
      rooms = await apiGet<Rooms>('/fitting-rooms');
      for (const room of rooms.rooms) {
        const cells = await page
          .locator(`tr[data-room-funnel="${room.room}"] [data-raw]`)
          .evaluateAll((els) => els.map((el) => el.getAttribute('data-raw')));
        const rate = room.itemsTriedToday === 0 ? null : room.triedBoughtToday / room.itemsTriedToday;
        const expected = [room.sessionsToday, room.itemsTriedToday, room.triedBoughtToday, rate].map(String);
        if (JSON.stringify(cells) !== JSON.stringify(expected)) return `${room.room}: ${cells} vs ${expected}`;
      }
      return '';
    };
    await expect.poll(mismatch, { timeout: 20_000 }).toBe('');
    expect(rooms.rooms.reduce((n, r) => n + r.itemsTriedToday, 0)).toBeGreaterThan(0);
  });

  it('Reports compare like with like: the API comparison periods, 环比 and 同比, points for rates, colours by locale', async () => {
    await page.goto('/#/reports');
    await pageLoaded('reports');
    const day = await page.locator('input[type="date"]').inputValue();
    for (const kind of ['day', 'week', 'month'] as const) {
      await page.locator(`[data-period="${kind}"]`).click();
      await page.waitForFunction(() => document.querySelector('[data-loading]') === null);
      const from = kind === 'day' ? day : kind === 'week' ? mondayOf(day) : `${day.slice(0, 8)}01`;
      const to = kind === 'day' ? day : kind === 'week' ? addDays(mondayOf(day), 6) : monthEnd(day);
      const api = await apiGet<Compared>(`/funnel?from=${from}&to=${to}&granularity=day&compare=previous,lastYear`);
      await expect
        .poll(() => rawOf('tr[data-metric="visitors"] td[data-period="previous"] [data-raw]'))
        .toBe(String(api.comparisons.previous.totals.visitors));
      expect(await rawOf('tr[data-metric="visitors"] td[data-period="lastYear"] [data-raw]')).toBe(
        String(api.comparisons.lastYear.totals.visitors),
      );
      expect(await rawOf('tr[data-metric="conversionRate"] td[data-period="previous"] [data-raw]')).toBe(
        String(api.comparisons.previous.totals.conversionRate),
      );
      // A running period is compared up to the same day and time (Dec 1–3 with Nov 1–3).
      expect(api.asOf).not.toBeNull();
      if (kind === 'month') expect(api.comparisons.previous.toDay.slice(8)).toBe(day.slice(8));
      if (kind === 'day') expect(api.comparisons.previous.rule).toBe('sameWeekdayLastWeek');
      const note = (await page.locator('[data-compare-note]').textContent()) ?? '';
      expect(note).toContain('环比期');
      expect(note).toContain('同比期');
    }
    const headers = await page.locator('table.compare thead th').allTextContents();
    expect(headers).toEqual(['指标', '本期', '上期', '环比', '去年同期', '同比']);
    // Rates change in points, amounts in percent; both with one decimal.
    for (const locale of LOCALES) {
      await page.locator(`.topbar [data-locale="${locale}"]`).click();
      await page.waitForFunction((l) => document.documentElement.lang === l, locale);
      const rate = await page.locator('tr[data-metric="conversionRate"] td[data-change="previous"]').textContent();
      expect(rate).toMatch(locale === 'en' ? /^(—|[+-]?\d+\.\d pp)$/ : /^(—|[+-]?\d+\.\d个百分点)$/);
      const amount = await page.locator('tr[data-metric="visitors"] td[data-change="previous"]').textContent();
      expect(amount).toMatch(/^(—|[+-]?[\d,]+\.\d%)$/);
      // zh-CN: red means up; en: green means up.
      const colours = await page.evaluate(() => {
        const probe = (cls: string) => {
          const el = document.createElement('span');
          el.className = `delta ${cls}`;
          document.querySelector('main')?.append(el);
          const colour = getComputedStyle(el).color;
          el.remove();
          return colour;
        };
        return { up: probe('up'), down: probe('down') };
      });
      const red = 'rgb(179, 38, 30)';
      const green = 'rgb(20, 108, 46)';
      expect(colours).toEqual(locale === 'zh-CN' ? { up: red, down: green } : { up: green, down: red });
    }
    await page.locator('.topbar [data-locale="zh-CN"]').click();
  });

  it('a viewer sees only the pages a viewer may use, and every error in their language', async () => {
    const { context, page: viewer } = await newPage(browser, { baseURL: base, viewport: WIDE });
    await signIn(viewer, '/', 'viewer', 'viewer');
    for (const locale of LOCALES) {
      await viewer.locator(`.topbar [data-locale="${locale}"]`).click();
      await viewer.waitForFunction((l) => document.documentElement.lang === l, locale);
      expect(await viewer.locator('nav a[data-page="vip"]').count()).toBe(0);
      await viewer.goto('/#/vip');
      await viewer.locator('[data-not-available]').waitFor();
      const text = (await viewer.locator('main').textContent()) ?? '';
      expect(text).toContain(
        locale === 'en' ? 'not available for your role (viewer)' : '此页面不适用于您的角色（只读）',
      );
      expect(languageProblems(await visibleUiText(viewer), locale)).toEqual([]);
      // Reports: no CSV button for a role that may not export.
      await viewer.goto('/#/reports');
      await viewer.locator('main[data-page="reports"]').waitFor();
      await viewer.waitForFunction(() => document.querySelector('[data-loading]') === null);
      expect(await viewer.locator('[data-export]').count()).toBe(0);
      // An API error shows as a catalog message, never the gateway's English text.
      for (const [code, expected] of [
        ['FORBIDDEN', locale === 'en' ? 'your role may not see this' : '您的角色无权查看'],
        ['SOMETHING_NEW', locale === 'en' ? 'something went wrong (HTTP 418)' : '出现错误（HTTP 418）'],
      ] as const) {
        await viewer.route('**/api/v1/devices', (route) =>
          route.fulfill({
            status: code === 'FORBIDDEN' ? 403 : 418,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code, message: 'staff role required' } }),
          }),
        );
        await viewer.goto('/#/devices');
        await viewer.reload();
        await viewer.locator('[data-error]').waitFor();
        const shown = (await viewer.locator('[data-error]').textContent()) ?? '';
        expect(shown).toContain(expected);
        expect(shown).not.toContain('staff role required');
        expect(languageProblems(await visibleUiText(viewer), locale)).toEqual([]);
        await viewer.unroute('**/api/v1/devices');
      }
      await viewer.goto('/#/overview');
    }
    await context.close();
  });

  it('no page scrolls sideways on a 390 px phone, in either language (manager pages and the staff app)', async () => {
    const { context, page: phone } = await newPage(browser, { baseURL: base, phone: true });
    await signIn(phone, '/', 'manager', 'manager');
    const problems: string[] = [];
    for (const locale of LOCALES) {
      await phone.locator(`.topbar [data-locale="${locale}"]`).click();
      await phone.waitForFunction((l) => document.documentElement.lang === l, locale);
      for (const id of PAGES) {
        await phone.goto(`/#/${id}`);
        await phone.locator(`main[data-page="${id}"]`).waitFor();
        await phone.waitForFunction(() => document.querySelector('[data-loading]') === null);
        const scroll = await sidewaysScroll(phone);
        if (scroll.scrollWidth > scroll.innerWidth) problems.push(`${locale} ${id}: ${JSON.stringify(scroll)}`);
        // Every tab is on screen (报表 used to be cut off), and the header leaves room for the page.
        const tabs = await phone
          .locator('nav.tabs a')
          .evaluateAll((as) => as.map((a) => a.getBoundingClientRect().right <= window.innerWidth));
        if (!tabs.every(Boolean)) problems.push(`${locale} ${id}: a tab is cut off`);
        const header = await phone.locator('header.topbar').evaluate((el) => el.getBoundingClientRect().height);
        if (header > 0.12 * 844) problems.push(`${locale} ${id}: header ${header}px high`);
      }
      // Hour labels are whole ("09:00", never "09:(").
      await phone.goto('/#/overview');
      await phone.locator('main[data-page="overview"]').waitFor();
      // The chart draws once /funnel answered (slow on a loaded machine).
      await phone.locator('.tick').first().waitFor();
      const ticks = await phone
        .locator('.tick')
        .evaluateAll((els) =>
          els
            .filter((el) => getComputedStyle(el).visibility !== 'hidden')
            .map((el) => ({ text: el.textContent, clipped: el.scrollWidth > el.clientWidth + 1 })),
        );
      expect(ticks.length).toBeGreaterThan(2);
      for (const tick of ticks) expect(tick.text).toMatch(/^\d\d:\d\d$/);
    }
    await context.close();
    for (const locale of LOCALES) {
      const { context: staffContext, page: staff } = await newPage(browser, { baseURL: base, phone: true, locale });
      await signIn(staff, '/staff/', 'staff', 'staff');
      await staff.locator(`[data-locale="${locale}"]`).first().click();
      await staff.locator('.alert-card').first().waitFor();
      const scroll = await sidewaysScroll(staff);
      if (scroll.scrollWidth > scroll.innerWidth) problems.push(`${locale} staff: ${JSON.stringify(scroll)}`);
      await staffContext.close();
    }
    expect(problems).toEqual([]);
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
    const day0 = await page.locator('input[type="date"]').inputValue();
    // The file name carries the store and the dates; opening hours only is the default for a day.
    expect(download.suggestedFilename()).toBe(`funnel-s001-${day0}-open-hours.csv`);
    const bytes = readFileSync(await download.path());
    // UTF-8 with a byte-order mark, so Excel on Windows reads the Chinese right.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    const header = lines[0]?.split(',') ?? [];
    expect(header).toContain('进店客数');
    expect(header).toContain('客单价');
    expect(header).toContain('进店客数（上期）');
    expect(header).toContain('进店客数（去年同期）');
    // Cells Excel recognises: a local date-time and rates as percentages.
    const first = lines[1]?.split(',') ?? [];
    expect(first[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(first[header.indexOf('进店率')]).toMatch(/^(\d+\.\d%)?$/);
    const totals = lines.at(-1)?.split(',') ?? [];
    expect(totals[0]).toBe('合计');
    const day = await page.locator('input[type="date"]').inputValue();
    const funnel = await apiGet<Funnel>(`/funnel?from=${day}&to=${day}&granularity=hour`);
    expect(funnel.totals.visitors).toBeGreaterThan(100);
    expect(Number(totals[header.indexOf('进店客数')])).toBe(funnel.totals.visitors);
    expect(Number(totals[header.indexOf('销售额')])).toBe(funnel.totals.revenue);
  });

  it('writes screenshots of every page at 1440 px and phone size, in both languages', async () => {
    const written: string[] = [];
    // zh-CN keeps the plain names (the README's pictures); English adds "-en".
    const suffix = (locale: string) => (locale === 'zh-CN' ? '' : '-en');
    for (const locale of LOCALES) {
      await page.goto('/#/overview');
      await pageLoaded('overview');
      await page.locator(`.topbar [data-locale="${locale}"]`).click();
      await page.waitForFunction((l) => document.documentElement.lang === l, locale);
      for (const id of PAGES) {
        await page.goto(`/#/${id}`);
        await pageLoaded(id);
        written.push(await screenshot(page, `dashboard-${id}-desktop${suffix(locale)}`));
      }
    }
    await page.locator('.topbar [data-locale="zh-CN"]').click();
    const { context: phoneContext, page: phone } = await newPage(browser, { baseURL: base, phone: true });
    await signIn(phone, '/', 'manager', 'manager');
    for (const locale of LOCALES) {
      await phone.locator(`.topbar [data-locale="${locale}"]`).click();
      await phone.waitForFunction((l) => document.documentElement.lang === l, locale);
      for (const id of PAGES) {
        await phone.goto(`/#/${id}`);
        await phone.locator(`main[data-page="${id}"]`).waitFor();
        await phone.waitForFunction(() => document.querySelector('[data-loading]') === null);
        written.push(await screenshot(phone, `dashboard-${id}-phone${suffix(locale)}`));
        if (id === 'overview')
          written.push(await screenshot(phone, `dashboard-overview-phone-first-screen${suffix(locale)}`, false));
      }
    }
    await phoneContext.close();
    const { context: loginContext, page: login } = await newPage(browser, { baseURL: base, phone: true });
    await login.goto('/');
    await login.locator('form.login-form').waitFor();
    written.push(await screenshot(login, 'login-phone', false));
    await loginContext.close();
    const { context: staffContext, page: staffPhone } = await newPage(browser, { baseURL: base, phone: true });
    await signIn(staffPhone, '/staff/', 'staff', 'staff');
    await staffPhone.locator('.alert-card').first().waitFor();
    written.push(await screenshot(staffPhone, 'staff-phone', false));
    written.push(await screenshot(staffPhone, 'staff-phone-all'));
    await staffContext.close();
    const { context: wide, page: staffDesktop } = await newPage(browser, { baseURL: base, viewport: WIDE });
    await signIn(staffDesktop, '/staff/', 'staff', 'staff');
    await staffDesktop.locator('.alert-card').first().waitFor();
    written.push(await screenshot(staffDesktop, 'staff-desktop'));
    await wide.close();
    for (const path of written) expect(readFileSync(path).subarray(1, 4).toString()).toBe('PNG');
    expect(written).toHaveLength(PAGES.length * 4 + 2 + 4);
  });
});
