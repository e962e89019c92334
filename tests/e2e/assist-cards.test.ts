/// <reference lib="dom" />
/**
 * Fitting-room assistance in a real browser: a size swap in a fitting room shows as a card
 * on two staff phones (390×844, one in Chinese, one in English) naming the room and the
 * garment; "on my way" on one phone shows on the other; the manager's Rooms page counts
 * the assisted session; a card that came while a phone was offline is flagged there. Both
 * languages are checked for untranslated text, and no phone page scrolls sideways.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { hashPassword } from '../../gateway/pipeline/broker/credentials.js';
import { sgtin96FromGtin } from '../../protocols/index.js';
import { launchChromium, newPage, screenshot, sidewaysScroll, signIn, WIDE } from '../support/browser.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { tempDir } from '../support/tmp.js';
import { languageProblems, visibleUiText } from '../support/ui-text.js';

const coat = (gtin: string, serial: number) => sgtin96FromGtin({ gtin, companyPrefixLength: 7, serial });
const APPEAR_WITHIN_MS = 2000;

describe('staff app: fitting-room assistance cards', () => {
  const dir = tempDir();
  let gateway: RunningGateway;
  let devices: MqttClient;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let phoneZh: Page;
  let phoneEn: Page;
  let manager: Page;
  /** The Chinese phone reaches the gateway through this relay: cutting it is losing its Wi-Fi. */
  let wifiZh: TcpProxy;

  const open = async (path: string, user: string, options: { phone: boolean; port?: number }) => {
    const { context, page } = await newPage(browser, {
      baseURL: `http://127.0.0.1:${options.port ?? gateway.httpPort}`,
      phone: options.phone,
      ...(options.phone ? {} : { viewport: WIDE }),
    });
    contexts.push(context);
    await signIn(page, path, user, `${user}-password`);
    return page;
  };
  const card = (page: Page, room = 'fr-3') => page.locator(`.assist-card[data-room="${room}"]`);
  /** The reader's last 25 seconds in a room: the coat in M, then also in L (M stays past minDwell). */
  const swap = (ant: number, id: string, serials: readonly [number, number]) => {
    const now = Date.now();
    const m = coat('80614141123458', serials[0]);
    const l = coat('80614141123465', serials[1]);
    const reads = [];
    for (let s = 25; s >= 0; s--) {
      const ts = new Date(now - s * 1000).toISOString();
      reads.push({ epc: m, ant, rssi: -50, ts });
      if (s <= 4) reads.push({ epc: l, ant, rssi: -50, ts });
    }
    return devices.publishAsync(
      'retail/s001/rfid/rfid-fr/reads',
      JSON.stringify({ v: 1, type: 'rfid.reads', id, ts: new Date(now).toISOString(), reads }),
      { qos: 1 },
    );
  };
  const toEnglish = async (page: Page) => {
    await page.locator('.topbar [data-locale="en"]').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
  };

  beforeAll(async () => {
    const base = loadConfig(undefined, { GW_MQTT_PORT: '0', GW_HTTP_PORT: '0', GW_DATA_DIR: dir.path });
    const user = (name: string, role: 'manager' | 'staff') => ({
      name,
      role,
      passwordHash: hashPassword(`${name}-password`),
    });
    const config = {
      ...base,
      http: {
        ...base.http,
        auth: {
          users: [user('boss', 'manager'), user('li', 'staff'), user('wang', 'staff')],
          sessionTtlMs: 3_600_000,
          secureCookies: false,
        },
      },
    };
    gateway = await startGateway({ config, log: createLogger({ level: 'silent' }) });
    gateway.reference.importCatalog([
      { gtin: '80614141123458', sku: 'WC-M', style: 'WC', color: '驼色', size: 'M', name: '羊毛大衣', price: 1299 },
      { gtin: '80614141123465', sku: 'WC-L', style: 'WC', color: '驼色', size: 'L', name: '羊毛大衣', price: 1299 },
    ]);
    devices = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'rfid-fr',
      reconnectPeriod: 0,
    });
    browser = await launchChromium();
    wifiZh = await startTcpProxy(gateway.httpPort);
    [phoneZh, phoneEn, manager] = await Promise.all([
      open('/staff/', 'li', { phone: true, port: wifiZh.port }),
      open('/staff/', 'wang', { phone: true }),
      open('/#/rooms', 'boss', { phone: false }),
    ]);
    await toEnglish(phoneEn);
    for (const page of [phoneZh, phoneEn, manager]) await page.locator('[data-connection="live"]').waitFor();
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await wifiZh?.close();
    await devices?.endAsync();
    await gateway?.stop();
    dir.remove();
  });

  it('a size swap in room 3 shows on both phones within 2 s, naming the room and the garment', async () => {
    const sent = Date.now();
    await swap(3, 'swap-1', [11, 12]);
    await Promise.all([
      card(phoneZh).waitFor({ timeout: APPEAR_WITHIN_MS }),
      card(phoneEn).waitFor({ timeout: APPEAR_WITHIN_MS }),
    ]);
    expect(Date.now() - sent).toBeLessThan(APPEAR_WITHIN_MS);
    const zh = await card(phoneZh).textContent();
    expect(zh).toContain('fr-3：羊毛大衣 试了 2 个尺码，要不要再拿个尺码过去？');
    expect(zh).toContain('羊毛大衣 M · 羊毛大衣 L');
    const en = await card(phoneEn).textContent();
    expect(en).toContain('fr-3: 2 sizes of 羊毛大衣 tried. Bring the other size?');
    expect(en).toContain('On my way');
  });

  it('both languages read as one language, and the phone page does not scroll sideways', async () => {
    for (const [page, locale] of [
      [phoneZh, 'zh-CN'],
      [phoneEn, 'en'],
    ] as const) {
      expect(languageProblems(await visibleUiText(page), locale), locale).toEqual([]);
      const scroll = await sidewaysScroll(page);
      expect(scroll.scrollWidth, scroll.culprits.join(', ')).toBeLessThanOrEqual(scroll.innerWidth);
      await screenshot(page, `staff-assist-${locale}`);
    }
  });

  it('"on my way" on one phone shows at once on the other, in its language', async () => {
    await card(phoneEn).locator('[data-action="assist-ack"]').click();
    await card(phoneEn).locator('[data-ack="wang"]').waitFor({ timeout: 2000 });
    await card(phoneZh).locator('[data-ack="wang"]').waitFor({ timeout: 2000 });
    expect(await card(phoneZh).locator('[data-action="assist-ack"]').count()).toBe(0);
    expect(await card(phoneZh).locator('[data-ack]').textContent()).toMatch(/^wang 已经过去了（\d\d:\d\d）$/);
    expect(await card(phoneEn).locator('[data-ack]').textContent()).toMatch(
      /^wang is on the way \(\d\d:\d\d( [AP]M)?\)$/,
    );
  });

  it("the manager's Rooms page counts the session as assisted once it has ended", async () => {
    // The session ends leaveAfter (30 s) after the last read; the report counts ended sessions.
    const today = manager.locator('tr[data-assist-day="total"]');
    await today.waitFor();
    await manager.waitForFunction(
      () => document.querySelector('tr[data-assist-day="total"] td:nth-of-type(3)')?.textContent === '1',
      undefined,
      { timeout: 45_000 },
    );
    const cells = await today.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['1', '1', '1']);
    expect(languageProblems(await visibleUiText(manager), 'zh-CN')).toEqual([]);
    await toEnglish(manager);
    await manager.locator('#assist-report-title').filter({ hasText: 'Fitting-room assistance, last 7 days' }).waitFor();
    expect(languageProblems(await visibleUiText(manager), 'en')).toEqual([]);
  }, 60_000);

  it('a card that came while a phone was offline shows there when it is back, flagged', async () => {
    wifiZh.cut();
    await phoneZh.locator('[data-connection="reconnecting"]').waitFor({ timeout: 10_000 });
    await swap(4, 'swap-2', [21, 22]);
    await card(phoneEn, 'fr-4').waitFor({ timeout: APPEAR_WITHIN_MS });
    expect(await card(phoneZh, 'fr-4').count()).toBe(0);
    wifiZh.restore();
    await card(phoneZh, 'fr-4').waitFor({ timeout: 15_000 });
    expect(await card(phoneZh, 'fr-4').getAttribute('class')).toContain('missed');
    // The card seen live before the drop is not flagged.
    expect(await card(phoneZh).getAttribute('class')).not.toContain('missed');
  });
});
