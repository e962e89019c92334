/**
 * Cross-read arbitration: a tag seen by several fitting rooms' antennas in the same second
 * belongs to the room with the highest peak RSSI (the first room reported wins a tie).
 * Sightings are therefore buffered per second of their `ts` until that second is complete:
 * when the clock reaches the second's end (+ settleMs). A sighting whose second is already
 * past (a reader flushing its buffer) opens a late buffer that waits LATE_HOLD_MS of clock
 * time for the rest of the flush; if the tag was already given to another room in that
 * second, the late sighting loses.
 */
import { asArray, asNumber, asRecord } from './snapshot-util.js';
import { LATE_HOLD_MS, NEVER } from './timed.js';

interface Candidate {
  readonly room: string;
  first: number;
  last: number;
  peak: number;
}

interface OpenSecond {
  readonly second: number;
  readonly deadline: number;
  readonly reads: Map<string, Candidate[]>;
}

interface DecidedSecond {
  readonly second: number;
  readonly winners: Map<string, string>;
}

export type ApplySighting = (room: string, epc: string, first: number, last: number) => void;

/** Recently closed seconds remembered for late reads. */
const KEPT_DECIDED = 16;

type CandidateRow = [room: string, first: number, last: number, peak: number];
export interface ReadArbiterSnapshot {
  readonly open: [second: number, deadline: number, reads: [epc: string, candidates: CandidateRow[]][]][];
  readonly decided: [second: number, winners: [epc: string, room: string][]][];
}

export class ReadArbiter {
  /** Sorted by deadline (then second): the head closes first. */
  private open: OpenSecond[] = [];
  private decided: DecidedSecond[] = [];

  constructor(private readonly settleMs: number) {}

  add(epc: string, room: string, first: number, last: number, peak: number, now: number): void {
    const second = Math.floor(first / 1000);
    let buffer: OpenSecond | undefined;
    for (let i = this.open.length - 1; i >= 0; i--) {
      const s = this.open[i] as OpenSecond;
      if (s.second === second) {
        buffer = s;
        break;
      }
    }
    if (!buffer) {
      const onTime = (second + 1) * 1000 + this.settleMs;
      buffer = { second, deadline: onTime > now ? onTime : now + LATE_HOLD_MS, reads: new Map() };
      this.insert(buffer);
    }
    const list = buffer.reads.get(epc);
    if (!list) {
      buffer.reads.set(epc, [{ room, first, last, peak }]);
      return;
    }
    for (const c of list) {
      if (c.room !== room) continue;
      if (first < c.first) c.first = first;
      if (last > c.last) c.last = last;
      if (peak > c.peak) c.peak = peak;
      return;
    }
    list.push({ room, first, last, peak });
  }

  nextDeadline(): number {
    return this.open[0]?.deadline ?? NEVER;
  }

  /** Earliest close of an open second holding a read for `room` from before `before`; NEVER if none. */
  pendingDeadline(room: string, before: number): number {
    for (const s of this.open) {
      if (s.second * 1000 >= before) continue;
      for (const list of s.reads.values()) {
        for (const c of list) if (c.room === room && c.first < before) return s.deadline;
      }
    }
    return NEVER;
  }

  /** Closes every second due at `deadline`, handing each tag's winning sighting to `apply`. */
  closeDue(deadline: number, apply: ApplySighting): void {
    while (this.open.length > 0 && (this.open[0] as OpenSecond).deadline <= deadline) {
      const s = this.open.shift() as OpenSecond;
      let decided = this.decided.find((d) => d.second === s.second);
      if (!decided) {
        decided = { second: s.second, winners: new Map() };
        this.decided.push(decided);
        if (this.decided.length > KEPT_DECIDED) this.decided.shift();
      }
      for (const [epc, list] of s.reads) {
        let best = list[0] as Candidate;
        for (const c of list) if (c.peak > best.peak) best = c;
        const earlier = decided.winners.get(epc);
        if (earlier !== undefined && earlier !== best.room) continue;
        decided.winners.set(epc, best.room);
        apply(best.room, epc, best.first, best.last);
      }
    }
  }

  private insert(buffer: OpenSecond): void {
    let i = this.open.length;
    while (i > 0) {
      const prev = this.open[i - 1] as OpenSecond;
      if (prev.deadline < buffer.deadline || (prev.deadline === buffer.deadline && prev.second < buffer.second)) break;
      i--;
    }
    this.open.splice(i, 0, buffer);
  }

  snapshot(): ReadArbiterSnapshot {
    return {
      open: this.open.map((s) => [
        s.second,
        s.deadline,
        [...s.reads].map(([epc, list]) => [epc, list.map((c): CandidateRow => [c.room, c.first, c.last, c.peak])]),
      ]),
      decided: this.decided.map((d) => [d.second, [...d.winners]]),
    };
  }

  static restore(settleMs: number, snapshot: unknown): ReadArbiter {
    const data = asRecord(snapshot, 'arbiter');
    const a = new ReadArbiter(settleMs);
    for (const row of asArray(data.open, 'arbiter.open')) {
      const [second, deadline, reads] = asArray(row, 'open second');
      const map = new Map<string, Candidate[]>();
      for (const entry of asArray(reads, 'reads')) {
        const [epc, list] = asArray(entry, 'read');
        map.set(
          String(epc),
          asArray(list, 'candidates').map((c) => {
            const [room, first, last, peak] = asArray(c, 'candidate');
            return {
              room: String(room),
              first: asNumber(first, 'first'),
              last: asNumber(last, 'last'),
              peak: asNumber(peak, 'peak'),
            };
          }),
        );
      }
      a.open.push({ second: asNumber(second, 'second'), deadline: asNumber(deadline, 'deadline'), reads: map });
    }
    for (const row of asArray(data.decided, 'arbiter.decided')) {
      const [second, winners] = asArray(row, 'decided second');
      const map = new Map<string, string>();
      for (const w of asArray(winners, 'winners')) {
        const [epc, room] = asArray(w, 'winner');
        map.set(String(epc), String(room));
      }
      a.decided.push({ second: asNumber(second, 'second'), winners: map });
    }
    return a;
  }
}
