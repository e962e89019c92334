/**
 * VIP: who is in the store now, today's arrival alerts with who acknowledged them, the
 * invitations (邀约) staff recorded, and how invitations turned into visits and sales.
 */
import { useState } from 'preact/hooks';
import { Data, NumCell } from '../../components/Figures.js';
import { ErrorBox, Loading } from '../../components/States.js';
import { Tx } from '../../components/Tx.js';
import { knownKey, t } from '../../i18n/index.js';
import { api, query } from '../../lib/api.js';
import { campaignName } from '../../lib/campaigns.js';
import { canSeeMembers, useApp } from '../../lib/context.js';
import { addDays } from '../../lib/days.js';
import { errorText } from '../../lib/errors.js';
import { stars, tierLabel } from '../../lib/format.js';
import { useResource } from '../../lib/resource.js';
import type {
  Invitation,
  InvitationReport,
  LiveSnapshot,
  NewInvitation,
  OutcomeTotals,
  VipAlert,
} from '../../lib/types.js';
import { MemberPicker } from './MemberPicker.js';
import { VipJourney } from './VipJourney.js';

const CHANNELS = ['phone', 'wechat', 'sms', 'in-store'] as const;

export function Vip() {
  const { live, formats, store } = useApp();
  const snapshot = useResource(() => api.get<LiveSnapshot>('/live'), { live, refreshOn: ['fact', 'vip.arrival'] });
  const alerts = useResource(() => api.get<{ alerts: readonly VipAlert[] }>('/vip/alerts'), {
    live,
    refreshOn: ['vip.arrival', 'vip.ack'],
  });

  return (
    <div class="vip">
      <section class="card" aria-labelledby="in-store-title">
        <h2 id="in-store-title">{t('vip.inStore')}</h2>
        {snapshot.error ? (
          <ErrorBox error={snapshot.error} onRetry={snapshot.reload} />
        ) : !snapshot.data ? (
          <Loading />
        ) : snapshot.data.vipsInStore.length === 0 ? (
          <p class="muted">{t('app.empty')}</p>
        ) : (
          <ul class="chips">
            {snapshot.data.vipsInStore.map((v) => (
              <li key={v.member} class="chip" data-member={v.member}>
                <span class="stars" role="img" aria-label={tierLabel(v.tier)}>
                  {stars(v.tier)}
                </span>{' '}
                <Data>{v.name ?? v.member}</Data>{' '}
                <span class="muted">{t('vip.since', { time: formats.time(v.since) })}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="alerts-title">
        <h2 id="alerts-title">{t('vip.alerts')}</h2>
        {alerts.error ? (
          <ErrorBox error={alerts.error} onRetry={alerts.reload} />
        ) : !alerts.data ? (
          <Loading />
        ) : (
          <AlertTable alerts={alerts.data.alerts} />
        )}
      </section>
      <Invitations />
      <VipJourney range={last30Days(store.today)} />
      <InvitationResults />
    </div>
  );
}

function AlertTable(props: { alerts: readonly VipAlert[] }) {
  const { formats } = useApp();
  if (props.alerts.length === 0) return <p class="muted">{t('app.empty')}</p>;
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">{t('vip.time')}</th>
            <th scope="col">{t('vip.member')}</th>
            <th scope="col">{t('vip.tier')}</th>
            <th scope="col">{t('vip.via')}</th>
            <th scope="col">{t('vip.ack')}</th>
          </tr>
        </thead>
        <tbody>
          {props.alerts.map((a) => {
            const via = knownKey(`vip.via.${a.via}`);
            return (
              <tr key={a.id} data-alert={a.id}>
                <td>
                  <Data>{formats.time(a.ts)}</Data>
                </td>
                <td>
                  <Data>{a.profile?.name ?? a.member}</Data>
                </td>
                <td>
                  <span class="stars" role="img" aria-label={tierLabel(a.profile?.tier ?? 0)}>
                    {stars(a.profile?.tier ?? 0)}
                  </span>
                </td>
                <td>{via ? t(via) : <Data>{a.via}</Data>}</td>
                <td data-ack={a.ack ? a.ack.by : ''}>
                  {a.ack ? (
                    <span class="ok">
                      <Tx k="vip.ackBy" data={{ staff: a.ack.name, time: formats.time(a.ack.at) }} />
                    </span>
                  ) : (
                    <span class="warn">{t('vip.notAcked')}</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Invitations() {
  const { live, formats, user, store, authRequired } = useApp();
  const list = useResource(
    () => api.get<{ invitations: readonly Invitation[] }>(`/invitations${query(last30Days(store.today))}`),
    { live },
  );
  const [member, setMember] = useState('');
  // A new key mounts an empty member picker after each saved invitation.
  const [pickerKey, setPickerKey] = useState(0);
  // Signed in, the gateway records the signed-in person whatever the field says: show who that is.
  const [staff, setStaff] = useState(authRequired ? (user.displayName ?? user.name) : '');
  const [channel, setChannel] = useState<string>('wechat');
  const [campaign, setCampaign] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const allowed = canSeeMembers(user);

  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      const invitation: NewInvitation = {
        member: member.trim(),
        staff: staff.trim(),
        channel,
        campaign: campaign.trim(),
      };
      await api.post('/invitations', invitation);
      setMessage({ ok: true, text: t('vip.inv.saved') });
      setMember('');
      setPickerKey((k) => k + 1);
      list.reload();
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
  };

  return (
    <section class="card" aria-labelledby="invitations-title">
      <h2 id="invitations-title">{t('vip.invitations')}</h2>
      {allowed && (
        <form class="inline-form" onSubmit={submit} aria-label={t('vip.newInvitation')}>
          <MemberPicker key={pickerKey} onChange={setMember} />
          <label>
            {t('vip.inv.staff')}
            <input
              name="staff"
              required
              readOnly={authRequired}
              maxLength={64}
              value={staff}
              onInput={(e) => setStaff(e.currentTarget.value)}
            />
          </label>
          <label>
            {t('vip.inv.channel')}
            <select name="channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {t(`vip.channel.${c}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('vip.inv.campaign')}
            <input
              name="campaign"
              required
              maxLength={64}
              list="campaign-options"
              value={campaign}
              onInput={(e) => setCampaign(e.currentTarget.value)}
            />
            <datalist id="campaign-options">
              {Object.keys(store.campaigns ?? {}).map((slug) => (
                <option key={slug} value={slug} label={campaignName(store, slug)} />
              ))}
            </datalist>
          </label>
          <button type="submit" class="primary">
            {t('vip.inv.submit')}
          </button>
          {message && (
            <p role="status" class={message.ok ? 'ok' : 'error'}>
              {message.text}
            </p>
          )}
        </form>
      )}
      {list.error ? (
        <ErrorBox error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.invitations.length === 0 ? (
        <p class="muted">{t('app.empty')}</p>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('vip.inv.when')}</th>
                <th scope="col">{t('vip.inv.member')}</th>
                <th scope="col">{t('vip.inv.staff')}</th>
                <th scope="col">{t('vip.inv.channel')}</th>
                <th scope="col">{t('vip.inv.campaign')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.invitations.map((i) => {
                const channelKey = knownKey(`vip.channel.${i.channel}`);
                return (
                  <tr key={i.id} data-invitation={i.id}>
                    <td>
                      <Data>{formats.dateTime(i.ts)}</Data>
                    </td>
                    <td data-member={i.member}>
                      <Data>{i.name ?? i.member}</Data>
                    </td>
                    <td data-staff={i.staff}>
                      <Data>{i.staffName}</Data>
                    </td>
                    <td>{channelKey ? t(channelKey) : <Data>{i.channel}</Data>}</td>
                    <td data-campaign={i.campaign}>
                      <Data>{campaignName(store, i.campaign)}</Data>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The last 30 days, today included, in the store's calendar. */
function last30Days(today: string): { from: string; to: string } {
  return { from: addDays(today, -29), to: today };
}

function InvitationResults() {
  const { live, store } = useApp();
  const report = useResource(() => api.get<InvitationReport>(`/invitations/report${query(last30Days(store.today))}`), {
    live,
    refreshOn: ['vip.arrival', 'fact'],
  });
  return (
    <section class="card" aria-labelledby="report-title">
      <h2 id="report-title">{t('vip.report')}</h2>
      {report.error ? (
        <ErrorBox error={report.error} onRetry={report.reload} />
      ) : !report.data ? (
        <Loading />
      ) : (
        <div class="two-col">
          <OutcomeTable
            title={t('vip.report.byCampaign')}
            rows={report.data.byCampaign.map((r) => ({
              ...r,
              label: campaignName(store, r.campaign),
              key: r.campaign,
            }))}
            totals={report.data.totals}
          />
          <OutcomeTable
            title={t('vip.report.byStaff')}
            rows={report.data.byStaff.map((r) => ({ ...r, label: r.staffName, key: r.staff }))}
            totals={report.data.totals}
          />
        </div>
      )}
    </section>
  );
}

function OutcomeTable(props: {
  title: string;
  rows: readonly (OutcomeTotals & { label: string; key: string })[];
  totals: OutcomeTotals;
}) {
  const row = (label: preact.ComponentChildren, r: OutcomeTotals, key: string) => (
    <tr key={key}>
      <th scope="row">{label}</th>
      <NumCell value={r.invited} />
      <NumCell value={r.arrived} />
      <NumCell value={r.tried} />
      <NumCell value={r.triedUnknown} />
      <NumCell value={r.bought} />
      <NumCell value={r.revenue} kind="money" />
    </tr>
  );
  return (
    <div class="scroll">
      <table>
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">
              <span class="sr-only">{props.title}</span>
            </th>
            <th scope="col" class="num">
              {t('vip.report.invited')}
            </th>
            <th scope="col" class="num">
              {t('vip.report.arrived')}
            </th>
            <th scope="col" class="num">
              {t('vip.report.tried')}
            </th>
            <th scope="col" class="num">
              {t('vip.report.triedUnknown')}
            </th>
            <th scope="col" class="num">
              {t('vip.report.bought')}
            </th>
            <th scope="col" class="num">
              {t('vip.report.revenue')}
            </th>
          </tr>
        </thead>
        <tbody>{props.rows.map((r) => row(<Data>{r.label}</Data>, r, r.key))}</tbody>
        <tfoot>{row(t('vip.report.total'), props.totals, 'total')}</tfoot>
      </table>
    </div>
  );
}
