/**
 * One invitation's journey: invited → arrived → tried → bought, with the time of each step,
 * from the outcomes correlation attributed to it. A pure function of the invitation and the
 * set of its outcome facts (the earliest of each kind counts), so it does not depend on the
 * order the facts were written or read in.
 */
import type { InvitationOutcomeFact } from '../correlate/index.js';
import type { InvitationRecord } from './store.js';

export interface JourneyRow {
  readonly invitation: string;
  readonly member: string;
  /** The sign-in name of who invited, and the person's display name (the sign-in name when none). */
  readonly staff: string;
  readonly staffName: string;
  readonly channel: string;
  readonly campaign: string;
  readonly invitedAt: number;
  /** The arrival, or the fitting-room sighting when the arrival was not seen (it implies the visit). */
  readonly arrivedAt: number | null;
  /** Their own card or app credential seen in a fitting room. */
  readonly triedAt: number | null;
  /** Arrived without such a sighting: they may have tried on unseen (neither tried nor not tried). */
  readonly triedUnknown: boolean;
  readonly boughtAt: number | null;
  readonly purchases: number;
  /** Sales − refunds attributed to the invitation. */
  readonly revenue: number;
}

const earliest = (a: number | null, b: number): number => (a === null || b < a ? b : a);

export function journeyRows(
  invitations: readonly InvitationRecord[],
  outcomes: readonly InvitationOutcomeFact[],
): JourneyRow[] {
  const steps = new Map(
    invitations.map((i) => [
      i.id,
      {
        arrived: null as number | null,
        tried: null as number | null,
        bought: null as number | null,
        purchases: 0,
        cents: 0,
      },
    ]),
  );
  for (const o of outcomes) {
    const s = steps.get(o.invitation);
    if (!s) continue;
    if (o.outcome === 'arrived') s.arrived = earliest(s.arrived, o.ts);
    // Old outcomes "tried by session" (any session overlapping the visit) are not evidence.
    else if (o.outcome === 'tried' && o.triedBy !== 'session') s.tried = earliest(s.tried, o.ts);
    else if (o.outcome === 'bought') {
      s.bought = earliest(s.bought, o.ts);
      s.purchases += 1;
    }
    if (o.revenue !== undefined) s.cents += Math.round(o.revenue * 100);
  }
  return invitations.map((i) => {
    const s = steps.get(i.id) as NonNullable<ReturnType<typeof steps.get>>;
    const arrivedAt = s.tried === null ? s.arrived : earliest(s.arrived, s.tried);
    return {
      invitation: i.id,
      member: i.member,
      staff: i.staff,
      staffName: i.staffName,
      channel: i.channel,
      campaign: i.campaign,
      invitedAt: i.ts,
      arrivedAt,
      triedAt: s.tried,
      triedUnknown: arrivedAt !== null && s.tried === null,
      boughtAt: s.bought,
      purchases: s.purchases,
      revenue: s.cents / 100,
    };
  });
}
