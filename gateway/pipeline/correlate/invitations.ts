/**
 * Invitations (邀约): a staff member invited a member (channel, campaign, time). Outcomes
 * within invitationWindow after the invitation are attributed to it: arrived (the member
 * arrives), tried (their card or app credential is seen in a fitting room: the same
 * sighting that ties them to the room's session; another customer's session during their
 * visit is not their try-on), bought (a sale with that `member`), revenue (sales − refunds).
 * A member who arrived without any such sighting may still have tried: the report shows
 * them as "tried unknown", not as tried (gateway/pipeline/invitations/store.ts).
 *
 * Attribution is last touch: an outcome goes to the member's most recent invitation whose
 * window holds the outcome's time. The derivation feeds the invitation at its own time, so
 * outcomes after it are attributed even when it was recorded later. When the window
 * closes, invitation.closed carries the final result.
 */
import type { Invitation } from '../../../protocols/index.js';
import type { Fact, InvitationOutcomeFact } from './facts.js';

export type { Invitation };

import { asArray, asNumber, asRecord } from './snapshot-util.js';
import { NEVER, type Timed } from './timed.js';

interface OpenInvitation extends Invitation {
  readonly closesAt: number;
  arrived: boolean;
  tried: boolean;
  purchases: number;
  revenueCents: number;
}

export class Invitations implements Timed {
  private readonly byId = new Map<string, OpenInvitation>();
  /** Per member, sorted by invitation time. */
  private readonly byMember = new Map<string, OpenInvitation[]>();
  /** Sorted by close time (then arrival order): the head closes first. */
  private byClose: OpenInvitation[] = [];

  constructor(private readonly windowMs: number) {}

  add(invitation: Invitation): void {
    if (this.byId.has(invitation.id) || !Number.isFinite(invitation.ts)) return;
    this.insert({
      id: invitation.id,
      member: invitation.member,
      staff: invitation.staff,
      channel: invitation.channel,
      campaign: invitation.campaign,
      ts: invitation.ts,
      closesAt: invitation.ts + this.windowMs,
      arrived: false,
      tried: false,
      purchases: 0,
      revenueCents: 0,
    });
  }

  /** The invitation an outcome of `member` at `ts` is attributed to. */
  openFor(member: string, ts: number): OpenInvitation | undefined {
    const list = this.byMember.get(member);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const inv = list[i] as OpenInvitation;
      if (inv.ts <= ts && ts <= inv.closesAt) return inv;
    }
    return undefined;
  }

  arrived(member: string, ts: number, out: Fact[]): void {
    const inv = this.openFor(member, ts);
    if (!inv || inv.arrived) return;
    inv.arrived = true;
    out.push(outcome(inv, ts, 'arrived', true));
  }

  /** `session` is only in facts from before tried needed the member's own credential. */
  tried(member: string, ts: number, by: 'credential', out: Fact[]): void {
    const inv = this.openFor(member, ts);
    if (!inv || inv.tried) return;
    inv.tried = true;
    out.push({ ...outcome(inv, ts, 'tried', true), triedBy: by });
  }

  receipt(member: string, ts: number, receipt: string, revenue: number, isSale: boolean, out: Fact[]): void {
    const inv = this.openFor(member, ts);
    if (!inv) return;
    inv.revenueCents += Math.round(revenue * 100);
    if (isSale) {
      inv.purchases++;
      out.push({ ...outcome(inv, ts, 'bought', inv.purchases === 1), receipt, revenue });
    } else {
      out.push({ ...outcome(inv, ts, 'refunded', false), receipt, revenue });
    }
  }

  nextDeadline(): number {
    return this.byClose[0]?.closesAt ?? NEVER;
  }

  fire(deadline: number, out: Fact[]): void {
    while (this.byClose.length > 0 && (this.byClose[0] as OpenInvitation).closesAt <= deadline) {
      const inv = this.byClose.shift() as OpenInvitation;
      this.byId.delete(inv.id);
      const list = this.byMember.get(inv.member);
      if (list) {
        const i = list.indexOf(inv);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.byMember.delete(inv.member);
      }
      out.push({
        type: 'invitation.closed',
        ts: inv.closesAt,
        ...ref(inv),
        arrived: inv.arrived,
        tried: inv.tried,
        purchases: inv.purchases,
        revenue: inv.revenueCents / 100,
      });
    }
  }

  private insert(inv: OpenInvitation): void {
    this.byId.set(inv.id, inv);
    const list = this.byMember.get(inv.member);
    if (!list) this.byMember.set(inv.member, [inv]);
    else {
      let i = list.length;
      while (i > 0 && (list[i - 1] as OpenInvitation).ts > inv.ts) i--;
      list.splice(i, 0, inv);
    }
    let j = this.byClose.length;
    while (j > 0 && (this.byClose[j - 1] as OpenInvitation).closesAt > inv.closesAt) j--;
    this.byClose.splice(j, 0, inv);
  }

  snapshot(): OpenInvitation[] {
    return this.byClose.map((inv) => ({ ...inv }));
  }

  static restore(windowMs: number, data: unknown): Invitations {
    const invitations = new Invitations(windowMs);
    for (const raw of asArray(data, 'invitations')) {
      const r = asRecord(raw, 'invitation');
      invitations.insert({
        id: String(r.id),
        member: String(r.member),
        staff: String(r.staff),
        channel: String(r.channel),
        campaign: String(r.campaign),
        ts: asNumber(r.ts, 'ts'),
        closesAt: asNumber(r.closesAt, 'closesAt'),
        arrived: r.arrived === true,
        tried: r.tried === true,
        purchases: asNumber(r.purchases, 'purchases'),
        revenueCents: asNumber(r.revenueCents, 'revenueCents'),
      });
    }
    return invitations;
  }
}

function ref(inv: OpenInvitation) {
  return {
    invitation: inv.id,
    member: inv.member,
    staff: inv.staff,
    channel: inv.channel,
    campaign: inv.campaign,
    invitedAt: inv.ts,
  };
}

function outcome(
  inv: OpenInvitation,
  ts: number,
  kind: InvitationOutcomeFact['outcome'],
  first: boolean,
): InvitationOutcomeFact {
  return { type: 'invitation.outcome', ts, ...ref(inv), outcome: kind, first };
}
