/**
 * Visits: door counters → visitors, exits, passers-by and occupancy.
 *
 * - `door.crossing` and `door.totals` (as deltas, see door-totals.ts) at `entrance` zones:
 *   ins go through the staff window (staff-window.ts) and become visitor facts; outs are
 *   exit facts at once; both move occupancy (all ins, staff too, since staff also go out).
 * - Counters at `outside` zones count passers-by in either direction.
 * - Counters in other zones are ignored.
 * - A crossing with a `period` (network counters' period counts and backfilled history) is
 *   held over its whole period: staff badge passages of the same period excuse its ins.
 * - A counter that sends `door.crossing` is counted from its crossings; its `door.totals`
 *   then only keep the base (and report restarts), or every crossing would count twice.
 *   Totals are counted for counters that send totals alone (e.g. polled serial counters).
 */
import type { DoorCrossingEvent, DoorTotalsEvent } from '../../../protocols/index.js';
import type { StoreCalendar } from '../../infra/time/index.js';
import type { ResolvedConfig } from './config.js';
import { DoorTotals } from './door-totals.js';
import type { Fact } from './facts.js';
import { Occupancy } from './occupancy.js';
import { asRecord } from './snapshot-util.js';
import { StaffWindow, type StaffWindowSnapshot } from './staff-window.js';
import type { Timed } from './timed.js';

export interface VisitsSnapshot {
  readonly totals: unknown;
  readonly crossingDevices?: readonly string[];
  readonly staff: StaffWindowSnapshot;
  readonly occupancy: unknown;
}

export class Visits implements Timed {
  private constructor(
    private readonly config: ResolvedConfig,
    private readonly totals: DoorTotals,
    private readonly staff: StaffWindow,
    private readonly occupancy: Occupancy,
    /** Devices that report single crossings: their totals are not counted again. */
    private readonly crossingDevices: Set<string> = new Set(),
  ) {}

  static create(config: ResolvedConfig, calendar: StoreCalendar): Visits {
    return new Visits(
      config,
      new DoorTotals(),
      new StaffWindow(config.staffWindowMs, config.settleMs),
      new Occupancy(calendar, config.openingTime),
    );
  }

  /** Returns true when the crossing left the store empty (occupancy 0 after an out). */
  crossing(e: DoorCrossingEvent, out: Fact[]): boolean {
    if (e.n <= 0) return false;
    this.crossingDevices.add(e.device);
    return this.count(e.ts, e.door, e.zone, e.dir === 'in' ? e.n : 0, e.dir === 'out' ? e.n : 0, out, e.period ?? 0);
  }

  /** Like crossing: true when the counted delta left the store empty. */
  doorTotals(e: DoorTotalsEvent, out: Fact[]): boolean {
    const kind = this.config.zoneKinds.get(e.zone);
    if (kind !== 'entrance' && kind !== 'outside') return false;
    const delta = this.totals.delta(e);
    if (delta.restart) {
      out.push({
        type: 'counter.restart',
        ts: e.ts,
        device: e.device,
        door: e.door,
        boot: e.boot,
        reason: delta.restart,
      });
    }
    if (this.crossingDevices.has(e.device)) return false;
    return this.count(e.ts, e.door, e.zone, delta.dIn, delta.dOut, out);
  }

  /** A staff badge (tag or member.seen via staff) seen in an entrance zone. */
  staffSeen(zone: string, badge: string, first: number, last: number, now: number): void {
    this.staff.badgeSeen(zone, badge, first, last, now);
  }

  occupancyAt(now: number): number {
    return this.occupancy.current(now);
  }

  nextDeadline(): number {
    const a = this.staff.nextDeadline();
    const b = this.occupancy.nextDeadline();
    return Math.min(a, b);
  }

  fire(deadline: number, out: Fact[]): void {
    if (this.staff.nextDeadline() <= deadline) this.staff.fire(deadline, out);
    if (this.occupancy.nextDeadline() <= deadline) this.occupancy.fire(deadline, out);
  }

  private count(ts: number, door: string, zone: string, ins: number, outs: number, out: Fact[], period = 0): boolean {
    if (ins <= 0 && outs <= 0) return false;
    const kind = this.config.zoneKinds.get(zone);
    if (kind === 'entrance') {
      if (ins > 0) this.staff.holdIn(ts, door, zone, ins, period);
      const emptied = this.occupancy.apply(ts, ins, outs, out);
      if (outs > 0) out.push({ type: 'exit', ts, door, zone, n: outs });
      // Period counts say only that people crossed somewhere in the period: no moment of emptiness.
      return emptied && period === 0;
    }
    if (kind === 'outside') out.push({ type: 'passerby', ts, door, zone, n: ins + outs });
    return false;
  }

  snapshot(): VisitsSnapshot {
    return {
      totals: this.totals.snapshot(),
      crossingDevices: [...this.crossingDevices],
      staff: this.staff.snapshot(),
      occupancy: this.occupancy.snapshot(),
    };
  }

  static restore(config: ResolvedConfig, calendar: StoreCalendar, data: unknown): Visits {
    const d = asRecord(data, 'visits');
    return new Visits(
      config,
      DoorTotals.restore(d.totals),
      StaffWindow.restore(config.staffWindowMs, config.settleMs, d.staff),
      Occupancy.restore(calendar, config.openingTime, d.occupancy),
      new Set(
        Array.isArray(d.crossingDevices) ? d.crossingDevices.filter((x): x is string => typeof x === 'string') : [],
      ),
    );
  }
}
