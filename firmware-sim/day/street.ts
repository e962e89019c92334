/**
 * The passer-by counter on the street (a door counter in an `outside` zone). It counts people
 * walking past in either direction and reports every pass as `in`: passers-by = Σ n of its
 * `in` crossings. Pedestrians come in clusters, one crossing message per cluster.
 */
import type { Rng } from '../prng.js';
import { STREET_CURVE, TimeCurve } from './clock.js';
import type { DayClock, PlannedCrossing } from './types.js';

const CLUSTER_SIZES: readonly (readonly [number, number])[] = [
  [1, 0.45],
  [2, 0.3],
  [3, 0.15],
  [4, 0.1],
];

export function planStreet(rng: Rng, clock: DayClock, passersBy: number, device: string): PlannedCrossing[] {
  const curve = new TimeCurve(clock.midnight, clock.dayStart, clock.dayEnd, STREET_CURVE);
  const out: PlannedCrossing[] = [];
  for (let left = passersBy; left > 0; ) {
    const n = Math.min(left, rng.weighted(CLUSTER_SIZES));
    out.push({ device, at: curve.at(rng.next()), dir: 'in', n, who: 'passer' });
    left -= n;
  }
  return out.sort((a, b) => a.at - b.at);
}
