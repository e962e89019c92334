/**
 * Invitations (邀约): recorded through the API, journaled for replay, listed, and reported
 * per campaign and per staff member from the outcomes correlation attributed to them.
 */
import type { InvitationOutcomeFact } from '../correlate/index.js';
import type { Db, JournalRow } from '../journal/index.js';
import { type JourneyRow, journeyRows } from './journey.js';

export interface InvitationRecord {
  readonly id: string;
  readonly ts: number;
  readonly member: string;
  readonly staff: string;
  /** The person's display name; the sign-in name when none was recorded. */
  readonly staffName: string;
  readonly channel: string;
  readonly campaign: string;
}

/**
 * `tried`: arrived and their own card or app credential was seen in a fitting room (the
 * correlation's "tried" outcome). `triedUnknown`: arrived without any such sighting; they
 * may have tried on without their card being read, so they are neither counted as tried
 * nor as not tried. arrived = tried + triedUnknown. Old outcomes "tried by session" (any
 * session overlapping the visit) are not evidence and count as unknown.
 */
export interface OutcomeTotals {
  invited: number;
  arrived: number;
  tried: number;
  triedUnknown: number;
  bought: number;
  purchases: number;
  revenue: number;
}

export interface InvitationReport {
  readonly totals: OutcomeTotals;
  readonly byCampaign: readonly ({ campaign: string } & OutcomeTotals)[];
  /** Per sign-in name, with the person's display name as last recorded in the period. */
  readonly byStaff: readonly ({ staff: string; staffName: string } & OutcomeTotals)[];
}

const empty = (): OutcomeTotals => ({
  invited: 0,
  arrived: 0,
  tried: 0,
  triedUnknown: 0,
  bought: 0,
  purchases: 0,
  revenue: 0,
});

export class InvitationStore {
  private readonly insert;
  private readonly selectRange;
  private readonly selectOutcomes;

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO invitations (id, ts, member, staff, staff_name, channel, campaign) VALUES (@id, @ts, @member, @staff, @staffName, @channel, @campaign)',
    );
    this.selectRange = db.prepare(
      `SELECT id, ts, member, staff, COALESCE(staff_name, staff) AS staffName, channel, campaign
       FROM invitations WHERE ts >= ? AND ts < ? ORDER BY ts DESC LIMIT ?`,
    );
    this.selectOutcomes = db.prepare(
      "SELECT body FROM facts WHERE type = 'invitation.outcome' AND json_extract(body, '$.invitation') IN (SELECT id FROM invitations WHERE ts >= ? AND ts < ?)",
    );
  }

  /** Keeps the table in step with journaled invitations. Call inside the derivation's transaction. */
  record(rows: readonly JournalRow[]): void {
    for (const { event } of rows) {
      if (event.type === 'invitation.recorded') this.insert.run({ staffName: null, ...event.invitation });
    }
  }

  list(from: number, to: number, limit: number): InvitationRecord[] {
    return this.selectRange.all(from, to, limit) as InvitationRecord[];
  }

  /** Each invitation made in [from, to) with its journey, newest first; optionally one campaign. */
  journeys(from: number, to: number, limit: number, campaign?: string): JourneyRow[] {
    const invitations = this.list(from, to, campaign === undefined ? limit : 1_000_000)
      .filter((i) => campaign === undefined || i.campaign === campaign)
      .slice(0, limit);
    const outcomes = (this.selectOutcomes.all(from, to) as { body: string }[]).map(
      (row) => JSON.parse(row.body) as InvitationOutcomeFact,
    );
    return journeyRows(invitations, outcomes);
  }

  /** Outcomes of invitations made in [from, to), optionally one campaign. */
  report(from: number, to: number, campaign?: string): InvitationReport {
    const totals = empty();
    const campaigns = new Map<string, OutcomeTotals>();
    const staff = new Map<string, OutcomeTotals>();
    const journeys = this.journeys(from, to, 1_000_000, campaign);
    // The rows are newest first: the first name seen per account is its latest.
    const staffNames = new Map<string, string>();
    for (const j of journeys) if (!staffNames.has(j.staff)) staffNames.set(j.staff, j.staffName);
    for (const j of journeys) {
      for (const into of [totals, group(campaigns, j.campaign), group(staff, j.staff)]) {
        into.invited += 1;
        into.arrived += j.arrivedAt === null ? 0 : 1;
        into.tried += j.triedAt === null ? 0 : 1;
        into.triedUnknown += j.triedUnknown ? 1 : 0;
        into.bought += j.boughtAt === null ? 0 : 1;
        into.purchases += j.purchases;
        into.revenue = Math.round((into.revenue + j.revenue) * 100) / 100;
      }
    }
    return {
      totals,
      byCampaign: [...campaigns].map(([c, t]) => ({ campaign: c, ...t })).sort((a, b) => b.invited - a.invited),
      byStaff: [...staff]
        .map(([s, t]) => ({ staff: s, staffName: staffNames.get(s) ?? s, ...t }))
        .sort((a, b) => b.invited - a.invited),
    };
  }
}

function group(map: Map<string, OutcomeTotals>, key: string): OutcomeTotals {
  let totals = map.get(key);
  if (!totals) {
    totals = empty();
    map.set(key, totals);
  }
  return totals;
}
