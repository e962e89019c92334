/**
 * Staff exclusion at entrances: an `in` within ±staffWindow of a staff badge seen in the
 * same entrance zone is staff, not a visitor. An `in` is therefore held until its window
 * has passed (a badge may be read just after the crossing), then decided.
 *
 * A badge read repeatedly (readers fold reads per second, so one walk through the door is
 * several tag.seen) forms one passage: reads of the same badge less than staffWindow apart
 * merge. One passage excuses one `in`, the nearest in time (earliest on ties); held ins are
 * decided in time order, so the first crossing claims the badge.
 *
 * An `in` counted over a period (a network counter's statistics period, a backfilled history
 * interval: `door.crossing` with `period`) happened somewhere in [ts, ts + period): it is held
 * until the period's end + staffWindow, and each badge passage within staffWindow of the
 * period excuses one of its `n` (nearest first, so one inside the period before one just
 * outside it). Its visitors are n − staff, never below 0 since a passage excuses one in only.
 */
import type { Fact } from './facts.js';
import { asArray, asNumber, asRecord, SnapshotError } from './snapshot-util.js';
import { NEVER, type Timed } from './timed.js';

interface BadgePassage {
  readonly zone: string;
  readonly badge: string;
  first: number;
  last: number;
  used: boolean;
}

/** Passages are kept this long after their last read, for crossings that arrive late. */
const PASSAGE_RETENTION_MS = 10 * 60_000;
/** Longest period an `in` may cover (longer ones are clamped): history intervals are ≤ 1 h. */
export const MAX_PERIOD_MS = 60 * 60_000;

/** Held-in ring capacity when empty (a power of two); it doubles when full, halves when a quarter full. */
const MIN_CAPACITY = 16;

/**
 * Held ins by column. With `diff` (whenever the arithmetic is exact, i.e. always for
 * millisecond times) `ts` and `seq` are differences from the previous entry (the first is
 * absolute) and `deadline` is relative to its `ts`: small integers, so a snapshot taken during
 * a burst (~90k held) is 0.8 MB of text instead of 90k small arrays and 5-6 MB of text.
 */
export interface HeldColumns {
  /** Door and zone names; `door` and `zone` are indices into it. */
  readonly names: string[];
  readonly diff: boolean;
  readonly ts: number[];
  readonly deadline: number[];
  readonly seq: number[];
  readonly door: number[];
  readonly zone: number[];
  readonly n: number[];
  /** Period of each held in (ms); absent when none has one (snapshots before periods). */
  period?: number[];
}

/** A held in as snapshots before the columns held it (still restored). */
type HeldTuple = [ts: number, door: string, zone: string, n: number, deadline: number, seq: number];

export interface StaffWindowSnapshot {
  readonly passages: [zone: string, badge: string, first: number, last: number, used: boolean][];
  readonly held: HeldColumns;
  readonly seq: number;
}

/**
 * Held ins are stored in columns (parallel typed arrays forming a ring), not one object
 * each: at burst rates (20k `in`/s held ~4.5 s) an object per crossing was ~110 B of old
 * space the scavenger promoted and mark-compact later collected; a slot here is 40 B
 * outside the JS heap. Doors and zones (a handful per store) are interned as indices.
 */
export class StaffWindow implements Timed {
  private passages: BadgePassage[] = [];
  /**
   * Held ins, logical slot i at physical (head + i) & (capacity - 1), sorted by
   * (deadline, seq): fire takes a prefix instead of scanning every held in.
   */
  private heldTs = new Float64Array(MIN_CAPACITY);
  private heldDoor = new Uint32Array(MIN_CAPACITY);
  private heldZone = new Uint32Array(MIN_CAPACITY);
  private heldN = new Float64Array(MIN_CAPACITY);
  private heldDeadline = new Float64Array(MIN_CAPACITY);
  private heldSeq = new Float64Array(MIN_CAPACITY);
  private heldPeriod = new Float64Array(MIN_CAPACITY);
  /** Held ins with a period: while there are some, passages they may need are not pruned. */
  private periodHeld = 0;
  private head = 0;
  private count = 0;
  /** Door and zone names by index; never shrinks (indices in the ring stay valid). */
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
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

