/**
 * Fitting-room use: which groups try on, which room they get, what they bring in, and the
 * raw RFID reads that produces, noise included (repeated reads, dropped reads, cross-reads into
 * the neighbouring room at ≥ 6 dB less, a member card or staff badge in the room).
 *
 * Ground truth stays unambiguous by construction: tried items stay ≥ 40 s, brief items
 * ≤ 12 s (minDwell is 20 s); read gaps inside a session are < 20 s (leaveAfter is 30 s);
 * sessions in one room are ≥ 60 s apart; a product tried in one session is not tried again
 * within 3 h, so a sale line by GTIN or SKU can only ever match one tried item.
 */
import { demoAntennas } from '../demo-store.js';
import type { Rng } from '../prng.js';
import { HOUR, MINUTE, SECOND } from '../time.js';
import type { CatalogItem, EpcMint, StoreCatalog } from './catalog.js';
import type { RosterEntry } from './roster.js';
import type { DayClock, Group, PlannedRead, StaffMember } from './types.js';

export interface RoomItem {
  readonly epc: string;
  readonly product: CatalogItem;
  /** First and last read in the room (dwell = to − from). */
  readonly from: number;
  readonly to: number;
}

export interface RoomUse {
  readonly room: string;
  readonly ant: number;
  /** First garment read (the session start) and last garment read. */
  readonly start: number;
  readonly end: number;
  /** Garments that stayed ≥ 40 s: tried items. Empty for a brief use that is not a session. */
  readonly tried: readonly RoomItem[];
  /** Garments that stayed ≤ 12 s: in the room but not tried. */
  readonly brief: readonly RoomItem[];
  readonly group: Group;
}

export interface RoomPlan {
  /** Try-on sessions (each counts: some garment stayed ≥ minDwell). */
  readonly sessions: RoomUse[];
  /** Brief uses where no garment stayed 20 s: not sessions. */
  readonly glances: RoomUse[];
  readonly reads: PlannedRead[];
}

/** Gap kept between two uses of one room (≥ 2 × leaveAfter). */
export const ROOM_GAP = 60 * SECOND;
/** A product tried once is not tried again for this long. */
const RETRY_AFTER = 3 * HOUR;

const ROOMS = demoAntennas.rooms;

function neighbours(index: number): number[] {
  const near: (number | undefined)[] = [ROOMS[index - 1]?.ant, ROOMS[index + 1]?.ant];
  return near.filter((a): a is number => a !== undefined);
}

function sessionLength(rng: Rng): number {
  const kind = rng.weighted([
    ['short', 0.7],
    ['medium', 0.25],
    ['long', 0.05],
  ] as const);
  if (kind === 'short') return rng.int(90 * SECOND, 3 * MINUTE);
  if (kind === 'medium') return rng.int(3 * MINUTE, 6 * MINUTE);
  return rng.int(6 * MINUTE, 10 * MINUTE);
}

interface Wish {
  readonly group: Group;
  readonly start: number;
  readonly length: number;
  readonly glance: boolean;
}

export function planFittingRooms(
  rng: Rng,
  clock: DayClock,
  groups: readonly Group[],
  catalog: StoreCatalog,
  mint: EpcMint,
  roster: ReadonlyMap<string, RosterEntry>,
  staff: readonly StaffMember[],
  targetSessions: number,
): RoomPlan {
  const pSession = Math.min(0.95, targetSessions / Math.max(1, groups.length) / 0.93);
  const wishes: Wish[] = [];
  for (const group of groups) {
    if (rng.chance(pSession)) {
      const start = group.arrival + rng.int(3 * MINUTE, 20 * MINUTE);
      const room = group.latestExit - 2 * MINUTE - start;
      const length = Math.min(sessionLength(rng), room);
      if (length >= 90 * SECOND) wishes.push({ group, start, length, glance: false });
    } else if (rng.chance(0.03)) {
      const start = group.arrival + rng.int(2 * MINUTE, 8 * MINUTE);
      if (start + 2 * MINUTE < group.latestExit) wishes.push({ group, start, length: 0, glance: true });
    }
  }
  wishes.sort((a, b) => a.start - b.start || a.group.id - b.group.id);

  const freeAt = ROOMS.map(() => clock.open);
  const lastTried = new Map<string, number>();
  const sessions: RoomUse[] = [];
  const glances: RoomUse[] = [];
  const reads: PlannedRead[] = [];

  for (const wish of wishes) {
    const free = freeAt.flatMap((t, i) => (t <= wish.start ? [i] : []));
    let roomIndex: number;
    let start = wish.start;
    if (free.length > 0) {
      roomIndex = rng.pick(free);
    } else {
      const earliest = Math.min(...freeAt);
      roomIndex = freeAt.indexOf(earliest);
      start = earliest;
      const needed = wish.glance ? MINUTE : wish.length;
      if (start - wish.start > 6 * MINUTE || start + needed + 2 * MINUTE > wish.group.latestExit) continue;
    }
    const room = ROOMS[roomIndex];
    if (!room) continue;
    const use = wish.glance
      ? glanceUse(rng, catalog, mint, wish.group, roomIndex, start)
      : sessionUse(rng, catalog, mint, wish.group, roomIndex, start, wish.length, lastTried, roster);
    if (!use) continue;
    for (const item of use.tried) lastTried.set(item.product.gtin, use.end);
    (wish.glance ? glances : sessions).push(use);
    freeAt[roomIndex] = use.end + ROOM_GAP + rng.int(0, 90 * SECOND);
    wish.group.lastActivity = Math.max(wish.group.lastActivity, use.end);
    useReads(rng, use, roomIndex, roster, staff, reads);
  }
  return { sessions, glances, reads };
}

