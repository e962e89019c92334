/** The message catalogs: same keys (the type checker also says so) and the same parameters. */
import { describe, expect, it } from 'vitest';
import { en } from '../../../gateway/ui/src/i18n/en.js';
import { zhCN } from '../../../gateway/ui/src/i18n/zh-CN.js';

const params = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const CJK = /[\u3400-\u9fff]/;

describe('message catalogs', () => {
  it('have the same keys', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it('use the same parameters for every key', () => {
    for (const [key, template] of Object.entries(en)) {
      expect(params(zhCN[key as keyof typeof en]), key).toEqual(params(template));
    }
  });

  it('are written in their language: no Chinese in English, and Chinese in every Chinese text', () => {
    for (const [key, text] of Object.entries(en)) expect(CJK.test(text), `en ${key}`).toBe(false);
    // Templates made only of parameters ("{part} {size}") carry no words to translate.
    for (const [key, text] of Object.entries(zhCN)) {
      if (text.replace(/\{\w+\}/g, '').trim() === '') continue;
      expect(CJK.test(text), `zh-CN ${key}: ${text}`).toBe(true);
    }
  });
});
