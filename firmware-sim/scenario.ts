/**
 * The seeded store day: `generateStoreDay` plans a whole day in the demo store (staff,
 * visitor groups, members and VIPs, fitting rooms, tills, the street, device incidents),
 * renders it into the exact MQTT messages the devices would send, and returns them with the
 * reference data the gateway needs (roster, catalog, invitations) and the ground truth.
 * The same options always give the same output, byte for byte.
 */

import { buildCatalog, EpcMint, toProduct } from './day/catalog.js';
import { dayClock, Forbidden } from './day/clock.js';
import { buildFleet, DEVICE_IDS, planIncidents } from './day/fleet.js';
import { entranceSignals, memberCounts, planInvitations, planMemberVisits, returnGroupSizes } from './day/members.js';
import { planNoise } from './day/noise.js';
import { applyOutage, renderDay } from './day/render.js';
import { planFittingRooms } from './day/rooms.js';
import { buildRoster, type RosterEntry } from './day/roster.js';
import { planSales } from './day/sales.js';
import { planStaff, STAFF_CLEARANCE } from './day/staff.js';
import { planStreet } from './day/street.js';
import { computeTruth, type GroundTruth } from './day/truth.js';
import type { Invitation, Member, PlannedCrossing, Product, StaffMember, TimedMessage } from './day/types.js';
import { finalizeExits, planGroups } from './day/visitors.js';
import { demoRules, demoStaff, demoStore } from './demo-store.js';
import { Rng } from './prng.js';
import { DAY, SECOND } from './time.js';

export interface StoreDayOptions {
  readonly seed: number;
  /** Store-local date, `YYYY-MM-DD`. */
  readonly date: string;
  /** Visitors (entrance `in`s that are not staff); default 1,800 on weekdays, 2,300 at weekends. */
  readonly visitors?: number;
  /** Passers-by per visitor; default drawn in [4.5, 6). */
  readonly passersPerVisitor?: number;
  /** Try-on sessions per visitor aimed for; default 0.2. */
  readonly tryOnRate?: number;
  /** Sales per visitor aimed for; default 0.17. */
  readonly conversionRate?: number;
  /** VIP visits (card or app), at most 24; default one per 60 visitors, at most 24. */
  readonly vipVisits?: number;
}

export interface StoreDay {
  readonly options: Required<StoreDayOptions>;
  /** Every device message of the day, sorted by send time. */
  readonly messages: TimedMessage[];
  readonly roster: Member[];
  readonly catalog: Product[];
  readonly staff: StaffMember[];
  readonly invitations: Invitation[];
  readonly truth: GroundTruth;
}

function defaultVisitors(date: string): number {
  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6 ? 2300 : 1800;
}

