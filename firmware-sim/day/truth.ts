/**
 * Ground truth of a simulated day, computed from what the generator decided (not by
 * re-reading its messages), counted exactly as DESIGN's Definitions say:
 *
 * - passersBy: Σ n of the street counter's `in` crossings, at the crossing;
 * - visitors: Σ n of entrance `in` crossings that are not staff, at the crossing;
 * - tryOnSessions / itemsTried: sessions (some garment stayed ≥ minDwell) and their tried
 *   garments, both at the session start (its first garment read);
 * - transactions: sales, at the receipt ts; units: Σ qty of sales minus Σ qty of refunds and
 *   voids; revenue: Σ total of sales minus Σ total of refunds and voids (payload totals are
 *   positive), each at its receipt ts;
 * - triedBought: tried items named on a sale within conversionWindow after the session's end
 *   (its last garment read), matched by the line's EPC, else its GTIN, else its SKU; counted
 *   at the first such sale's ts;
 * - expectedAlerts: a VIP (tier ≥ vipTier) sighted in `entrance` raises an alert unless the
 *   same member's previous alert is less than realertAfter before.
 */
import { demoRules } from '../demo-store.js';
import { MINUTE } from '../time.js';
import type { Sighting } from './members.js';
import type { RoomItem, RoomUse } from './rooms.js';
import type { RosterEntry } from './roster.js';
import type { DayClock, Invitation, LineMode, PlannedCrossing, PlannedReceipt } from './types.js';

export const BUCKET_MS = 15 * MINUTE;

export interface FunnelCounts {
  passersBy: number;
  visitors: number;
  tryOnSessions: number;
  itemsTried: number;
  transactions: number;
  units: number;
  revenue: number;
  triedBought: number;
}

export interface TruthBucket extends FunnelCounts {
  /** Bucket start, epoch ms (a store-local quarter hour). */
  readonly start: number;
}

export interface TruthSession {
  readonly room: string;
  /** First garment read in the room (epoch ms). */
  readonly start: number;
  /** Last garment read in the room (epoch ms). */
  readonly end: number;
  /** EPCs of the tried garments (dwell ≥ minDwell). */
  readonly items: readonly string[];
  /** EPCs of garments that were in the room < minDwell (not tried). */
  readonly brief: readonly string[];
  /** Two sizes of one style among the tried garments. */
  readonly sizeSwap: boolean;
}

export interface ExpectedAlert {
  readonly member: string;
  /** The sighting that raises it (first card read or the app check-in), epoch ms. */
  readonly ts: number;
  readonly zone: 'entrance';
  readonly via: 'card' | 'app';
  /** The member's open invitation (made before, within invitationWindow), if any. */
  readonly invitation?: string;
}

export interface TriedBoughtItem {
  readonly epc: string;
  readonly gtin: string;
  readonly receipt: string;
  readonly ts: number;
  readonly matchedBy: LineMode;
}

export interface GroundTruth {
  readonly store: string;
  readonly date: string;
  readonly timezone: string;
  readonly bucketMinutes: 15;
  /** Every 15-minute bucket of the store-local day, in order (96 of them). */
  readonly buckets: TruthBucket[];
  readonly totals: FunnelCounts;
  readonly sessions: TruthSession[];
  /** Fitting-room uses where no garment stayed minDwell: not sessions. */
  readonly glances: {
    readonly room: string;
    readonly start: number;
    readonly end: number;
    readonly items: readonly string[];
  }[];
  readonly triedBought: TriedBoughtItem[];
  /** Tried garments sold only after the conversion window: NOT tried → bought. */
  readonly boughtAfterWindow: { readonly epc: string; readonly receipt: string; readonly ts: number }[];
  readonly expectedAlerts: ExpectedAlert[];
  /** Every VIP arrival (first entrance sighting of a visit), and whether it alerts. */
  readonly vipArrivals: { readonly member: string; readonly ts: number; readonly alert: boolean }[];
  readonly door: { readonly ins: number; readonly outs: number; readonly staffIns: number; readonly staffOuts: number };
  readonly receipts: { readonly sales: number; readonly refunds: number; readonly voids: number };
}

export interface TruthInput {
  readonly store: string;
  readonly timezone: string;
  readonly clock: DayClock;
  readonly entranceDevice: string;
  readonly streetDevice: string;
  readonly crossings: readonly PlannedCrossing[];
  readonly sessions: readonly RoomUse[];
  readonly glances: readonly RoomUse[];
  readonly receipts: readonly PlannedReceipt[];
  readonly sightings: readonly Sighting[];
  readonly roster: ReadonlyMap<string, RosterEntry>;
  readonly vipTier: number;
  readonly invitations: readonly Invitation[];
  readonly boughtLate: readonly { readonly epc: string; readonly receipt: PlannedReceipt }[];
}

function zero(): FunnelCounts {
  return {
    passersBy: 0,
    visitors: 0,
    tryOnSessions: 0,
    itemsTried: 0,
    transactions: 0,
    units: 0,
    revenue: 0,
    triedBought: 0,
  };
}

