/// <reference lib="dom" />
/**
 * The VIP journey in a real browser and through the API: a member invited to a campaign
 * arrives, tries on, buys, leaves when the door counters say the store is empty, and comes
 * back. The manager reads the journey per person and per campaign (campaign names, not
 * slugs, in both languages; the same steps as the API), finds a member by name or phone tail
 * in the invitation form, and sees a VIP leave the "in store" list when the store empties;
 * the staff card speaks of the campaign by name, warns about the wool allergy in the notes
 * and offers the silk shirt they tried in their own size, never the cashmere one.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/main.js';
import { sgtin96FromGtin } from '../../protocols/index.js';
import { signIn as apiSignIn, call, type Signed } from '../support/auth.js';
import { launchChromium, newPage, PHONE, screenshot, sidewaysScroll, signIn, WIDE } from '../support/browser.js';
import { startDemoStore } from '../support/demo-store.js';
import { tempDir } from '../support/tmp.js';
import { languageProblems, visibleUiText } from '../support/ui-text.js';
import { waitFor } from '../support/wait.js';

const MIN = 60_000;
const CARD_WANG = 'E2000017221101441890C001';
const CARD_LI = 'E2000017221101441890C002';
const GTIN = { cashmere: '00614141123452', silk: '80614141123458', scarf: '00012345678905' } as const;
const epc = (gtin: string, serial: number) => sgtin96FromGtin({ gtin, companyPrefixLength: 7, serial });
/** Antennas of the demo store's reader (gateway/infra/config/defaults.ts). */
const ANT = { 'fr-1': 1, entrance: 5 } as const;
const LOCALES = ['zh-CN', 'en'] as const;

interface Journey {
  invitation: string;
  member: string;
  name: string | null;
  campaign: string;
  invitedAt: number;
  arrivedAt: number | null;
  triedAt: number | null;
  triedUnknown: boolean;
  boughtAt: number | null;
  revenue: number;
}

