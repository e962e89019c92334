/** What every page needs: the user, HQ's clock and zone, the stores, the formats, the period. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { PeriodKind } from './days.js';
import type { Formats } from './format.js';
import type { About, HqStoreInfo, HqUser } from './types.js';

export interface HqContextValue {
  readonly user: HqUser;
  readonly about: About;
  /** HQ's clock now (the server's, not the browser's). */
  serverNow(): number;
  readonly stores: readonly HqStoreInfo[];
  readonly formats: Formats;
  readonly kind: PeriodKind;
  readonly day: string;
  setPeriod(kind: PeriodKind, day: string): void;
  signOut(): void;
}

export const HqContext = createContext<HqContextValue | null>(null);

export function useHq(): HqContextValue {
  const value = useContext(HqContext);
  if (!value) throw new Error('useHq outside <App>');
  return value;
}

/** A store is stale when HQ has had no health report from it for this long (or never). */
export const STALE_AFTER_MINUTES = 30;

export type Freshness = 'fresh' | 'stale' | 'never';

export function freshness(store: Pick<HqStoreInfo, 'lastSeen'>, now: number): Freshness {
  if (store.lastSeen === null) return 'never';
  return now - Date.parse(store.lastSeen) > STALE_AFTER_MINUTES * 60_000 ? 'stale' : 'fresh';
}
