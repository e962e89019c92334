/** Journey rows: each invitation's steps from its outcome facts, whatever their order. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InvitationOutcomeFact } from '../../../gateway/pipeline/correlate/index.js';
import { journeyRows } from '../../../gateway/pipeline/invitations/journey.js';
import type { InvitationRecord } from '../../../gateway/pipeline/invitations/store.js';

const T0 = Date.parse('2026-11-20T10:00:00+08:00');
const H = 3_600_000;

const invitation = (id: string, member: string, ts = T0): InvitationRecord => ({
  id,
  ts,
  member,
  staff: '李娜',
  staffName: '李娜',
  channel: 'wechat',
  campaign: 'vip-private-sale',
});

function outcome(
  inv: InvitationRecord,
  kind: InvitationOutcomeFact['outcome'],
  ts: number,
  more: Partial<InvitationOutcomeFact> = {},
): InvitationOutcomeFact {
  return {
    type: 'invitation.outcome',
    ts,
    invitation: inv.id,
    member: inv.member,
    staff: inv.staff,
    channel: inv.channel,
    campaign: inv.campaign,
    invitedAt: inv.ts,
    outcome: kind,
    first: true,
    ...more,
  };
}

const A = invitation('inv-a', 'M-1');
const B = invitation('inv-b', 'M-2', T0 + H);
const C = invitation('inv-c', 'M-3', T0 + 2 * H);

const OUTCOMES: readonly InvitationOutcomeFact[] = [
  outcome(A, 'arrived', T0 + 24 * H),
  outcome(A, 'tried', T0 + 24 * H + 600_000, { triedBy: 'credential' }),
  outcome(A, 'bought', T0 + 25 * H, { receipt: 'R1', revenue: 1299 }),
  outcome(A, 'bought', T0 + 26 * H, { receipt: 'R2', revenue: 200.5, first: false }),
  outcome(A, 'refunded', T0 + 27 * H, { receipt: 'R3', revenue: -200.5, first: false }),
  // B: arrived, no credential in a fitting room (an old "tried by session" is no evidence).
  outcome(B, 'arrived', T0 + 30 * H),
  outcome(B, 'tried', T0 + 30 * H + 60_000, { triedBy: 'session' }),
  // C: seen in a fitting room, the arrival was missed: the sighting implies the visit.
  outcome(C, 'tried', T0 + 40 * H, { triedBy: 'credential' }),
  // An outcome of an invitation outside the list is ignored.
  outcome(invitation('inv-x', 'M-9'), 'arrived', T0),
];

describe('invitation journey rows', () => {
  it('give each step its time, null when not reached', () => {
    const rows = journeyRows([A, B, C], OUTCOMES);
    expect(rows).toEqual([
      {
        invitation: 'inv-a',
        member: 'M-1',
        staff: '李娜',
        staffName: '李娜',
        channel: 'wechat',
        campaign: 'vip-private-sale',
        invitedAt: T0,
        arrivedAt: T0 + 24 * H,
        triedAt: T0 + 24 * H + 600_000,
        triedUnknown: false,
        boughtAt: T0 + 25 * H,
        purchases: 2,
        revenue: 1299,
      },
      expect.objectContaining({
        invitation: 'inv-b',
        arrivedAt: T0 + 30 * H,
        triedAt: null,
        triedUnknown: true,
        boughtAt: null,
        purchases: 0,
        revenue: 0,
      }),
      expect.objectContaining({
        invitation: 'inv-c',
        arrivedAt: T0 + 40 * H,
        triedAt: T0 + 40 * H,
        triedUnknown: false,
      }),
    ]);
  });

  it('an invitation without outcomes is invited only', () => {
    expect(journeyRows([A], [])).toEqual([
      expect.objectContaining({ arrivedAt: null, triedAt: null, triedUnknown: false, boughtAt: null, revenue: 0 }),
    ]);
  });

  it('the earliest outcome of each kind counts, in whatever order the facts come', () => {
    const expected = journeyRows([A, B, C], OUTCOMES);
    const later = [outcome(A, 'arrived', T0 + 48 * H, { first: false }), outcome(C, 'tried', T0 + 41 * H)];
    fc.assert(
      fc.property(fc.shuffledSubarray([...OUTCOMES, ...later], { minLength: OUTCOMES.length + 2 }), (shuffled) => {
        expect(journeyRows([A, B, C], shuffled)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
