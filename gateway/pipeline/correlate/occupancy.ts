/**
 * Occupancy = ins − outs at entrances since the store's opening time, never below 0, reset
 * to 0 at the opening time every local day. Crossings from before the current opening
 * (arriving late) do not touch today's occupancy.
 *
 * For Little's law it also integrates occupancy over time per 15-minute bucket and emits
 * one `occupancy` fact per bucket when the bucket is over (a deadline), so estimated dwell
 * over any period = Σ personMs ÷ Σ visitors. The integral advances only with crossings'
 * own times and with deadlines, never with tick timing.
 */
import type { StoreCalendar } from '../../infra/time/index.js';
import type { Fact } from './facts.js';
import { asNumber, asRecord } from './snapshot-util.js';
import { NEVER, type Timed } from './timed.js';

export interface OccupancySnapshot {
  readonly occ: number;
  /** null until the first crossing. */
  readonly periodStart: number | null;
  readonly nextOpening: number | null;
  readonly cursor: number;
  readonly bucket: number;
  readonly bucketEnd: number;
  readonly acc: number;
}

export class Occupancy implements Timed {
  private occ = 0;
  private periodStart: number | null = null;
  private nextOpening: number | null = null;
  /** The integral is complete up to here. */
  private cursor = 0;
  private bucket = 0;
  private bucketEnd = 0;
  /** person·ms of `bucket` so far. */
  private acc = 0;
  private deadline = NEVER;

  constructor(
    private readonly calendar: StoreCalendar,
    private readonly openingTime: string,
  ) {}

  /** Occupancy as of `now` (0 once the next opening has passed). */
  current(now: number): number {
    return this.nextOpening !== null && now >= this.nextOpening ? 0 : this.occ;
  }

  /**
   * Applies a crossing. True when it left the store empty: outs brought occupancy to 0 (or
   * found it there). That is the evidence nobody is in store, so members in store leave.
   */
  apply(ts: number, ins: number, outs: number, out: Fact[]): boolean {
    if (this.nextOpening === null || ts >= this.nextOpening) this.enterPeriod(ts, out);
    if (ts < (this.periodStart as number)) return false;
    this.integrateTo(ts, out);
    this.occ = Math.max(0, this.occ + ins - outs);
    this.updateDeadline();
    return outs > 0 && this.occ === 0;
  }

  nextDeadline(): number {
    return this.deadline;
  }

  fire(deadline: number, out: Fact[]): void {
    if (this.nextOpening !== null && deadline >= this.nextOpening) this.enterPeriod(deadline, out);
    this.integrateTo(deadline, out);
    this.updateDeadline();
  }

  /** Closes the current opening period (if any) and starts the one holding `ts`. */
  private enterPeriod(ts: number, out: Fact[]): void {
    if (this.nextOpening === null) {
      this.cursor = ts;
      this.bucket = this.calendar.bucketStart(ts);
      this.bucketEnd = this.calendar.nextBucketStart(this.bucket);
    } else {
      this.integrateTo(this.nextOpening, out);
    }
    this.occ = 0;
    const day = this.calendar.localDay(ts);
    const opening = this.calendar.openingTs(day, this.openingTime);
    if (ts < opening) {
      this.periodStart = this.calendar.openingTs(this.calendar.addDays(day, -1), this.openingTime);
      this.nextOpening = opening;
    } else {
      this.periodStart = opening;
      this.nextOpening = this.calendar.openingTs(this.calendar.addDays(day, 1), this.openingTime);
    }
  }

  private integrateTo(t: number, out: Fact[]): void {
    if (t <= this.cursor) return;
    while (t >= this.bucketEnd) {
      this.acc += this.occ * (this.bucketEnd - this.cursor);
      if (this.acc > 0) out.push({ type: 'occupancy', ts: this.bucket, personMs: this.acc });
      this.acc = 0;
      // With nobody inside, skip the empty stretch in one step (nights, closed days).
      this.bucket = this.occ === 0 ? this.calendar.bucketStart(t) : this.bucketEnd;
      this.bucketEnd = this.calendar.nextBucketStart(this.bucket);
      this.cursor = this.bucket;
    }
    this.acc += this.occ * (t - this.cursor);
    this.cursor = t;
  }

  private updateDeadline(): void {
    let d = this.occ > 0 || this.acc > 0 ? this.bucketEnd : NEVER;
    if (this.occ > 0 && this.nextOpening !== null && this.nextOpening < d) d = this.nextOpening;
    this.deadline = d;
  }

  snapshot(): OccupancySnapshot {
    return {
      occ: this.occ,
      periodStart: this.periodStart,
      nextOpening: this.nextOpening,
      cursor: this.cursor,
      bucket: this.bucket,
      bucketEnd: this.bucketEnd,
      acc: this.acc,
    };
  }

  static restore(calendar: StoreCalendar, openingTime: string, data: unknown): Occupancy {
    const d = asRecord(data, 'occupancy');
    const o = new Occupancy(calendar, openingTime);
    o.occ = asNumber(d.occ, 'occ');
    o.periodStart = d.periodStart === null ? null : asNumber(d.periodStart, 'periodStart');
    o.nextOpening = d.nextOpening === null ? null : asNumber(d.nextOpening, 'nextOpening');
    o.cursor = asNumber(d.cursor, 'cursor');
    o.bucket = asNumber(d.bucket, 'bucket');
    o.bucketEnd = asNumber(d.bucketEnd, 'bucketEnd');
    o.acc = asNumber(d.acc, 'acc');
    o.updateDeadline();
    return o;
  }
}
