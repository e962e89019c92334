/**
 * Visitor groups through the entrance door: arrival times follow the hourly curve, people of
 * a group pass within seconds of each other (two side by side make one crossing with n = 2).
 */
import type { Rng } from '../prng.js';
import { MINUTE, SECOND } from '../time.js';
import { type Forbidden, TimeCurve, VISITOR_CURVE } from './clock.js';
import type { DayClock, Group } from './types.js';

const GROUP_SIZES: readonly (readonly [number, number])[] = [
  [1, 0.5],
  [2, 0.32],
  [3, 0.12],
  [4, 0.06],
];

/** How long a group stays when nothing else keeps it (browsing). */
export function browseDwell(rng: Rng): number {
  const kind = rng.weighted([
    ['quick', 0.4],
    ['browse', 0.4],
    ['long', 0.2],
  ] as const);
  if (kind === 'quick') return rng.int(3 * MINUTE, 10 * MINUTE);
  if (kind === 'browse') return rng.int(10 * MINUTE, 30 * MINUTE);
  return rng.int(30 * MINUTE, 60 * MINUTE);
}

/** One group entering at `arrival`: its `in` crossings avoid the forbidden spans. */
export function makeGroup(
  rng: Rng,
  id: number,
  arrival: number,
  size: number,
  forbidden: Forbidden,
  latestExit: number,
  dwell = browseDwell(rng),
): Group {
  const ins: { at: number; n: number }[] = [];
  let at = forbidden.clear(arrival);
  for (let left = size; left > 0; ) {
    const n = left >= 2 && rng.chance(0.2) ? 2 : 1;
    ins.push({ at, n });
    left -= n;
    at = forbidden.clear(at + rng.int(800, 3500));
  }
  const first = ins[0]?.at ?? arrival;
  return {
    id,
    arrival: first,
    size,
    ins,
    plannedExit: Math.min(first + dwell, latestExit),
    latestExit,
    lastActivity: first,
    outs: [],
  };
}

/** Groups whose sizes add up to exactly `persons`, sorted by arrival. */
export function planGroups(rng: Rng, clock: DayClock, persons: number, forbidden: Forbidden): Group[] {
  const curve = new TimeCurve(clock.midnight, clock.open + 10 * SECOND, clock.lastEntry, VISITOR_CURVE);
  const latestExit = clock.close + 10 * MINUTE;
  const sized: { arrival: number; size: number }[] = [];
  for (let left = persons; left > 0; ) {
    const size = Math.min(left, rng.weighted(GROUP_SIZES));
    sized.push({ arrival: curve.at(rng.next()), size });
    left -= size;
  }
  sized.sort((a, b) => a.arrival - b.arrival);
  return sized.map((g, i) => makeGroup(rng, i, g.arrival, g.size, forbidden, latestExit));
}

/**
 * Sets every group's exit once its activities are known: after its last activity, never
 * past its latest exit; `out` crossings avoid the door counter's downtime.
 */
export function finalizeExits(rng: Rng, groups: readonly Group[], doorDown: Forbidden): void {
  for (const g of groups) {
    const exit = Math.min(Math.max(g.plannedExit, g.lastActivity + rng.int(MINUTE, 3 * MINUTE)), g.latestExit);
    let at = doorDown.clear(exit);
    g.outs = [];
    for (let left = g.size; left > 0; ) {
      const n = left >= 2 && rng.chance(0.3) ? 2 : 1;
      g.outs.push({ at, n });
      left -= n;
      at = doorDown.clear(at + rng.int(800, 3000));
    }
  }
}
