import { describe, expect, it } from 'vitest';
import { createChangeFormats, NONE } from '../../../ui-shared/change.js';
import { fillTemplate, isLocale } from '../../../ui-shared/locales.js';

const en = createChangeFormats('en', (value) => `${value} pp`);
const zh = createChangeFormats('zh-CN', (value) => `${value}个百分点`);

describe('ui-shared change formats', () => {
  it('shows a relative change rounded to 0.1 %, with its direction', () => {
    expect(en.relative(112.5, 100)).toEqual({ text: '+12.5%', sign: 1 });
    expect(en.relative(90, 100)).toEqual({ text: '-10.0%', sign: -1 });
    // Rounded before the sign is taken: a change too small to show has no colour.
    expect(en.relative(100.04, 100)).toEqual({ text: '0.0%', sign: 0 });
  });

  it('has no relative change from 0 or from a missing value', () => {
    expect(en.relative(5, 0)).toBeNull();
    expect(en.relative(null, 3)).toBeNull();
    expect(en.relative(3, null)).toBeNull();
    expect(en.relative(Number.NaN, 3)).toBeNull();
  });

  it('shows rate changes in percentage points, in the locale’s words', () => {
    expect(en.points(0.218, 0.191)).toEqual({ text: '+2.7 pp', sign: 1 });
    expect(zh.points(0.191, 0.218)).toEqual({ text: '-2.7个百分点', sign: -1 });
    expect(en.points(0.2, 0)).toEqual({ text: '+20.0 pp', sign: 1 });
    expect(en.points(null, 0.1)).toBeNull();
  });

  it('marks what is missing instead of rendering blank', () => {
    expect(NONE).toBe('—');
    expect(fillTemplate('{n} visitors', 'k', { n: 3 })).toBe('3 visitors');
    expect(fillTemplate('{n} of {total}', 'k', { n: 3 })).toBe('3 of ⟦total⟧');
    expect(fillTemplate(undefined, 'app.missing')).toBe('⟦app.missing⟧');
    expect(isLocale('zh-CN') && isLocale('en') && !isLocale('fr')).toBe(true);
  });
});
