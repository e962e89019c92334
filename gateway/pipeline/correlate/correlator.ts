/**
 * The Correlator: one pure, deterministic state machine over the input sequence
 * (device events, ticks, invitation records) that composes the reducers and routes
 * each event to the ones that care.
 *
 * Time. The correlator runs in event time: its clock `now` is the largest tick or input
 * `ts` seen (an event's device time, an invitation's time). The derivation feeds it inputs
 * in event-time order (gateway/pipeline/derive), so its results are a function of the set of
 * inputs, not of when they arrived. Decisions that must wait (a held `in`, an open RFID
 * second, a session that may end, a presence timeout, an invitation window) are deadlines;
 * every step first fires all deadlines ≤ now in global deadline order, handles its input,
 * then fires again. An input therefore carries its own tick (its ts): extra ticks in
 * between, as long as they are not later than the next input's ts, change nothing, and
 * every fact's `ts` is the time of what it describes, never the tick's.
 */
import type { DeviceEvent, MemberSeenEvent, TagSeenEvent } from '../../../protocols/index.js';
import { createStoreCalendar, type StoreCalendar } from '../../infra/time/index.js';
import { type CorrelationConfig, type ResolvedConfig, resolveConfig, type ZoneKind } from './config.js';
import type { Fact } from './facts.js';
import { type Invitation, Invitations } from './invitations.js';
import type { CorrelatorLookups } from './lookups.js';
import { type MemberPresence, Presence } from './presence.js';
import { type RoomInUse, Rooms, type SessionState } from './rooms.js';
import { Sales } from './sales.js';
import { asNumber, asRecord, SnapshotError } from './snapshot-util.js';
import { NEVER, type Timed } from './timed.js';
import { TriedBought, type TriedItem } from './tried-bought.js';
import { VipAlerts } from './vip.js';
import { Visits } from './visits.js';

export type CorrelatorInput =
  | { readonly kind: 'event'; readonly event: DeviceEvent }
  | { readonly kind: 'tick'; readonly ts: number }
  | { readonly kind: 'invitation'; readonly invitation: Invitation };

export interface VipInStore {
  readonly member: string;
  readonly tier: number;
  readonly since: number;
  readonly lastSeen: number;
  /** Zone of the last sighting. */
  readonly zone: string;
}

export interface CorrelatorSnapshot {
  readonly v: 1;
  readonly now: number;
  readonly visits: unknown;
  readonly rooms: unknown;
  readonly sales: unknown;
  readonly triedBought: unknown;
  readonly presence: unknown;
  readonly vip: unknown;
  readonly invitations: unknown;
}

const SNAPSHOT_VERSION = 1;
const NO_FACTS: readonly Fact[] = Object.freeze([]);
/** Before the first input. JSON-safe, unlike -Infinity. */
const START = Number.MIN_SAFE_INTEGER;

interface Parts {
  now: number;
  visits: Visits;
  sales: Sales;
  triedBought: TriedBought;
  vip: VipAlerts;
  invitations: Invitations;
}

export class Correlator {
  readonly calendar: StoreCalendar;
  private readonly cfg: ResolvedConfig;
  private nowTs: number;
  /**
   * The time decisions are taken at: the deadline being fired, else `now`. Reducers prune
   * by it, so their state never depends on how late a tick carried time past a deadline.
   */
  private decisionTs: number;
  private readonly visits: Visits;
  private readonly rooms: Rooms;
  private readonly sales: Sales;
  private readonly triedBought: TriedBought;
  private readonly presence: Presence;
  private readonly vip: VipAlerts;
  private readonly invitations: Invitations;
  /** In the order ties between equal deadlines are fired. */
  private readonly timed: readonly Timed[];

  /** A fresh correlator. (`restored` is internal: use Correlator.restore for snapshots.) */
  constructor(
    config: CorrelationConfig,
    private readonly lookups: CorrelatorLookups,
    restored?: { parts: Parts; rooms: unknown; presence: unknown },
  ) {
    this.cfg = resolveConfig(config);
    this.calendar = createStoreCalendar(this.cfg.timezone);
    const c = this.cfg;
    this.nowTs = restored?.parts.now ?? START;
    this.decisionTs = this.nowTs;
    this.visits = restored?.parts.visits ?? Visits.create(c, this.calendar);
    this.sales = restored?.parts.sales ?? new Sales(lookups);
    this.triedBought = restored?.parts.triedBought ?? new TriedBought(c.conversionWindowMs, lookups);
    this.vip = restored?.parts.vip ?? new VipAlerts(c.vipTier, c.realertAfterMs);
    this.invitations = restored?.parts.invitations ?? new Invitations(c.invitationWindowMs);
    this.rooms = new Rooms(c.minDwellMs, c.leaveAfterMs, c.assistAfterMs, c.settleMs, lookups, {
      sessionCounted: (s, out) => this.onSessionCounted(s, out),
      sessionEnded: (s, out) => this.onSessionEnded(s, out),
    });
    this.presence = new Presence(c.presenceTimeoutMs, c.minVisitMs, {
      departed: (p, ts, reason, out) => this.onDeparted(p, ts, reason, out),
    });
    if (restored) {
      this.rooms.restoreState(restored.rooms, c.settleMs);
      this.presence.restoreState(restored.presence);
    }
    this.timed = [this.visits, this.rooms, this.presence, this.invitations];
  }

