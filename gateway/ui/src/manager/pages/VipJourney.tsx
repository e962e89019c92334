/**
 * Each invitation's journey, per person: invited → arrived → tried → bought, with the
 * member's name for staff and managers (the gateway strips names for viewers: they see the
 * member id) and the campaign's name. Filtered to one campaign on demand.
 */
import { useState } from 'preact/hooks';
import { Data, NumCell } from '../../components/Figures.js';
import { ErrorBox, Loading } from '../../components/States.js';
import { t } from '../../i18n/index.js';
import { api, query } from '../../lib/api.js';
import { campaignName } from '../../lib/campaigns.js';
import { useApp } from '../../lib/context.js';
import { useResource } from '../../lib/resource.js';
import type { JourneyRow } from '../../lib/types.js';

export function VipJourney(props: { range: { from: string; to: string } }) {
  const { live, store, formats } = useApp();
  const [campaign, setCampaign] = useState('');
  const journeys = useResource(
    () =>
      api.get<{ journeys: readonly JourneyRow[] }>(
        `/invitations/journey${query({ ...props.range, campaign: campaign || undefined })}`,
      ),
    { live, refreshOn: ['vip.arrival', 'fact'], key: campaign },
  );
  // The configured campaigns, and any other one the journeys name (an unconfigured slug).
  const options = [
    ...new Set([
      ...Object.keys(store.campaigns ?? {}),
      ...(journeys.data?.journeys.map((j) => j.campaign) ?? []),
      ...(campaign ? [campaign] : []),
    ]),
  ];
  const step = (at: number | null, unknown = false) =>
    at !== null ? (
      <td class="journey-step yes" data-step="yes">
        <Data>{formats.dateTime(at)}</Data>
      </td>
    ) : (
      <td class="journey-step no" data-step={unknown ? 'unknown' : 'no'}>
        {unknown ? t('vip.journey.unknown') : t('vip.journey.no')}
      </td>
    );
  return (
    <section class="card" aria-labelledby="journey-title">
      <h2 id="journey-title">{t('vip.journey')}</h2>
      <div class="toolbar">
        <label>
          {t('vip.inv.campaign')}
          <select name="journey-campaign" value={campaign} onChange={(e) => setCampaign(e.currentTarget.value)}>
            <option value="">{t('vip.journey.allCampaigns')}</option>
            {options.map((c) => (
              <option key={c} value={c}>
                {campaignName(store, c)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {journeys.error ? (
        <ErrorBox error={journeys.error} onRetry={journeys.reload} />
      ) : !journeys.data ? (
        <Loading />
      ) : journeys.data.journeys.length === 0 ? (
        <p class="muted">{t('app.empty')}</p>
      ) : (
        <div class="scroll">
          <table class="journey">
            <thead>
              <tr>
                <th scope="col">{t('vip.member')}</th>
                <th scope="col">{t('vip.inv.campaign')}</th>
                <th scope="col">{t('vip.report.invited')}</th>
                <th scope="col">{t('vip.report.arrived')}</th>
                <th scope="col">{t('vip.report.tried')}</th>
                <th scope="col">{t('vip.report.bought')}</th>
                <th scope="col" class="num">
                  {t('vip.report.revenue')}
                </th>
              </tr>
            </thead>
            <tbody>
              {journeys.data.journeys.map((j) => (
                <tr key={j.invitation} data-invitation={j.invitation} data-member={j.member}>
                  <th scope="row">
                    <Data>{j.name ?? j.member}</Data>
                  </th>
                  <td data-campaign={j.campaign}>
                    <Data>{campaignName(store, j.campaign)}</Data>
                  </td>
                  {step(j.invitedAt)}
                  {step(j.arrivedAt)}
                  {step(j.triedAt, j.triedUnknown)}
                  {step(j.boughtAt)}
                  <NumCell value={j.revenue} kind="money" />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
