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
const STORAGE_KEY = 'hq.locale';

export function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en';
}

/** The user's own choice on this device, else the browser's language (Chinese unless it is English). */
function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (isLocale(saved)) return saved;
  } catch {
    // Private mode: no saved choice.
  }
  return navigator.language.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

export const locale = signal<Locale>(initialLocale());
document.documentElement.lang = locale.get();

export function setLocale(next: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Private mode: the choice lasts for this page only.
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

export function t(key: MessageKey, params?: Params): string {
  return translate(locale.get(), key, params);
}

export function knownKey(key: string): MessageKey | undefined {
  return key in en ? (key as MessageKey) : undefined;
}

export type { MessageKey };
