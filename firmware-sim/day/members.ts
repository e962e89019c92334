/**
 * Members in the day: which VIPs and ordinary members come, how they identify at the entrance
 * (member card read by the entrance antenna, or the app), return visits, and invitations.
 *
 * Re-alert timing is built so that every reasonable reading of DESIGN's "no new alert within
 * realertAfter" gives the same alerts: a card-carrying VIP (whose card is also read when
 * leaving) stays under 25 min; a VIP returning "within" has all sightings inside 28 min of the
 * first; one returning "after" comes back ≥ 35 min after their last sighting.
 */
import { demoAntennas } from '../demo-store.js';
import type { Rng } from '../prng.js';
import { DAY, HOUR, MINUTE, rfc3339, SECOND } from '../time.js';
import type { Forbidden } from './clock.js';
import type { RosterEntry } from './roster.js';
import type { DayClock, Group, Invitation, PlannedRead, PlannedSeen, StaffMember } from './types.js';
import { makeGroup } from './visitors.js';

export type VisitKind = 'single' | 'within-first' | 'within-return' | 'after-first' | 'after-return';

export interface MemberVisit {
  readonly member: string;
  readonly vip: boolean;
  readonly kind: VisitKind;
  readonly group: Group;
}

/** A member identified in the entrance zone (what can raise a VIP alert). */
export interface Sighting {
  readonly member: string;
  readonly at: number;
  readonly via: 'card' | 'app';
  /** The first sighting of a visit (as opposed to later reads, or the card on the way out). */
  readonly arrival: boolean;
}

export interface MemberCounts {
  readonly vipVisits: number;
  readonly withinReturns: number;
  readonly afterReturns: number;
  readonly regularVisits: number;
}

/** How many member visits a day of `visitors` people has (scaled down for small days). */
export function memberCounts(visitors: number, vipVisits = Math.min(24, Math.floor(visitors / 60))): MemberCounts {
  const returns = Math.min(4, Math.floor(vipVisits / 5));
  return {
    vipVisits,
    withinReturns: returns,
    afterReturns: returns,
    regularVisits: Math.min(16, Math.floor(visitors / 100)),
  };
}

/** Sizes of the return-visit groups, decided before the day's other groups are drawn. */
export function returnGroupSizes(rng: Rng, counts: MemberCounts): { within: number[]; after: number[] } {
  return {
    within: Array.from({ length: counts.withinReturns }, () => 1),
    after: Array.from({ length: counts.afterReturns }, () => rng.int(1, 2)),
  };
}

const CARD_VISIT_LIMIT = 24 * MINUTE;

function entranceMode(rng: Rng, entry: RosterEntry): 'card' | 'app' | 'app-credential' {
  if (entry.card !== undefined && entry.credential !== undefined) {
    return rng.weighted([
      ['card', 0.5],
      ['app', 0.3],
      ['app-credential', 0.2],
    ] as const);
  }
  if (entry.card !== undefined) return 'card';
  return rng.chance(0.5) ? 'app' : 'app-credential';
}

function limitExit(group: Group, latestExit: number): void {
  group.latestExit = Math.min(group.latestExit, latestExit);
  group.plannedExit = Math.max(group.arrival + 3 * MINUTE, Math.min(group.plannedExit, group.latestExit - 2 * MINUTE));
}

/**
 * Attaches members to visitor groups and adds their return visits (groups of the sizes
 * `returnGroupSizes` gave). Returns every group sorted by arrival, and the member visits.
 */
