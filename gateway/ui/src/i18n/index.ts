/**
 * Message lookup and locale state. A missing key or parameter renders as ⟦…⟧ so it is
 * visible on screen and caught by the browser tests, never silently blank.
 */
import { signal } from '../lib/signal.js';
import { type Catalog, en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { 'zh-CN': '中文', en: 'English' };

const catalogs: Readonly<Record<Locale, Catalog>> = { 'zh-CN': zhCN, en };
const STORAGE_KEY = 'gw.locale';

export function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en';
}

/** The user's own choice, if they made one on this device. */
export function savedLocale(): Locale | undefined {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLocale(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export const locale = signal<Locale>(savedLocale() ?? 'zh-CN');

export function setLocale(next: Locale, remember = true): void {
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }
  document.documentElement.lang = next;
  locale.set(next);
}

export type Params = Readonly<Record<string, string | number>>;

export function translate(lang: Locale, key: MessageKey, params?: Params): string {
  const template = catalogs[lang][key] as string | undefined;
  if (template === undefined) return `⟦${key}⟧`;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    return value === undefined ? `⟦${name}⟧` : String(value);
  });
}

/** Translate in the current locale. */
export function t(key: MessageKey, params?: Params): string {
  return translate(locale.get(), key, params);
}

/** For keys built from data (a device kind, a channel): the key if the catalog has it. */
export function knownKey(key: string): MessageKey | undefined {
  return key in en ? (key as MessageKey) : undefined;
}

export type { MessageKey };
