/**
 * Staffing on screen (GET /staffing): the Overview's live "shoppers per associate" tiles
 * and the Reports' per-hour staffing and VIP-service table. Every figure is the API's;
 * unknown (no staff badge read that day) is said in words, never shown as 0.
 */
import { Data, Kpi, NumCell } from '../../components/Figures.js';
import { ErrorBox, Loading } from '../../components/States.js';
import { t } from '../../i18n/index.js';
import { api, query } from '../../lib/api.js';
import { useApp } from '../../lib/context.js';
import { useResource } from '../../lib/resource.js';
import type { StaffingBucket, StaffingResult } from '../../lib/types.js';

/** Facts move staff and shoppers; acks move the VIP figures. */
const REFRESH = ['fact', 'vip.arrival', 'vip.ack'];

export function useStaffing(day?: string) {
  const { live } = useApp();
  return useResource(() => api.get<StaffingResult>(`/staffing${query({ from: day, to: day, granularity: 'hour' })}`), {
    live,
    refreshOn: REFRESH,
    key: day ?? 'today',
  });
}

/** Overview: staff on the floor and shoppers per associate, now. */
export function StaffingNow(props: { staffing: StaffingResult | undefined }) {
  const now = props.staffing?.now;
  if (!now) return null;
  return (
    <>
      <Kpi
        metric="staffOnFloor"
        label="metric.staffOnFloor"
        definition="def.staffOnFloor"
        kind="int"
        value={now.staffOnFloor}
      />
      <Kpi
        metric="shoppersPerAssociate"
        label="metric.shoppersPerAssociate"
        definition="def.shoppersPerAssociate"
        kind="decimal"
        value={now.shoppersPerAssociate}
      />
    </>
  );
}

export function StaffingUnknownNote(props: { staffing: StaffingResult | undefined }) {
  if (props.staffing?.now.staffOnFloor !== null) return null;
  return (
    <p class="muted" data-staffing-unknown="">
      {t('staffing.unknownToday')}
    </p>
  );
}

/** Hours worth a row: someone on the floor, a visitor or a VIP alert. */
function activeHours(buckets: readonly StaffingBucket[]): readonly StaffingBucket[] {
  return buckets.filter((b) => (b.staffOnFloor ?? 0) > 0 || b.visitors > 0 || b.vipAlerts > 0);
}

/** Reports (a day): per hour, staff on the floor against visitors, conversion and VIP service. */
export function StaffingReport(props: { day: string }) {
  const { formats } = useApp();
  const staffing = useStaffing(props.day);
  const duration = (seconds: number | null) => formats.duration(seconds === null ? null : seconds * 1000);
  const seconds = (value: number | null) => (
    <td class="num">
      <Data raw={value}>{duration(value)}</Data>
    </td>
  );
  const body = () => {
    if (staffing.error) return <ErrorBox error={staffing.error} onRetry={staffing.reload} />;
    if (!staffing.data) return <Loading />;
    const { buckets, totals } = staffing.data;
    const rows = activeHours(buckets);
    return (
      <>
        {totals.associateHours === null && (
          <p class="muted" data-staffing-unknown="">
            {t('staffing.unknownDay')}
          </p>
        )}
        {totals.openPresences > 0 && (
          <p class="muted" data-open-presences={totals.openPresences}>
            {t('staffing.openPresences', { count: totals.openPresences })}
          </p>
        )}
        {rows.length === 0 ? (
          <p class="muted">{t('app.empty')}</p>
        ) : (
          <div class="scroll">
            <table class="compact staffing-table">
              <caption class="sr-only">{t('staffing.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('overview.hour')}</th>
                  <th scope="col" class="num">
                    {t('metric.staffOnFloor')}
                  </th>
                  <th scope="col" class="num">
                    {t('metric.visitors')}
                  </th>
                  <th scope="col" class="num">
                    {t('staffing.perHour')}
                  </th>
                  <th scope="col" class="num">
                    {t('metric.conversionRate')}
                  </th>
                  <th scope="col" class="num">
                    {t('staffing.vipAlerts')}
                  </th>
                  <th scope="col" class="num">
                    {t('staffing.vipAcked')}
                  </th>
                  <th scope="col" class="num">
                    {t('staffing.vipUnattended')}
                  </th>
                  <th scope="col" class="num">
                    {t('staffing.vipResponse')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((b) => (
                  <tr key={b.start} data-hour={b.start}>
                    <th scope="row">
                      <Data>{formats.time(b.start)}</Data>
                    </th>
                    <NumCell value={b.staffOnFloor} kind="decimal" />
                    <NumCell value={b.visitors} />
                    <NumCell value={b.shoppersPerAssociate} kind="decimal" />
                    <NumCell value={b.conversionRate} kind="percent" />
                    <NumCell value={b.vipAlerts} />
                    <NumCell value={b.vipAcked} />
                    <NumCell value={b.vipUnattended} {...(b.vipUnattended > 0 ? { class: 'warn' } : {})} />
                    {seconds(b.vipResponseSeconds)}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <dl class="staffing-totals" data-staffing-totals="">
          {(
            [
              ['staffing.associateHours', totals.associateHours, formats.decimal(totals.associateHours, 2)],
              [
                'staffing.visitorsPerAssociateHour',
                totals.visitorsPerAssociateHour,
                formats.decimal(totals.visitorsPerAssociateHour, 2),
              ],
              ['staffing.vipUnattended', totals.vipUnattended, formats.int(totals.vipUnattended)],
              ['staffing.vipResponse', totals.vipResponseSeconds, duration(totals.vipResponseSeconds)],
            ] as const
          ).map(([label, raw, text]) => (
            <div key={label}>
              <dt>{t(label)}</dt>
              <dd>
                <Data raw={raw}>{text}</Data>
              </dd>
            </div>
          ))}
        </dl>
      </>
    );
  };
  return (
    <section class="card" aria-labelledby="staffing-title" data-staffing-report="">
      <h2 id="staffing-title">{t('staffing.title')}</h2>
      <p class="muted">{t('staffing.rule')}</p>
      {body()}
    </section>
  );
}
