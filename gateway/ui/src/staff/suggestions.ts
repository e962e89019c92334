/** What the card suggests to the member's host, from the profile the gateway attached. */
import { locale, type MessageKey, t } from '../i18n/index.js';
import type { MemberProfile } from '../lib/types.js';

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

export function suggestions(profile: MemberProfile): Suggestion[] {
  const out: Suggestion[] = [];
  if (profile.name) out.push({ k: 'staff.suggest.greet', data: { name: profile.name } });
  if (profile.invitation) out.push({ k: 'staff.suggest.invited', data: { campaign: profile.invitation.campaign } });
  const tried = profile.triedNotBought?.[0];
  if (tried) out.push({ k: 'staff.suggest.tried', data: { item: tried.name ?? tried.sku ?? tried.epc } });
  const sizes = profile.sizes ? sizeText(profile.sizes) : [];
  if (sizes.length > 0)
    out.push({ k: 'staff.suggest.sizes', data: { sizes: sizes.join(locale.get() === 'en' ? ', ' : '、') } });
  if (profile.lastVisit === null) out.push({ k: 'staff.suggest.firstVisit', data: {} });
  return out;
}
