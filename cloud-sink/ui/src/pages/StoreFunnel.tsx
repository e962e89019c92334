/**
 * One store's funnel (GET /api/v1/stores/{id}/funnel, periods in the store's own zone) for a
 * day, week or month against the previous period (环比) and the same period last year (同比:
 * 52 weeks back for days and weeks, so weekdays line up; a calendar year for months), and
 * its breakdown (hours of a day, days of a week or month). Whole periods are compared.
 */
import { Change, Data, ErrorBox, Figure, Loading, PeriodPicker, StoreStatus, storeLabel } from '../components.js';
import { type MessageKey, t } from '../i18n/index.js';
import { api, query } from '../lib/api.js';
import { useHq } from '../lib/context.js';
import { BREAKDOWN, lastYearPeriod, type Period, periodOf, previousPeriod } from '../lib/days.js';
import type { FigureKind } from '../lib/format.js';
import { useLoad } from '../lib/load.js';
import type { FunnelMetrics, StoreFunnel as StoreFunnelData } from '../lib/types.js';

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

function funnel(id: string, period: Period, granularity: string): Promise<StoreFunnelData> {
  return api.get<StoreFunnelData>(
    `/stores/${encodeURIComponent(id)}/funnel${query({ from: period.from, to: period.to, granularity })}`,
  );
}

export function StoreFunnel(props: { storeId: string | undefined }) {
  const { stores, kind, day, formats, about } = useHq();
  const id = props.storeId;
  const store = stores.find((s) => s.id === id);
  const period = periodOf(kind, day);
  const previous = previousPeriod(kind, period);
  const lastYear = lastYearPeriod(kind, period);
  const granularity = BREAKDOWN[kind];
  const data = useLoad(async () => {
    if (id === undefined) return undefined;
    const [current, before, yearAgo] = await Promise.all([
      funnel(id, period, granularity),
      funnel(id, previous, 'day'),
      funnel(id, lastYear, 'day'),
    ]);
    return { current, before, yearAgo };
  }, `${id}/${kind}/${day}`);
  const currency = store?.currency ?? null;
  const range = (p: Period) =>
    p.from === p.to ? formats.day(p.from) : t('period.range', { from: formats.day(p.from), to: formats.day(p.to) });
  const running = period.from <= about.today && about.today <= period.to;

  if (stores.length === 0) return <p class="card muted">{t('store.none')}</p>;
  return (
    <>
      <section class="card toolbar" aria-label={t('period.label')}>
        <label>
          {t('store.pick')}
          <select
            name="store"
            value={id}
            data-store-pick=""
            onChange={(e) => {
              location.hash = `#/store/${encodeURIComponent(e.currentTarget.value)}`;
            }}
          >
            {stores.map((s) => (
              <option key={s.id} value={s.id} data-content="">
                {storeLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <PeriodPicker />
        <StoreStatus store={store} />
      </section>
      {data.error !== undefined ? (
        <ErrorBox error={data.error} onRetry={data.reload} />
      ) : !data.data ? (
        <Loading />
      ) : (
        <>
          <section class="card" aria-labelledby="compare-title" data-funnel-store={id}>
            <h2 id="compare-title">
              <Data>{store ? storeLabel(store) : id}</Data>
            </h2>
            <p class="muted compare-note">
              {t('store.compared', { previous: range(previous), lastYear: range(lastYear) })}{' '}
              {running && t('store.running')} {t('store.zone', { zone: data.data.current.timezone })}
            </p>
            <div class="scroll">
              <table class="compare">
                <thead>
                  <tr>
                    <th scope="col">{t('store.metric')}</th>
                    <th scope="col" class="num">
                      {t('store.current')}
                    </th>
                    <th scope="col" class="num">
                      {t('store.previous')}
                    </th>
                    <th scope="col" class="num">
                      {t('store.changePrevious')}
                    </th>
                    <th scope="col" class="num">
                      {t('store.lastYear')}
                    </th>
                    <th scope="col" class="num">
                      {t('store.changeLastYear')}
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
                          <Figure kind={row.kind} value={now} currency={currency} />
                        </td>
                        <td class="num" data-period="previous">
                          <Figure kind={row.kind} value={before} currency={currency} />
                        </td>
                        <td class="num" data-change="previous">
                          <Change kind={row.kind} now={now} before={before} />
                        </td>
                        <td class="num" data-period="lastYear">
                          <Figure kind={row.kind} value={yearAgo} currency={currency} />
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
          <Breakdown data={data.data.current} hourly={granularity === 'hour'} currency={currency} />
        </>
      )}
    </>
  );
}

function Breakdown(props: { data: StoreFunnelData; hourly: boolean; currency: string | null }) {
  const { formats } = useHq();
  // Hours with no one in them (the night) are left out of a day; every day of a week or month shows.
  const buckets = props.hourly
    ? props.data.buckets.filter((b) => b.visitors > 0 || b.passersBy > 0 || b.transactions > 0)
    : props.data.buckets;
  const most = Math.max(1, ...buckets.map((b) => b.visitors));
  return (
    <section class="card" aria-labelledby="breakdown-title">
      <h2 id="breakdown-title">{t('store.breakdown')}</h2>
      <div class="scroll">
        <table class="breakdown">
          <thead>
            <tr>
              <th scope="col">{t('store.when')}</th>
              <th scope="col" class="num">
                {t('metric.visitors')}
              </th>
              <th scope="col" class="num hide-narrow">
                {t('metric.tryOnSessions')}
              </th>
              <th scope="col" class="num">
                {t('metric.transactions')}
              </th>
              <th scope="col" class="num">
                {t('metric.conversionRate')}
              </th>
              <th scope="col" class="num hide-narrow">
                {t('metric.revenue')}
              </th>
            </tr>
          </thead>
          <tbody>
            {buckets.map((b) => (
              <tr key={b.start} data-bucket={b.start}>
                <th scope="row">
                  <Data>{formats.when(b.start, props.data.timezone, props.hourly)}</Data>
                </th>
                <td class="num bar-cell">
                  <span class="bar" aria-hidden="true" style={{ width: `${(b.visitors / most) * 60}%` }} />
                  <Figure kind="int" value={b.visitors} />
                </td>
                <td class="num hide-narrow">
                  <Figure kind="int" value={b.tryOnSessions} />
                </td>
                <td class="num">
                  <Figure kind="int" value={b.transactions} />
                </td>
                <td class="num">
                  <Figure kind="percent" value={b.conversionRate} />
                </td>
                <td class="num hide-narrow">
                  <Figure kind="money" value={b.revenue} currency={props.currency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
