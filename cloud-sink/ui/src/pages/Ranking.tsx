/**
 * Stores ranked by a metric (GET /api/v1/ranking) over the chosen day, week or month in
 * HQ's zone, with every store's key figures, its data status (stale: no health report for
 * 30 minutes) and the CSV of all stores day by day (GET /api/v1/export/funnel.csv).
 */
import { useState } from 'preact/hooks';
import { Data, ErrorBox, Figure, Loading, PeriodPicker, StoreStatus } from '../components.js';
import { locale, type MessageKey, t } from '../i18n/index.js';
import { api, query } from '../lib/api.js';
import { freshness, useHq } from '../lib/context.js';
import { periodOf } from '../lib/days.js';
import { errorText } from '../lib/errors.js';
import type { FigureKind } from '../lib/format.js';
import { useLoad } from '../lib/load.js';
import { useSignal } from '../lib/signal.js';
import type { FunnelMetrics, Ranking as RankingData } from '../lib/types.js';

type RankMetric = 'captureRate' | 'tryOnRate' | 'conversionRate' | 'atv' | 'upt' | 'visitors' | 'revenue';

/** The table's columns, in order; the first seven can rank. */
const COLUMNS: readonly { key: keyof FunnelMetrics; label: MessageKey; kind: FigureKind; def?: MessageKey }[] = [
  { key: 'visitors', label: 'metric.visitors', kind: 'int' },
  { key: 'captureRate', label: 'metric.captureRate', kind: 'percent', def: 'def.captureRate' },
  { key: 'tryOnRate', label: 'metric.tryOnRate', kind: 'percent', def: 'def.tryOnRate' },
  { key: 'conversionRate', label: 'metric.conversionRate', kind: 'percent', def: 'def.conversionRate' },
  { key: 'atv', label: 'metric.atv', kind: 'money', def: 'def.atv' },
  { key: 'upt', label: 'metric.upt', kind: 'decimal', def: 'def.upt' },
  { key: 'revenue', label: 'metric.revenue', kind: 'money' },
];
const RANK_BY: readonly RankMetric[] = [
  'captureRate',
  'tryOnRate',
  'conversionRate',
  'atv',
  'upt',
  'visitors',
  'revenue',
];

export function Ranking() {
  const { kind, day, stores, serverNow, about } = useHq();
  const lang = useSignal(locale);
  const [metric, setMetric] = useState<RankMetric>('conversionRate');
  const [exportError, setExportError] = useState<unknown>(undefined);
  const period = periodOf(kind, day);
  const range = { from: period.from, to: period.to };
  const data = useLoad(
    () => api.get<RankingData>(`/ranking${query({ ...range, metric, order: 'desc', limit: 1000 })}`),
    `${range.from}/${range.to}/${metric}`,
  );
  const byId = new Map(stores.map((s) => [s.id, s]));
  const now = serverNow();
  const fresh = stores.filter((s) => freshness(s, now) === 'fresh').length;
  const metricLabel = t(COLUMNS.find((c) => c.key === metric)?.label ?? 'metric.visitors');

  const download = async () => {
    setExportError(undefined);
    try {
      await api.download(
        `/export/funnel.csv${query({ ...range, granularity: 'day', groupBy: 'store', lang })}`,
        `hq-funnel-${range.from}_${range.to}.csv`,
      );
    } catch (err) {
      setExportError(err);
    }
  };

  return (
    <>
      <section class="card toolbar" aria-label={t('period.label')}>
        <PeriodPicker />
        <label>
          {t('ranking.rankBy')}
          <select
            name="metric"
            value={metric}
            onChange={(e) => setMetric(e.currentTarget.value as RankMetric)}
            data-rank-by=""
          >
            {RANK_BY.map((m) => (
              <option key={m} value={m}>
                {t(COLUMNS.find((c) => c.key === m)?.label ?? 'metric.visitors')}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          class="export"
          onClick={() => void download()}
          data-export="csv"
          title={t('ranking.exportNote')}
        >
          {t('ranking.export')}
        </button>
        {exportError !== undefined && (
          <p class="error" role="alert">
            {errorText(exportError)}
          </p>
        )}
      </section>
      <p class="muted" data-freshness-summary="">
        {t('status.summary', { fresh, total: stores.length, minutes: 30 })}{' '}
        {t('ranking.zone', { zone: about.timezone })}
      </p>
      {data.error !== undefined ? (
        <ErrorBox error={data.error} onRetry={data.reload} />
      ) : !data.data ? (
        <Loading />
      ) : data.data.ranking.length === 0 ? (
        <p class="card muted">{t('ranking.empty')}</p>
      ) : (
        <section class="card">
          <div class="scroll">
            <table class="ranking" data-ranking={data.data.metric} data-loading-more={data.loading ? '' : undefined}>
              <caption class="sr-only">{t('ranking.table', { metric: metricLabel })}</caption>
              <thead>
                <tr>
                  <th scope="col" class="num">
                    {t('ranking.rank')}
                  </th>
                  <th scope="col">{t('ranking.store')}</th>
                  <th scope="col" class="hide-narrow">
                    {t('ranking.region')}
                  </th>
                  {COLUMNS.map((c) => (
                    <th
                      scope="col"
                      class={`num${c.key === metric ? ' sorted' : ''}`}
                      key={c.key}
                      aria-sort={c.key === metric ? 'descending' : undefined}
                      title={c.def ? t(c.def) : undefined}
                    >
                      {t(c.label)}
                    </th>
                  ))}
                  <th scope="col" class="hide-narrow">
                    {t('ranking.status')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.data.ranking.map((entry) => {
                  const info = byId.get(entry.store);
                  const state = info ? freshness(info, now) : 'never';
                  return (
                    <tr key={entry.store} data-store={entry.store} data-freshness={state}>
                      <td class="num" data-rank="">
                        <Data raw={entry.rank}>{entry.rank}</Data>
                      </td>
                      <th scope="row">
                        <a href={`#/store/${encodeURIComponent(entry.store)}`}>
                          <Data>{entry.name ?? entry.store}</Data>
                        </a>
                        {entry.name && (
                          <span class="muted store-id">
                            {' '}
                            <Data>{entry.store}</Data>
                          </span>
                        )}
                        {/* On a phone the status column is off screen: the flag goes under the name. */}
                        {state !== 'fresh' && (
                          <span class={`show-narrow status status-${state}`}>
                            <span class="badge">{t(`status.${state}`)}</span>
                          </span>
                        )}
                      </th>
                      <td class="hide-narrow">
                        <Data>{entry.region}</Data>
                      </td>
                      {COLUMNS.map((c) => (
                        <td class={`num${c.key === metric ? ' sorted' : ''}`} key={c.key} data-metric={c.key}>
                          <Figure kind={c.kind} value={entry.totals[c.key]} currency={info?.currency ?? null} />
                        </td>
                      ))}
                      <td class="hide-narrow">
                        <StoreStatus store={info} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
