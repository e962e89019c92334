/// <reference lib="dom" />
/**
 * Debian's Chromium driven by playwright-core (no browser download: the machine has no
 * route to one). Flags from FIELD-NOTES: without the background-networking ones Chromium
 * keeps dialling Google on this closed network.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export const DESKTOP = { width: 1366, height: 900 } as const;
/** The manager's desktop in issue 15 (a 1440 px laptop screen). */
export const WIDE = { width: 1440, height: 900 } as const;
export const PHONE = { width: 390, height: 844 } as const;

export async function newPage(
  browser: Browser,
  options: { baseURL: string; viewport?: { width: number; height: number }; locale?: string; phone?: boolean },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: options.baseURL,
    viewport: options.viewport ?? (options.phone ? PHONE : DESKTOP),
    locale: options.locale ?? 'zh-CN',
    ...(options.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  return { context, page };
}

/** Signs in through the real form. */
export async function signIn(page: Page, path: string, name: string, password: string): Promise<void> {
  await page.goto(path);
  await page.locator('input[name="name"]').fill(name);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form.login-form button[type="submit"]').click();
  await page.locator('[data-connection]').waitFor();
}

/** Screenshots go to tests/artifacts/screenshots (a CI artifact, never committed). */
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', 'artifacts', 'screenshots');

export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // No hover or focus left over from the test: tooltips stay closed in the picture.
  await page.mouse.move(0, 0);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path, fullPage });
  return path;
}

/**
 * How far the page scrolls sideways, and the widest elements that stick out (for the
 * failure message): a phone page must fit its width (scrollWidth ≤ innerWidth).
 */
export function sidewaysScroll(page: Page): Promise<{ scrollWidth: number; innerWidth: number; culprits: string[] }> {
  return page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    const culprits: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const rect = el.getBoundingClientRect();
      if (rect.right > window.innerWidth + 0.5 && culprits.length < 5) {
        const parentOver = el.parentElement && el.parentElement.getBoundingClientRect().right > window.innerWidth + 0.5;
        if (!parentOver)
          culprits.push(`${el.tagName.toLowerCase()}.${String(el.className)} right=${Math.round(rect.right)}`);
      }
    }
    return { scrollWidth: root.scrollWidth, innerWidth: window.innerWidth, culprits };
  });
}
