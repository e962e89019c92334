/** What the card suggests to the member's host, from the profile the gateway attached. */
import { locale, type MessageKey, t } from '../i18n/index.js';
import type { MemberProfile } from '../lib/types.js';
import { avoidedMaterials, type Material, madeOf, offerSize } from './materials.js';

export function sizeText(sizes: readonly string[] | Readonly<Record<string, string>>): string[] {
  return Object.entries(sizes).map(([part, size]) => {
    if (part === 'top') return t('staff.size.top', { size });
    if (part === 'bottom') return t('staff.size.bottom', { size });
    if (part === 'shoes') return t('staff.size.shoes', { size });
    return t('staff.size.other', { part, size });
  });
}

type PurchasedItems = NonNullable<MemberProfile['recentPurchases']>[number]['items'];

/** A purchase's items as one line: "真丝衬衫 M、棉袜三双装 ×2" (empty when the alert has none). */
export function purchasedItems(items: PurchasedItems): string {
  if (!items || items.length === 0) return '';
  return items
    .map((i) => {
      const label = [i.name ?? i.sku, i.size].filter(Boolean).join(' ');
      return i.qty > 1 ? `${label} ×${i.qty}` : label;
    })
    .filter(Boolean)
    .join(locale.get() === 'en' ? ', ' : '、');
}

export interface Suggestion {
  readonly k: MessageKey;
  /** Store data that goes into the sentence (a name, a campaign, a product). */
  readonly data: Readonly<Record<string, string>>;
}

const AVOID: Readonly<Record<Material, MessageKey>> = {
  wool: 'staff.suggest.avoid.wool',
  silk: 'staff.suggest.avoid.silk',
  down: 'staff.suggest.avoid.down',
  leather: 'staff.suggest.avoid.leather',
};

/**
 * What to say and do, from the profile: greet by name, thank for the invitation (the
 * campaign's name, not its slug), keep away from what the notes rule out, offer again what
 * they tried (in their size, never in a material the notes rule out), ask about the last
 * purchase, have their sizes ready.
 */
export function suggestions(profile: MemberProfile, campaignName: (slug: string) => string): Suggestion[] {
  const out: Suggestion[] = [];
  if (profile.name) out.push({ k: 'staff.suggest.greet', data: { name: profile.name } });
  if (profile.invitation)
    out.push({ k: 'staff.suggest.invited', data: { campaign: campaignName(profile.invitation.campaign) } });
  const avoided = avoidedMaterials(profile.notes);
  for (const m of avoided) out.push({ k: AVOID[m], data: {} });
  const tried = profile.triedNotBought?.find((i) => !madeOf(i.name, avoided));
  if (tried) {
    const item = tried.name ?? tried.sku ?? tried.epc;
    const size = offerSize(tried.size, profile.sizes);
    out.push(
      size === undefined
        ? { k: 'staff.suggest.tried', data: { item } }
        : { k: 'staff.suggest.triedSize', data: { item, size } },
    );
  }
  const bought = profile.recentPurchases?.flatMap((p) => p.items ?? []).find((i) => i.name !== undefined);
  if (bought?.name) out.push({ k: 'staff.suggest.bought', data: { item: bought.name } });
  const sizes = profile.sizes ? sizeText(profile.sizes) : [];
  if (sizes.length > 0)
    out.push({ k: 'staff.suggest.sizes', data: { sizes: sizes.join(locale.get() === 'en' ? ', ' : '、') } });
  if (profile.lastVisit === null) out.push({ k: 'staff.suggest.firstVisit', data: {} });
  return out;
}
