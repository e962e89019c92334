/**
 * GET /staffing: staff on the floor (from badge passages, staff-presence.ts), shoppers per
 * associate live and per period, conversion beside it, and how VIP alerts were answered
 * (pushed → acknowledged) per period. Definitions: docs/contracts.md "Staffing".
 */
import { ratio } from '../../../protocols/index.js';
import type { StoreCalendar } from '../../infra/time/index.js';
import { BUCKET_MS, HOUR_MS } from '../../infra/time/index.js';
import type { BucketStore } from '../../pipeline/derive/buckets.js';
import type { Db } from '../../pipeline/journal/index.js';
import { queryFunnel } from './funnel.js';
import { type BadgeRead, type StaffPresence, staffAt, staffInSlot, staffPresence } from './staff-presence.js';

export const STAFFING_GRANULARITIES = ['15m', 'hour'] as const;
export type StaffingGranularity = (typeof STAFFING_GRANULARITIES)[number];

export interface VipResponse {
  /** VIP arrivals pushed to phones (late ones were never pushed and are not here). */
  readonly vipAlerts: number;
  readonly vipAcked: number;
  /** Pushed and not acknowledged (so far): nobody said "I'm on it". */
  readonly vipUnattended: number;
  /** Median seconds from push to acknowledgement; null without acknowledged alerts. */
  readonly vipResponseSeconds: number | null;
}

export interface StaffingBucket extends VipResponse {
  readonly start: string;
  readonly end: string;
  /** Average over the period's begun 15-min slots of staff present in each slot; null: unknown. */
  readonly staffOnFloor: number | null;
  readonly visitors: number;
  readonly transactions: number;
  readonly conversionRate: number | null;
  /** visitors ÷ staffOnFloor; null when unknown or nobody was on the floor. */
  readonly shoppersPerAssociate: number | null;
}

export interface StaffingResult {
  readonly from: string;
  readonly to: string;
  readonly granularity: StaffingGranularity;
  readonly now: {
    readonly at: string;
    /** Staff on the floor now; null when today's staffing is unknown (no badge passage today). */
    readonly staffOnFloor: number | null;
    /** Shoppers in the store now (occupancy). */
    readonly shoppers: number;
    readonly shoppersPerAssociate: number | null;
  };
  readonly buckets: StaffingBucket[];
  readonly totals: VipResponse & {
    /** Σ staff per 15-min slot × ¼ h over the slots whose staffing is known; null if none is. */
    readonly associateHours: number | null;
    readonly visitors: number;
    readonly transactions: number;
    readonly conversionRate: number | null;
    /** Visitors in the known slots ÷ associateHours. */
    readonly visitorsPerAssociateHour: number | null;
    /** Badges whose leaving passage was not read on some day (counted to the day's end). */
    readonly openPresences: number;
  };
}

interface AlertTimes {
  ts: number;
  pushed_at: number | null;
  acked_at: number | null;
}

const round2 = (v: number | null): number | null => (v === null ? null : Math.round(v * 100) / 100);

export class StaffingView {
  private readonly selectReads;
  private readonly selectAlerts;

  constructor(
    private readonly deps: {
      readonly db: Db;
      readonly buckets: BucketStore;
      readonly calendar: StoreCalendar;
      readonly now: () => number;
      readonly occupancy: () => number;
      readonly passageGapMs: number;
    },
  ) {
    this.selectReads = deps.db.prepare(
      `SELECT json_extract(body, '$.badge') AS badge, ts, json_extract(body, '$.lastTs') AS lastTs
       FROM facts WHERE type = 'staff.badge' AND ts >= ? AND ts < ?`,
    );
    // Alerts a rewind has taken back (epoch -1, gateway/outputs/alerts/store.ts) are not arrivals now.
    this.selectAlerts = deps.db.prepare(
      'SELECT ts, pushed_at, acked_at FROM alerts WHERE ts >= ? AND ts < ? AND epoch != -1 ORDER BY ts',
    );
  }

