/**
 * The funnel 过店 → 进店 → 试穿 → 成交 (passers-by → visitors → try-on sessions →
 * transactions) with the rate of each step against the comparison period. Rates are the
 * API's own (DESIGN "Definitions": conversion is transactions ÷ visitors), never
 * recomputed here. The weakest step is the rate that fell most against the comparison
 * (relative change); without a comparison, the lowest rate.
 */
import { type MessageKey, t } from '../i18n/index.js';
import { useApp } from '../lib/context.js';
import type { FunnelMetrics } from '../lib/types.js';
import { Change, Data } from './Figures.js';

const STAGES: readonly { key: 'passersBy' | 'visitors' | 'tryOnSessions' | 'transactions'; label: MessageKey }[] = [
  { key: 'passersBy', label: 'funnel.stage.passersBy' },
  { key: 'visitors', label: 'funnel.stage.visitors' },
  { key: 'tryOnSessions', label: 'funnel.stage.tryOn' },
  { key: 'transactions', label: 'funnel.stage.transactions' },
];
export const STEPS: readonly {
  key: 'captureRate' | 'tryOnRate' | 'conversionRate';
  label: MessageKey;
  definition: MessageKey;
}[] = [
  { key: 'captureRate', label: 'metric.captureRate', definition: 'def.captureRate' },
  { key: 'tryOnRate', label: 'metric.tryOnRate', definition: 'def.tryOnRate' },
  { key: 'conversionRate', label: 'metric.conversionRate', definition: 'def.conversionRate' },
];

export function weakestStep(now: FunnelMetrics, before: FunnelMetrics | null): string | undefined {
  let weakest: string | undefined;
  let worst = Number.POSITIVE_INFINITY;
  for (const step of STEPS) {
    const rate = now[step.key];
    const was = before?.[step.key] ?? null;
    if (rate === null) continue;
    const score = was !== null && was > 0 ? rate / was - 1 : before === null ? rate : Number.POSITIVE_INFINITY;
    if (score < worst) {
      worst = score;
      weakest = step.key;
    }
  }
  if (weakest === undefined && before !== null) return weakestStep(now, null);
  return weakest;
}

export function FunnelView(props: { now: FunnelMetrics; before: FunnelMetrics | null; beforeLabel: string }) {
  const { formats } = useApp();
  const { now, before } = props;
  const weakest = weakestStep(now, before);
  return (
    <figure class="funnel" data-funnel="">
      <ol class="funnel-flow">
        {STAGES.map((stage, i) => {
          const step = i > 0 ? STEPS[i - 1] : undefined;
          return [
            step && (
              <li
                key={step.key}
                class={`funnel-step${step.key === weakest ? ' weakest' : ''}`}
                data-step={step.key}
                data-weakest={step.key === weakest ? '' : undefined}
              >
                <span class="funnel-arrow" aria-hidden="true">
                  →
                </span>
                <span class="funnel-step-label" title={t(step.definition)}>
                  {t(step.label)}
                </span>
                <strong class="funnel-rate">
                  <Data raw={now[step.key]}>{formats.percent(now[step.key])}</Data>
                </strong>
                <span class="funnel-change">
                  <Change kind="percent" now={now[step.key]} before={before?.[step.key] ?? null} />{' '}
                  <span class="muted" data-before="">
                    ({props.beforeLabel}{' '}
                    <Data raw={before?.[step.key] ?? null}>{formats.percent(before?.[step.key] ?? null)}</Data>)
                  </span>
                </span>
                {step.key === weakest && <span class="badge">{t('funnel.weakest')}</span>}
              </li>
            ),
            <li key={stage.key} class="funnel-stage" data-stage={stage.key}>
              <span class="funnel-stage-label">{t(stage.label)}</span>
              <strong class="funnel-count">
                <Data raw={now[stage.key]}>{formats.int(now[stage.key])}</Data>
              </strong>
              <span class="funnel-change">
                <Change kind="int" now={now[stage.key]} before={before?.[stage.key] ?? null} />
              </span>
            </li>,
          ];
        })}
      </ol>
      <figcaption class="muted">{t('funnel.weakestHow')}</figcaption>
    </figure>
  );
}
