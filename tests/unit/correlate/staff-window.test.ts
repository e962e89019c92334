/**
 * StaffWindow's columnar held-in storage against a verbatim copy of the object-per-crossing
 * implementation it replaced (ReferenceStaffWindow, below): the same random operations must
 * give the same facts, deadlines and snapshots (the new snapshot's columns read back as the
 * reference's tuples), and each restores from the other's snapshots.
 */
import { describe, expect, it } from 'vitest';
import type { Fact } from '../../../gateway/pipeline/correlate/facts.js';
import { asArray, asNumber, asRecord } from '../../../gateway/pipeline/correlate/snapshot-util.js';
import {
  type HeldColumns,
  StaffWindow,
  type StaffWindowSnapshot,
} from '../../../gateway/pipeline/correlate/staff-window.js';
import { NEVER, type Timed } from '../../../gateway/pipeline/correlate/timed.js';

// ---- Reference: gateway/pipeline/correlate/staff-window.ts before the columnar storage, verbatim. ----

/** The snapshot shape before the held ins went into columns. */
interface ReferenceSnapshot {
  readonly passages: StaffWindowSnapshot['passages'];
  readonly held: [ts: number, door: string, zone: string, n: number, deadline: number, seq: number][];
  readonly seq: number;
}

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

class ReferenceStaffWindow implements Timed {
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

  snapshot(): ReferenceSnapshot {
    return {
      passages: this.passages.map((p) => [p.zone, p.badge, p.first, p.last, p.used]),
      held: this.held.map((h) => [h.ts, h.door, h.zone, h.n, h.deadline, h.seq]),
      seq: this.seq,
    };
  }

