/// <reference lib="dom" />
/**
 * The staff app in a real browser: a VIP's card read at the entrance shows on two open
 * /staff phones within 2 s; "I'm on it" on one shows on the other and on the manager's VIP
 * page; a phone that lost its Wi-Fi shows the alerts it missed once it is back; and the
 * connection badge tells the truth when the gateway goes away.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/main.js';
import { launchChromium, newPage, signIn } from '../support/browser.js';
import { startDemoStore } from '../support/demo-store.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { tempDir } from '../support/tmp.js';

const CARDS = { li: 'E2000017221101441890B001', zhao: 'E2000017221101441890B002', qian: 'E2000017221101441890B003' };
const APPEAR_WITHIN_MS = 2000;

describe('staff app: VIP alerts on the shop floor', () => {
  const dir = tempDir();
  let gateway: RunningGateway;
  let devices: MqttClient;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let phoneA: Page;
  let phoneB: Page;
  let manager: Page;
  /** Phone B reaches the gateway through this relay: cutting it is phone B losing its Wi-Fi. */
  let wifiB: TcpProxy;
  let seq = 0;

  const cardAtEntrance = (card: string) => {
    const ts = new Date().toISOString();
    return devices.publishAsync(
      'retail/s001/rfid/rfid-fr/reads',
      JSON.stringify({ v: 1, type: 'rfid.reads', id: `r${seq++}`, ts, reads: [{ epc: card, ant: 5, rssi: -48, ts }] }),
      { qos: 1 },
    );
  };
  const open = async (path: string, user: string, phone: boolean, port = gateway.httpPort) => {
    const { context, page } = await newPage(browser, { baseURL: `http://127.0.0.1:${port}`, phone });
    contexts.push(context);
    await signIn(page, path, user, `${user}-password`);
    return page;
  };
  const card = (page: Page, member: string) => page.locator(`.alert-card[data-member="${member}"]`);

  beforeAll(async () => {
    gateway = await startDemoStore(dir.path, { boss: 'manager', li: 'staff', wang: 'staff' });
    gateway.reference.importMembers([
      { id: 'M-LI', name: '李思雨', tier: 5, cards: [CARDS.li], sizes: { top: 'M', bottom: '27' }, notes: '喜欢真丝' },
      { id: 'M-ZHAO', name: '赵晓', tier: 4, cards: [CARDS.zhao] },
      { id: 'M-QIAN', name: '钱多多', tier: 5, cards: [CARDS.qian] },
    ]);
    devices = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: 'rfid-fr',
      reconnectPeriod: 0,
    });
    browser = await launchChromium();
    wifiB = await startTcpProxy(gateway.httpPort);
    [phoneA, phoneB, manager] = await Promise.all([
      open('/staff/', 'li', true),
      open('/staff/', 'wang', true, wifiB.port),
      open('/#/vip', 'boss', false),
    ]);
    for (const page of [phoneA, phoneB, manager]) await page.locator('[data-connection="live"]').waitFor();
    await manager.locator('main[data-page="vip"]').waitFor();
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await wifiB?.close();
    await devices?.endAsync();
    await gateway?.stop();
    dir.remove();
  });

  it('a VIP card read shows on two open staff phones within 2 s', async () => {
    const sent = Date.now();
    await cardAtEntrance(CARDS.li);
    await Promise.all([
      card(phoneA, 'M-LI').waitFor({ timeout: APPEAR_WITHIN_MS }),
      card(phoneB, 'M-LI').waitFor({ timeout: APPEAR_WITHIN_MS }),
    ]);
    expect(Date.now() - sent).toBeLessThan(APPEAR_WITHIN_MS);
    // The card carries the profile staff need: name, sizes, notes, and a way to act.
    const text = await card(phoneB, 'M-LI').textContent();
    expect(text).toContain('李思雨');
    expect(text).toContain('上装 M');
    expect(text).toContain('喜欢真丝');
    expect(await card(phoneB, 'M-LI').locator('[data-action="ack"]').isEnabled()).toBe(true);
  });

  it('"I\'m on it" on one phone shows at once on the other phone and on the manager\'s VIP page', async () => {
    await card(phoneA, 'M-LI').locator('[data-action="ack"]').click();
    await card(phoneA, 'M-LI').locator('[data-ack="li"]').waitFor({ timeout: 2000 });
    await card(phoneB, 'M-LI').locator('[data-ack="li"]').waitFor({ timeout: 2000 });
    expect(await card(phoneB, 'M-LI').locator('[data-action="ack"]').count()).toBe(0);
    await manager.locator('tr[data-alert] td[data-ack="li"]').waitFor({ timeout: 2000 });
    const alerts = (await (await manager.request.get('/api/v1/vip/alerts')).json()) as {
      alerts: { member: string; ack: { by: string } | null }[];
    };
    expect(alerts.alerts.find((a) => a.member === 'M-LI')?.ack?.by).toBe('li');
  });

  it('a phone that lost its Wi-Fi shows the alerts it missed when it is back', async () => {
    wifiB.cut();
    await phoneB.locator('[data-connection="reconnecting"]').waitFor({ timeout: 10_000 });
    await cardAtEntrance(CARDS.zhao);
    await card(phoneA, 'M-ZHAO').waitFor({ timeout: APPEAR_WITHIN_MS });
    expect(await card(phoneB, 'M-ZHAO').count()).toBe(0);

    wifiB.restore();
    await card(phoneB, 'M-ZHAO').waitFor({ timeout: 15_000 });
    await phoneB.locator('[data-connection="live"]').waitFor();
    expect(await phoneB.locator('[data-missed]').getAttribute('data-missed')).toBe('1');
    expect(await card(phoneB, 'M-ZHAO').getAttribute('class')).toContain('missed');
    // The alert seen live before the drop is not counted as missed.
    expect(await card(phoneB, 'M-LI').getAttribute('class')).not.toContain('missed');
    // Back online means live again: the next arrival comes straight in.
    await cardAtEntrance(CARDS.qian);
    await card(phoneB, 'M-QIAN').waitFor({ timeout: APPEAR_WITHIN_MS });
  });

  it('is installable: a manifest with icons and a service worker for /staff/', async () => {
    const scope = await phoneA.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(new URL(scope).pathname).toBe('/staff/');
    const manifest = (await (await phoneA.request.get('/staff/manifest.webmanifest')).json()) as {
      start_url: string;
      display: string;
      icons: { src: string; sizes: string }[];
    };
    expect(manifest).toMatchObject({ start_url: '/staff/', display: 'standalone' });
    for (const icon of manifest.icons) expect((await phoneA.request.get(icon.src)).status(), icon.src).toBe(200);
    expect(manifest.icons.map((i) => i.sizes)).toContain('512x512');
  });

  it('shows that it is reconnecting when the gateway goes away', async () => {
    await gateway.stop();
    await phoneA.locator('[data-connection="reconnecting"]').waitFor({ timeout: 10_000 });
    await manager.locator('[data-connection="reconnecting"]').waitFor({ timeout: 10_000 });
  });
});