  /** Facts caused by one input (a shared empty array when there are none). */
  step(input: CorrelatorInput): readonly Fact[] {
    const out: Fact[] = [];
    this.stepInto(input, out);
    return out.length === 0 ? NO_FACTS : out;
  }

  /** Like step, appending to `out` (no array per input on hot replay loops). */
  stepInto(input: CorrelatorInput, out: Fact[]): void {
    switch (input.kind) {
      case 'tick':
        this.advance(input.ts, out);
        return;
      case 'event':
        this.advance(input.event.ts, out);
        this.onEvent(input.event, out);
        break;
      case 'invitation':
        this.advance(input.invitation.ts, out);
        this.invitations.add(input.invitation);
        break;
    }
    this.advance(this.nowTs, out);
  }

  /** The correlator's clock: the latest tick or input ts. */
  now(): number {
    return this.nowTs;
  }

  occupancy(): number {
    return this.visits.occupancyAt(this.nowTs);
  }

  roomsInUse(): RoomInUse[] {
    return this.rooms.inUse();
  }

  vipsInStore(): VipInStore[] {
    const vips: VipInStore[] = [];
    for (const p of this.presence.present()) {
      if (this.vip.isVip(p.tier)) {
        vips.push({ member: p.member, tier: p.tier, since: p.arrivedAt, lastSeen: p.lastSeen, zone: p.zone });
      }
    }
    return vips.sort((a, b) => a.since - b.since || (a.member < b.member ? -1 : 1));
  }

  snapshot(): CorrelatorSnapshot {
    return {
      v: SNAPSHOT_VERSION,
      now: this.nowTs,
      visits: this.visits.snapshot(),
      rooms: this.rooms.snapshot(),
      sales: this.sales.snapshot(),
      triedBought: this.triedBought.snapshot(),
      presence: this.presence.snapshot(),
      vip: this.vip.snapshot(),
      invitations: this.invitations.snapshot(),
    };
  }

  static restore(config: CorrelationConfig, lookups: CorrelatorLookups, snapshot: unknown): Correlator {
    const s = asRecord(snapshot, 'correlator snapshot');
    if (s.v !== SNAPSHOT_VERSION) throw new SnapshotError(`unsupported correlator snapshot version ${String(s.v)}`);
    const c = resolveConfig(config);
    const calendar = createStoreCalendar(c.timezone);
    return new Correlator(config, lookups, {
      parts: {
        now: asNumber(s.now, 'now'),
        visits: Visits.restore(c, calendar, s.visits),
        sales: Sales.restore(lookups, s.sales),
        triedBought: TriedBought.restore(c.conversionWindowMs, lookups, s.triedBought),
        vip: VipAlerts.restore(c.vipTier, c.realertAfterMs, s.vip),
        invitations: Invitations.restore(c.invitationWindowMs, s.invitations),
      },
      rooms: s.rooms,
      presence: s.presence,
    });
  }

  // --- time ----------------------------------------------------------------------------

  /** Moves the clock to `ts` (never back) and fires every deadline up to it, earliest first. */
  private advance(ts: number, out: Fact[]): void {
    if (ts > this.nowTs) this.nowTs = ts;
    const now = this.nowTs;
    const timed = this.timed;
    for (;;) {
      let deadline = NEVER;
      for (const t of timed) {
        const d = t.nextDeadline();
        if (d < deadline) deadline = d;
      }
      if (deadline > now) break;
      this.decisionTs = deadline;
      for (const t of timed) {
        if (t.nextDeadline() > deadline) continue;
        t.fire(deadline, out);
        if (t.nextDeadline() <= deadline) throw new Error('correlator: a reducer did not advance past its deadline');
      }
    }
    this.decisionTs = now;
  }

  // --- routing -------------------------------------------------------------------------

  private onEvent(e: DeviceEvent, out: Fact[]): void {
    switch (e.type) {
      case 'door.crossing':
        if (this.visits.crossing(e, out)) this.presence.storeEmptied(e.ts, out);
        return;
      case 'door.totals':
        if (this.visits.doorTotals(e, out)) this.presence.storeEmptied(e.ts, out);
        return;
      case 'tag.seen':
        this.onTagSeen(e, out);
        return;
      case 'pos.receipt': {
        const result = this.sales.receipt(e, this.decisionTs, out);
        if (!result) return;
        if (e.kind === 'sale') this.triedBought.sale(e, this.decisionTs, out);
        if (result.member !== undefined) {
          this.presence.touch(result.member, e.ts);
          this.invitations.receipt(result.member, e.ts, e.receipt, result.revenue, e.kind === 'sale', out);
        }
        return;
      }
      case 'member.seen':
        this.onMemberSeen(e, out);
        return;
      case 'device.status':
        return;
    }
  }

