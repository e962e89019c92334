/**
 * Fitting rooms: garment sightings (already filtered by the room's rssiMin and stripped of
 * person tags) → try-on sessions.
 *
 * - A session starts at the first garment seen in a room.
 * - It counts once some garment has stayed ≥ minDwell (lastSeen − firstSeen in the session).
 * - It ends when no garment of it has been seen for leaveAfter; its end is the last
 *   sighting (leaveAfter is only the detection delay). A sighting leaveAfter or more after
 *   the last one starts a new session.
 * - Tried item = a garment whose own dwell in the session is ≥ minDwell.
 * - Size swap = two sizes of one style among the session's garments.
 * - Assistance (assist.ts): a session still open assistAfter after its start, or a size
 *   swap, asks staff once (`assist.needed`), whichever comes first. "Open" at that time =
 *   a garment seen less than leaveAfter before it; when that is only known once a pending
 *   read is decided, the check waits for the session's end decision.
 * - Members of a session (who tried its garments): a member is tied to a session when
 *   their card or app credential was seen in that room at some time in
 *   [start − leaveAfter, end] (end = the last garment sighting). The slack before the start
 *   covers a card read as they walk in, before the garments' first reads; none after the
 *   end, so the next occupant (whose session starts ≥ leaveAfter later) is not tied to it.
 *   Sightings are kept 2 h of the room's own event time (MEMBER_MARK_KEEP_MS, at most
 *   MEMBER_MARKS_MAX per room) and while an open session can claim them; one that arrives
 *   after the session ended is not tied to it. A wifi position never ties anyone (the
 *   correlator does not pass it here).
 */

import { assistFact, sizeSwapBy } from './assist.js';
import { ReadArbiter } from './cross-read.js';
import type { Fact, SessionFact, SessionItem } from './facts.js';
import { type CorrelatorLookups, gtin14, productFields } from './lookups.js';
import { asArray, asNumber, asRecord } from './snapshot-util.js';
import { LATE_HOLD_MS, NEVER, type Timed } from './timed.js';

export interface GarmentState {
  readonly epc: string;
  readonly gtin?: string;
  readonly sku?: string;
  readonly style?: string;
  readonly size?: string;
  first: number;
  last: number;
  tried: boolean;
}

export interface SessionState {
  readonly id: string;
  readonly room: string;
  readonly start: number;
  lastSeen: number;
  endDeadline: number;
  counted: boolean;
  /** When to check whether the session needs assistance; NEVER once it asked. */
  assistCheck: number;
  readonly items: Map<string, GarmentState>;
}

export interface RoomInUse {
  readonly room: string;
  readonly session: string;
  readonly since: number;
  readonly lastSeen: number;
  readonly items: number;
  readonly counted: boolean;
}

/** What other reducers hear from the rooms. */
export interface RoomsListener {
  sessionCounted(session: SessionState, out: Fact[]): void;
  sessionEnded(session: SessionState, out: Fact[]): void;
}

export interface RoomsSnapshot {
  readonly arbiter: unknown;
  readonly sessions: unknown[];
  /** [room, member, first, last]; absent in snapshots from before sessions had members. */
  readonly members: [string, string, number, number][];
}

/** A member's card or credential seen in a fitting room over [first, last]. */
interface MemberMark {
  readonly member: string;
  first: number;
  last: number;
}

/**
 * Member sightings of a room are kept while they are at most this much older (event time)
 * than the room's latest one, so a reader flushing its buffer still ties its sessions; and
 * at most MEMBER_MARKS_MAX per room. Marks an open session can claim are always kept.
 */
const MEMBER_MARK_KEEP_MS = 2 * 3_600_000;
const MEMBER_MARKS_MAX = 256;

export class Rooms implements Timed {
  private readonly sessions = new Map<string, SessionState>();
  /** Per room, recent member sightings (for session.members), oldest first. */
  private readonly marks = new Map<string, MemberMark[]>();
  private arbiter: ReadArbiter;
  /** Context of closeDue's callback, bound once instead of a closure per call. */
  private firingOut: Fact[] = [];
  private firingAt = 0;
  private readonly applyBound = (room: string, epc: string, first: number, last: number) =>
    this.apply(room, epc, first, last, this.firingAt, this.firingOut);

  constructor(
    private readonly minDwellMs: number,
    private readonly leaveAfterMs: number,
    private readonly assistAfterMs: number,
    settleMs: number,
    private readonly lookups: CorrelatorLookups,
    private readonly listener: RoomsListener,
  ) {
    this.arbiter = new ReadArbiter(settleMs);
  }

  /** A garment tag.seen in a fitting room, above the room's threshold. */
  sighting(epc: string, room: string, first: number, last: number, peak: number, now: number): void {
    this.arbiter.add(epc, room, first, last, peak, now);
  }

