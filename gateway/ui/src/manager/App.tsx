/** The manager dashboard: header, page navigation (hash routes, so reloads keep the page), the page. */
import { useEffect, useState } from 'preact/hooks';
import { pageTitle } from '../components/Boot.js';
import { LanguageSwitch } from '../components/LanguageSwitch.js';
import { ConnectionBadge, NotAvailable } from '../components/States.js';
import { type MessageKey, t } from '../i18n/index.js';
import { useApp } from '../lib/context.js';
import type { SessionUser } from '../lib/types.js';
import { Devices } from './pages/Devices.js';
import { Overview } from './pages/Overview.js';
import { Products } from './pages/Products.js';
import { Reports } from './pages/Reports.js';
import { Rooms } from './pages/Rooms.js';
import { Vip } from './pages/Vip.js';

type Role = SessionUser['role'];
const RANK: Readonly<Record<Role, number>> = { viewer: 1, staff: 2, manager: 3 };

/**
 * `role` is the least role the page is for (the API's rules in gateway/infra/auth/roles.ts): VIP
 * alerts and invitations need staff, so the VIP page is not in a viewer's menu.
 */
const PAGES = [
  { id: 'overview', label: 'nav.overview', role: 'viewer', render: () => <Overview /> },
  { id: 'rooms', label: 'nav.rooms', role: 'viewer', render: () => <Rooms /> },
  { id: 'products', label: 'nav.products', role: 'viewer', render: () => <Products /> },
  { id: 'vip', label: 'nav.vip', role: 'staff', render: () => <Vip /> },
  { id: 'devices', label: 'nav.devices', role: 'viewer', render: () => <Devices /> },
  { id: 'reports', label: 'nav.reports', role: 'viewer', render: () => <Reports /> },
] as const satisfies readonly { id: string; label: MessageKey; role: Role; render: () => preact.JSX.Element }[];

export function mayUse(user: SessionUser, page: { role: Role }): boolean {
  return RANK[user.role] >= RANK[page.role];
}

type PageId = (typeof PAGES)[number]['id'];

function pageFromHash(): PageId {
  const id = location.hash.replace(/^#\/?/, '');
  return PAGES.find((p) => p.id === id)?.id ?? 'overview';
}

export function App() {
  const { store, user, authRequired, signOut } = useApp();
  const [page, setPage] = useState<PageId>(pageFromHash());
  useEffect(() => {
    const onHash = () => setPage(pageFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const current = PAGES.find((p) => p.id === page) ?? PAGES[0];
  const allowed = mayUse(user, current);
  useEffect(() => {
    document.title = `${t(current.label)} · ${pageTitle('app.title', store)}`;
  });

  return (
    <>
      <a class="skip" href="#main">
        {t('app.skipToContent')}
      </a>
      <header class="topbar">
        <div class="brand">
          <strong data-content="">{store.name}</strong>
          <span class="muted">{t('app.title')}</span>
        </div>
        <ConnectionBadge />
        <div class="topbar-right">
          <LanguageSwitch />
          {authRequired && (
            <span class="user">
              <span class="muted signed-in">
                {t('app.signedInAs', { name: user.name, role: t(`role.${user.role}`) })}
              </span>
              <button type="button" onClick={signOut}>
                {t('app.signOut')}
              </button>
            </span>
          )}
        </div>
      </header>
      <nav class="tabs" aria-label={t('nav.label')}>
        {PAGES.filter((p) => mayUse(user, p)).map((p) => (
          <a key={p.id} href={`#/${p.id}`} aria-current={p.id === page ? 'page' : undefined} data-page={p.id}>
            {t(p.label)}
          </a>
        ))}
      </nav>
      <main id="main" tabIndex={-1} data-page={page}>
        <h1>{t(current.label)}</h1>
        {allowed ? current.render() : <NotAvailable />}
      </main>
    </>
  );
}