  /** An `in` of n people at ts, or over [ts, ts + period) when period > 0. */
  holdIn(ts: number, door: string, zone: string, n: number, period = 0): void {
    const p = Math.min(MAX_PERIOD_MS, Math.max(0, period));
    const deadline = ts + p + this.windowMs + this.settleMs;
    this.insertHeld(ts, this.intern(door), this.intern(zone), n, deadline, this.seq++, p);
  }

  nextDeadline(): number {
    return this.count > 0 ? (this.heldDeadline[this.head] as number) : NEVER;
  }

  fire(deadline: number, out: Fact[]): void {
    const mask = this.heldTs.length - 1;
    const start = this.head;
    const deadlines = this.heldDeadline;
    let k = 0;
    while (k < this.count && (deadlines[(start + k) & mask] as number) <= deadline) k++;
    // The due prefix leaves the ring first; its slots are read below, before anything is written.
    this.head = (start + k) & mask;
    this.count -= k;
    const ts = this.heldTs;
    const seq = this.heldSeq;
    // Deadline order is ts order for one config; sorting keeps ties and restored snapshots exact.
    let sorted = true;
    for (let j = 1; j < k && sorted; j++) {
      const a = (start + j - 1) & mask;
      const b = (start + j) & mask;
      sorted = ((ts[a] as number) - (ts[b] as number) || (seq[a] as number) - (seq[b] as number)) <= 0;
    }
    if (sorted) {
      for (let j = 0; j < k; j++) this.decide((start + j) & mask, out);
    } else {
      // Rare (a snapshot restored under another window): the same stable sort as ever, on slot indices.
      const order: number[] = [];
      for (let j = 0; j < k; j++) order.push((start + j) & mask);
      order.sort((a, b) => (ts[a] as number) - (ts[b] as number) || (seq[a] as number) - (seq[b] as number));
      for (const slot of order) this.decide(slot, out);
    }
    this.prune(deadline);
    let capacity = mask + 1;
    while (capacity > MIN_CAPACITY && this.count <= capacity >>> 2) capacity >>>= 1;
    if (capacity !== mask + 1) this.resize(capacity);
  }

