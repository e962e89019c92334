/**
 * Message lookup and locale state. A missing key or parameter renders as ⟦…⟧ so it is
 * visible on screen and caught by the browser tests, never silently blank.
 */
import { fillTemplate, type Locale, type Params, readSavedLocale, saveLocale } from '../../../../ui-shared/locales.js';
import { signal } from '../lib/signal.js';
import { type Catalog, en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export { isLocale, LOCALE_NAMES, LOCALES, type Locale, type Params } from '../../../../ui-shared/locales.js';

const catalogs: Readonly<Record<Locale, Catalog>> = { 'zh-CN': zhCN, en };
const STORAGE_KEY = 'hq.locale';

/** The user's own choice on this device, else the browser's language (Chinese unless it is English). */
function initialLocale(): Locale {
  return readSavedLocale(STORAGE_KEY) ?? (navigator.language.toLowerCase().startsWith('en') ? 'en' : 'zh-CN');
}

export const locale = signal<Locale>(initialLocale());
document.documentElement.lang = locale.get();

export function setLocale(next: Locale): void {
  saveLocale(STORAGE_KEY, next);
  document.documentElement.lang = next;
  locale.set(next);
}

export function translate(lang: Locale, key: MessageKey, params?: Params): string {
  return fillTemplate(catalogs[lang][key] as string | undefined, key, params);
}

export function t(key: MessageKey, params?: Params): string {
  return translate(locale.get(), key, params);
}

export function knownKey(key: string): MessageKey | undefined {
  return key in en ? (key as MessageKey) : undefined;
}

export type { MessageKey };
