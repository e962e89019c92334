/**
 * Fitting-room assistance: when a session needs staff (DESIGN's size swap as a fit signal,
 * or a long stay), in event time. Rooms owns the timer; this module only decides what a
 * session's garments say and shapes the fact.
 */
import type { AssistItem, AssistNeededFact } from './facts.js';
import { productFields } from './lookups.js';
import type { GarmentState, SessionState } from './rooms.js';

export interface SizeSwap {
  readonly style: string;
  /** The sizes of the style, in the order first seen. */
  readonly sizes: readonly string[];
  /** When the style had been seen in two sizes: the later of the two sizes' first sightings. */
  readonly at: number;
}

/**
 * The size swap `g` (a garment just added) makes in its session: another garment of the
 * same style in a different size. Undefined when there is none.
 */
export function sizeSwapBy(s: SessionState, g: GarmentState): SizeSwap | undefined {
  if (g.style === undefined || g.size === undefined) return undefined;
  const firstBySize = new Map<string, number>();
  for (const other of s.items.values()) {
    if (other.style !== g.style || other.size === undefined) continue;
    const seen = firstBySize.get(other.size);
    if (seen === undefined || other.first < seen) firstBySize.set(other.size, other.first);
  }
  if (firstBySize.size < 2) return undefined;
  const bySeen = [...firstBySize].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  const second = bySeen[1] as [string, number];
  return { style: g.style, sizes: bySeen.map(([size]) => size), at: second[1] };
}

export function assistFact(
  s: SessionState,
  ts: number,
  reason: AssistNeededFact['reason'],
  swap?: SizeSwap,
): AssistNeededFact {
  const items: AssistItem[] = [...s.items.values()]
    .sort((a, b) => a.first - b.first || (a.epc < b.epc ? -1 : 1))
    .map((g) => ({ epc: g.epc, ...productFields(g) }));
  return {
    type: 'assist.needed',
    ts,
    session: s.id,
    room: s.room,
    start: s.start,
    reason,
    ...(swap ? { style: swap.style, sizes: swap.sizes } : {}),
    items,
  };
}
