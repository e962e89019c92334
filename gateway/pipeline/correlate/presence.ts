/**
 * Members in store. DESIGN has no exit signal for a person, so this is the rule:
 *
 * - Arrival: a member's card/credential seen at an entrance while not in store. Seen
 *   anywhere else while not in store (the entrance read was missed) is an inferred arrival.
 * - Leaving: seen at an entrance again at least minVisit after arriving and after a pause
 *   of PASSAGE_GAP_MS in entrance reads (a new walk through the door), or not seen anywhere
 *   for presenceTimeout (then the departure time is the last sighting).
 * - Reads during one walk through the door (less than PASSAGE_GAP_MS apart) never flip
 *   the state, so the reads right after leaving are not a new arrival.
 * - The store is empty: an out crossing brought occupancy to 0, so everyone in store
 *   left at that crossing (their card may simply not have been read on the way out). Reads
 *   less than PASSAGE_GAP_MS after it are still that walk out.
 */
import type { ZoneKind } from './config.js';
import type { Fact } from './facts.js';
import { asArray, asNumber, asRecord } from './snapshot-util.js';
import { NEVER, type Timed } from './timed.js';

export const PASSAGE_GAP_MS = 60_000;

export interface MemberPresence {
  readonly member: string;
  tier: number;
  present: boolean;
  arrivedAt: number;
  lastSeen: number;
  /** Last entrance read (of the arrival or exit walk), null when never seen at an entrance. */
  lastEntrance: number | null;
  zone: string;
}

export type SightingResult = 'arrival' | 'inferred-arrival' | 'exit' | 'seen';

export interface PresenceListener {
  /** A member's presence ended (exit or timeout); `ts` is the exit read or the last sighting. */
  departed(p: MemberPresence, ts: number, reason: 'exit' | 'timeout' | 'empty', out: Fact[]): void;
}

export class Presence implements Timed {
  private readonly members = new Map<string, MemberPresence>();
  private deadline = NEVER;

  constructor(
    private readonly timeoutMs: number,
    private readonly minVisitMs: number,
    private readonly listener: PresenceListener,
  ) {}

  sighting(
    member: string,
    tier: number,
    zone: string,
    kind: ZoneKind,
    first: number,
    last: number,
    now: number,
    out: Fact[],
    /** An app or Wi-Fi check-in: always a way in, never the walk out. */
    checkIn = false,
  ): SightingResult {
    this.prune(now);
    let p = this.members.get(member);
    let result: SightingResult;
    if (p?.present) {
      const isExit =
        kind === 'entrance' &&
        first - p.arrivedAt >= this.minVisitMs &&
        (p.lastEntrance === null || first - p.lastEntrance >= PASSAGE_GAP_MS);
      if (isExit && checkIn) {
        // They left unseen (no card read on the way out) and are checking in again.
        p.present = false;
        this.listener.departed(p, p.lastSeen, 'exit', out);
        p = { member, tier, present: true, arrivedAt: first, lastSeen: last, lastEntrance: null, zone };
        this.members.set(member, p);
        result = 'arrival';
      } else if (isExit) {
        p.present = false;
        this.listener.departed(p, first, 'exit', out);
        result = 'exit';
      } else {
        result = 'seen';
      }
    } else if (p && p.lastEntrance !== null && first - p.lastEntrance < PASSAGE_GAP_MS) {
      result = 'seen'; // still the walk out of the door
    } else {
      p = { member, tier, present: true, arrivedAt: first, lastSeen: last, lastEntrance: null, zone };
      this.members.set(member, p);
      result = kind === 'entrance' ? 'arrival' : 'inferred-arrival';
    }
    p.tier = tier;
    p.zone = zone;
    if (last > p.lastSeen) p.lastSeen = last;
    if (kind === 'entrance' && (p.lastEntrance === null || last > p.lastEntrance)) p.lastEntrance = last;
    this.updateDeadline();
    return result;
  }

  /** Refreshes a member known to be in store (e.g. a purchase) without arriving them. */
  touch(member: string, ts: number): void {
    const p = this.members.get(member);
    if (!p?.present || ts <= p.lastSeen) return;
    p.lastSeen = ts;
    this.updateDeadline();
  }

  /**
   * The door counters say nobody is in store at `ts`: every member present since before
   * `ts` leaves there. One who arrived at `ts` or later stays (the crossing was not theirs).
   */
  storeEmptied(ts: number, out: Fact[]): void {
    let changed = false;
    for (const p of this.members.values()) {
      if (!p.present || p.arrivedAt >= ts) continue;
      p.present = false;
      if (p.lastEntrance === null || p.lastEntrance < ts) p.lastEntrance = ts;
      this.listener.departed(p, ts, 'empty', out);
      changed = true;
    }
    if (changed) this.updateDeadline();
  }

  isPresent(member: string): boolean {
    return this.members.get(member)?.present === true;
  }

  *present(): Generator<MemberPresence, void, undefined> {
    for (const p of this.members.values()) if (p.present) yield p;
  }

  nextDeadline(): number {
    return this.deadline;
  }

  fire(deadline: number, out: Fact[]): void {
    for (const p of this.members.values()) {
      if (p.present && p.lastSeen + this.timeoutMs <= deadline) {
        p.present = false;
        this.listener.departed(p, p.lastSeen, 'timeout', out);
      }
    }
    this.prune(deadline);
    this.updateDeadline();
  }

  /** Drops members who left and whose exit walk is over. */
  private prune(now: number): void {
    for (const [id, p] of this.members) {
      if (!p.present && (p.lastEntrance ?? p.lastSeen) + PASSAGE_GAP_MS < now) this.members.delete(id);
    }
  }

  private updateDeadline(): void {
    let d = NEVER;
    for (const p of this.members.values()) {
      if (p.present && p.lastSeen + this.timeoutMs < d) d = p.lastSeen + this.timeoutMs;
    }
    this.deadline = d;
  }

  snapshot(): MemberPresence[] {
    return [...this.members.values()].map((p) => ({ ...p }));
  }

  restoreState(data: unknown): void {
    for (const raw of asArray(data, 'presence')) {
      const r = asRecord(raw, 'member presence');
      const p: MemberPresence = {
        member: String(r.member),
        tier: asNumber(r.tier, 'tier'),
        present: r.present === true,
        arrivedAt: asNumber(r.arrivedAt, 'arrivedAt'),
        lastSeen: asNumber(r.lastSeen, 'lastSeen'),
        lastEntrance: r.lastEntrance === null ? null : asNumber(r.lastEntrance, 'lastEntrance'),
        zone: String(r.zone),
      };
      this.members.set(p.member, p);
    }
    this.updateDeadline();
  }
}
