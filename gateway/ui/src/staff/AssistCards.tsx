/**
 * Today's fitting-room assistance cards, newest first (hidden when there are none). Loaded
 * from GET /assist/alerts, again on every reconnect; a new card (SSE assist.alert) chimes,
 * and "on my way" from any phone shows on every screen at once (SSE assist.ack). Cards that
 * came while the phone was offline are flagged until someone takes them, like VIP cards.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorBox } from '../components/States.js';
import { t } from '../i18n/index.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { errorText } from '../lib/errors.js';
import type { AssistAlert } from '../lib/types.js';
import { AssistCard } from './AssistCard.js';
import { chime, soundPreference } from './notify.js';

export function AssistCards(props: { staffName: string; canAck: boolean }) {
  const { live } = useApp();
  const [cards, setCards] = useState<ReadonlyMap<string, AssistAlert>>(new Map());
  const [error, setError] = useState<string | undefined>(undefined);
  const [missed, setMissed] = useState<ReadonlySet<string>>(new Set());
  const known = useRef(new Set<string>());
  const knownAtDrop = useRef<ReadonlySet<string> | undefined>(undefined);

  useEffect(() => {
    const put = (list: readonly AssistAlert[]) => {
      setCards((current) => {
        const next = new Map(current);
        for (const card of list) next.set(card.id, card);
        return next;
      });
      const before = knownAtDrop.current;
      const gap = before ? list.filter((c) => !before.has(c.id) && c.ack === null).map((c) => c.id) : [];
      if (gap.length > 0) setMissed((m) => new Set([...m, ...gap]));
      for (const card of list) known.current.add(card.id);
    };
    const load = async () => {
      try {
        put((await api.get<{ alerts: readonly AssistAlert[] }>('/assist/alerts')).alerts);
        setError(undefined);
        knownAtDrop.current = undefined;
      } catch (err) {
        setError(errorText(err));
      }
    };
    void load();
    const offs = [
      live.on('assist.alert', (m) => {
        put([m.data as AssistAlert]);
        chime(soundPreference());
      }),
      live.on('assist.ack', (m) => {
        const { id, ack } = m.data as { id: string; ack: AssistAlert['ack'] };
        setCards((current) => {
          const card = current.get(id);
          return card ? new Map(current).set(id, { ...card, ack }) : current;
        });
      }),
      live.onOpen((reconnect) => reconnect && void load()),
      live.state.subscribe((state) => {
        if (state === 'reconnecting' && !knownAtDrop.current) knownAtDrop.current = new Set(known.current);
      }),
    ];
    return () => {
      for (const off of offs) off();
    };
  }, [live]);

  const ordered = useMemo(() => [...cards.values()].sort((a, b) => b.ts - a.ts), [cards]);

  const ack = async (card: AssistAlert) => {
    try {
      const result = await api.post<{ alert: AssistAlert }>(`/assist/alerts/${encodeURIComponent(card.id)}/ack`, {
        staff: props.staffName.trim(),
      });
      setCards((current) => new Map(current).set(card.id, result.alert));
    } catch (err) {
      setError(t('staff.ackFailed', { message: errorText(err) }));
    }
  };

  if (ordered.length === 0 && !error) return null;
  return (
    <section class="assist-cards" aria-labelledby="assist-title">
      <h2 id="assist-title" class="section-title">
        {t('assist.title')}
      </h2>
      {error && <ErrorBox message={error} />}
      <ul class="alert-list" aria-live="polite">
        {ordered.map((card) => (
          <li key={card.id}>
            <AssistCard
              card={card}
              missed={missed.has(card.id) && card.ack === null}
              canAck={props.canAck}
              onAck={() => void ack(card)}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}