export function planMemberVisits(
  rng: Rng,
  clock: DayClock,
  baseGroups: readonly Group[],
  roster: readonly RosterEntry[],
  counts: MemberCounts,
  returnSizes: { within: readonly number[]; after: readonly number[] },
  forbidden: Forbidden,
): { groups: Group[]; visits: MemberVisit[] } {
  const groups = [...baseGroups];
  const visits: MemberVisit[] = [];
  const taken = new Set<number>();
  let nextId = groups.length;
  const vips = rng.shuffled(roster.filter((r) => r.member.tier >= 4)).slice(0, counts.vipVisits);
  const regulars = rng.shuffled(roster.filter((r) => r.member.tier < 4)).slice(0, counts.regularVisits);

  const host = (latestArrival: number): Group | undefined => {
    const eligible = baseGroups.filter((g) => !taken.has(g.id) && g.arrival <= latestArrival);
    if (eligible.length === 0) return undefined;
    const g = rng.pick(eligible);
    taken.add(g.id);
    return g;
  };
  const attach = (group: Group, entry: RosterEntry, mode: 'card' | 'app' | 'app-credential') => {
    group.member = { id: entry.member.id, via: mode };
    if (mode === 'card') limitExit(group, group.arrival + CARD_VISIT_LIMIT);
  };

  vips.forEach((entry, i) => {
    const kind: 'within' | 'after' | 'single' =
      i < counts.withinReturns ? 'within' : i < counts.withinReturns + counts.afterReturns ? 'after' : 'single';
    const mode = entranceMode(rng, entry);
    const latest =
      kind === 'within'
        ? clock.lastEntry - 35 * MINUTE
        : kind === 'after'
          ? clock.lastEntry - 70 * MINUTE
          : clock.lastEntry;
    const first = host(latest);
    if (!first) return;
    attach(first, entry, mode);
    if (kind === 'single') {
      visits.push({ member: entry.member.id, vip: true, kind: 'single', group: first });
      return;
    }
    let returning: Group;
    if (kind === 'within') {
      limitExit(first, first.arrival + 10 * MINUTE);
      const arrival = first.arrival + rng.int(15 * MINUTE, 19 * MINUTE);
      const size = returnSizes.within[i] ?? 1;
      returning = makeGroup(
        rng,
        nextId++,
        arrival,
        size,
        forbidden,
        first.arrival + 27 * MINUTE,
        rng.int(3, 6) * MINUTE,
      );
    } else {
      const room = Math.min(150 * MINUTE, clock.lastEntry - first.arrival - 5 * MINUTE);
      const arrival = first.arrival + rng.int(60 * MINUTE, Math.max(60 * MINUTE, room));
      const size = returnSizes.after[i - counts.withinReturns] ?? 1;
      returning = makeGroup(rng, nextId++, arrival, size, forbidden, clock.close + 10 * MINUTE);
    }
    attach(returning, entry, mode);
    groups.push(returning);
    visits.push({ member: entry.member.id, vip: true, kind: `${kind}-first`, group: first });
    visits.push({ member: entry.member.id, vip: true, kind: `${kind}-return`, group: returning });
  });

  for (const entry of regulars) {
    const g = host(clock.lastEntry);
    if (!g) break;
    attach(g, entry, entranceMode(rng, entry));
    visits.push({ member: entry.member.id, vip: false, kind: 'single', group: g });
  }
  groups.sort((a, b) => a.arrival - b.arrival || a.id - b.id);
  return { groups, visits };
}

/** What the entrance sees of members: card reads on the way in and out, app check-ins. */
export function entranceSignals(
  rng: Rng,
  visits: readonly MemberVisit[],
  roster: ReadonlyMap<string, RosterEntry>,
): { reads: PlannedRead[]; seen: PlannedSeen[]; sightings: Sighting[] } {
  const reads: PlannedRead[] = [];
  const seen: PlannedSeen[] = [];
  const sightings: Sighting[] = [];
  const cardReads = (member: string, epc: string, at: number, arrival: boolean) => {
    const times = Array.from({ length: rng.int(2, 5) }, () => at + rng.int(-800, 1500)).sort((a, b) => a - b);
    for (const t of times) reads.push({ epc, ant: demoAntennas.entrance, rssi: rng.int(-60, -45), at: t });
    times.forEach((t, i) => {
      sightings.push({ member, at: t, via: 'card', arrival: arrival && i === 0 });
    });
  };
  for (const visit of visits) {
    const entry = roster.get(visit.member);
    const via = visit.group.member?.via;
    const inAt = visit.group.ins[0]?.at;
    if (!entry || via === undefined || inAt === undefined) continue;
    const member = entry.member.id;
    if (via === 'card' && entry.card !== undefined) {
      cardReads(member, entry.card, inAt, true);
      const outAt = visit.group.outs[0]?.at;
      if (outAt !== undefined) cardReads(member, entry.card, outAt, false);
    } else if (via === 'app' || (via === 'app-credential' && entry.credential !== undefined)) {
      const at = inAt + rng.int(2 * SECOND, 15 * SECOND);
      const who = via === 'app' || entry.credential === undefined ? { member } : { credential: entry.credential };
      seen.push({ at, who, zone: 'entrance', via: 'app' });
      sightings.push({ member, at, via: 'app', arrival: true });
    }
  }
  sightings.sort((a, b) => a.at - b.at);
  return { reads, seen, sightings };
}

const CAMPAIGNS = ['spring-preview', 'vip-private-sale', 'birthday-gift'] as const;
const CHANNELS = ['wechat', 'phone', 'sms'] as const;

/** Invitations made in the days before: some invited VIPs come today, some do not. */
export function planInvitations(
  rng: Rng,
  clock: DayClock,
  visits: readonly MemberVisit[],
  roster: readonly RosterEntry[],
  staff: readonly StaffMember[],
): Invitation[] {
  const visiting = [...new Set(visits.filter((v) => v.vip).map((v) => v.member))];
  const visitingRegular = [...new Set(visits.filter((v) => !v.vip).map((v) => v.member))];
  const absentVips = roster
    .filter((r) => r.member.tier >= 4 && !visiting.includes(r.member.id))
    .map((r) => r.member.id);
  const invited = [
    ...rng.shuffled(visiting).slice(0, 6),
    ...rng.shuffled(absentVips).slice(0, 2),
    ...rng.shuffled(visitingRegular).slice(0, 2),
  ];
  const day = clock.date.replaceAll('-', '');
  return invited.map((member, i) => ({
    id: `INV-${day}-${String(i + 1).padStart(2, '0')}`,
    member,
    staff: rng.pick(staff).id,
    channel: rng.pick(CHANNELS),
    campaign: rng.pick(CAMPAIGNS),
    ts: rfc3339(clock.midnight - rng.int(1, 10) * DAY + rng.int(10 * HOUR, 20 * HOUR), clock.offsetMinutes),
  }));
}
