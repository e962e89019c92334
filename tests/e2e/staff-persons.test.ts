/// <reference lib="dom" />
/**
 * Staff are people, in a real browser: two phones signed in as two staff persons (王芳 in
 * Chinese, 李雷 in English) each see who took a VIP alert by the person's name; and the
 * staffing figures (Overview's shoppers per associate, Reports' staffing per hour) are
 * exactly what GET /staffing answers, on a 1440 px desktop in English and a 390 px phone in
 * Chinese, without sideways scrolling.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { hashPassword } from '../../gateway/pipeline/broker/credentials.js';
import { en } from '../../gateway/ui/src/i18n/en.js';
import { zhCN } from '../../gateway/ui/src/i18n/zh-CN.js';
import { signIn as apiSignIn, call, type Signed } from '../support/auth.js';
import { launchChromium, newPage, screenshot, sidewaysScroll, signIn, WIDE } from '../support/browser.js';
import { devicePublisher } from '../support/demo-login-gateway.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const day = '2026-11-23';
const at = (hhmm: string) => Date.parse(`${day}T${hhmm}:00+08:00`);
const T0 = at('14:00');
const BADGES = { wang: 'E2000017221101441890A001', li: 'E2000017221101441890A002' };
const VIP_CARDS = { chen: 'E280689400005014AABB0031', zhou: 'E280689400005014AABB0032' };
const CATALOGS = { en, 'zh-CN': zhCN } as const;

interface StaffingApi {
  now: { staffOnFloor: number | null; shoppersPerAssociate: number | null };
  buckets: Record<string, number | string | null>[];
}
const ROW_FIELDS = [
  'staffOnFloor',
  'visitors',
  'shoppersPerAssociate',
  'conversionRate',
  'vipAlerts',
  'vipAcked',
  'vipUnattended',
  'vipResponseSeconds',
] as const;

describe('staff persons and staffing in the browser', () => {
  const clock = new ManualClock(T0);
  const dir = tempDir();
  let gateway: RunningGateway;
  let devices: MqttClient;
  let browser: Browser;
  let manager: Signed;
  const contexts: BrowserContext[] = [];
  const base = () => `http://127.0.0.1:${gateway.httpPort}`;
  let send: ReturnType<typeof devicePublisher>;
  const reads = (ts: number, epcs: readonly string[]) => send.entranceReads(ts, epcs);
  const crossing = (hhmm: string, dir: 'in' | 'out', n: number) => send.crossing(at(hhmm), dir, n);
  const staffingApi = async () =>
    (await (await call(`${base()}/api/v1`, manager, 'GET', '/staffing?granularity=hour')).json()) as StaffingApi;
  const open = async (path: string, user: string, options: { phone: boolean; locale: 'en' | 'zh-CN' }) => {
    const { context, page } = await newPage(browser, {
      baseURL: base(),
      ...(options.phone ? { phone: true } : { viewport: WIDE }),
    });
    contexts.push(context);
    await signIn(page, path, user, `${user}-password`);
    await page.locator(`.topbar [data-locale="${options.locale}"]`).click();
    await page.waitForFunction((l) => document.documentElement.lang === l, options.locale);
    return page;
  };
  const card = (page: Page, member: string) => page.locator(`.alert-card[data-member="${member}"]`);

  beforeAll(async () => {
    const loaded = loadConfig(undefined, { GW_MQTT_PORT: '0', GW_HTTP_PORT: '0', GW_DATA_DIR: dir.path });
    const user = (name: string, role: 'manager' | 'staff', displayName?: string) => ({
      name,
      role,
      passwordHash: hashPassword(`${name}-password`),
      ...(displayName ? { displayName } : {}),
    });
    const config = {
      ...loaded,
      http: {
        ...loaded.http,
        auth: {
          users: [user('boss', 'manager'), user('wangfang', 'staff', '王芳'), user('lilei', 'staff', '李雷')],
          sessionTtlMs: 3_600_000,
          secureCookies: false,
        },
      },
    };
    gateway = await startGateway({ config, clock, log: createLogger({ level: 'silent' }), tickEveryMs: 20 });
    gateway.reference.importMembers([
      { id: 'M-CHEN', name: '陈静', tier: 5, cards: [VIP_CARDS.chen] },
      { id: 'M-ZHOU', name: '周敏', tier: 5, cards: [VIP_CARDS.zhou] },
    ]);
    devices = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'devices',
      reconnectPeriod: 0,
    });
    send = devicePublisher(devices);
    manager = await apiSignIn(`${base()}/api/v1`, 'boss', 'boss-password');
    // 王芳 in 09:10, out 12:05 (delivered late, after her 13:00), in 13:00; 李雷 in 09:40.
    await reads(at('09:10'), [BADGES.wang]);
    await reads(at('09:40'), [BADGES.li]);
    await crossing('10:05', 'in', 3);
    await crossing('13:20', 'in', 4);
    await crossing('13:40', 'out', 2);
    await reads(at('13:00'), [BADGES.wang]);
    await reads(at('12:05'), [BADGES.wang]);
    await waitFor(async () => {
      const s = await staffingApi();
      // Everything derived, the late 12:05 passage included (12:00 is then 1.25, not 2).
      const noon = s.buckets.find((b) => b.start === `${day}T12:00:00+08:00`);
      return s.now.staffOnFloor === 2 && s.now.shoppersPerAssociate === 2.5 && noon?.staffOnFloor === 1.25;
    }, 'staffing derived');
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await devices?.endAsync();
    await gateway?.stop();
    dir.remove();
  });

  it('names the person who took a VIP alert on two phones signed in as two staff (zh and en)', async () => {
    const [wang, li] = await Promise.all([
      open('/staff/', 'wangfang', { phone: true, locale: 'zh-CN' }),
      open('/staff/', 'lilei', { phone: true, locale: 'en' }),
    ]);
    expect(await wang.locator('[data-person="wangfang"]').textContent()).toBe('当前店员：王芳');
    expect(await li.locator('[data-person="lilei"]').textContent()).toBe('You: 李雷');

    /** A VIP arrives, `takerPage` acks after `waitMs`; both phones name the person who took it. */
    const arriveAndTake = async (member: string, cardEpc: string, takerPage: Page, waitMs: number, by: string) => {
      await reads(clock.now(), [cardEpc]);
      await Promise.all([card(wang, member).waitFor(), card(li, member).waitFor()]);
      clock.advance(waitMs);
      await card(takerPage, member).locator('[data-action="ack"]').click();
      const shown: string[] = [];
      for (const page of [wang, li]) {
        const ack = card(page, member).locator(`[data-ack="${by}"]`);
        await ack.waitFor();
        shown.push((await ack.textContent()) ?? '');
      }
      return shown;
    };
    const [chenZh, chenEn] = await arriveAndTake('M-CHEN', VIP_CARDS.chen, wang, 45_000, 'wangfang');
    expect(chenZh).toContain('王芳 正在接待');
    expect(chenEn).toContain('王芳 is on it');
    const [zhouZh, zhouEn] = await arriveAndTake('M-ZHOU', VIP_CARDS.zhou, li, 15_000, 'lilei');
    expect(zhouZh).toContain('李雷 正在接待');
    expect(zhouEn).toContain('李雷 is on it');
    await screenshot(wang, 'staff-persons-ack-phone-zh-CN');
    await screenshot(li, 'staff-persons-ack-phone-en');
    for (const page of [wang, li]) {
      const scroll = await sidewaysScroll(page);
      expect(scroll.scrollWidth, JSON.stringify(scroll)).toBeLessThanOrEqual(scroll.innerWidth);
    }

    // The manager's VIP page names the person too.
    const desk = await open('/#/vip', 'boss', { phone: false, locale: 'en' });
    const cell = desk.locator('tr[data-alert] td[data-ack="wangfang"]');
    await cell.waitFor();
    expect(await cell.textContent()).toContain('王芳 is on it');
  });

  for (const view of [
    { name: 'desktop 1440 px in English', phone: false, locale: 'en' },
    { name: 'phone 390 px in Chinese', phone: true, locale: 'zh-CN' },
  ] as const) {
    it(`shows the staffing figures exactly as GET /staffing answers (${view.name})`, async () => {
      const text = CATALOGS[view.locale];
      const page = await open('/#/overview', 'boss', view);
      await page.locator('main[data-page="overview"]').waitFor();
      const api = await staffingApi();
      for (const metric of ['staffOnFloor', 'shoppersPerAssociate'] as const) {
        const tile = page.locator(`.kpi[data-metric="${metric}"]`);
        await tile.waitFor();
        expect(await tile.locator('.kpi-value [data-raw]').getAttribute('data-raw')).toBe(String(api.now[metric]));
        expect(await tile.locator('.kpi-label').textContent()).toContain(text[`metric.${metric}`]);
      }
      expect(api.now).toMatchObject({ staffOnFloor: 2, shoppersPerAssociate: 2.5 });
      await screenshot(page, `staffing-overview-${view.phone ? 'phone' : 'desktop'}-${view.locale}`);

      await page.goto('/#/reports');
      const report = page.locator('[data-staffing-report]');
      await report.locator('tr[data-hour]').first().waitFor();
      expect(await report.locator('h2').textContent()).toBe(text['staffing.title']);
      const rows = await report.locator('tr[data-hour]').evaluateAll((trs) =>
        trs.map((tr) => ({
          start: tr.getAttribute('data-hour'),
          raw: Array.from(tr.querySelectorAll('td [data-raw]')).map((d) => d.getAttribute('data-raw')),
        })),
      );
      const shown = api.buckets.filter(
        (b) =>
          ((b.staffOnFloor as number | null) ?? 0) > 0 || (b.visitors as number) > 0 || (b.vipAlerts as number) > 0,
      );
      expect(rows).toEqual(shown.map((b) => ({ start: b.start, raw: ROW_FIELDS.map((f) => String(b[f])) })));
      // The figures this day is built to give: 12:00 is 1.25 only once the late 12:05 passage
      // counted; at 14:00 two VIP alerts, both taken, after 45 s and 15 s (median 30 s).
      const byHour = new Map(rows.map((r) => [r.start, r.raw]));
      expect(byHour.get(`${day}T12:00:00+08:00`)?.[0]).toBe('1.25');
      expect(byHour.get(`${day}T14:00:00+08:00`)?.slice(4)).toEqual(['2', '2', '0', '30']);
      await screenshot(page, `staffing-report-${view.phone ? 'phone' : 'desktop'}-${view.locale}`);
      if (view.phone) {
        const scroll = await sidewaysScroll(page);
        expect(scroll.scrollWidth, JSON.stringify(scroll)).toBeLessThanOrEqual(scroll.innerWidth);
      }
    });
  }
});
