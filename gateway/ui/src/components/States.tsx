/** Loading and error placeholders, and the connection banner every page shows. */
import { t } from '../i18n/index.js';
import { useApp } from '../lib/context.js';
import { useTicker } from '../lib/resource.js';
import { useSignal } from '../lib/signal.js';

export function Loading() {
  return (
    <p class="muted" role="status" data-loading="">
      {t('app.loading')}
    </p>
  );
}

export function ErrorBox(props: { message: string; onRetry?: () => void }) {
  return (
    <div class="error-box" role="alert">
      <p>{t('app.error', { message: props.message })}</p>
      {props.onRetry && (
        <button type="button" onClick={props.onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
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
