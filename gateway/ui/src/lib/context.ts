/** What every page needs: the store, the signed-in user, the live stream, the formatters. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Formats } from './format.js';
import type { LiveConnection } from './live.js';
import type { SessionUser, StoreInfo } from './types.js';

export interface AppContextValue {
  readonly store: StoreInfo;
  readonly user: SessionUser;
  readonly authRequired: boolean;
  readonly live: LiveConnection;
  readonly formats: Formats;
  signOut(): void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside <Boot>');
  return value;
}

/** PII (member names, notes) is shown to staff and managers only; the gateway strips it for viewers too. */
export function canSeeMembers(user: SessionUser): boolean {
  return user.role === 'manager' || user.role === 'staff';
}
