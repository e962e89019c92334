/**
 * Reports: a day, week or month with the previous period and the same period last year
 * side by side, the breakdown (hours of a day, days of a week or month), and the CSV.
 */
import { useState } from 'preact/hooks';
import { BarChart } from '../../components/BarChart.js';
import { Data, type FigureKind, formatFigure } from '../../components/Figures.js';
import { ErrorBox, Loading } from '../../components/States.js';
import { locale, type MessageKey, t } from '../../i18n/index.js';
import { API, api, query } from '../../lib/api.js';
import { useApp } from '../../lib/context.js';
import { lastYearPeriod, type Period, type PeriodKind, periodOf, previousPeriod } from '../../lib/days.js';
import { useResource } from '../../lib/resource.js';
import { useSignal } from '../../lib/signal.js';
import type { FunnelMetrics, FunnelResult } from '../../lib/types.js';

const KINDS: readonly { kind: PeriodKind; label: MessageKey }[] = [
  { kind: 'day', label: 'reports.day' },
  { kind: 'week', label: 'reports.week' },
  { kind: 'month', label: 'reports.month' },
];
/** A day breaks down by hour, a week or a month by day. */
const BREAKDOWN: Readonly<Record<PeriodKind, string>> = { day: 'hour', week: 'day', month: 'day' };

const ROWS: readonly { key: keyof FunnelMetrics; label: MessageKey; kind: FigureKind }[] = [
  { key: 'passersBy', label: 'metric.passersBy', kind: 'int' },
  { key: 'visitors', label: 'metric.visitors', kind: 'int' },
  { key: 'captureRate', label: 'metric.captureRate', kind: 'percent' },
  { key: 'tryOnSessions', label: 'metric.tryOnSessions', kind: 'int' },
  { key: 'tryOnRate', label: 'metric.tryOnRate', kind: 'percent' },
  { key: 'itemsTried', label: 'metric.itemsTried', kind: 'int' },
  { key: 'transactions', label: 'metric.transactions', kind: 'int' },
  { key: 'conversionRate', label: 'metric.conversionRate', kind: 'percent' },
  { key: 'units', label: 'metric.units', kind: 'int' },
  { key: 'revenue', label: 'metric.revenue', kind: 'money' },
  { key: 'atv', label: 'metric.atv', kind: 'money' },
  { key: 'upt', label: 'metric.upt', kind: 'decimal' },
  { key: 'triedBought', label: 'metric.triedBought', kind: 'int' },
];

function funnel(period: Period, granularity: string): Promise<FunnelResult> {
  return api.get<FunnelResult>(`/funnel${query({ from: period.from, to: period.to, granularity })}`);
}

export function Reports() {
  const { live, store, formats } = useApp();
  const lang = useSignal(locale);
  const [kind, setKind] = useState<PeriodKind>('day');
  const [day, setDay] = useState(store.today);
  const granularity = BREAKDOWN[kind];
  const period = periodOf(kind, day);
  const previous = previousPeriod(kind, period);
  const lastYear = lastYearPeriod(kind, period);

  const data = useResource(
    async () => {
      const [current, before, yearAgo] = await Promise.all([
        funnel(period, granularity),
        funnel(previous, 'day'),
        funnel(lastYear, 'day'),
      ]);
      return { current, before, yearAgo };
    },
    { live, refreshOn: ['fact'], key: `${kind}:${day}` },
  );

  const csvHref = `${API}/export/funnel.csv${query({
    from: period.from,
    to: period.to,
    granularity,
    lang,
  })}`;

  return (
    <>
      <section class="card toolbar" aria-label={t('reports.period')}>
        <fieldset class="segmented">
          <legend class="sr-only">{t('reports.period')}</legend>
          {KINDS.map((k) => (
            <button
              type="button"
              key={k.kind}
              aria-pressed={k.kind === kind}
              class={k.kind === kind ? 'active' : ''}
              data-period={k.kind}
              onClick={() => setKind(k.kind)}
            >
              {t(k.label)}
            </button>
          ))}
        </fieldset>
        <label>
          {t('reports.date')}{' '}
          <input type="date" value={day} onChange={(e) => e.currentTarget.value && setDay(e.currentTarget.value)} />
        </label>
        <span class="muted">
          {t('reports.range', {
            from: formats.day(`${period.from}T12:00:00Z`),
            to: formats.day(`${period.to}T12:00:00Z`),
          })}
        </span>
        <a class="button" href={csvHref} download data-export="csv">
          {t('reports.export')}
        </a>
      </section>
      {data.error ? (
        <ErrorBox message={data.error.message} onRetry={data.reload} />
      ) : !data.data ? (
        <Loading />
      ) : (
        <>
          <section class="card" aria-labelledby="compare-title">
            <h2 id="compare-title">{t('reports.metric')}</h2>
            <div class="scroll">
              <table class="compare">
                <thead>
                  <tr>
                    <th scope="col">{t('reports.metric')}</th>
                    <th scope="col" class="num">
                      {t('reports.current')}
                    </th>
                    <th scope="col" class="num">
                      {t('reports.previous')}
                    </th>
                    <th scope="col" class="num">
                      {t('reports.change')}
                    </th>
                    <th scope="col" class="num">
                      {t('reports.lastYear')}
                    </th>
                    <th scope="col" class="num">
                      {t('reports.change')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {ROWS.map((row) => {
                    const now = data.data?.current.totals[row.key] ?? null;
                    const before = data.data?.before.totals[row.key] ?? null;
                    const yearAgo = data.data?.yearAgo.totals[row.key] ?? null;
                    return (
                      <tr key={row.key} data-metric={row.key}>
                        <th scope="row">{t(row.label)}</th>
                        <td class="num" data-period="current">
                          <Data raw={now}>{formatFigure(row.kind, now, formats)}</Data>
                        </td>
                        <td class="num" data-period="previous">
                          <Data raw={before}>{formatFigure(row.kind, before, formats)}</Data>
                        </td>
                        <td class="num">
                          <Data>{formats.delta(now, before)?.text ?? formats.decimal(null)}</Data>
                        </td>
                        <td class="num" data-period="lastYear">
                          <Data raw={yearAgo}>{formatFigure(row.kind, yearAgo, formats)}</Data>
                        </td>
                        <td class="num">
                          <Data>{formats.delta(now, yearAgo)?.text ?? formats.decimal(null)}</Data>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>
          <section class="card" aria-labelledby="breakdown-title">
            <h2 id="breakdown-title">{t('reports.breakdown')}</h2>
            <BarChart
              labels={data.data.current.buckets.map((b) =>
                kind === 'day' ? formats.time(b.start) : formats.shortDay(b.start),
              )}
              caption={t('reports.breakdown')}
              series={[
                {
                  key: 'visitors',
                  label: t('metric.visitors'),
                  className: 's1',
                  values: data.data.current.buckets.map((b) => b.visitors),
                },
                {
                  key: 'transactions',
                  label: t('metric.transactions'),
                  className: 's3',
                  values: data.data.current.buckets.map((b) => b.transactions),
                },
              ]}
            />
          </section>
        </>
      )}
    </>
  );
}
