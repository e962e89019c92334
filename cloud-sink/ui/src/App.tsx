/**
 * The HQ dashboard: signed-in users only. Boot asks who is signed in (the token from this
 * tab's sign-in), shows the sign-in or password-change form when needed, loads HQ's clock
 * and the store list, then the pages (hash routes, so a reload keeps the page):
 *
 *   #/ranking        stores ranked by a metric, with their data status (stale flag) and the CSV
 *   #/store/{id}     one store's funnel against the previous period and last year
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ErrorBox, LanguageSwitch, Loading } from './components.js';
import { locale, t } from './i18n/index.js';
import { ChangePassword, Login } from './Login.js';
import { api, token } from './lib/api.js';
import { HqContext, type HqContextValue, useHq } from './lib/context.js';
import type { PeriodKind } from './lib/days.js';
import { createFormats } from './lib/format.js';
import { useSignal } from './lib/signal.js';
import type { About, HqStoreInfo, HqUser } from './lib/types.js';
import { Ranking } from './pages/Ranking.js';
import { StoreFunnel } from './pages/StoreFunnel.js';

type Phase =
  | { kind: 'loading' }
  | { kind: 'login' }
  | { kind: 'change-password' }
  | { kind: 'ready'; user: HqUser; about: About; fetchedAt: number; stores: HqStoreInfo[] }
  | { kind: 'error'; error: unknown };

export function Boot() {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const signedIn = useSignal(token);
  const lang = useSignal(locale);
  const [period, setPeriodState] = useState<{ kind: PeriodKind; day: string } | undefined>(undefined);

  const start = async () => {
    if (token.get() === null) {
      setPhase({ kind: 'login' });
      return;
    }
    setPhase({ kind: 'loading' });
    try {
      const { user } = await api.get<{ user: HqUser | null }>('/auth/me');
      if (user === null) {
        token.set(null);
        return;
      }
      if (user.mustChange) {
        setPhase({ kind: 'change-password' });
        return;
      }
      const [about, list] = await Promise.all([
        api.get<About>('/about'),
        api.get<{ stores: HqStoreInfo[] }>('/stores'),
      ]);
      setPeriodState((p) => p ?? { kind: 'day', day: about.today });
      setPhase({ kind: 'ready', user, about, fetchedAt: Date.now(), stores: list.stores });
    } catch (err) {
      if (token.get() === null) setPhase({ kind: 'login' });
      else setPhase({ kind: 'error', error: err });
    }
  };

  useEffect(() => {
    void start();
  }, [signedIn]);

  const ready = phase.kind === 'ready' ? phase : undefined;
  const value = useMemo<HqContextValue | undefined>(() => {
    if (!ready || !period) return undefined;
    return {
      user: ready.user,
      about: ready.about,
      serverNow: () => Date.parse(ready.about.now) + (Date.now() - ready.fetchedAt),
      stores: ready.stores,
      formats: createFormats(lang),
      kind: period.kind,
      day: period.day,
      setPeriod: (kind, day) => setPeriodState({ kind, day }),
      signOut: () => {
        void api.post('/auth/logout', {}).catch(() => undefined);
        token.set(null);
      },
    };
  }, [ready, lang, period]);

  if (phase.kind === 'login') return <Login onSignedIn={() => void start()} />;
  if (phase.kind === 'change-password') return <ChangePassword onChanged={() => void start()} />;
  if (phase.kind === 'error') return <ErrorBox error={phase.error} onRetry={() => void start()} />;
  if (!value) return <Loading />;
  return (
    <HqContext.Provider value={value}>
      <div lang={lang} key={lang}>
        <Shell />
      </div>
    </HqContext.Provider>
  );
}

type Route = { page: 'ranking' } | { page: 'store'; store: string | undefined };

function routeFromHash(): Route {
  const path = location.hash.replace(/^#\/?/, '');
  const [page, id] = path.split('/');
  if (page === 'store') return { page: 'store', store: id ? decodeURIComponent(id) : undefined };
  return { page: 'ranking' };
}

function Shell() {
  const hq = useHq();
  const [route, setRoute] = useState<Route>(routeFromHash());
  useEffect(() => {
    const onHash = () => setRoute(routeFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const label = route.page === 'ranking' ? t('nav.ranking') : t('nav.store');
  useEffect(() => {
    document.title = `${label} · ${t('app.title')}`;
  });
  const firstStore = hq.stores[0]?.id;
  return (
    <>
      <a class="skip" href="#main">
        {t('app.skipToContent')}
      </a>
      <header class="topbar">
        <div class="brand">
          <strong>{t('app.title')}</strong>
        </div>
        <div class="topbar-right">
          <LanguageSwitch />
          <span class="user">
            <span class="muted signed-in">
              {t('app.signedInAs', { name: hq.user.name, role: t(`role.${hq.user.role}`) })}
            </span>
            <button type="button" onClick={hq.signOut} data-sign-out="">
              {t('app.signOut')}
            </button>
          </span>
        </div>
      </header>
      <nav class="tabs" aria-label={t('nav.label')}>
        <a href="#/ranking" aria-current={route.page === 'ranking' ? 'page' : undefined} data-page="ranking">
          {t('nav.ranking')}
        </a>
        <a
          href={`#/store/${encodeURIComponent((route.page === 'store' ? route.store : undefined) ?? firstStore ?? '')}`}
          aria-current={route.page === 'store' ? 'page' : undefined}
          data-page="store"
        >
          {t('nav.store')}
        </a>
      </nav>
      <main id="main" tabIndex={-1} data-page={route.page}>
        <h1>{label}</h1>
        {route.page === 'ranking' ? <Ranking /> : <StoreFunnel storeId={route.store ?? firstStore} />}
      </main>
    </>
  );
}