  /** Presence over the whole store days holding [from, to) (passages alternate per day). */
  presence(from: number, to: number): StaffPresence {
    const { calendar } = this.deps;
    const first = calendar.dayStart(from);
    const end = calendar.nextDayStart(calendar.dayStart(Math.max(from, to - 1)));
    const reads = this.selectReads.all(first, end) as BadgeRead[];
    return staffPresence(reads, calendar, { passageGapMs: this.deps.passageGapMs, until: this.deps.now() });
  }

  query(from: number, to: number, granularity: StaffingGranularity): StaffingResult {
    const { calendar } = this.deps;
    const now = this.deps.now();
    const funnel = queryFunnel(this.deps.buckets, calendar, from, to, granularity);
    const rangeStart = Date.parse(funnel.from);
    const rangeEnd = Date.parse(funnel.to);
    const presence = this.presence(rangeStart, rangeEnd);
    const today = rangeStart <= now && now < rangeEnd ? presence : this.presence(now, now + 1);
    const alerts = this.selectAlerts.all(rangeStart, rangeEnd) as AlertTimes[];

    let slotStaffSum = 0;
    let knownSlots = 0;
    let knownVisitors = 0;
    const buckets = funnel.buckets.map((b): StaffingBucket => {
      const start = Date.parse(b.start);
      const end = Date.parse(b.end);
      let sum = 0;
      let known = 0;
      // Slots not begun yet say nothing: the running hour is the average of its quarters so far.
      for (let slot = start; slot < end && slot <= now; slot += BUCKET_MS) {
        const n = staffInSlot(presence, calendar, slot, Math.min(end, slot + BUCKET_MS));
        if (n === null) continue;
        sum += n;
        known++;
      }
      const staffOnFloor = known === 0 ? null : sum / known;
      if (known > 0) {
        slotStaffSum += sum;
        knownSlots += known;
        knownVisitors += b.visitors;
      }
      return {
        start: b.start,
        end: b.end,
        staffOnFloor: round2(staffOnFloor),
        visitors: b.visitors,
        transactions: b.transactions,
        conversionRate: b.conversionRate,
        shoppersPerAssociate: staffOnFloor === null ? null : round2(ratio(b.visitors, staffOnFloor)),
        ...vipResponse(alerts.filter((a) => a.ts >= start && a.ts < end)),
      };
    });

    const shoppers = this.deps.occupancy();
    const staffNow = staffAt(today, calendar, now);
    const associateHours = knownSlots === 0 ? null : (slotStaffSum * BUCKET_MS) / HOUR_MS;
    return {
      from: funnel.from,
      to: funnel.to,
      granularity,
      now: {
        at: calendar.format(now),
        staffOnFloor: staffNow,
        shoppers,
        shoppersPerAssociate: staffNow === null ? null : round2(ratio(shoppers, staffNow)),
      },
      buckets,
      totals: {
        associateHours,
        visitors: funnel.totals.visitors,
        transactions: funnel.totals.transactions,
        conversionRate: funnel.totals.conversionRate,
        visitorsPerAssociateHour: associateHours === null ? null : round2(ratio(knownVisitors, associateHours)),
        openPresences: presence.presences.filter((p) => p.open && p.from < rangeEnd && p.to > rangeStart).length,
        ...vipResponse(alerts),
      },
    };
  }
}

/** Pushed alerts, how many were acknowledged, and the median push → ack time. */
export function vipResponse(alerts: readonly AlertTimes[]): VipResponse {
  const pushed = alerts.filter((a) => a.pushed_at !== null);
  const seconds = pushed
    .filter((a) => a.acked_at !== null)
    .map((a) => Math.max(0, ((a.acked_at as number) - (a.pushed_at as number)) / 1000))
    .sort((a, b) => a - b);
  return {
    vipAlerts: pushed.length,
    vipAcked: seconds.length,
    vipUnattended: pushed.length - seconds.length,
    vipResponseSeconds: seconds.length === 0 ? null : Math.round(median(seconds)),
  };
}

function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
