/** Fitting rooms: each room's live state and how long it has been in use, and today's sessions. */
import { Data, NumCell } from '../../components/Figures.js';
import { ErrorBox, Loading } from '../../components/States.js';
import { t } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import { useApp } from '../../lib/context.js';
import { useResource, useTicker } from '../../lib/resource.js';
import type { RoomState, TryOnSession } from '../../lib/types.js';
import { RoomAssistance } from './RoomAssistance.js';

const FACTS = ['fact'];
/** A busy day has hundreds of sessions; the floor cares about the latest ones. */
const SESSIONS_SHOWN = 40;

export function Rooms() {
  const { live, formats } = useApp();
  // durationMs is measured by the gateway's clock when it answered; the screen adds the
  // time since then, so durations tick between events without asking again.
  const rooms = useResource(
    async () => ({
      ...(await api.get<{ rooms: readonly RoomState[] }>('/fitting-rooms')),
      fetchedAt: Date.now(),
    }),
    { live, refreshOn: FACTS },
  );
  const sessions = useResource(() => api.get<{ sessions: readonly TryOnSession[] }>('/sessions'), {
    live,
    refreshOn: FACTS,
  });
  const now = useTicker(1000);

  if (rooms.error) return <ErrorBox error={rooms.error} onRetry={rooms.reload} />;
  if (!rooms.data) return <Loading />;
  const sinceFetch = Math.max(0, now - rooms.data.fetchedAt);
  return (
    <>
      <section class="grid rooms" aria-label={t('rooms.title')}>
        {rooms.data.rooms.map((room) => (
          <article key={room.room} class={`card room ${room.inUse ? 'in-use' : 'free'}`} data-room={room.room}>
            <h2>
              <Data>{room.room}</Data>
            </h2>
            <p class="room-state">
              <strong>{room.inUse ? t('rooms.inUse') : t('rooms.free')}</strong>
              {room.inUse && room.durationMs !== null && (
                <span> {t('rooms.for', { duration: formats.duration(room.durationMs + sinceFetch) })}</span>
              )}
            </p>
            {room.inUse && <p>{t('rooms.items', { count: room.items })}</p>}
            <p class="muted">{t('rooms.sessionsToday', { count: formats.int(room.sessionsToday) })}</p>
            <p class="muted">{t('rooms.averageSession', { duration: formats.duration(room.averageSessionMs) })}</p>
          </article>
        ))}
      </section>
      <RoomFunnel rooms={rooms.data.rooms} />
      <RoomAssistance />
      <section class="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">{t('rooms.todaySessions')}</h2>
        {sessions.data ? <SessionTable sessions={sessions.data.sessions} /> : <Loading />}
      </section>
    </>
  );
}

function SessionTable(props: { sessions: readonly TryOnSession[] }) {
  const { formats } = useApp();
  if (props.sessions.length === 0) return <p class="muted">{t('app.empty')}</p>;
  const newestFirst = [...props.sessions].reverse().slice(0, SESSIONS_SHOWN);
  return (
    <div class="scroll">
      {props.sessions.length > SESSIONS_SHOWN && (
        <p class="muted">
          {t('rooms.showingLatest', { shown: SESSIONS_SHOWN, total: formats.int(props.sessions.length) })}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">{t('rooms.room')}</th>
            <th scope="col">{t('rooms.start')}</th>
            <th scope="col">{t('rooms.end')}</th>
            <th scope="col">{t('rooms.duration')}</th>
            <th scope="col">{t('rooms.garments')}</th>
            <th scope="col">{t('rooms.sizeSwap')}</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((s) => (
            <tr key={s.id}>
              <td>
                <Data>{s.room}</Data>
              </td>
              <td>
                <Data>{formats.time(s.start)}</Data>
              </td>
              <td>{s.end ? <Data>{formats.time(s.end)}</Data> : t('rooms.open')}</td>
              <td>
                <Data>{formats.duration(s.durationMs)}</Data>
              </td>
              <td>
                <Data>
                  {s.items
                    .filter((i) => i.tried)
                    .map((i) => i.sku ?? i.epc)
                    .join(', ')}
                </Data>
              </td>
              <td>{s.sizeSwap ? t('rooms.yes') : t('rooms.no')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Per room: sessions → items tried → tried→bought, and the tried→bought rate. */
function RoomFunnel(props: { rooms: readonly RoomState[] }) {
  const { formats } = useApp();
  const total = props.rooms.reduce(
    (sum, r) => ({
      room: t('rooms.total'),
      sessions: sum.sessions + r.sessionsToday,
      tried: sum.tried + r.itemsTriedToday,
      bought: sum.bought + r.triedBoughtToday,
    }),
    { room: '', sessions: 0, tried: 0, bought: 0 },
  );
  const row = (key: string, label: preact.ComponentChildren, sessions: number, tried: number, bought: number) => (
    <tr key={key} data-room-funnel={key}>
      <th scope="row">{label}</th>
      <NumCell value={sessions} />
      <NumCell value={tried} />
      <NumCell value={bought} />
      <td class="num" data-metric="boughtRate">
        <Data raw={tried === 0 ? null : bought / tried}>{formats.percent(tried === 0 ? null : bought / tried)}</Data>
      </td>
    </tr>
  );
  return (
    <section class="card" aria-labelledby="room-funnel-title">
      <h2 id="room-funnel-title">{t('rooms.funnel')}</h2>
      <div class="scroll">
        <table class="room-funnel">
          <thead>
            <tr>
              <th scope="col">{t('rooms.room')}</th>
              <th scope="col" class="num">
                {t('rooms.sessions')}
              </th>
              <th scope="col" class="num">
                {t('rooms.itemsTried')}
              </th>
              <th scope="col" class="num">
                {t('rooms.triedBought')}
              </th>
              <th scope="col" class="num">
                {t('rooms.boughtRate')}
              </th>
            </tr>
          </thead>
          <tbody>
            {props.rooms.map((r) =>
              row(r.room, <Data>{r.room}</Data>, r.sessionsToday, r.itemsTriedToday, r.triedBoughtToday),
            )}
          </tbody>
          <tfoot>{row('total', total.room, total.sessions, total.tried, total.bought)}</tfoot>
        </table>
      </div>
    </section>
  );
}
