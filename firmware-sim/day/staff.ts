/**
 * Staff through the entrance: arriving before opening, breaks, leaving after closing. Every
 * pass is a door crossing plus the staff badge read at the entrance antenna within ±2 s,
 * which is what makes the gateway drop that `in` from the visitors.
 */
import { demoAntennas } from '../demo-store.js';
import type { Rng } from '../prng.js';
import { HOUR, MINUTE, SECOND } from '../time.js';
import type { Forbidden } from './clock.js';
import type { DayClock, PlannedCrossing, PlannedRead, StaffMember } from './types.js';

export interface StaffPass {
  readonly staff: string;
  readonly at: number;
  readonly dir: 'in' | 'out';
}

export interface StaffPlan {
  readonly passes: StaffPass[];
  readonly crossings: PlannedCrossing[];
  readonly reads: PlannedRead[];
}

/** Visitor `in`s keep this far from any staff pass, well outside the ±3 s staff window. */
export const STAFF_CLEARANCE = 10 * SECOND;
/** Two staff passes keep this far apart, so each badge pairs with one crossing. */
const PASS_SPACING = 30 * SECOND;

export function planStaff(
  rng: Rng,
  clock: DayClock,
  staff: readonly StaffMember[],
  doorDown: Forbidden,
  device: string,
): StaffPlan {
  const wanted: { member: StaffMember; at: number; dir: 'in' | 'out' }[] = [];
  staff.forEach((member, i) => {
    wanted.push({ member, at: clock.dayStart + rng.int(0, 22 * MINUTE), dir: 'in' });
    if (i < 2) {
      const out = clock.midnight + (i === 0 ? 12 : 13.5) * HOUR + rng.int(0, 40 * MINUTE);
      wanted.push({ member, at: out, dir: 'out' });
      wanted.push({ member, at: out + rng.int(30 * MINUTE, 45 * MINUTE), dir: 'in' });
    }
    const breaks = rng.int(1, 2);
    for (let b = 0; b < breaks; b++) {
      const out = clock.midnight + rng.int(10.5 * HOUR, 20.5 * HOUR);
      wanted.push({ member, at: out, dir: 'out' });
      wanted.push({ member, at: out + rng.int(5 * MINUTE, 12 * MINUTE), dir: 'in' });
    }
    wanted.push({ member, at: clock.close + rng.int(5 * MINUTE, 20 * MINUTE), dir: 'out' });
  });
  wanted.sort((a, b) => a.at - b.at);

  const passes: StaffPass[] = [];
  const crossings: PlannedCrossing[] = [];
  const reads: PlannedRead[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  for (const w of wanted) {
    const at = doorDown.clear(Math.max(w.at, previous + PASS_SPACING), 5 * SECOND);
    previous = at;
    passes.push({ staff: w.member.id, at, dir: w.dir });
    crossings.push({ device, at, dir: w.dir, n: 1, who: 'staff' });
    const count = rng.int(2, 4);
    for (let r = 0; r < count; r++) {
      reads.push({
        epc: w.member.badge,
        ant: demoAntennas.entrance,
        rssi: rng.int(-62, -46),
        at: at + rng.int(-1500, 1500),
      });
    }
  }
  return { passes, crossings, reads };
}
