/**
 * Overview: live occupancy, today's funnel against the same time on the same weekday last
 * week, the retail KPIs with their definitions, and today's hourly chart. Every figure is
 * exactly what GET /live, GET /funnel and GET /staffing answer (the browser tests compare them).
 */
import { BarChart } from '../../components/BarChart.js';
import { Data, type FigureKind, formatFigure, Kpi } from '../../components/Figures.js';
import { FunnelView } from '../../components/Funnel.js';
import { ErrorBox, Loading } from '../../components/States.js';
import { type MessageKey, t } from '../../i18n/index.js';
import { api, query } from '../../lib/api.js';
import { useApp } from '../../lib/context.js';
import { addDays } from '../../lib/days.js';
import { useResource } from '../../lib/resource.js';
import type { FunnelBucket, FunnelMetrics, FunnelResult, LiveSnapshot } from '../../lib/types.js';
import { StaffingNow, StaffingUnknownNote, useStaffing } from './Staffing.js';

const FACTS = ['fact'];

interface TileSpec {
  readonly metric: keyof FunnelMetrics;
  readonly label: MessageKey;
  readonly kind: FigureKind;
  readonly definition?: MessageKey;
}

/** Today's counts, each against the same time on the same weekday last week. */
const TODAY: readonly TileSpec[] = [
  { metric: 'passersBy', label: 'metric.passersBy', kind: 'int' },
  { metric: 'visitors', label: 'metric.visitors', kind: 'int', definition: 'def.visitors' },
  { metric: 'tryOnSessions', label: 'metric.tryOnSessions', kind: 'int', definition: 'def.tryOnSessions' },
  { metric: 'itemsTried', label: 'metric.itemsTried', kind: 'int' },
  { metric: 'transactions', label: 'metric.transactions', kind: 'int' },
  { metric: 'units', label: 'metric.units', kind: 'int' },
  { metric: 'revenue', label: 'metric.revenue', kind: 'money' },
  { metric: 'triedBought', label: 'metric.triedBought', kind: 'int', definition: 'def.triedBought' },
];
const DWELL: TileSpec = {
  metric: 'estimatedDwellMinutes',
  label: 'metric.dwell',
  kind: 'minutes',
  definition: 'def.dwell',
};
/** The KPIs managers know by name (DESIGN "Definitions"). */
const KPIS: readonly TileSpec[] = [
  { metric: 'captureRate', label: 'metric.captureRate', kind: 'percent', definition: 'def.captureRate' },
  { metric: 'tryOnRate', label: 'metric.tryOnRate', kind: 'percent', definition: 'def.tryOnRate' },
  { metric: 'conversionRate', label: 'metric.conversionRate', kind: 'percent', definition: 'def.conversionRate' },
  { metric: 'atv', label: 'metric.atv', kind: 'money', definition: 'def.atv' },
  { metric: 'upt', label: 'metric.upt', kind: 'decimal', definition: 'def.upt' },
];

export function Overview() {
  const { live, store, formats } = useApp();
  const snapshot = useResource(() => api.get<LiveSnapshot>('/live'), { live, refreshOn: FACTS });
  const hourly = useResource(() => api.get<FunnelResult>(`/funnel${query({ granularity: 'hour' })}`), {
    live,
    refreshOn: FACTS,
  });
  const staffing = useStaffing();

  if (snapshot.error) return <ErrorBox error={snapshot.error} onRetry={snapshot.reload} />;
  if (!snapshot.data) return <Loading />;
  const { today, sameTimeLastWeek: week } = snapshot.data;
  // The one comparison rule (docs/decisions.md), stated where the figures are.
  const lastWeekDay = addDays(store.today, -7);
  const comparedWith = t('compare.periodUntil', {
    range: formats.weekday(`${lastWeekDay}T12:00:00Z`),
    time: formats.time(snapshot.data.at),
    rule: t('compare.rule.sameWeekdayLastWeek'),
  });
  const tile = (spec: TileSpec, compare = true) => (
    <Kpi
      key={spec.metric}
      metric={spec.metric}
      label={spec.label}
      kind={spec.kind}
      value={today[spec.metric]}
      {...(spec.definition ? { definition: spec.definition } : {})}
      {...(compare ? { before: week[spec.metric] } : {})}
    />
  );
  return (
    <div class="overview" data-as-of={snapshot.data.at}>
      <section aria-labelledby="today-title">
        <h2 id="today-title">{t('overview.title')}</h2>
        <p class="muted compare-note" data-compare-note="">
          {t('overview.comparedWith', { period: comparedWith })}
        </p>
        <div class="grid kpis">
          <Kpi
            metric="occupancy"
            label="metric.occupancy"
            definition="def.occupancy"
            kind="int"
            value={snapshot.data.occupancy}
          />
          <StaffingNow staffing={staffing.data} />
          {TODAY.map((spec) => tile(spec))}
          {tile(DWELL, false)}
        </div>
        <StaffingUnknownNote staffing={staffing.data} />
      </section>
      <section aria-labelledby="funnel-title" class="card">
        <h2 id="funnel-title">{t('funnel.title')}</h2>
        <FunnelView now={today} before={week} beforeLabel={t('funnel.before')} />
      </section>
      <section aria-labelledby="kpi-title">
        <h2 id="kpi-title">{t('overview.kpis')}</h2>
        <div class="grid kpis">{KPIS.map((spec) => tile(spec))}</div>
      </section>
      <section aria-labelledby="hourly-title" class="card">
        <h2 id="hourly-title">{t('overview.hourly')}</h2>
        {hourly.data ? <Hourly buckets={openHours(hourly.data.buckets, snapshot.data.at)} /> : <Loading />}
      </section>
    </div>
  );
}

