/** Loading and error placeholders, and the connection banner every page shows. */
import { ErrorNote, LoadingNote } from '../../../../ui-shared/States.js';
import { t } from '../i18n/index.js';
import { useApp } from '../lib/context.js';
import { errorText } from '../lib/errors.js';
import { useTicker } from '../lib/resource.js';
import { useSignal } from '../lib/signal.js';

export function Loading() {
  return <LoadingNote text={t('app.loading')} />;
}

/** A failure, translated: pass the error itself (see lib/errors.ts), or an already translated message. */
export function ErrorBox(props: { error?: unknown; message?: string; onRetry?: () => void }) {
  const message = props.message ?? errorText(props.error);
  return <ErrorNote text={t('app.error', { message })} retryLabel={t('app.retry')} onRetry={props.onRetry} />;
}

export function ConnectionBadge() {
  const { live } = useApp();
  const state = useSignal(live.state);
  const last = useSignal(live.lastMessageAt);
  const now = useTicker(5000);
  const label =
    state === 'live'
      ? t('conn.live')
      : state === 'connecting'
        ? t('conn.connecting')
        : state === 'reconnecting'
          ? t('conn.reconnecting')
          : t('conn.stale', { seconds: Math.round((now - last) / 1000) });
  return (
    <output class={`conn conn-${state}`} data-connection={state} aria-live="polite">
      <span class="dot" aria-hidden="true" />
      {label}
    </output>
  );
}

/** What a role that may not use a page sees on its route. */
export function NotAvailable() {
  const { user } = useApp();
  return (
    <div class="card not-available" role="status" data-not-available="">
      <p>{t('app.notForRole', { role: t(`role.${user.role}`) })}</p>
      <a href="#/overview">{t('app.backToOverview')}</a>
    </div>
  );
}
