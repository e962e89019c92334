/**
 * Reports: a day, week or month with the previous period (环比) and the same period last
 * year (同比) side by side, the breakdown (hours of a day, days of a week or month), and
 * the CSV. The comparison periods come from the gateway (GET /funnel?compare=…), by the
 * one rule the Overview uses too: like with like, up to the same time of day while the
 * period is still running; the screen says which days were compared.
 */
import { useState } from 'preact/hooks';
import { BarChart } from '../../components/BarChart.js';
import { Change, Data, type FigureKind, formatFigure } from '../../components/Figures.js';
import { ErrorBox, Loading } from '../../components/States.js';
import { locale, type MessageKey, t } from '../../i18n/index.js';
import { API, api, query } from '../../lib/api.js';
import { useApp } from '../../lib/context.js';
import { type Period, type PeriodKind, periodOf } from '../../lib/days.js';
import { useResource } from '../../lib/resource.js';
import { useSignal } from '../../lib/signal.js';
import type { CompareResult, ComparisonPeriod, FunnelMetrics } from '../../lib/types.js';
import { StaffingReport } from './Staffing.js';

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

function funnel(period: Period, granularity: string): Promise<CompareResult> {
  return api.get<CompareResult>(
    `/funnel${query({ from: period.from, to: period.to, granularity, compare: 'previous,lastYear' })}`,
  );
}

export function Reports() {
  const { live, store, formats, user } = useApp();
  const lang = useSignal(locale);
  const [kind, setKind] = useState<PeriodKind>('day');
  const [day, setDay] = useState(store.today);
  const [openHours, setOpenHours] = useState(true);
  const granularity = BREAKDOWN[kind];
  const period = periodOf(kind, day);

  const data = useResource(
    async () => {
      const current = await funnel(period, granularity);
      return { current, before: current.comparisons.previous, yearAgo: current.comparisons.lastYear };
    },
    { live, refreshOn: ['fact'], key: `${kind}:${day}` },
  );

  const csvHref = `${API}/export/funnel.csv${query({
    from: period.from,
    to: period.to,
    granularity,
    lang,
    compare: 'previous,lastYear',
    hours: openHours && kind === 'day' ? 'open' : undefined,
  })}`;
  // The CSV export is for managers (gateway/infra/auth/roles.ts): others do not see the button.
  const mayExport = user.role === 'manager';
  const describe = (c: ComparisonPeriod | undefined) => {
    if (!c) return formats.decimal(null);
    const range =
      c.fromDay === c.toDay
        ? formats.weekday(`${c.fromDay}T12:00:00Z`)
        : t('reports.range', {
            from: formats.day(`${c.fromDay}T12:00:00Z`),
            to: formats.day(`${c.toDay}T12:00:00Z`),
          });
    const rule = t(`compare.rule.${c.rule}`);
    return data.data?.current.asOf
      ? t('compare.periodUntil', { range, time: formats.time(data.data.current.asOf), rule })
      : t('compare.period', { range, rule });
  };

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
        {mayExport && (
          <span class="export">
            {kind === 'day' && (
              <label class="check">
                <input
                  type="checkbox"
                  checked={openHours}
                  data-open-hours=""
                  onChange={(e) => setOpenHours(e.currentTarget.checked)}
                />
                {t('reports.openHours')}
              </label>
            )}
            <a class="button" href={csvHref} download data-export="csv" title={t('reports.exportNote')}>
              {t('reports.export')}
            </a>
          </span>
        )}
      </section>
      {data.error ? (
        <ErrorBox error={data.error} onRetry={data.reload} />
      ) : !data.data ? (
        <Loading />
      ) : (
        <>
          <section class="card" aria-labelledby="compare-title">
            <h2 id="compare-title">{t('reports.metric')}</h2>
            <p class="muted compare-note" data-compare-note="">
              <span data-compare="previous">{t('reports.previousIs', { period: describe(data.data.before) })}</span>{' '}
              <span data-compare="lastYear">{t('reports.lastYearIs', { period: describe(data.data.yearAgo) })}</span>
            </p>
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
                      {t('reports.changePrevious')}
                    </th>
                    <th scope="col" class="num">
                      {t('reports.lastYear')}
                    </th>
                    <th scope="col" class="num">
                      {t('reports.changeLastYear')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {ROWS.map((row) => {
                    const now = data.data?.current.totals[row.key] ?? null;
                    const before = data.data?.before?.totals[row.key] ?? null;
                    const yearAgo = data.data?.yearAgo?.totals[row.key] ?? null;
                    return (
                      <tr key={row.key} data-metric={row.key}>
                        <th scope="row">{t(row.label)}</th>
                        <td class="num" data-period="current">
                          <Data raw={now}>{formatFigure(row.kind, now, formats)}</Data>
                        </td>
                        <td class="num" data-period="previous">
                          <Data raw={before}>{formatFigure(row.kind, before, formats)}</Data>
                        </td>
                        <td class="num" data-change="previous">
                          <Change kind={row.kind} now={now} before={before} />
                        </td>
                        <td class="num" data-period="lastYear">
                          <Data raw={yearAgo}>{formatFigure(row.kind, yearAgo, formats)}</Data>
                        </td>
                        <td class="num" data-change="lastYear">
                          <Change kind={row.kind} now={now} before={yearAgo} />
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
          {kind === 'day' && <StaffingReport day={day} />}
        </>
      )}
    </>
  );
}
