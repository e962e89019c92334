/**
 * Starts an app: asks who is signed in (showing the login form when the gateway requires
 * it), loads the store, picks the language (the user's own choice, else the store's), and
 * opens the live stream. Both the dashboard and the staff app start here.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { locale, savedLocale, setLocale, t } from '../i18n/index.js';
import { API, api, csrfToken, sessionExpired } from '../lib/api.js';
import { AppContext, type AppContextValue } from '../lib/context.js';
import { createFormats } from '../lib/format.js';
import { LiveConnection } from '../lib/live.js';
import { useSignal } from '../lib/signal.js';
import type { AuthState, SessionUser, StoreInfo } from '../lib/types.js';
import { Login } from './Login.js';
import { ErrorBox, Loading } from './States.js';

type Phase =
  | { kind: 'loading' }
  | { kind: 'login'; store: StoreInfo | null }
  | { kind: 'ready'; store: StoreInfo; user: SessionUser; authRequired: boolean }
  | { kind: 'error'; error: unknown };

export function Boot(props: {
  events: readonly string[];
  children: ComponentChildren;
  title?: 'app.title' | 'app.staffTitle';
}) {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const expired = useSignal(sessionExpired);
  const lang = useSignal(locale);

  const start = async () => {
    setPhase({ kind: 'loading' });
    try {
      const auth = await api.get<AuthState>('/auth/me');
      csrfToken.set(auth.csrfToken);
      if (auth.user === null) {
        setPhase({ kind: 'login', store: null });
        return;
      }
      const store = await api.get<StoreInfo>('/store');
      if (savedLocale() === undefined) setLocale(store.locale, false);
      else setLocale(locale.get(), false);
      sessionExpired.set(false);
      setPhase({ kind: 'ready', store, user: auth.user, authRequired: auth.authRequired });
    } catch (err) {
      setPhase({ kind: 'error', error: err });
    }
  };

  useEffect(() => {
    void start();
  }, []);

  useEffect(() => {
    if (expired && phase.kind === 'ready') setPhase({ kind: 'login', store: phase.store });
  }, [expired, phase]);

  const ready = phase.kind === 'ready' ? phase : undefined;
  const live = useMemo(
    () => (ready ? new LiveConnection(props.events) : undefined),
    [ready?.user.name, ready?.store.id],
  );
  useEffect(() => () => live?.close(), [live]);

  const value = useMemo<AppContextValue | undefined>(() => {
    if (!ready || !live) return undefined;
    return {
      store: ready.store,
      user: ready.user,
      authRequired: ready.authRequired,
      live,
      formats: createFormats(lang, ready.store.currency, ready.store.timezone),
      signOut: () => {
        void fetch(`${API}/auth/logout`, {
          method: 'POST',
          headers: csrfToken.get() ? { 'x-csrf-token': csrfToken.get() ?? '' } : {},
          credentials: 'same-origin',
        }).finally(() => {
          csrfToken.set(null);
          setPhase({ kind: 'login', store: ready.store });
        });
      },
    };
  }, [ready, live, lang]);

  if (phase.kind === 'loading') return <Loading />;
  if (phase.kind === 'error') return <ErrorBox error={phase.error} onRetry={() => void start()} />;
  if (phase.kind === 'login')
    return <Login onSignedIn={() => void start()} {...(props.title ? { title: props.title } : {})} />;
  if (!value) return <Loading />;
  return (
    <AppContext.Provider value={value}>
      <div lang={lang} key={lang}>
        {props.children}
      </div>
    </AppContext.Provider>
  );
}

export function pageTitle(key: 'app.title' | 'app.staffTitle', store: StoreInfo): string {
  return `${t(key)} · ${store.name}`;
}