  static restore(windowMs: number, settleMs: number, snapshot: unknown): ReferenceStaffWindow {
    const data = asRecord(snapshot, 'staff');
    const w = new ReferenceStaffWindow(windowMs, settleMs);
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

// ---- Property test ----

/** Deterministic PRNG so a failure replays. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const DOORS = ['main', 'side', 'back'];
const ZONES = ['entrance', 'entrance-2', 'annex'];
const BADGES = ['staff-1', 'staff-2', 'staff-3', 'staff-4'];

interface Scenario {
  readonly seed: number;
  readonly ops: number;
  /** Window configs: restores move to the next one (a snapshot restored under another window). */
  readonly windows: readonly (readonly [windowMs: number, settleMs: number])[];
  /** Mean ms between operations. */
  readonly gapMs: number;
  /** Share of holdIn, badgeSeen and fire operations; the rest snapshot and restore. */
  readonly mix: readonly [hold: number, badge: number, fire: number];
  /** Chance a crossing arrives late (up to lateMs before the clock). */
  readonly late: number;
  readonly lateMs: number;
  readonly maxN: number;
}

/** Whether the held ins `fire(deadline)` takes are out of (ts, seq) order, i.e. the sort has work. */
function dueUnsorted(s: ReferenceSnapshot, deadline: number): boolean {
  for (let i = 1; i < s.held.length; i++) {
    const [ts, , , , d, seq] = s.held[i] as ReferenceSnapshot['held'][number];
    if (d > deadline) break;
    const [pts, , , , , pseq] = s.held[i - 1] as ReferenceSnapshot['held'][number];
    if ((pts - ts || pseq - seq) > 0) return true;
  }
  return false;
}

/** A columnar snapshot read back as the reference's tuples. */
function asTuples(s: StaffWindowSnapshot): ReferenceSnapshot {
  const h: HeldColumns = s.held;
  const held: ReferenceSnapshot['held'] = [];
  let ts = 0;
  let seq = 0;
  for (let i = 0; i < h.ts.length; i++) {
    ts = h.diff ? ts + (h.ts[i] as number) : (h.ts[i] as number);
    seq = h.diff ? seq + (h.seq[i] as number) : (h.seq[i] as number);
    const deadline = h.diff ? ts + (h.deadline[i] as number) : (h.deadline[i] as number);
    const name = (index: number | undefined) => h.names[index as number] as string;
    held.push([ts, name(h.door[i]), name(h.zone[i]), h.n[i] as number, deadline, seq]);
  }
  return { passages: s.passages, held, seq: s.seq };
}

function drive(sc: Scenario) {
  const rnd = prng(sc.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  let config = 0;
  const [w0, s0] = sc.windows[0] as readonly [number, number];
  let ref = new ReferenceStaffWindow(w0, s0);
  let sw = new StaffWindow(w0, s0);
  const refOut: Fact[] = [];
  const swOut: Fact[] = [];
  const stats = { holds: 0, late: 0, multi: 0, fires: 0, restores: 0, unsortedFires: 0, maxHeld: 0 };
  let clock = T0;
  let fired = T0;
  const [pHold, pBadge, pFire] = sc.mix;
  for (let op = 0; op < sc.ops; op++) {
    clock += Math.floor(rnd() * 2 * sc.gapMs);
    const r = rnd();
    if (r < pHold) {
      let ts = clock - Math.floor(rnd() * 3);
      if (rnd() < sc.late) {
        ts = clock - Math.floor(rnd() * sc.lateMs);
        stats.late++;
      }
      if (rnd() < 0.05) ts += 0.25;
      const n = rnd() < 0.15 ? 1 + Math.floor(rnd() * sc.maxN) : 1;
      if (n > 1) stats.multi++;
      const door = pick(DOORS);
      const zone = pick(ZONES);
      ref.holdIn(ts, door, zone, n);
      sw.holdIn(ts, door, zone, n);
      stats.holds++;
    } else if (r < pHold + pBadge) {
      const zone = pick(ZONES);
      const badge = pick(BADGES);
      const first = clock - Math.floor(rnd() * 4000);
      const last = first + Math.floor(rnd() * 2500);
      ref.badgeSeen(zone, badge, first, last, clock);
      sw.badgeSeen(zone, badge, first, last, clock);
    } else if (r < pHold + pBadge + pFire) {
      // As the Correlator does: at the reducer's own deadline, or at a later one that covers it.
      const next = ref.nextDeadline();
      const deadline = Math.max(fired, rnd() < 0.5 && next !== NEVER ? next : clock);
      if (deadline <= clock) {
        if (dueUnsorted(ref.snapshot(), deadline)) stats.unsortedFires++;
        ref.fire(deadline, refOut);
        sw.fire(deadline, swOut);
        fired = deadline;
        stats.fires++;
      }
    } else {
      config = (config + 1) % sc.windows.length;
      const [windowMs, settleMs] = sc.windows[config] as readonly [number, number];
      const refSnap: unknown = JSON.parse(JSON.stringify(ref.snapshot()));
      const swSnap: unknown = JSON.parse(JSON.stringify(sw.snapshot()));
      ref = ReferenceStaffWindow.restore(windowMs, settleMs, refSnap);
      // Alternately from its own snapshot and from the reference's (snapshots already on disk).
      sw = StaffWindow.restore(windowMs, settleMs, stats.restores % 2 === 0 ? swSnap : refSnap);
      stats.restores++;
    }
    expect(sw.nextDeadline()).toBe(ref.nextDeadline());
    expect(swOut.length).toBe(refOut.length);
    const snap = ref.snapshot();
    stats.maxHeld = Math.max(stats.maxHeld, snap.held.length);
    // JSON for speed on every operation; toEqual (which tells -0 from 0) now and then.
    if (op % 100 === 0) expect(asTuples(sw.snapshot())).toEqual(snap);
    else expect(JSON.stringify(asTuples(sw.snapshot()))).toBe(JSON.stringify(snap));
  }
  ref.fire(clock + 3_600_000, refOut);
  sw.fire(clock + 3_600_000, swOut);
  expect(swOut).toEqual(refOut);
  expect(asTuples(sw.snapshot())).toEqual(ref.snapshot());
  expect(sw.nextDeadline()).toBe(NEVER);
  return { ...stats, facts: refOut.length, staff: refOut.filter((f) => f.type === 'staff.in').length };
}

describe('StaffWindow columnar storage matches the object-per-crossing reference', () => {
  it('random holds, badges, fires and restores under one window config', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const stats = drive({
        seed,
        ops: 3000,
        windows: [[3000, 1500]],
        gapMs: 40,
        mix: [0.55, 0.2, 0.22],
        late: 0.08,
        lateMs: 6000,
        maxN: 4,
      });
      expect(stats.holds).toBeGreaterThan(1200);
      expect(stats.late).toBeGreaterThan(50);
      expect(stats.multi).toBeGreaterThan(100);
      expect(stats.restores).toBeGreaterThan(10);
      expect(stats.staff).toBeGreaterThan(50);
      expect(stats.maxHeld).toBeGreaterThan(64); // past the initial ring capacity, then shrunk again
    }
  });

  it('snapshots restored under other window configs (due ins out of ts order)', () => {
    for (const seed of [11, 12, 13]) {
      const stats = drive({
        seed,
        ops: 3000,
        windows: [
          [3000, 1500],
          [500, 200],
          [8000, 4000],
        ],
        gapMs: 30,
        mix: [0.6, 0.15, 0.15],
        late: 0.05,
        lateMs: 10_000,
        maxN: 3,
      });
      expect(stats.restores).toBeGreaterThan(100);
      expect(stats.unsortedFires).toBeGreaterThan(0);
    }
  });

  it('a burst of 120k held ins at once, with late crossings, then drained across a restore', () => {
    const rnd = prng(99);
    const [windowMs, settleMs] = [3000, 1500];
    let ref = new ReferenceStaffWindow(windowMs, settleMs);
    let sw = new StaffWindow(windowMs, settleMs);
    const refOut: Fact[] = [];
    const swOut: Fact[] = [];
    const same = () => {
      expect(sw.nextDeadline()).toBe(ref.nextDeadline());
      expect(JSON.stringify(asTuples(sw.snapshot()))).toBe(JSON.stringify(ref.snapshot()));
    };
    const hold = (i: number) => {
      // 40 crossings per ms; one in 2,000 arrives up to 3 s late (inserted far from the tail).
      let ts = T0 + Math.floor(i / 40);
      if (rnd() < 0.0005) ts -= Math.floor(rnd() * 3000);
      const n = rnd() < 0.05 ? 2 + Math.floor(rnd() * 3) : 1;
      const door = DOORS[i % DOORS.length] as string;
      const zone = ZONES[i % 2] as string;
      ref.holdIn(ts, door, zone, n);
      sw.holdIn(ts, door, zone, n);
      if (i % 1000 === 0) {
        const badge = `staff-${i}`;
        ref.badgeSeen(zone, badge, ts - 500, ts + 500, ts);
        sw.badgeSeen(zone, badge, ts - 500, ts + 500, ts);
      }
    };
    for (let i = 0; i < 120_000; i++) hold(i);
    expect(ref.snapshot().held.length).toBe(120_000);
    same();
    let next = 120_000;
    for (let step = 0; step < 40; step++) {
      const deadline = T0 + windowMs + settleMs + step * 100;
      ref.fire(deadline, refOut);
      sw.fire(deadline, swOut);
      for (let j = 0; j < 1000; j++) hold(next++);
      if (step === 20) {
        same();
        const snap: unknown = JSON.parse(JSON.stringify(ref.snapshot()));
        ref = ReferenceStaffWindow.restore(windowMs, settleMs, snap);
        sw = StaffWindow.restore(windowMs, settleMs, snap);
      }
    }
    same();
    ref.fire(T0 + 3_600_000, refOut);
    sw.fire(T0 + 3_600_000, swOut);
    same();
    expect(refOut.length).toBeGreaterThanOrEqual(160_000);
    expect(refOut.filter((f) => f.type === 'staff.in').length).toBeGreaterThan(100);
    expect(swOut).toEqual(refOut);
  });

  it('snapshots times as differences when exact, and as absolute values when not', () => {
    const sw = new StaffWindow(3000, 1500);
    for (let i = 0; i < 1000; i++) sw.holdIn(T0 + i * 3, DOORS[i % 2] as string, 'entrance', 1);
    const held = sw.snapshot().held;
    expect(held.diff).toBe(true);
    expect(held.ts.slice(1).every((d) => d === 3)).toBe(true);
    expect(held.deadline.every((d) => d === 4500)).toBe(true);
    expect(held.seq.slice(1).every((d) => d === 1)).toBe(true);

    // Times whose difference rounds (1.146… - 7.148… + 7.148… is not 1.146…): absolute values.
    const odd = StaffWindow.restore(3000, 1500, {
      passages: [],
      held: [
        [7.148321318857247, 'main', 'entrance', 1, 100, 0],
        [1.146381099729187, 'main', 'entrance', 2, 200, 1],
      ],
      seq: 2,
    });
    const oddSnap = odd.snapshot();
    expect(oddSnap.held.diff).toBe(false);
    expect(asTuples(oddSnap).held).toEqual([
      [7.148321318857247, 'main', 'entrance', 1, 100, 0],
      [1.146381099729187, 'main', 'entrance', 2, 200, 1],
    ]);
    const back = StaffWindow.restore(3000, 1500, JSON.parse(JSON.stringify(oddSnap)));
    expect(back.snapshot()).toEqual(oddSnap);
  });

  it('a burst snapshot is a fraction of the tuple form', () => {
    const ref = new ReferenceStaffWindow(3000, 1500);
    const sw = new StaffWindow(3000, 1500);
    for (let i = 0; i < 90_000; i++) {
      const ts = T0 + Math.floor(i / 20);
      ref.holdIn(ts, 'main', 'entrance', 1);
      sw.holdIn(ts, 'main', 'entrance', 1);
    }
    const columns = JSON.stringify(sw.snapshot()).length;
    const tuples = JSON.stringify(ref.snapshot()).length;
    expect(columns).toBeLessThan(tuples / 3);
  });

  it('refuses damaged columns', () => {
    const good = JSON.parse(JSON.stringify(new StaffWindow(3000, 1500).snapshot())) as StaffWindowSnapshot;
    const withHeld = (held: Partial<HeldColumns>) => ({ ...good, held: { ...good.held, ...held } });
    expect(() =>
      StaffWindow.restore(3000, 1500, withHeld({ ts: [1], deadline: [], seq: [], door: [], zone: [], n: [] })),
    ).toThrow(/different lengths/);
    expect(() =>
      StaffWindow.restore(
        3000,
        1500,
        withHeld({ names: ['main'], ts: [1], deadline: [1], seq: [1], door: [3], zone: [0], n: [1] }),
      ),
    ).toThrow(/no such name/);
  });
});
