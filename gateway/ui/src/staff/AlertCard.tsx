/** One VIP arrival: who, when, what helps serve them, and who is already on it. */
import { Data } from '../components/Figures.js';
import { Tx } from '../components/Tx.js';
import { knownKey, t } from '../i18n/index.js';
import { campaignName } from '../lib/campaigns.js';
import { useApp } from '../lib/context.js';
import { stars, tierLabel } from '../lib/format.js';
import type { VipAlert } from '../lib/types.js';
import { purchasedItems, sizeText, suggestions } from './suggestions.js';

export function AlertCard(props: { alert: VipAlert; missed: boolean; canAck: boolean; onAck: () => void }) {
  const { formats, store } = useApp();
  const campaign = (slug: string) => campaignName(store, slug);
  const { alert } = props;
  const profile = alert.profile;
  const name = profile?.name ?? alert.member;
  const via = knownKey(`vip.via.${alert.via}`);
  const titleId = `alert-${alert.id}`;
  return (
    <article
      class={`card alert-card ${alert.ack ? 'acked' : 'open'} ${props.missed ? 'missed' : ''}`}
      data-alert={alert.id}
      data-member={alert.member}
      aria-labelledby={titleId}
    >
      <header>
        <h2 id={titleId}>
          <Data>{name}</Data>{' '}
          <span class="stars" role="img" aria-label={tierLabel(profile?.tier ?? 0)}>
            {stars(profile?.tier ?? 0)}
          </span>
        </h2>
        <p class="muted">
          {t('staff.arrived', { time: formats.time(alert.ts) })}
          {via && <> · {t(via)}</>}
        </p>
      </header>
      {profile && (
        <dl class="profile">
          {profile.sizes && Object.keys(profile.sizes).length > 0 && (
            <>
              <dt>{t('staff.sizes')}</dt>
              <dd>{sizeText(profile.sizes).join(' · ')}</dd>
            </>
          )}
          {profile.brands && profile.brands.length > 0 && (
            <>
              <dt>{t('staff.brands')}</dt>
              <dd>
                <Data>{profile.brands.join(', ')}</Data>
              </dd>
            </>
          )}
          {profile.notes && (
            <>
              <dt>{t('staff.notes')}</dt>
              <dd>
                <Data>{profile.notes}</Data>
              </dd>
            </>
          )}
          <dt>{t('staff.lastVisit')}</dt>
          <dd>
            {profile.lastVisit === null ? t('staff.firstVisit') : <Data>{formats.dateTime(profile.lastVisit)}</Data>}
          </dd>
          {profile.recentPurchases && profile.recentPurchases.length > 0 && (
            <>
              <dt>{t('staff.recentPurchases')}</dt>
              <dd>
                {/* One purchase a line: when, what (names and sizes), how much. */}
                <ul class="purchases">
                  {profile.recentPurchases.slice(0, 3).map((p) => (
                    <li key={p.receipt} data-receipt={p.receipt}>
                      <Data>
                        {[formats.day(p.ts), purchasedItems(p.items), formats.money(p.revenue)]
                          .filter(Boolean)
                          .join(' ')}
                      </Data>
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
          {profile.triedNotBought && profile.triedNotBought.length > 0 && (
            <>
              <dt>{t('staff.triedNotBought')}</dt>
              <dd>
                <Data>
                  {profile.triedNotBought
                    .slice(0, 3)
                    .map((i) => [i.name ?? i.sku ?? i.epc, i.size].filter(Boolean).join(' '))
                    .join(' · ')}
                </Data>
              </dd>
            </>
          )}
          {profile.invitation && (
            <>
              <dt>{t('vip.invitations')}</dt>
              <dd>
                <Tx
                  k="staff.invitation"
                  data={{ staff: profile.invitation.staff, campaign: campaign(profile.invitation.campaign) }}
                />
              </dd>
            </>
          )}
        </dl>
      )}
      {profile && (
        <section class="suggestions" aria-label={t('staff.suggestions')}>
          <h3>{t('staff.suggestions')}</h3>
          <ul>
            {suggestions(profile, campaign).map((s) => (
              <li key={s.k}>
                <Tx k={s.k} data={s.data} />
              </li>
            ))}
          </ul>
        </section>
      )}
      <footer>
        {alert.ack ? (
          <p class="ok ack" data-ack={alert.ack.by}>
            <Tx k="vip.ackBy" data={{ staff: alert.ack.name, time: formats.time(alert.ack.at) }} />
          </p>
        ) : (
          <button type="button" class="primary big" disabled={!props.canAck} onClick={props.onAck} data-action="ack">
            {t('staff.onIt')}
          </button>
        )}
      </footer>
    </article>
  );
}
