/**
 * Issue 14 item 2 as a store manager meets it: a gateway started with no users opens
 * nothing; the manager signs in in Chromium with the one-time password from the data folder,
 * is made to set their own, and lands on the dashboard. The one-time password no longer works.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { launchChromium, newPage } from '../support/browser.js';
import { tempDir } from '../support/tmp.js';

describe('first sign-in on a gateway with no users', () => {
  const dir = tempDir();
  let gateway: RunningGateway;
  let browser: Browser;
  const base = () => `http://127.0.0.1:${gateway.httpPort}`;

  beforeAll(async () => {
    const config = loadConfig(undefined, { GW_MQTT_PORT: '0', GW_HTTP_PORT: '0', GW_DATA_DIR: dir.path });
    gateway = await startGateway({ config, log: createLogger({ level: 'silent' }) });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    dir.remove();
  });

  it('asks for a new password after the one-time one, then opens the dashboard', async () => {
    expect((await fetch(`${base()}/api/v1/live`)).status).toBe(401);
    const oneTime = readFileSync(join(dir.path, 'initial-manager-password'), 'utf8').trim();
    for (const locale of ['zh-CN', 'en'] as const) {
      const { context, page } = await newPage(browser, { baseURL: base(), locale });
      const password = locale === 'zh-CN' ? oneTime : 'my-own-password-1';
      await page.goto('/');
      await page.locator('input[name="name"]').fill('manager');
      await page.locator('input[name="password"]').fill(password);
      await page.locator('form.login-form button[type="submit"]').click();
      if (locale === 'zh-CN') {
        // The one-time password opens only the password form.
        await page.locator('input[name="new-password"]').waitFor();
        // The store's language (zh-CN) until the user picks another.
        expect(await page.locator('#login-title').textContent()).toBe('设置新密码');
        await page.locator('input[name="new-password"]').fill('my-own-password-1');
        await page.locator('input[name="repeat-password"]').fill('my-own-password-2');
        await page.locator('form.login-form button[type="submit"]').click();
        expect(await page.locator('[role="alert"]').textContent()).toBe('两次输入的密码不一致');
        await page.locator('input[name="repeat-password"]').fill('my-own-password-1');
        await page.locator('form.login-form button[type="submit"]').click();
      }
      await page.locator('[data-connection]').waitFor();
      await context.close();
    }
    // The one-time password is gone, from the folder and as a credential.
    const login = await fetch(`${base()}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'manager', password: oneTime }),
    });
    expect(login.status).toBe(401);
    expect(() => readFileSync(join(dir.path, 'initial-manager-password'))).toThrow();
  });
});