  private intern(name: string): number {
    let i = this.nameIndex.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.nameIndex.set(name, i);
    }
    return i;
  }

  /** Crossings come nearly in time order: search from the end. */
  private insertHeld(
    ts: number,
    door: number,
    zone: number,
    n: number,
    deadline: number,
    seq: number,
    period = 0,
  ): void {
    if (this.count === this.heldTs.length) this.resize(this.heldTs.length * 2);
    const mask = this.heldTs.length - 1;
    const deadlines = this.heldDeadline;
    const seqs = this.heldSeq;
    let i = this.count;
    while (i > 0) {
      const prev = (this.head + i - 1) & mask;
      const d = deadlines[prev] as number;
      if (d < deadline || (d === deadline && (seqs[prev] as number) < seq)) break;
      i--;
    }
    // Open slot i by moving whichever side of it is shorter.
    if (i < this.count - i) {
      this.head = (this.head - 1) & mask;
      for (let j = 0; j < i; j++) this.move((this.head + j + 1) & mask, (this.head + j) & mask);
    } else {
      for (let j = this.count; j > i; j--) this.move((this.head + j - 1) & mask, (this.head + j) & mask);
    }
    const slot = (this.head + i) & mask;
    this.heldTs[slot] = ts;
    this.heldDoor[slot] = door;
    this.heldZone[slot] = zone;
    this.heldN[slot] = n;
    this.heldDeadline[slot] = deadline;
    this.heldSeq[slot] = seq;
    this.heldPeriod[slot] = period;
    if (period > 0) this.periodHeld++;
    this.count++;
  }

  private move(from: number, to: number): void {
    this.heldTs[to] = this.heldTs[from] as number;
    this.heldDoor[to] = this.heldDoor[from] as number;
    this.heldZone[to] = this.heldZone[from] as number;
    this.heldN[to] = this.heldN[from] as number;
    this.heldDeadline[to] = this.heldDeadline[from] as number;
    this.heldSeq[to] = this.heldSeq[from] as number;
    this.heldPeriod[to] = this.heldPeriod[from] as number;
  }

  /** New columns of `capacity` slots (a power of two, >= count) holding the ring from slot 0. */
  private resize(capacity: number): void {
    const head = this.head;
    const end = head + this.count;
    const wrap = Math.max(0, end - this.heldTs.length);
    const copy = <A extends Float64Array | Uint32Array>(from: A, to: A): A => {
      to.set(from.subarray(head, end - wrap));
      if (wrap > 0) to.set(from.subarray(0, wrap), this.count - wrap);
      return to;
    };
    this.heldTs = copy(this.heldTs, new Float64Array(capacity));
    this.heldDoor = copy(this.heldDoor, new Uint32Array(capacity));
    this.heldZone = copy(this.heldZone, new Uint32Array(capacity));
    this.heldN = copy(this.heldN, new Float64Array(capacity));
    this.heldDeadline = copy(this.heldDeadline, new Float64Array(capacity));
    this.heldSeq = copy(this.heldSeq, new Float64Array(capacity));
    this.heldPeriod = copy(this.heldPeriod, new Float64Array(capacity));
    this.head = 0;
  }

  /** Decides the held in at ring slot `slot`. */
  private decide(slot: number, out: Fact[]): void {
    const ts = this.heldTs[slot] as number;
    const door = this.names[this.heldDoor[slot] as number] as string;
    const zone = this.names[this.heldZone[slot] as number] as string;
    const n = this.heldN[slot] as number;
    const period = this.heldPeriod[slot] as number;
    if (period > 0) this.periodHeld--;
    let staff = 0;
    while (staff < n) {
      const passage = this.nearestUnused(ts, ts + period, zone);
      if (!passage) break;
      passage.used = true;
      staff++;
    }
    if (staff < n) out.push({ type: 'visitor', ts, door, zone, n: n - staff });
    if (staff > 0) out.push({ type: 'staff.in', ts, door, zone, n: staff });
  }

  /** The unused passage in `zone` nearest to the time span [from, to] (a point when equal). */
  private nearestUnused(from: number, to: number, zone: string): BadgePassage | undefined {
    let best: BadgePassage | undefined;
    let bestDistance = NEVER;
    for (const p of this.passages) {
      if (p.used || p.zone !== zone) continue;
      const distance = to < p.first ? p.first - to : from > p.last ? from - p.last : 0;
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
    let keepFrom = now - PASSAGE_RETENTION_MS;
    if (this.periodHeld > 0) {
      // A held period may reach back further than the retention: keep what it can claim.
      const mask = this.heldTs.length - 1;
      for (let i = 0; i < this.count; i++) {
        const s = (this.head + i) & mask;
        if ((this.heldPeriod[s] as number) > 0)
          keepFrom = Math.min(keepFrom, (this.heldTs[s] as number) - this.windowMs);
      }
    }
    this.passages = this.passages.filter((p) => p.last >= keepFrom);
  }

  snapshot(): StaffWindowSnapshot {
    return {
      passages: this.passages.map((p) => [p.zone, p.badge, p.first, p.last, p.used]),
      held: this.heldColumns(true) ?? (this.heldColumns(false) as HeldColumns),
      seq: this.seq,
    };
  }

  /** The held ins as columns; undefined when `diff` was asked for but would not round-trip exactly. */
  private heldColumns(diff: boolean): HeldColumns | undefined {
    const cols: HeldColumns = {
      names: [...this.names],
      diff,
      ts: [],
      deadline: [],
      seq: [],
      door: [],
      zone: [],
      n: [],
    };
    const mask = this.heldTs.length - 1;
    let prevTs = 0;
    let prevSeq = 0;
    for (let i = 0; i < this.count; i++) {
      const s = (this.head + i) & mask;
      const ts = this.heldTs[s] as number;
      const deadline = this.heldDeadline[s] as number;
      const seq = this.heldSeq[s] as number;
      if (diff) {
        const dTs = ts - prevTs;
        const dDeadline = deadline - ts;
        const dSeq = seq - prevSeq;
        if (prevTs + dTs !== ts || ts + dDeadline !== deadline || prevSeq + dSeq !== seq) return undefined;
        cols.ts.push(dTs);
        cols.deadline.push(dDeadline);
        cols.seq.push(dSeq);
        prevTs = ts;
        prevSeq = seq;
      } else {
        cols.ts.push(ts);
        cols.deadline.push(deadline);
        cols.seq.push(seq);
      }
      cols.door.push(this.heldDoor[s] as number);
      cols.zone.push(this.heldZone[s] as number);
      cols.n.push(this.heldN[s] as number);
    }
    if (this.periodHeld > 0) {
      cols.period = [];
      for (let i = 0; i < this.count; i++) cols.period.push(this.heldPeriod[(this.head + i) & mask] as number);
    }
    return cols;
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
    if (Array.isArray(data.held)) w.restoreTuples(data.held);
    else w.restoreColumns(asRecord(data.held, 'staff.held'));
    w.seq = asNumber(data.seq, 'staff.seq');
    return w;
  }

  private restoreTuples(rows: readonly unknown[]): void {
    for (const row of rows) {
      const [ts, door, zone, n, deadline, seq] = asArray(row, 'held') as Partial<HeldTuple>;
      const t = asNumber(ts, 'ts');
      const d = this.intern(String(door));
      const z = this.intern(String(zone));
      this.insertHeld(t, d, z, asNumber(n, 'n'), asNumber(deadline, 'deadline'), asNumber(seq, 'seq'));
    }
  }

  private restoreColumns(held: Record<string, unknown>): void {
    const names = asArray(held.names, 'staff.held.names').map((name) => this.intern(String(name)));
    const column = (key: keyof HeldColumns) => asArray(held[key], `staff.held.${key}`);
    const ts = column('ts');
    const deadline = column('deadline');
    const seq = column('seq');
    const door = column('door');
    const zone = column('zone');
    const n = column('n');
    const period = held.period === undefined ? undefined : column('period');
    if ([deadline, seq, door, zone, n, ...(period ? [period] : [])].some((c) => c.length !== ts.length)) {
      throw new SnapshotError('staff.held: columns of different lengths');
    }
    const name = (index: unknown, what: string): number => {
      const i = names[asNumber(index, what)];
      if (i === undefined) throw new SnapshotError(`${what}: no such name`);
      return i;
    };
    const diff = held.diff === true;
    let prevTs = 0;
    let prevSeq = 0;
    for (let i = 0; i < ts.length; i++) {
      const t = diff ? prevTs + asNumber(ts[i], 'ts') : asNumber(ts[i], 'ts');
      const q = diff ? prevSeq + asNumber(seq[i], 'seq') : asNumber(seq[i], 'seq');
      const d = diff ? t + asNumber(deadline[i], 'deadline') : asNumber(deadline[i], 'deadline');
      const p = period ? asNumber(period[i], 'period') : 0;
      this.insertHeld(t, name(door[i], 'door'), name(zone[i], 'zone'), asNumber(n[i], 'n'), d, q, p);
      prevTs = t;
      prevSeq = q;
    }
  }
}
