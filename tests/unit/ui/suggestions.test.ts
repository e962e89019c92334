/** Staff card suggestions: the member's notes and sizes shape what is suggested. */
import { describe, expect, it } from 'vitest';
import { t } from '../../../gateway/ui/src/i18n/index.js';
import type { MemberProfile } from '../../../gateway/ui/src/lib/types.js';
import { avoidedMaterials, madeOf, offerSize } from '../../../gateway/ui/src/staff/materials.js';
import { suggestions } from '../../../gateway/ui/src/staff/suggestions.js';

const NAMES: Readonly<Record<string, string>> = { 'vip-private-sale': '冬季私享会' };
const campaignName = (slug: string) => NAMES[slug] ?? slug;

function profile(more: Partial<MemberProfile> = {}): MemberProfile {
  return {
    member: 'M-1',
    name: '王芳',
    tier: 5,
    sizes: { top: 'M', bottom: '28' },
    notes: null,
    lastVisit: Date.parse('2026-11-20T15:00:00+08:00'),
    recentPurchases: [],
    triedNotBought: [],
    invitation: null,
    ...more,
  };
}

const texts = (p: MemberProfile) => suggestions(p, campaignName).map((s) => t(s.k, s.data));

describe('what the notes rule out', () => {
  it('reads allergies and refusals in either language, clause by clause', () => {
    expect(avoidedMaterials('Wool allergy; loves silk')).toEqual(['wool']);
    expect(avoidedMaterials('对羊毛过敏，喜欢真丝')).toEqual(['wool']);
    expect(avoidedMaterials('不穿皮草和皮革。Allergic to down')).toEqual(['down', 'leather']);
    expect(avoidedMaterials('Prefers wool coats, size M')).toEqual([]);
    expect(avoidedMaterials('No downloads please')).toEqual([]);
    expect(avoidedMaterials(null)).toEqual([]);
  });

  it('judges garments by their name; a garment without a name is not judged', () => {
    expect(madeOf('Merino crew-neck sweater', ['wool'])).toBe(true);
    expect(madeOf('羊绒开衫', ['wool'])).toBe(true);
    expect(madeOf('真丝衬衫', ['wool'])).toBe(false);
    expect(madeOf('Down jacket', ['down'])).toBe(true);
    expect(madeOf('Button-down shirt', ['down'])).toBe(false);
    expect(madeOf('Down-filled vest', ['down'])).toBe(true);
    expect(madeOf(undefined, ['wool'])).toBe(false);
  });
});

describe('the size to offer', () => {
  it("the member's own size of the garment's kind", () => {
    expect(offerSize('L', { top: 'M', bottom: '28' })).toBe('M');
    expect(offerSize('30', { top: 'M', bottom: '28' })).toBe('28');
    expect(offerSize('M', { top: 'M' })).toBe('M');
  });

  it("the garment's size when the member gave none that fits (a shoe size is no waist)", () => {
    expect(offerSize('39', { top: 'M', bottom: '28', shoes: '38' })).toBe('39');
    expect(offerSize('L', { shoes: '38' })).toBe('L');
    expect(offerSize('one', { top: 'M' })).toBe('one');
    expect(offerSize('L', null)).toBe('L');
    expect(offerSize(undefined, { top: 'M' })).toBeUndefined();
  });
});

describe('suggestions', () => {
  it('a member whose notes say wool allergy is warned about and never offered the wool garment', () => {
    const p = profile({
      notes: '羊毛过敏',
      triedNotBought: [
        { epc: 'E1', name: '羊绒开衫', size: 'L' },
        { epc: 'E2', name: '真丝衬衫', size: 'L' },
      ],
    });
    const lines = texts(p);
    expect(lines).toContain(t('staff.suggest.avoid.wool', {}));
    expect(lines).toContain(t('staff.suggest.triedSize', { item: '真丝衬衫', size: 'M' }));
    expect(lines.join('\n')).not.toContain('羊绒开衫');
  });

  it('without notes the first tried garment is offered, in the member’s size', () => {
    const p = profile({ triedNotBought: [{ epc: 'E1', name: '羊绒开衫', size: 'L' }] });
    expect(texts(p)).toContain(t('staff.suggest.triedSize', { item: '羊绒开衫', size: 'M' }));
  });

  it('the invitation by the campaign’s name, never its slug', () => {
    const p = profile({
      invitation: { id: 'i1', staff: '李娜', campaign: 'vip-private-sale', channel: 'wechat', ts: 0 },
    });
    const line = texts(p).find((s) => s.includes('冬季私享会'));
    expect(line).toBe('这位客人是应「冬季私享会」邀请来的，先谢谢对方专程过来。');
    expect(texts(p).join('\n')).not.toContain('vip-private-sale');
  });

  it('asks about the last purchase by the item’s name', () => {
    const p = profile({
      recentPurchases: [
        { receipt: 'R1', ts: 0, units: 1, revenue: 899, items: [{ name: '羊毛大衣', size: 'M', qty: 1, price: 899 }] },
      ],
    });
    expect(texts(p)).toContain(t('staff.suggest.bought', { item: '羊毛大衣' }));
  });
});