/** The hours worth showing: from the first hour with activity to the current hour. */
function openHours(buckets: readonly FunnelBucket[], at: string): readonly FunnelBucket[] {
  const active = (b: FunnelBucket) => b.visitors + b.passersBy + b.tryOnSessions + b.transactions > 0;
  const first = buckets.findIndex(active);
  if (first < 0) return [];
  const now = Date.parse(at);
  let last = buckets.length - 1;
  while (last > first && Date.parse(buckets[last]?.start ?? '') > now && !active(buckets[last] as FunnelBucket)) last--;
  return buckets.slice(first, last + 1);
}

/** The hourly table: the funnel per hour, counts and the rate of each step. */
const HOURLY: readonly TileSpec[] = [
  { metric: 'passersBy', label: 'metric.passersBy', kind: 'int' },
  { metric: 'visitors', label: 'metric.visitors', kind: 'int' },
  { metric: 'captureRate', label: 'metric.captureRate', kind: 'percent' },
  { metric: 'tryOnSessions', label: 'metric.tryOnSessions', kind: 'int' },
  { metric: 'tryOnRate', label: 'metric.tryOnRate', kind: 'percent' },
  { metric: 'transactions', label: 'metric.transactions', kind: 'int' },
  { metric: 'conversionRate', label: 'metric.conversionRate', kind: 'percent' },
  { metric: 'revenue', label: 'metric.revenue', kind: 'money' },
];

function Hourly(props: { buckets: readonly FunnelBucket[] }) {
  const { formats } = useApp();
  if (props.buckets.length === 0) return <p class="muted">{t('app.empty')}</p>;
  const labels = props.buckets.map((b) => formats.time(b.start));
  return (
    <>
      <BarChart
        labels={labels}
        caption={t('overview.hourlyCaption')}
        series={[
          {
            key: 'visitors',
            label: t('metric.visitors'),
            className: 's1',
            values: props.buckets.map((b) => b.visitors),
          },
          {
            key: 'tryOnSessions',
            label: t('metric.tryOnSessions'),
            className: 's2',
            values: props.buckets.map((b) => b.tryOnSessions),
          },
          {
            key: 'transactions',
            label: t('metric.transactions'),
            className: 's3',
            values: props.buckets.map((b) => b.transactions),
          },
        ]}
      />
      <div class="scroll">
        <table class="hourly-table compact">
          <caption class="sr-only">{t('overview.hourlyCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('overview.hour')}</th>
              {HOURLY.map((c) => (
                <th scope="col" class="num" key={c.metric}>
                  {t(c.label)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.buckets.map((b, i) => (
              <tr key={b.start} data-hour={b.start}>
                <th scope="row">
                  <Data>{labels[i]}</Data>
                </th>
                {HOURLY.map((c) => (
                  <td class="num" data-metric={c.metric} key={c.metric}>
                    <Data raw={b[c.metric]}>{formatFigure(c.kind, b[c.metric], formats)}</Data>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