function pickProduct(
  rng: Rng,
  pool: readonly CatalogItem[],
  start: number,
  lastTried: ReadonlyMap<string, number>,
  exclude: ReadonlySet<string>,
): CatalogItem | undefined {
  for (let attempt = 0; attempt < 40; attempt++) {
    const p = rng.pick(pool);
    const last = lastTried.get(p.gtin);
    if (exclude.has(p.style) || (last !== undefined && start - last < RETRY_AFTER)) continue;
    return p;
  }
  return undefined;
}

function sessionUse(
  rng: Rng,
  catalog: StoreCatalog,
  mint: EpcMint,
  group: Group,
  roomIndex: number,
  start: number,
  length: number,
  lastTried: ReadonlyMap<string, number>,
  roster: ReadonlyMap<string, RosterEntry>,
): RoomUse | undefined {
  const room = ROOMS[roomIndex];
  if (!room) return undefined;
  const end = start + length;
  const count = rng.weighted([
    [1, 0.25],
    [2, 0.35],
    [3, 0.25],
    [4, 0.15],
  ] as const);
  const styles = new Set<string>();
  const products: CatalogItem[] = [];
  const sizes = group.member ? roster.get(group.member.id)?.member.sizes : undefined;
  for (let i = 0; i < count; i++) {
    let p = pickProduct(rng, catalog.tryable, start, lastTried, styles);
    if (p && sizes) {
      // Members take their own size when the style has it.
      const own = catalog.sizesOf(p).find((s) => s.size === sizes.top || s.size === sizes.bottom);
      const last = own ? lastTried.get(own.gtin) : undefined;
      if (own && (last === undefined || start - last >= RETRY_AFTER)) p = own;
    }
    if (!p) continue;
    styles.add(p.style);
    products.push(p);
  }
  const first = products[0];
  if (!first) return undefined;

  const tried: RoomItem[] = products.map((product, i) => {
    if (i === 0) return { epc: mint.mint(product), product, from: start, to: end };
    const from = start + rng.int(200, 4 * SECOND);
    const leavesEarly = rng.chance(0.2);
    const to = leavesEarly ? from + rng.int(40 * SECOND, end - from) : end - rng.int(0, 5 * SECOND);
    return { epc: mint.mint(product), product, from, to: Math.min(to, end) };
  });
  // A size swap: another size of the first style brought in during the session.
  if (length >= 100 * SECOND && rng.chance(0.3)) {
    const family = catalog.sizesOf(first);
    const at = family.indexOf(first);
    const other = family[at + 1] ?? family[at - 1];
    const last = other ? lastTried.get(other.gtin) : undefined;
    if (other && (last === undefined || start - last >= RETRY_AFTER)) {
      const from = start + rng.int(40 * SECOND, length - 45 * SECOND);
      tried.push({ epc: mint.mint(other), product: other, from, to: end - rng.int(0, 3 * SECOND) });
    }
  }
  const brief: RoomItem[] = [];
  if (length >= 80 * SECOND && rng.chance(0.2)) {
    const product = rng.pick(catalog.tryable);
    const from = start + rng.int(20 * SECOND, length - 40 * SECOND);
    brief.push({ epc: mint.mint(product), product, from, to: from + rng.int(3 * SECOND, 12 * SECOND) });
  }
  return { room: room.zone, ant: room.ant, start, end, tried, brief, group };
}

