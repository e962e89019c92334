/** GET /fitting-rooms and /sessions: fitting rooms now and today, try-on sessions over a period. */
import type { GatewayConfig } from '../../infra/config/index.js';
import type { StoreCalendar } from '../../infra/time/index.js';
import type { SessionFact } from '../../pipeline/correlate/index.js';
import type { Db } from '../../pipeline/journal/index.js';
import { FactReader } from './facts.js';
import type { LiveState } from './live.js';

export class RoomsView {
  private readonly facts: FactReader;

  constructor(
    private readonly deps: {
      readonly config: GatewayConfig;
      readonly db: Db;
      readonly calendar: StoreCalendar;
      readonly state: () => LiveState;
    },
  ) {
    this.facts = new FactReader(deps.db);
  }

  /** Each fitting room at `now`: in use or not, and today's sessions, items tried and tried→bought. */
  fittingRooms(now: number) {
    const { config, calendar } = this.deps;
    const dayStart = calendar.dayStart(now);
    const today = this.facts.read<SessionFact>('session.ended', dayStart, now + 1).filter((s) => s.counted);
    // The fitting-room funnel per room: sessions → items tried → tried→bought (each fact on its own day).
    const countByRoom = (type: string) => {
      const counts = new Map<string, number>();
      for (const f of this.facts.read<{ room: string }>(type, dayStart, now + 1))
        counts.set(f.room, (counts.get(f.room) ?? 0) + 1);
      return counts;
    };
    const itemsTried = countByRoom('item.tried');
    const triedBought = countByRoom('tried.bought');
    const inUse = new Map(
      this.deps
        .state()
        .roomsInUse()
        .map((r) => [r.room, r]),
    );
    const rooms = Object.entries(config.zones)
      .filter(([, z]) => z.kind === 'fitting-room')
      .map(([room]) => {
        const sessions = today.filter((s) => s.room === room);
        const busy = inUse.get(room);
        const totalMs = sessions.reduce((sum, s) => sum + (s.end - s.start), 0);
        return {
          room,
          inUse: busy !== undefined,
          since: busy ? calendar.format(busy.since) : null,
          durationMs: busy ? Math.max(0, now - busy.since) : null,
          items: busy?.items ?? 0,
          sessionsToday: sessions.length,
          averageSessionMs: sessions.length === 0 ? null : Math.round(totalMs / sessions.length),
          itemsTriedToday: itemsTried.get(room) ?? 0,
          triedBoughtToday: triedBought.get(room) ?? 0,
        };
      });
    return { rooms };
  }

  /** Counted try-on sessions ended in [from, to), oldest first, at most `limit`. */
  sessions(from: number, to: number, limit: number) {
    const { calendar } = this.deps;
    const sessions = this.facts
      .read<SessionFact>('session.ended', from, to)
      .filter((s) => s.counted)
      .slice(0, limit)
      .map((s) => ({
        id: s.session,
        room: s.room,
        start: calendar.format(s.start),
        end: calendar.format(s.end),
        durationMs: s.end - s.start,
        sizeSwap: s.sizeSwap,
        items: s.items,
      }));
    return { sessions };
  }
}
