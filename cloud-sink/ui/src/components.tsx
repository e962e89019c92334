/**
 * Small pieces every page uses. Data (store names, figures) is wrapped in `data-content`
 * so the language tests tell data from UI text, and figures carry their raw API value in
 * `data-raw` so tests compare them with the API exactly.
 */
import type { ComponentChildren } from 'preact';
import { LanguageButtons } from '../../../ui-shared/LanguageButtons.js';
import { ErrorNote, LoadingNote } from '../../../ui-shared/States.js';
import { locale, setLocale, t } from './i18n/index.js';
import { type Freshness, freshness, useHq } from './lib/context.js';
import { type PeriodKind, periodOf } from './lib/days.js';
import { errorText } from './lib/errors.js';
import type { FigureKind } from './lib/format.js';
import { useSignal } from './lib/signal.js';
import type { HqStoreInfo } from './lib/types.js';

export function Data(props: { children: ComponentChildren; raw?: number | string | null; class?: string }) {
  return (
    <span data-content="" data-raw={props.raw === undefined ? undefined : String(props.raw)} class={props.class}>
      {props.children}
    </span>
  );
}

export function Figure(props: { kind: FigureKind; value: number | null; currency?: string | null }) {
  const { formats } = useHq();
  return <Data raw={props.value}>{formats.figure(props.kind, props.value, props.currency)}</Data>;
}

/** A change next to a figure: points for rates, percent for amounts, "—" when there is none. */
export function Change(props: { kind: FigureKind; now: number | null; before: number | null }) {
  const { formats } = useHq();
  const change = formats.change(props.kind, props.now, props.before);
  if (!change) return <Data>—</Data>;
  return (
    <span class={`delta ${change.sign > 0 ? 'up' : change.sign < 0 ? 'down' : 'flat'}`}>
      <Data>{change.text}</Data>
    </span>
  );
}

/** 中文 / English: the choice is remembered on this device. */
export function LanguageSwitch() {
  const current = useSignal(locale);
  return <LanguageButtons legend={t('app.language')} current={current} onChoose={setLocale} />;
}

export function Loading() {
  return <LoadingNote text={t('app.loading')} />;
}

export function ErrorBox(props: { error: unknown; onRetry?: () => void }) {
  return (
    <ErrorNote
      text={t('app.error', { message: errorText(props.error) })}
      retryLabel={t('app.retry')}
      onRetry={props.onRetry}
    />
  );
}

/** The stale flag: fresh, stale (no health report for 30 min) or never reported. */
export function StoreStatus(props: { store: HqStoreInfo | undefined }) {
  const { serverNow, formats } = useHq();
  const state: Freshness = props.store ? freshness(props.store, serverNow()) : 'never';
  const lastSeen = props.store?.lastSeen ?? null;
  return (
    <span class={`status status-${state}`} data-status={state}>
      <span class="badge">{t(`status.${state}`)}</span>
      {lastSeen !== null && state === 'stale' && (
        <span class="muted last-seen">
          {' '}
          {t('status.lastSeen')} <Data raw={lastSeen}>{formats.dateTime(lastSeen)}</Data>
        </span>
      )}
    </span>
  );
}

export function storeLabel(store: { id: string; name: string | null }): string {
  return store.name ? `${store.name} (${store.id})` : store.id;
}

const KINDS: readonly PeriodKind[] = ['day', 'week', 'month'];

/** Day / week / month and a date: the period every page shows (kept when switching pages). */
export function PeriodPicker() {
  const { kind, day, setPeriod, formats } = useHq();
  const period = periodOf(kind, day);
  return (
    <>
      <fieldset class="segmented">
        <legend class="sr-only">{t('period.label')}</legend>
        {KINDS.map((k) => (
          <button
            type="button"
            key={k}
            aria-pressed={k === kind}
            class={k === kind ? 'active' : ''}
            data-period={k}
            onClick={() => setPeriod(k, day)}
          >
            {t(`period.${k}`)}
          </button>
        ))}
      </fieldset>
      <label>
        {t('period.date')}
        <input
          type="date"
          name="date"
          value={day}
          onChange={(e) => e.currentTarget.value && setPeriod(kind, e.currentTarget.value)}
        />
      </label>
      <span class="muted range" data-range={`${period.from}/${period.to}`}>
        {t('period.range', { from: formats.day(period.from), to: formats.day(period.to) })}
      </span>
    </>
  );
}
