/// <reference lib="dom" />
/**
 * Reads what a person sees on a page, split into UI text (from the message catalogs) and
 * store data (names, SKUs, figures: elements marked data-content). The language tests
 * check the UI text only: store data is whatever the store typed, in any language.
 */
import type { Page } from 'playwright-core';

export interface UiText {
  readonly text: string;
  /** Where it was found: 'text' or the attribute's name. */
  readonly where: string;
  readonly element: string;
}

/** Every visible UI string of the page, with title / aria-label / placeholder attributes. */
export function visibleUiText(page: Page): Promise<UiText[]> {
  return page.evaluate(() => {
    const out: { text: string; where: string; element: string }[] = [];
    const pageLang = document.documentElement.lang;
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`;
    // An element that says it is in another language (the language switch's "English") is exempt.
    const exempt = (el: Element) => {
      if (el.closest('[data-content],script,style,noscript')) return true;
      const lang = el.closest('[lang]')?.getAttribute('lang');
      return lang !== null && lang !== undefined && lang !== pageLang;
    };
    const visible = (el: Element) =>
      el.tagName === 'OPTION' ||
      (el as HTMLElement).checkVisibility?.({ visibilityProperty: true }) !== false ||
      el.closest('.sr-only') !== null;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim() ?? '';
      const el = node.parentElement;
      if (text === '' || !el || exempt(el) || !visible(el)) continue;
      out.push({ text, where: 'text', element: describe(el) });
    }
    for (const el of Array.from(document.body.querySelectorAll('[title],[aria-label],[placeholder]'))) {
      if (exempt(el)) continue;
      for (const name of ['title', 'aria-label', 'placeholder']) {
        const value = el.getAttribute(name)?.trim();
        if (value) out.push({ text: value, where: name, element: describe(el) });
      }
    }
    out.push({ text: document.title.split(' · ')[0] ?? '', where: 'document.title', element: 'title' });
    return out;
  });
}

const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
/** Figures, times, punctuation and symbols read the same in both languages. */
const NEUTRAL = /^[\d\s.,:;·/%+\-−–—()[\]★¥$€£→|]*$/;

/** What is wrong with the UI text for `locale`: untranslated keys, open placeholders, the other language. */
export function languageProblems(texts: readonly UiText[], locale: 'zh-CN' | 'en'): string[] {
  const problems: string[] = [];
  for (const { text, where, element } of texts) {
    const at = `${element} ${where}: ${JSON.stringify(text)}`;
    if (text.includes('⟦')) problems.push(`untranslated key or parameter in ${at}`);
    if (/\{\w+\}/.test(text)) problems.push(`open placeholder in ${at}`);
    if (NEUTRAL.test(text)) continue;
    if (locale === 'en' && CJK.test(text)) problems.push(`Chinese text on the English page in ${at}`);
    if (locale === 'zh-CN' && !CJK.test(text))
      problems.push(`untranslated (no Chinese) text on the Chinese page in ${at}`);
  }
  return problems;
}
