/**
 * Fitting-room assistance over the last 7 days: per day, the try-on sessions staff assisted
 * (took the card) and those they did not, and how many of each ended in a purchase. The
 * figures are the API's (GET /fitting-rooms/assistance), never recomputed here.
 */
import { Data, NumCell } from '../../components/Figures.js';
import { ErrorBox, Loading } from '../../components/States.js';
import { t } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import { useApp } from '../../lib/context.js';
import { addDays } from '../../lib/days.js';
import { useResource } from '../../lib/resource.js';
import type { AssistancePeriod } from '../../lib/types.js';

const REFRESH_ON = ['fact', 'assist.ack'];

export function RoomAssistance() {
  const { live, store, formats } = useApp();
  const from = addDays(store.today, -6);
  const report = useResource(
    () =>
      api.get<{ periods: readonly AssistancePeriod[]; total: AssistancePeriod }>(
        `/fitting-rooms/assistance?from=${from}&to=${store.today}&granularity=day`,
      ),
    { live, refreshOn: REFRESH_ON, key: from },
  );
  const row = (key: string, label: preact.ComponentChildren, p: AssistancePeriod) => (
    <tr key={key} data-assist-day={key}>
      <th scope="row">{label}</th>
      <NumCell value={p.sessions} />
      <NumCell value={p.cards} />
      <NumCell value={p.assisted} />
      <NumCell value={p.assistedConversion} kind="percent" class="assisted-conversion" />
      <NumCell value={p.unassisted} />
      <NumCell value={p.unassistedConversion} kind="percent" class="unassisted-conversion" />
    </tr>
  );
  return (
    <section class="card" aria-labelledby="assist-report-title">
      <h2 id="assist-report-title">{t('assist.report')}</h2>
      {report.error ? (
        <ErrorBox error={report.error} onRetry={report.reload} />
      ) : !report.data ? (
        <Loading />
      ) : (
        <>
          <div class="scroll">
            <table class="assist-report">
              <thead>
                <tr>
                  <th scope="col">{t('assist.day')}</th>
                  <th scope="col" class="num">
                    {t('assist.sessions')}
                  </th>
                  <th scope="col" class="num">
                    {t('assist.cards')}
                  </th>
                  <th scope="col" class="num">
                    {t('assist.assisted')}
                  </th>
                  <th scope="col" class="num">
                    {t('assist.assistedConversion')}
                  </th>
                  <th scope="col" class="num">
                    {t('assist.unassisted')}
                  </th>
                  <th scope="col" class="num">
                    {t('assist.unassistedConversion')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...report.data.periods]
                  .reverse()
                  .map((p) => row(p.start.slice(0, 10), <Data>{formats.day(p.start)}</Data>, p))}
              </tbody>
              <tfoot>{row('total', t('assist.total'), report.data.total)}</tfoot>
            </table>
          </div>
          <p class="muted">{t('assist.reportNote')}</p>
        </>
      )}
    </section>
  );
}
