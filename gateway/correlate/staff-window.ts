/**
 * Staff exclusion at entrances: an `in` within ±staffWindow of a staff badge seen in the
 * same entrance zone is staff, not a visitor. An `in` is therefore held until its window
 * has passed (a badge may be read just after the crossing), then decided.
 *
 * A badge read repeatedly (readers fold reads per second, so one walk through the door is
 * several tag.seen) forms one passage: reads of the same badge less than staffWindow apart
 * merge. One passage excuses one `in`, the nearest in time (earliest on ties); held ins are
 * decided in time order, so the first crossing claims the badge.
 */
import type { Fact } from './facts.js';
import { asArray, asNumber, asRecord } from './snapshot-util.js';
import { NEVER, type Timed } from './timed.js';

interface BadgePassage {
  readonly zone: string;
  readonly badge: string;
  first: number;
  last: number;
  used: boolean;
}

interface HeldIn {
  readonly ts: number;
  readonly door: string;
  readonly zone: string;
  readonly n: number;
  readonly deadline: number;
  readonly seq: number;
}

/** Passages are kept this long after their last read, for crossings that arrive late. */
const PASSAGE_RETENTION_MS = 10 * 60_000;

export interface StaffWindowSnapshot {
  readonly passages: [zone: string, badge: string, first: number, last: number, used: boolean][];
  readonly held: [ts: number, door: string, zone: string, n: number, deadline: number, seq: number][];
  readonly seq: number;
}

export class StaffWindow implements Timed {
  private passages: BadgePassage[] = [];
  /** Sorted by (deadline, seq): fire takes a prefix instead of scanning every held in. */
  private held: HeldIn[] = [];
  private seq = 0;

  constructor(
    private readonly windowMs: number,
    private readonly settleMs: number,
  ) {}

  badgeSeen(zone: string, badge: string, first: number, last: number, now: number): void {
    this.prune(now);
    for (let i = this.passages.length - 1; i >= 0; i--) {
      const p = this.passages[i] as BadgePassage;
      if (p.zone !== zone || p.badge !== badge) continue;
      if (first - p.last <= this.windowMs && p.first - last <= this.windowMs) {
        if (first < p.first) p.first = first;
        if (last > p.last) p.last = last;
        return;
      }
    }
    this.passages.push({ zone, badge, first, last, used: false });
  }

  holdIn(ts: number, door: string, zone: string, n: number): void {
    this.insertHeld({ ts, door, zone, n, deadline: ts + this.windowMs + this.settleMs, seq: this.seq++ });
  }

  nextDeadline(): number {
    return this.held[0]?.deadline ?? NEVER;
  }

  fire(deadline: number, out: Fact[]): void {
    let k = 0;
    while (k < this.held.length && (this.held[k] as HeldIn).deadline <= deadline) k++;
    const due = this.held.splice(0, k);
    // Deadline order is ts order for one config; sorting keeps ties and restored snapshots exact.
    due.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
    for (const h of due) this.decide(h, out);
    this.prune(deadline);
  }

  /** Crossings come nearly in time order: search from the end. */
  private insertHeld(h: HeldIn): void {
    let i = this.held.length;
    while (i > 0) {
      const prev = this.held[i - 1] as HeldIn;
      if (prev.deadline < h.deadline || (prev.deadline === h.deadline && prev.seq < h.seq)) break;
      i--;
    }
    if (i === this.held.length) this.held.push(h);
    else this.held.splice(i, 0, h);
  }

  private decide(h: HeldIn, out: Fact[]): void {
    let staff = 0;
    while (staff < h.n) {
      const passage = this.nearestUnused(h);
      if (!passage) break;
      passage.used = true;
      staff++;
    }
    if (staff < h.n) out.push({ type: 'visitor', ts: h.ts, door: h.door, zone: h.zone, n: h.n - staff });
    if (staff > 0) out.push({ type: 'staff.in', ts: h.ts, door: h.door, zone: h.zone, n: staff });
  }

  private nearestUnused(h: HeldIn): BadgePassage | undefined {
    let best: BadgePassage | undefined;
    let bestDistance = NEVER;
    for (const p of this.passages) {
      if (p.used || p.zone !== h.zone) continue;
      const distance = h.ts < p.first ? p.first - h.ts : h.ts > p.last ? h.ts - p.last : 0;
      if (distance > this.windowMs) continue;
      if (distance < bestDistance || (distance === bestDistance && best && p.first < best.first)) {
        best = p;
        bestDistance = distance;
      }
    }
    return best;
  }

  private prune(now: number): void {
    const first = this.passages[0];
    if (first === undefined || first.last + PASSAGE_RETENTION_MS >= now) return;
    this.passages = this.passages.filter((p) => p.last + PASSAGE_RETENTION_MS >= now);
  }

  snapshot(): StaffWindowSnapshot {
    return {
      passages: this.passages.map((p) => [p.zone, p.badge, p.first, p.last, p.used]),
      held: this.held.map((h) => [h.ts, h.door, h.zone, h.n, h.deadline, h.seq]),
      seq: this.seq,
    };
  }

  static restore(windowMs: number, settleMs: number, snapshot: unknown): StaffWindow {
    const data = asRecord(snapshot, 'staff');
    const w = new StaffWindow(windowMs, settleMs);
    for (const row of asArray(data.passages, 'staff.passages')) {
      const [zone, badge, first, last, used] = asArray(row, 'passage');
      w.passages.push({
        zone: String(zone),
        badge: String(badge),
        first: asNumber(first, 'first'),
        last: asNumber(last, 'last'),
        used: used === true,
      });
    }
    for (const row of asArray(data.held, 'staff.held')) {
      const [ts, door, zone, n, deadline, seq] = asArray(row, 'held');
      w.insertHeld({
        ts: asNumber(ts, 'ts'),
        door: String(door),
        zone: String(zone),
        n: asNumber(n, 'n'),
        deadline: asNumber(deadline, 'deadline'),
        seq: asNumber(seq, 'seq'),
      });
    }
    w.seq = asNumber(data.seq, 'staff.seq');
    return w;
  }
}