  private onTagSeen(e: TagSeenEvent, out: Fact[]): void {
    const kind = this.cfg.zoneKinds.get(e.zone);
    if (kind === undefined) return;
    if (this.cfg.staffBadges.has(e.epc)) {
      if (kind === 'entrance') {
        this.visits.staffSeen(e.zone, e.epc, e.ts, e.lastTs, this.decisionTs);
        out.push({ type: 'staff.badge', ts: e.ts, lastTs: e.lastTs, zone: e.zone, badge: e.epc });
      }
      return;
    }
    const passes = kind !== 'fitting-room' || e.peakRssi >= (this.cfg.rssiMin.get(e.zone) as number);
    const member = this.lookups.memberByCard(e.epc);
    if (member) {
      if (passes) this.onMemberSighting(member.id, member.tier, e.zone, kind, e.ts, e.lastTs, 'card', out);
      return;
    }
    if (kind === 'fitting-room' && passes)
      this.rooms.sighting(e.epc, e.zone, e.ts, e.lastTs, e.peakRssi, this.decisionTs);
  }

  private onMemberSeen(e: MemberSeenEvent, out: Fact[]): void {
    const kind = this.cfg.zoneKinds.get(e.zone);
    if (kind === undefined) return;
    if (e.via === 'staff') {
      const badge = e.member ?? e.credential;
      if (kind === 'entrance' && badge !== undefined) {
        this.visits.staffSeen(e.zone, `staff:${badge}`, e.ts, e.ts, this.decisionTs);
        out.push({ type: 'staff.badge', ts: e.ts, lastTs: e.ts, zone: e.zone, badge: `staff:${badge}` });
      }
      return;
    }
    const known =
      e.member !== undefined
        ? this.lookups.memberById(e.member)
        : e.credential !== undefined
          ? this.lookups.memberByCard(e.credential)
          : undefined;
    const id = known?.id ?? e.member;
    if (id === undefined) return;
    this.onMemberSighting(id, known?.tier ?? 0, e.zone, kind, e.ts, e.ts, e.via, out);
  }

  private onMemberSighting(
    member: string,
    tier: number,
    zone: string,
    kind: ZoneKind,
    first: number,
    last: number,
    via: 'card' | 'app' | 'wifi',
    out: Fact[],
  ): void {
    const checkIn = via === 'app' || via === 'wifi';
    const result = this.presence.sighting(member, tier, zone, kind, first, last, this.decisionTs, out, checkIn);
    if (result === 'arrival') {
      const invitation = this.invitations.openFor(member, first);
      this.vip.arrival(member, tier, zone, via, first, invitation?.id, this.decisionTs, out);
    }
    if (result === 'arrival' || result === 'inferred-arrival') this.invitations.arrived(member, first, out);
    // Tried = this member's card or app credential in a fitting room (wifi cannot place
    // anyone in a room). It also ties them to the room's session (session.members).
    if (kind === 'fitting-room' && via !== 'wifi') {
      this.rooms.memberSeen(member, zone, first, last);
      this.invitations.tried(member, first, 'credential', out);
    }
  }

  // --- reducer → reducer ---------------------------------------------------------------

  /**
   * Nothing to do: a counted session no longer makes every member in store "tried" (it
   * made tried = arrived for all invitations). Members tied to a session are those whose
   * credential was seen in its room, and that sighting itself is their "tried".
   */
  private onSessionCounted(_s: SessionState, _out: Fact[]): void {}

  private onSessionEnded(s: SessionState, out: Fact[]): void {
    for (const g of s.items.values()) {
      if (!g.tried) continue;
      const item: TriedItem = {
        epc: g.epc,
        ...(g.gtin === undefined ? {} : { gtin: g.gtin }),
        ...(g.sku === undefined ? {} : { sku: g.sku }),
        ...(g.style === undefined ? {} : { style: g.style }),
        ...(g.size === undefined ? {} : { size: g.size }),
        room: s.room,
        session: s.id,
        sessionEnd: s.lastSeen,
        matched: false,
      };
      this.triedBought.triedItemEnded(item, this.decisionTs, out);
    }
  }

  private onDeparted(p: MemberPresence, ts: number, reason: 'exit' | 'timeout' | 'empty', out: Fact[]): void {
    if (!this.vip.isVip(p.tier)) return;
    out.push({ type: 'vip.departure', ts, member: p.member, tier: p.tier, since: p.arrivedAt, reason });
  }
}