  /**
   * A member's card or app credential seen in a fitting room. Sightings of one member less
   * than leaveAfter apart merge into one mark; a longer gap starts another.
   */
  memberSeen(member: string, room: string, first: number, last: number): void {
    let list = this.marks.get(room);
    if (!list) {
      list = [];
      this.marks.set(room, list);
    }
    const mark = list.find(
      (m) => m.member === member && first <= m.last + this.leaveAfterMs && last >= m.first - this.leaveAfterMs,
    );
    if (mark) {
      if (first < mark.first) mark.first = first;
      if (last > mark.last) mark.last = last;
    } else list.push({ member, first, last });
    this.pruneMarks(room, list);
  }

  inUse(): RoomInUse[] {
    const rooms: RoomInUse[] = [];
    for (const s of this.sessions.values()) {
      rooms.push({
        room: s.room,
        session: s.id,
        since: s.start,
        lastSeen: s.lastSeen,
        items: s.items.size,
        counted: s.counted,
      });
    }
    return rooms.sort((a, b) => (a.room < b.room ? -1 : a.room > b.room ? 1 : 0));
  }

  openSessions(): IterableIterator<SessionState> {
    return this.sessions.values();
  }

  nextDeadline(): number {
    let d = this.arbiter.nextDeadline();
    for (const s of this.sessions.values()) {
      if (s.endDeadline < d) d = s.endDeadline;
      if (s.assistCheck < d) d = s.assistCheck;
    }
    return d;
  }

  fire(deadline: number, out: Fact[]): void {
    // Sightings first: a read from before the end deadline may still extend the session
    // (apply() itself splits when the gap is leaveAfter or more).
    this.firingOut = out;
    this.firingAt = deadline;
    this.arbiter.closeDue(deadline, this.applyBound);
    this.firingOut = [];
    for (const s of [...this.sessions.values()]) {
      if (s.endDeadline > deadline) continue;
      // A read still waiting in an open second could extend it: decide when that closes.
      const pending = this.arbiter.pendingDeadline(s.room, s.lastSeen + this.leaveAfterMs);
      if (pending !== NEVER) s.endDeadline = pending;
      else this.end(s, out);
    }
    for (const s of this.sessions.values()) if (s.assistCheck <= deadline) this.checkLong(s, deadline, out);
  }

  /** The assistAfter timer of an open session (see the module comment). */
  private checkLong(s: SessionState, deadline: number, out: Fact[]): void {
    const at = s.start + this.assistAfterMs;
    if (s.lastSeen + this.leaveAfterMs > at) {
      s.assistCheck = NEVER;
      out.push(assistFact(s, at, 'long'));
    } else {
      // Idle at `at` as far as is known: a pending read may still extend it; decide then.
      s.assistCheck = Math.max(s.endDeadline, deadline + 1);
    }
  }

  private apply(room: string, epc: string, first: number, last: number, at: number, out: Fact[]): void {
    let s = this.sessions.get(room);
    if (s && first - s.lastSeen >= this.leaveAfterMs) {
      this.end(s, out);
      s = undefined;
    }
    const started = !s;
    if (!s) {
      s = {
        id: `${room}@${first}`,
        room,
        start: first,
        lastSeen: last,
        endDeadline: 0,
        counted: false,
        assistCheck: first + this.assistAfterMs,
        items: new Map(),
      };
      this.sessions.set(room, s);
    }
    // A late sighting older than the session start is clamped: the start is the session's id.
    const from = Math.max(first, s.start);
    const to = Math.max(last, from);
    let g = s.items.get(epc);
    let added = false;
    if (!g) {
      g = this.garment(epc, from, to);
      s.items.set(epc, g);
      added = true;
    } else {
      if (from < g.first) g.first = from;
      if (to > g.last) g.last = to;
    }
    if (to > s.lastSeen) s.lastSeen = to;
    s.endDeadline = Math.max(s.lastSeen + this.leaveAfterMs, at + LATE_HOLD_MS);
    if (started) out.push(sessionFact('session.started', s, this.membersOf(s)));
    if (added && s.assistCheck !== NEVER) {
      const swap = sizeSwapBy(s, g);
      if (swap) {
        s.assistCheck = NEVER;
        out.push(assistFact(s, swap.at, 'size-swap', swap));
      }
    }
    if (!g.tried && g.last - g.first >= this.minDwellMs) {
      g.tried = true;
      if (!s.counted) {
        s.counted = true;
        out.push(sessionFact('session.counted', s, this.membersOf(s)));
        this.listener.sessionCounted(s, out);
      }
      out.push({
        type: 'item.tried',
        ts: s.start,
        session: s.id,
        room,
        epc,
        ...productFields(g),
        firstSeen: g.first,
      });
    }
  }

  private end(s: SessionState, out: Fact[]): void {
    this.sessions.delete(s.room);
    out.push(sessionFact('session.ended', s, this.membersOf(s)));
    this.listener.sessionEnded(s, out);
  }

  /** Members tied to the session so far, sorted (see the module comment). */
  private membersOf(s: SessionState): string[] {
    const list = this.marks.get(s.room);
    if (!list) return [];
    const from = s.start - this.leaveAfterMs;
    const members = new Set<string>();
    for (const m of list) if (m.last >= from && m.first <= s.lastSeen) members.add(m.member);
    return [...members].sort();
  }

