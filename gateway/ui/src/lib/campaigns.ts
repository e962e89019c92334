/** A campaign as people say it: its configured name in the current language, else its slug. */
import { locale } from '../i18n/index.js';
import type { StoreInfo } from './types.js';

export function campaignName(store: StoreInfo, slug: string): string {
  return store.campaigns?.[slug]?.[locale.get()] ?? slug;
}
