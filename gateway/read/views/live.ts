/**
 * GET /live: what a manager glances at — occupancy, today's running funnel against the same
 * weekday last week up to the same time of day, fitting rooms in use, VIPs in store.
 */
import type { Clock } from '../../infra/clock/index.js';
import type { GatewayConfig } from '../../infra/config/index.js';
import type { ReferenceData } from '../../infra/reference/index.js';
import type { StoreCalendar } from '../../infra/time/index.js';
import { addCounters, type BucketCounters, type BucketStore, emptyCounters } from '../../pipeline/derive/buckets.js';
import { type FunnelMetrics, toMetrics } from './funnel.js';

/** What the correlation state can tell about "now". */
export interface LiveState {
  occupancy(): number;
  roomsInUse(): readonly { room: string; since: number; items: number }[];
  vipsInStore(): readonly { member: string; tier: number; since: number }[];
}

export interface LiveSnapshot {
  readonly at: string;
  readonly store: { readonly id: string; readonly name: string; readonly currency: string; readonly timezone: string };
  readonly occupancy: number;
  readonly today: FunnelMetrics;
  /** Same weekday last week, from its opening of the day up to the same local time. */
  readonly sameTimeLastWeek: FunnelMetrics;
  readonly fittingRooms: readonly { room: string; inUse: boolean; since: string | null; items: number }[];
  readonly vipsInStore: readonly { member: string; name: string | null; tier: number; since: string }[];
}

export class LiveView {
  constructor(
    private readonly deps: {
      config: GatewayConfig;
      clock: Clock;
      calendar: StoreCalendar;
      buckets: BucketStore;
      state: () => LiveState;
      reference: ReferenceData;
    },
  ) {}

  /** Shoppers in the store now. */
  occupancy(): number {
    return this.deps.state().occupancy();
  }

  snapshot(): LiveSnapshot {
    const { config, clock, calendar, buckets, reference } = this.deps;
    const state = this.deps.state();
    const now = clock.now();
    const dayStart = calendar.dayStart(now);
    const lastWeekDay = calendar.startOfLocalDay(calendar.addDays(calendar.localDay(now), -7));
    const elapsed = now - dayStart;
    const inUse = new Map(state.roomsInUse().map((r) => [r.room, r]));
    const rooms = Object.entries(config.zones)
      .filter(([, zone]) => zone.kind === 'fitting-room')
      .map(([room]) => {
        const r = inUse.get(room);
        return { room, inUse: r !== undefined, since: r ? calendar.format(r.since) : null, items: r?.items ?? 0 };
      });
    return {
      at: calendar.format(now),
      store: {
        id: config.store.id,
        name: config.store.name,
        currency: config.store.currency,
        timezone: config.store.timezone,
      },
      occupancy: state.occupancy(),
      today: toMetrics(sum(buckets, dayStart, now + 1)),
      sameTimeLastWeek: toMetrics(sum(buckets, lastWeekDay, lastWeekDay + elapsed + 1)),
      fittingRooms: rooms,
      vipsInStore: state.vipsInStore().map((v) => ({
        member: v.member,
        name: reference.memberById(v.member)?.name ?? null,
        tier: v.tier,
        since: calendar.format(v.since),
      })),
    };
  }
}

function sum(buckets: BucketStore, from: number, to: number): BucketCounters {
  const total = emptyCounters();
  for (const row of buckets.range(from, to)) addCounters(total, row);
  return total;
}