  /** Drops marks the room's open session cannot claim that are old or beyond the cap. */
  private pruneMarks(room: string, list: MemberMark[]): void {
    let latest = Number.NEGATIVE_INFINITY;
    for (const m of list) if (m.last > latest) latest = m.last;
    const open = this.sessions.get(room);
    const claimFrom = open ? open.start - this.leaveAfterMs : Number.POSITIVE_INFINITY;
    const keep = (m: MemberMark) => m.last >= claimFrom || m.last >= latest - MEMBER_MARK_KEEP_MS;
    let kept = list.every(keep) ? list : list.filter(keep);
    if (kept.length > MEMBER_MARKS_MAX) {
      const excess = kept.length - MEMBER_MARKS_MAX;
      let dropped = 0;
      kept = kept.filter((m) => m.last >= claimFrom || dropped++ >= excess);
    }
    if (kept !== list) this.marks.set(room, kept);
  }

  private garment(epc: string, first: number, last: number): GarmentState {
    const p = this.lookups.resolveProduct(epc);
    const g: { -readonly [K in keyof GarmentState]: GarmentState[K] } = { epc, first, last, tried: false };
    if (p?.gtin !== undefined) g.gtin = gtin14(p.gtin);
    if (p?.sku !== undefined) g.sku = p.sku;
    if (p?.style !== undefined) g.style = p.style;
    if (p?.size !== undefined) g.size = p.size;
    return g;
  }

  snapshot(): RoomsSnapshot {
    return {
      arbiter: this.arbiter.snapshot(),
      sessions: [...this.sessions.values()].map((s) => ({
        room: s.room,
        start: s.start,
        lastSeen: s.lastSeen,
        endDeadline: s.endDeadline,
        counted: s.counted,
        assistCheck: s.assistCheck === NEVER ? null : s.assistCheck,
        items: [...s.items.values()].map((g) => ({ ...g })),
      })),
      members: [...this.marks].flatMap(([room, list]) =>
        list.map((m): [string, string, number, number] => [room, m.member, m.first, m.last]),
      ),
    };
  }

  restoreState(data: unknown, settleMs: number): void {
    const d = asRecord(data, 'rooms');
    this.arbiter = ReadArbiter.restore(settleMs, d.arbiter);
    for (const raw of asArray(d.sessions, 'rooms.sessions')) {
      const r = asRecord(raw, 'session');
      const room = String(r.room);
      const start = asNumber(r.start, 'start');
      const items = new Map<string, GarmentState>();
      for (const rawItem of asArray(r.items, 'session.items')) {
        const i = asRecord(rawItem, 'item');
        const g: { -readonly [K in keyof GarmentState]: GarmentState[K] } = {
          epc: String(i.epc),
          first: asNumber(i.first, 'first'),
          last: asNumber(i.last, 'last'),
          tried: i.tried === true,
        };
        if (typeof i.gtin === 'string') g.gtin = i.gtin;
        if (typeof i.sku === 'string') g.sku = i.sku;
        if (typeof i.style === 'string') g.style = i.style;
        if (typeof i.size === 'string') g.size = i.size;
        items.set(g.epc, g);
      }
      this.sessions.set(room, {
        id: `${room}@${start}`,
        room,
        start,
        lastSeen: asNumber(r.lastSeen, 'lastSeen'),
        endDeadline: asNumber(r.endDeadline, 'endDeadline'),
        counted: r.counted === true,
        // null: it asked already. Absent (a snapshot from before assistance): the timer
        // runs; the alert store keeps one card per session, so a repeat is harmless.
        assistCheck:
          r.assistCheck === null
            ? NEVER
            : r.assistCheck === undefined
              ? start + this.assistAfterMs
              : asNumber(r.assistCheck, 'assistCheck'),
        items,
      });
    }
    for (const raw of d.members === undefined ? [] : asArray(d.members, 'rooms.members')) {
      const [room, member, first, last] = asArray(raw, 'rooms.members row');
      const list = this.marks.get(String(room)) ?? [];
      list.push({ member: String(member), first: asNumber(first, 'first'), last: asNumber(last, 'last') });
      this.marks.set(String(room), list);
    }
  }
}

function sessionFact(type: SessionFact['type'], s: SessionState, members: readonly string[]): SessionFact {
  const items: SessionItem[] = [];
  const sizesByStyle = new Map<string, string>();
  let sizeSwap = false;
  for (const g of s.items.values()) {
    items.push({ epc: g.epc, ...productFields(g), dwellMs: g.last - g.first, tried: g.tried });
    if (g.style === undefined || g.size === undefined) continue;
    const seen = sizesByStyle.get(g.style);
    if (seen === undefined) sizesByStyle.set(g.style, g.size);
    else if (seen !== g.size) sizeSwap = true;
  }
  return {
    type,
    ts: s.start,
    session: s.id,
    room: s.room,
    start: s.start,
    end: s.lastSeen,
    counted: s.counted,
    items,
    sizeSwap,
    ...(members.length === 0 ? {} : { members }),
  };
}