describe('VIP journey: invitation to purchase, per person and per campaign', () => {
  const dir = tempDir();
  let gateway: RunningGateway;
  let devices: MqttClient;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let api: string;
  const who: Partial<Record<'boss' | 'li' | 'vic', Signed>> = {};
  let seq = 0;
  const T = Date.now();
  const iso = (ts: number) => new Date(ts).toISOString();

  const publish = (topic: string, payload: Record<string, unknown>) =>
    devices.publishAsync(topic, JSON.stringify({ v: 1, id: `j${seq++}`, ...payload }), { qos: 1 });
  const door = (ts: number, dir: 'in' | 'out') =>
    publish('retail/s001/door/door-1/event', { type: 'door.crossing', ts: iso(ts), door: 'main', dir, n: 1 });
  const reads = (ts: number, zone: keyof typeof ANT, epcs: readonly string[]) =>
    publish('retail/s001/rfid/rfid-fr/reads', {
      type: 'rfid.reads',
      ts: iso(ts),
      reads: epcs.map((e) => ({ epc: e, ant: ANT[zone], rssi: -45, ts: iso(ts) })),
    });
  const get = async <R>(path: string, as: 'boss' | 'li' | 'vic' = 'boss'): Promise<R> => {
    const res = await call(api, who[as], 'GET', path);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as R;
  };
  const open = async (path: string, user: string, viewport: { width: number; height: number }, phone = false) => {
    const { context, page } = await newPage(browser, {
      baseURL: `http://127.0.0.1:${gateway.httpPort}`,
      viewport,
      phone,
    });
    contexts.push(context);
    await signIn(page, path, user, `${user}-password`);
    await page.locator('[data-connection="live"]').waitFor();
    return page;
  };
  const setLocale = async (page: Page, locale: (typeof LOCALES)[number]) => {
    await page.locator(`[data-locale="${locale}"]`).first().click();
    await page.waitForFunction((l) => document.documentElement.lang === l, locale);
  };

  beforeAll(async () => {
    gateway = await startDemoStore(dir.path, { boss: 'manager', li: 'staff', vic: 'viewer' });
    gateway.reference.importMembers([
      {
        id: 'M-WANG',
        name: '王芳',
        tier: 5,
        phone: '13800138000',
        cards: [CARD_WANG],
        sizes: { top: 'M' },
        notes: '羊毛过敏，喜欢真丝',
      },
      { id: 'M-LI', name: '李静', tier: 4, phone: '13900008000', cards: [CARD_LI] },
    ]);
    gateway.reference.importCatalog([
      { gtin: GTIN.cashmere, sku: 'CASH-L', style: 'CASH', color: 'grey', size: 'L', name: '羊绒开衫', price: 1999 },
      { gtin: GTIN.silk, sku: 'SILK-L', style: 'SILK', color: 'ivory', size: 'L', name: '真丝衬衫', price: 899 },
      { gtin: GTIN.scarf, sku: 'SCARF', style: 'SCARF', color: 'red', size: 'F', name: '真丝围巾', price: 399 },
    ]);
    api = `http://127.0.0.1:${gateway.httpPort}/api/v1`;
    for (const name of ['boss', 'li', 'vic'] as const) who[name] = await apiSignIn(api, name, `${name}-password`);
    devices = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'rfid-fr',
      reconnectPeriod: 0,
    });

    // Invitations two hours ago: 王芳 to the winter private sale, 李静 to the spring preview.
    for (const [member, campaign] of [
      ['M-WANG', 'vip-private-sale'],
      ['M-LI', 'spring-preview'],
    ] as const) {
      const res = await call(api, who.boss, 'POST', '/invitations', {
        member,
        staff: 'boss',
        channel: 'wechat',
        campaign,
        ts: iso(T - 120 * MIN),
      });
      expect(res.status).toBe(201);
    }
    // Her first visit an hour ago: in, tries the cashmere cardigan and the silk shirt, buys a scarf.
    await door(T - 60 * MIN, 'in');
    await reads(T - 60 * MIN + 1000, 'entrance', [CARD_WANG]);
    const garments = [epc(GTIN.cashmere, 1), epc(GTIN.silk, 2)];
    for (let s = 0; s <= 40; s += 5) await reads(T - 58 * MIN + s * 1000, 'fr-1', [CARD_WANG, ...garments]);
    await publish('retail/s001/pos/pos-1/receipt', {
      type: 'pos.receipt',
      ts: iso(T - 50 * MIN),
      receipt: 'R-1001',
      kind: 'sale',
      member: 'M-WANG',
      lines: [{ gtin: GTIN.scarf, qty: 1, price: 399 }],
      total: 399,
      currency: 'CNY',
    });
    // She leaves; nobody is inside any more.
    await door(T - 40 * MIN, 'out');
    await waitFor(async () => {
      const { journeys } = await get<{ journeys: Journey[] }>('/invitations/journey');
      return journeys.find((j) => j.member === 'M-WANG' && j.boughtAt !== null);
    }, 'her journey to reach bought');
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await devices?.endAsync();
    await gateway?.stop();
    dir.remove();
  });

  it('API: each invitation with its steps; names for staff and managers, never for viewers', async () => {
    const { journeys } = await get<{ journeys: Journey[] }>('/invitations/journey');
    const wang = journeys.find((j) => j.member === 'M-WANG');
    expect(wang).toMatchObject({
      name: '王芳',
      campaign: 'vip-private-sale',
      invitedAt: T - 120 * MIN,
      arrivedAt: T - 60 * MIN + 1000,
      triedAt: T - 58 * MIN,
      triedUnknown: false,
      boughtAt: T - 50 * MIN,
      revenue: 399,
    });
    expect(journeys.find((j) => j.member === 'M-LI')).toMatchObject({
      name: '李静',
      arrivedAt: null,
      triedAt: null,
      boughtAt: null,
    });
    const one = await get<{ journeys: Journey[] }>('/invitations/journey?campaign=spring-preview');
    expect(one.journeys.map((j) => j.member)).toEqual(['M-LI']);
    const viewer = await get<{ journeys: Journey[] }>('/invitations/journey', 'vic');
    expect(viewer.journeys.map((j) => j.name)).toEqual([null, null]);
    expect(JSON.stringify(viewer)).not.toContain('王芳');
    // The campaigns' names come with the store.
    const store = await get<{ campaigns: Record<string, { en: string; 'zh-CN': string }> }>('/store', 'vic');
    expect(store.campaigns['vip-private-sale']).toEqual({ en: 'Winter private sale', 'zh-CN': '冬季私享会' });
  });

  it('API: member search by name, id or phone tail, bounded, staff and up only', async () => {
    const byName = await get<{ members: unknown[] }>(`/members/search?q=${encodeURIComponent('王')}`, 'li');
    expect(byName.members).toEqual([{ member: 'M-WANG', name: '王芳', tier: 5, phoneTail: '8000' }]);
    const byTail = await get<{ members: { member: string }[] }>('/members/search?q=8000', 'li');
    expect(byTail.members.map((m) => m.member)).toEqual(['M-WANG', 'M-LI']);
    expect((await get<{ members: unknown[] }>('/members/search?q=8000&limit=1', 'li')).members).toHaveLength(1);
    expect(JSON.stringify(byTail)).not.toContain('13800138000');
    const viewer = await call(api, who.vic, 'GET', '/members/search?q=8000');
    expect(viewer.status).toBe(403);
    expect((await call(api, who.li, 'GET', '/members/search?q=')).status).toBe(400);
    expect((await call(api, who.li, 'GET', '/members/search?q=a&limit=21')).status).toBe(400);
  });

  for (const viewport of [WIDE, PHONE]) {
    const size = viewport === WIDE ? 'desktop' : 'phone';
    it(`${size}: the manager reads each journey and the per-campaign results by campaign name, as the API says`, async () => {
      const page = await open('/#/vip', 'boss', viewport, viewport === PHONE);
      const { journeys } = await get<{ journeys: Journey[] }>('/invitations/journey');
      for (const locale of LOCALES) {
        await setLocale(page, locale);
        const row = page.locator('table.journey tr[data-member="M-WANG"]').first();
        await row.waitFor();
        const wang = journeys.find((j) => j.member === 'M-WANG') as Journey;
        const cells = await row.locator('th, td').allTextContents();
        expect(cells[0]).toBe('王芳');
        expect(cells[1]).toBe(locale === 'en' ? 'Winter private sale' : '冬季私享会');
        expect(
          await row.locator('[data-step]').evaluateAll((els) => els.map((e) => e.getAttribute('data-step'))),
        ).toEqual(
          [wang.invitedAt, wang.arrivedAt, wang.triedAt, wang.boughtAt].map((s) => (s === null ? 'no' : 'yes')),
        );
        const spring = journeys.find((j) => j.campaign === 'spring-preview') as Journey;
        const li = await page.locator(`tr[data-invitation="${spring.invitation}"] [data-step]`).allTextContents();
        expect(li.slice(1)).toEqual(Array(3).fill(locale === 'en' ? 'Not yet' : '还没有'));
        // Per campaign: names, not slugs, with the report's figures.
        const byCampaign = page.locator('table', {
          has: page.locator('caption', { hasText: locale === 'en' ? 'By campaign' : '按活动' }),
        });
        const text = (await byCampaign.textContent()) ?? '';
        expect(text).toContain(locale === 'en' ? 'Spring preview' : '春季新品预览');
        expect(text).not.toContain('vip-private-sale');
        // Filtered to one campaign.
        await page.locator('select[name="journey-campaign"]').selectOption('spring-preview');
        const rows = page.locator('table.journey tbody tr');
        await waitFor(async () => (await rows.count()) === 1, 'the filtered journey');
        expect(await rows.first().getAttribute('data-invitation')).toBe(spring.invitation);
        await page.locator('select[name="journey-campaign"]').selectOption('');
        await waitFor(async () => (await rows.count()) === journeys.length, 'all journeys again');
        expect(languageProblems(await visibleUiText(page), locale)).toEqual([]);
        if (viewport === PHONE) {
          const scroll = await sidewaysScroll(page);
          expect(scroll.scrollWidth, JSON.stringify(scroll)).toBeLessThanOrEqual(scroll.innerWidth);
        }
        await screenshot(page, `vip-journey-${size}-${locale}`);
      }
    });

    it(`${size}: the invitation form finds a member by phone tail and records the invitation`, async () => {
      const page = await open('/#/vip', 'li', viewport, viewport === PHONE);
      for (const locale of LOCALES) {
        await setLocale(page, locale);
        const field = page.locator('.member-picker input[name="member"]');
        await field.fill('8000');
        const hits = page.locator('.member-hits button[data-member]');
        await waitFor(async () => (await hits.count()) === 2, 'two members with phone tail 8000');
        expect(await hits.first().textContent()).toContain('王芳');
        expect(await hits.first().textContent()).toContain(locale === 'en' ? 'phone ending 8000' : '手机尾号 8000');
        await page.locator('.member-hits button[data-member="M-LI"]').click();
        expect(await field.inputValue()).toBe('M-LI');
        expect(await page.locator('#member-picked').textContent()).toContain('李静');
        expect(languageProblems(await visibleUiText(page), locale)).toEqual([]);
        if (viewport === PHONE) {
          const scroll = await sidewaysScroll(page);
          expect(scroll.scrollWidth, JSON.stringify(scroll)).toBeLessThanOrEqual(scroll.innerWidth);
        }
        await field.fill('');
      }
      // Record one: the list shows her name and the campaign's name.
      await page.locator('.member-picker input[name="member"]').fill('李');
      await page.locator('.member-hits button[data-member="M-LI"]').click();
      await page.locator('input[name="campaign"]').fill('birthday-gift');
      await page.locator('form.inline-form button[type="submit"]').click();
      await page.locator('form.inline-form [role="status"].ok').waitFor();
      // Saved: the member field is empty again, ready for the next one.
      expect(await page.locator('.member-picker input[name="member"]').inputValue()).toBe('');
      const row = page.locator('tr[data-invitation]', { has: page.locator('td[data-campaign="birthday-gift"]') });
      await row.first().waitFor();
      expect(await row.first().textContent()).toContain('李静');
      expect(await row.first().textContent()).toContain('Birthday gift');
    });
  }

  it('the staff card speaks of the campaign by name and respects her notes and sizes (zh and en, phone)', async () => {
    const phone = await open('/staff/', 'li', PHONE, true);
    const manager = await open('/#/vip', 'boss', WIDE);
    // She comes back now.
    await door(Date.now(), 'in');
    await reads(Date.now(), 'entrance', [CARD_WANG]);
    const alert = await waitFor(async () => {
      const { alerts } = await get<{ alerts: { id: string; member: string; ts: number }[] }>('/vip/alerts', 'li');
      return alerts.find((a) => a.member === 'M-WANG' && a.ts > T - MIN);
    }, 'her arrival alert');
    const card = phone.locator(`.alert-card[data-alert="${alert.id}"]`);
    await card.waitFor({ timeout: 5000 });
    const suggestions = card.locator('.suggestions');
    await setLocale(phone, 'zh-CN');
    const zh = (await card.textContent()) ?? '';
    expect(zh).not.toContain('vip-private-sale');
    expect(zh).toContain('「冬季私享会」');
    const zhSuggestions = (await suggestions.textContent()) ?? '';
    expect(zhSuggestions).toContain('这位客人是应「冬季私享会」邀请来的，先谢谢对方专程过来。');
    expect(zhSuggestions).toContain('备注里说不能穿羊毛');
    expect(zhSuggestions).toContain('上次试过真丝衬衫没买，可以拿M码请对方再试试。');
    expect(zhSuggestions).toContain('可以问问上次买的真丝围巾穿着怎么样。');
    expect(zhSuggestions).not.toContain('羊绒开衫');
    // Recent purchases list their items with sizes, one purchase a line.
    expect(await card.locator('.purchases li[data-receipt="R-1001"]').textContent()).toMatch(/真丝围巾 F ¥399\.00$/);
    expect(languageProblems(await visibleUiText(phone), 'zh-CN')).toEqual([]);
    await screenshot(phone, 'vip-journey-staff-card-zh-CN');
    await setLocale(phone, 'en');
    const en = (await suggestions.textContent()) ?? '';
    expect(en).toContain('They came at our invitation to Winter private sale: thank them for coming.');
    expect(en).toContain('They tried 真丝衬衫 last time without buying it: offer it again in M.');
    expect(en).not.toContain('羊绒开衫');
    expect(languageProblems(await visibleUiText(phone), 'en')).toEqual([]);
    const scroll = await sidewaysScroll(phone);
    expect(scroll.scrollWidth, JSON.stringify(scroll)).toBeLessThanOrEqual(scroll.innerWidth);
    await screenshot(phone, 'vip-journey-staff-card-en');

    // She is in store; the door counter says the store empties: she leaves the list.
    const chip = manager.locator('#in-store-title + ul .chip[data-member="M-WANG"]');
    await chip.waitFor({ timeout: 5000 });
    expect(await chip.textContent()).toContain('王芳');
    await door(Date.now(), 'out');
    await chip.waitFor({ state: 'detached', timeout: 5000 });
    const live = await get<{ occupancy: number; vipsInStore: { member: string }[] }>('/live');
    expect(live.occupancy).toBe(0);
    expect(live.vipsInStore).toEqual([]);
  });
});