/** Someone steps in with a garment or two and leaves within seconds: not a session. */
function glanceUse(
  rng: Rng,
  catalog: StoreCatalog,
  mint: EpcMint,
  group: Group,
  roomIndex: number,
  start: number,
): RoomUse | undefined {
  const room = ROOMS[roomIndex];
  if (!room) return undefined;
  const brief: RoomItem[] = [];
  const count = rng.int(1, 2);
  for (let i = 0; i < count; i++) {
    const product = rng.pick(catalog.tryable);
    const from = start + (i === 0 ? 0 : rng.int(0, 3 * SECOND));
    brief.push({ epc: mint.mint(product), product, from, to: from + rng.int(3 * SECOND, 11 * SECOND) });
  }
  const end = Math.max(...brief.map((b) => b.to));
  return { room: room.zone, ant: room.ant, start, end, tried: [], brief, group };
}

function useReads(
  rng: Rng,
  use: RoomUse,
  roomIndex: number,
  roster: ReadonlyMap<string, RosterEntry>,
  staff: readonly StaffMember[],
  out: PlannedRead[],
): void {
  const near = neighbours(roomIndex);
  for (const item of [...use.tried, ...use.brief]) garmentReads(rng, item, use.ant, near, out);
  // A member card in the room: a person's tag, never a garment.
  const card = use.group.member?.via === 'card' ? roster.get(use.group.member.id)?.card : undefined;
  if (card !== undefined && use.tried.length > 0) {
    for (let at = use.start + rng.int(0, 5 * SECOND); at < use.end; at += rng.int(4 * SECOND, 15 * SECOND)) {
      out.push({ epc: card, ant: use.ant, rssi: rng.int(-62, -50), at });
    }
  }
  // Staff bringing the swapped size: their badge is read in the room too.
  const swap = use.tried.find((t) => t.from - use.start >= 40 * SECOND);
  if (swap && rng.chance(0.5)) {
    const badge = rng.pick(staff).badge;
    out.push({ epc: badge, ant: use.ant, rssi: rng.int(-60, -48), at: swap.from + rng.int(-800, 800) });
  }
}

/**
 * Reads of one garment between `from` and `to` (both read exactly): 1–4 reads in most
 * seconds, ~20% of seconds dropped, sometimes a gap of 6–18 s, and in some seconds a
 * cross-read by a neighbouring room's antenna ≥ 6 dB below this second's weakest read.
 */
function garmentReads(rng: Rng, item: RoomItem, ant: number, near: readonly number[], out: PlannedRead[]): void {
  const base = rng.int(-60, -47);
  const firstSec = Math.floor(item.from / SECOND);
  const lastSec = Math.floor(item.to / SECOND);
  let gapFrom = Number.POSITIVE_INFINITY;
  let gapTo = Number.NEGATIVE_INFINITY;
  if (lastSec - firstSec > 40 && rng.chance(0.3)) {
    const len = rng.int(6, 18);
    gapFrom = rng.int(firstSec + 5, lastSec - 5 - len);
    gapTo = gapFrom + len;
  }
  for (let s = firstSec; s <= lastSec; s++) {
    const edge = s === firstSec || s === lastSec;
    if (!edge && ((s >= gapFrom && s < gapTo) || !rng.chance(0.8))) continue;
    const lo = Math.max(item.from, s * SECOND);
    const hi = Math.min(item.to, s * SECOND + 999);
    const times: number[] = [];
    if (s === firstSec) times.push(item.from);
    if (s === lastSec) times.push(item.to);
    const extra = rng.int(edge ? 0 : 1, 4);
    for (let k = 0; k < extra; k++) times.push(rng.int(lo, hi));
    let weakest = 0;
    for (const at of times) {
      const rssi = Math.min(-40, base + rng.int(-3, 3));
      weakest = Math.min(weakest, rssi);
      out.push({ epc: item.epc, ant, rssi, at });
    }
    if (near.length > 0 && rng.chance(0.12)) {
      const crossAnt = rng.pick(near);
      const n = rng.int(1, 2);
      for (let k = 0; k < n; k++) {
        out.push({ epc: item.epc, ant: crossAnt, rssi: weakest - rng.int(6, 14), at: rng.int(lo, hi) });
      }
    }
  }
}
