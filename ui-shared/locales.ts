/**
 * The languages both dashboards speak, and the parts of their i18n that do not depend on a
 * catalog: filling a template (a missing key or parameter renders as ⟦…⟧ so it is visible on
 * screen and caught by the browser tests, never silently blank) and the choice saved on this
 * device. Each app keeps its own catalogs and `t`.
 */
export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { 'zh-CN': '中文', en: 'English' };

export type Params = Readonly<Record<string, string | number>>;

export function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en';
}

/** A catalog template with its `{name}` parameters filled in. */
export function fillTemplate(template: string | undefined, key: string, params?: Params): string {
  if (template === undefined) return `⟦${key}⟧`;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    return value === undefined ? `⟦${name}⟧` : String(value);
  });
}

/** The language the user chose on this device, if they did. */
export function readSavedLocale(storageKey: string): Locale | undefined {
  try {
    const value = localStorage.getItem(storageKey);
    return isLocale(value) ? value : undefined;
  } catch {
    // Private mode: no saved choice.
    return undefined;
  }
}

export function saveLocale(storageKey: string, value: Locale): void {
  try {
    localStorage.setItem(storageKey, value);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}
