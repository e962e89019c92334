/** One fitting-room assistance card: which room, what they are trying, and who is going. */
import { Data } from '../components/Figures.js';
import { Tx } from '../components/Tx.js';
import { t } from '../i18n/index.js';
import { useApp } from '../lib/context.js';
import type { AssistAlert } from '../lib/types.js';

export function AssistCard(props: { card: AssistAlert; missed: boolean; canAck: boolean; onAck: () => void }) {
  const { formats } = useApp();
  const { card } = props;
  const titleId = `assist-${card.id}`;
  const garments = card.items.map((i) => [i.name ?? i.sku ?? i.epc, i.size].filter(Boolean).join(' ')).join(' · ');
  return (
    <article
      class={`card alert-card assist-card ${card.ack ? 'acked' : 'open'} ${props.missed ? 'missed' : ''}`}
      data-assist={card.id}
      data-room={card.room}
      aria-labelledby={titleId}
    >
      <header>
        <h2 id={titleId}>
          {card.reason === 'size-swap' ? (
            <Tx
              k="assist.sizeSwap"
              data={{
                room: card.room,
                count: String(card.sizes?.length ?? 2),
                product: card.styleName ?? card.style ?? '',
              }}
            />
          ) : (
            <Tx
              k="assist.long"
              data={{ room: card.room, minutes: String(Math.round((card.ts - card.start) / 60_000)) }}
            />
          )}
        </h2>
        <p class="muted">{t('assist.asked', { time: formats.time(card.ts) })}</p>
      </header>
      {garments !== '' && (
        <dl class="profile">
          <dt>{t('assist.trying')}</dt>
          <dd>
            <Data>{garments}</Data>
          </dd>
        </dl>
      )}
      <footer>
        {card.ack ? (
          <p class="ok ack" data-ack={card.ack.by}>
            <Tx k="assist.ackBy" data={{ staff: card.ack.name, time: formats.time(card.ack.at) }} />
          </p>
        ) : (
          <button
            type="button"
            class="primary big"
            disabled={!props.canAck}
            onClick={props.onAck}
            data-action="assist-ack"
          >
            {t('assist.onMyWay')}
          </button>
        )}
      </footer>
    </article>
  );
}