export function computeTruth(input: TruthInput): GroundTruth {
  const { clock } = input;
  const buckets: TruthBucket[] = Array.from({ length: (24 * 60) / 15 }, (_, i) => ({
    start: clock.midnight + i * BUCKET_MS,
    ...zero(),
  }));
  const bucket = (t: number): FunnelCounts => {
    const b = buckets[Math.floor((t - clock.midnight) / BUCKET_MS)];
    if (!b) throw new RangeError(`event at ${new Date(t).toISOString()} is outside the day ${clock.date}`);
    return b;
  };

  const door = { ins: 0, outs: 0, staffIns: 0, staffOuts: 0 };
  for (const c of input.crossings) {
    if (c.device === input.streetDevice) {
      if (c.dir === 'in') bucket(c.at).passersBy += c.n;
      continue;
    }
    if (c.device !== input.entranceDevice) continue;
    if (c.dir === 'in') door.ins += c.n;
    else door.outs += c.n;
    if (c.who === 'staff') {
      if (c.dir === 'in') door.staffIns += c.n;
      else door.staffOuts += c.n;
    } else if (c.dir === 'in') {
      bucket(c.at).visitors += c.n;
    }
  }

  for (const s of input.sessions) {
    const b = bucket(s.start);
    b.tryOnSessions += 1;
    b.itemsTried += s.tried.length;
  }

  const receiptCounts = { sales: 0, refunds: 0, voids: 0 };
  for (const r of input.receipts) {
    const b = bucket(r.ts);
    const units = r.lines.reduce((sum, l) => sum + l.qty, 0);
    if (r.kind === 'sale') {
      receiptCounts.sales += 1;
      b.transactions += 1;
      b.units += units;
      b.revenue += r.total;
    } else {
      if (r.kind === 'refund') receiptCounts.refunds += 1;
      else receiptCounts.voids += 1;
      b.units -= units;
      b.revenue -= r.total;
    }
  }

  const triedBought = triedToBought(input.sessions, input.receipts);
  for (const t of triedBought) bucket(t.ts).triedBought += 1;

  const { expectedAlerts, vipArrivals } = alerts(input);
  const totals = zero();
  for (const b of buckets) {
    for (const key of Object.keys(totals) as (keyof FunnelCounts)[]) totals[key] += b[key];
  }
  return {
    store: input.store,
    date: clock.date,
    timezone: input.timezone,
    bucketMinutes: 15,
    buckets,
    totals,
    sessions: input.sessions.map((s) => ({
      room: s.room,
      start: s.start,
      end: s.end,
      items: s.tried.map((t) => t.epc),
      brief: s.brief.map((t) => t.epc),
      sizeSwap: hasSizeSwap(s.tried),
    })),
    glances: input.glances.map((g) => ({ room: g.room, start: g.start, end: g.end, items: g.brief.map((t) => t.epc) })),
    triedBought,
    boughtAfterWindow: input.boughtLate.map((b) => ({ epc: b.epc, receipt: b.receipt.receipt, ts: b.receipt.ts })),
    expectedAlerts,
    vipArrivals,
    door,
    receipts: receiptCounts,
  };
}

function hasSizeSwap(items: readonly RoomItem[]): boolean {
  const sizesByStyle = new Map<string, Set<string>>();
  for (const i of items) {
    const set = sizesByStyle.get(i.product.style) ?? new Set<string>();
    set.add(i.product.size);
    sizesByStyle.set(i.product.style, set);
  }
  return [...sizesByStyle.values()].some((s) => s.size >= 2);
}

/** DESIGN "Tried → bought", applied literally to every tried item of the day. */
function triedToBought(sessions: readonly RoomUse[], receipts: readonly PlannedReceipt[]): TriedBoughtItem[] {
  const sales = receipts.filter((r) => r.kind === 'sale').sort((a, b) => a.ts - b.ts);
  const out: TriedBoughtItem[] = [];
  for (const s of sessions) {
    for (const item of s.tried) {
      for (const sale of sales) {
        if (sale.ts <= s.end || sale.ts > s.end + demoRules.conversionWindowMs) continue;
        const line = sale.lines.find((l) =>
          l.mode === 'epc'
            ? l.epc === item.epc
            : l.mode === 'gtin'
              ? l.product.gtin === item.product.gtin
              : l.product.sku === item.product.sku,
        );
        if (!line) continue;
        out.push({ epc: item.epc, gtin: item.product.gtin, receipt: sale.receipt, ts: sale.ts, matchedBy: line.mode });
        break;
      }
    }
  }
  return out.sort((a, b) => a.ts - b.ts || (a.epc < b.epc ? -1 : 1));
}

function alerts(input: TruthInput): Pick<GroundTruth, 'expectedAlerts' | 'vipArrivals'> {
  const expectedAlerts: ExpectedAlert[] = [];
  const vipArrivals: { member: string; ts: number; alert: boolean }[] = [];
  const lastAlert = new Map<string, number>();
  for (const s of input.sightings) {
    const tier = input.roster.get(s.member)?.member.tier ?? 0;
    if (tier < input.vipTier) continue;
    const previous = lastAlert.get(s.member);
    const alert = previous === undefined || s.at - previous >= demoRules.realertAfterMs;
    if (s.arrival) vipArrivals.push({ member: s.member, ts: s.at, alert });
    if (!alert) continue;
    lastAlert.set(s.member, s.at);
    const invitation = openInvitation(input.invitations, s.member, s.at);
    const base = { member: s.member, ts: s.at, zone: 'entrance' as const, via: s.via };
    expectedAlerts.push(invitation === undefined ? base : { ...base, invitation });
  }
  return { expectedAlerts, vipArrivals };
}

/** The member's latest invitation made before `at` and within the invitation window. */
function openInvitation(invitations: readonly Invitation[], member: string, at: number): string | undefined {
  let best: { id: string; ts: number } | undefined;
  for (const inv of invitations) {
    const ts = Date.parse(inv.ts);
    if (inv.member !== member || ts > at || at - ts > demoRules.invitationWindowMs) continue;
    if (!best || ts > best.ts) best = { id: inv.id, ts };
  }
  return best?.id;
}