export function generateStoreDay(options: StoreDayOptions): StoreDay {
  const rng = new Rng(`${options.seed}/${options.date}`);
  const clock = dayClock(options.date, demoStore.store.openingTime, demoRules.utcOffsetMinutes);
  const visitors = options.visitors ?? defaultVisitors(options.date);
  if (!Number.isInteger(visitors) || visitors < 1)
    throw new RangeError(`visitors must be a positive integer: ${visitors}`);
  const resolved: Required<StoreDayOptions> = {
    seed: options.seed,
    date: options.date,
    visitors,
    passersPerVisitor: options.passersPerVisitor ?? Math.round(rng.fork('street-rate').between(4.5, 6) * 100) / 100,
    tryOnRate: options.tryOnRate ?? 0.2,
    conversionRate: options.conversionRate ?? 0.17,
    vipVisits: options.vipVisits ?? Math.min(24, Math.floor(visitors / 60)),
  };
  if (!Number.isInteger(resolved.vipVisits) || resolved.vipVisits < 0 || resolved.vipVisits > 24)
    throw new RangeError(`vipVisits must be an integer from 0 to 24: ${resolved.vipVisits}`);

  const catalog = buildCatalog();
  const roster = buildRoster();
  const rosterById = new Map<string, RosterEntry>(roster.map((r) => [r.member.id, r]));
  const staff: StaffMember[] = demoStaff.map((s) => ({ ...s }));
  // Garment serials unique across days too: each day gets its own range.
  const mint = new EpcMint(Math.floor(clock.midnight / DAY) * 100_000);

  // Device incidents first: nobody may cross while the entrance counter is rebooting.
  const incidents = planIncidents(rng.fork('incidents'), clock);
  const doorDown = new Forbidden();
  doorDown.add(incidents.doorReboot.from - 2 * SECOND, incidents.doorReboot.to + 7 * SECOND);
  const staffPlan = planStaff(rng.fork('staff'), clock, staff, doorDown, DEVICE_IDS.entrance);
  const visitorBlock = new Forbidden();
  visitorBlock.add(incidents.doorReboot.from - 2 * SECOND, incidents.doorReboot.to + 7 * SECOND);
  for (const p of staffPlan.passes) visitorBlock.add(p.at - STAFF_CLEARANCE, p.at + STAFF_CLEARANCE);

  const counts = memberCounts(visitors, resolved.vipVisits);
  const returnSizes = returnGroupSizes(rng.fork('returns'), counts);
  const returning = [...returnSizes.within, ...returnSizes.after].reduce((a, b) => a + b, 0);
  const baseGroups = planGroups(rng.fork('groups'), clock, visitors - returning, visitorBlock);
  const { groups, visits } = planMemberVisits(
    rng.fork('members'),
    clock,
    baseGroups,
    roster,
    counts,
    returnSizes,
    visitorBlock,
  );
  const rooms = planFittingRooms(
    rng.fork('rooms'),
    clock,
    groups,
    catalog,
    mint,
    rosterById,
    staff,
    Math.round(visitors * resolved.tryOnRate),
  );
  const sales = planSales(
    rng.fork('sales'),
    clock,
    groups,
    rooms.sessions,
    catalog,
    mint,
    rosterById,
    demoStore.store.vipTier,
    Math.round(visitors * resolved.conversionRate),
  );
  finalizeExits(rng.fork('exits'), groups, doorDown);
  const signals = entranceSignals(rng.fork('signals'), visits, rosterById);
  const invitations = planInvitations(rng.fork('invitations'), clock, visits, roster, staff);
  const street = planStreet(
    rng.fork('street'),
    clock,
    Math.round(visitors * resolved.passersPerVisitor),
    DEVICE_IDS.street,
  );
  const noise = planNoise(rng.fork('noise'), clock, catalog, mint);
  applyOutage(sales.receipts, incidents.tillOffline);

  const crossings: PlannedCrossing[] = [...staffPlan.crossings, ...street];
  for (const g of groups) {
    for (const c of g.ins) crossings.push({ device: DEVICE_IDS.entrance, at: c.at, dir: 'in', n: c.n, who: 'visitor' });
    for (const c of g.outs)
      crossings.push({ device: DEVICE_IDS.entrance, at: c.at, dir: 'out', n: c.n, who: 'visitor' });
  }
  crossings.sort((a, b) => a.at - b.at);

  const messages = renderDay(rng.fork('render'), buildFleet(rng.fork('fleet'), clock), {
    clock,
    incidents,
    crossings,
    reads: [...staffPlan.reads, ...signals.reads, ...rooms.reads, ...noise],
    receipts: sales.receipts,
    seen: signals.seen,
  });

  const truth = computeTruth({
    store: demoStore.store.id,
    timezone: demoStore.store.timezone,
    clock,
    entranceDevice: DEVICE_IDS.entrance,
    streetDevice: DEVICE_IDS.street,
    crossings,
    sessions: rooms.sessions,
    glances: rooms.glances,
    receipts: sales.receipts,
    sightings: signals.sightings,
    roster: rosterById,
    vipTier: demoStore.store.vipTier,
    invitations,
    boughtLate: sales.boughtLate,
  });

  return {
    options: resolved,
    messages,
    roster: roster.map((r) => r.member),
    catalog: catalog.products.map(toProduct),
    staff,
    invitations,
    truth,
  };
}
