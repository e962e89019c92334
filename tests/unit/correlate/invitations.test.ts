import { describe, expect, it } from 'vitest';
import {
  ev,
  HOUR,
  inOrder,
  invitation,
  MEMBERS,
  MIN,
  memberSeen,
  newCorrelator,
  ofType,
  reads,
  receipt,
  run,
  S,
  SHIRT_M,
  T0,
  tag,
  tick,
} from './helpers.js';

const DAY = 24 * HOUR;
const VIP_CARD = MEMBERS[0]?.cards[0] as string;
const BASIC_CARD = MEMBERS[2]?.cards[0] as string;
const GOLD_CARD = MEMBERS[1]?.cards[0] as string;

describe('invitations (邀约)', () => {
  it('arrived, tried (credential in a fitting room), bought and revenue are attributed, then closed', () => {
    const c = newCorrelator();
    const invitedAt = T0 - 2 * DAY;
    const facts = run(c, [
      tick(invitedAt),
      invitation('inv-1', 'm-basic', invitedAt, { staff: 'st-7', campaign: 'spring', channel: 'wechat' }),
      ev(tag(BASIC_CARD, 'entrance', T0)),
      ev(tag(BASIC_CARD, 'fr-2', T0 + 10 * MIN)),
      ev(receipt(T0 + 30 * MIN, 'sale', [{ sku: 'A', qty: 1, price: 500 }], 500, { member: 'm-basic', receipt: 'R1' })),
      ev(
        receipt(T0 + 40 * MIN, 'sale', [{ sku: 'B', qty: 1, price: 100.1 }], 100.1, {
          member: 'm-basic',
          receipt: 'R2',
        }),
      ),
      ev(
        receipt(T0 + 50 * MIN, 'refund', [{ sku: 'B', qty: 1, price: 100.1 }], 100.1, {
          member: 'm-basic',
          receipt: 'R3',
        }),
      ),
      tick(invitedAt + 14 * DAY),
    ]);
    const outcomes = ofType(facts, 'invitation.outcome');
    expect(outcomes.map((o) => [o.outcome, o.ts, o.first, o.revenue ?? null])).toEqual([
      ['arrived', T0, true, null],
      ['tried', T0 + 10 * MIN, true, null],
      ['bought', T0 + 30 * MIN, true, 500],
      ['bought', T0 + 40 * MIN, false, 100.1],
      ['refunded', T0 + 50 * MIN, false, -100.1],
    ]);
    expect(outcomes[0]).toMatchObject({ invitation: 'inv-1', member: 'm-basic', staff: 'st-7', campaign: 'spring' });
    expect(outcomes[1]).toMatchObject({ triedBy: 'credential' });
    expect(ofType(facts, 'invitation.closed')).toEqual([
      {
        type: 'invitation.closed',
        ts: invitedAt + 14 * DAY,
        invitation: 'inv-1',
        member: 'm-basic',
        staff: 'st-7',
        channel: 'wechat',
        campaign: 'spring',
        invitedAt,
        arrived: true,
        tried: true,
        purchases: 2,
        revenue: 500,
      },
    ]);
  });

  it('tried means this member tried: a session of someone else during their visit is not "tried"', () => {
    const c = newCorrelator();
    const facts = run(c, [
      invitation('inv-basic', 'm-basic', T0 - DAY),
      invitation('inv-gold', 'm-gold', T0 - DAY),
      ev(memberSeen(T0, 'entrance', { member: 'm-basic' }, 'app')),
      ev(memberSeen(T0, 'entrance', { member: 'm-gold' }, 'app')),
      // A counted session in fr-1 while both are in store; only m-gold's card is in the room.
      ...inOrder([...reads(SHIRT_M, 'fr-1', T0 + MIN, T0 + MIN + 30 * S), tag(GOLD_CARD, 'fr-1', T0 + MIN + 5 * S)]),
      // A wifi position in a fitting room places nobody in it.
      ev(memberSeen(T0 + 2 * MIN, 'fr-2', { member: 'm-basic' }, 'wifi')),
      tick(T0 + HOUR),
    ]);
    expect(ofType(facts, 'invitation.outcome').map((o) => [o.invitation, o.outcome, o.triedBy ?? null, o.ts])).toEqual([
      ['inv-basic', 'arrived', null, T0],
      ['inv-gold', 'arrived', null, T0],
      ['inv-gold', 'tried', 'credential', T0 + MIN + 5 * S],
    ]);
    expect(ofType(facts, 'session.ended')).toMatchObject([{ room: 'fr-1', members: ['m-gold'] }]);
  });

  it('nothing is attributed outside the window or before the invitation', () => {
    const c = newCorrelator();
    const facts = run(c, [
      invitation('inv-1', 'm-basic', T0 + HOUR),
      ev(tag(BASIC_CARD, 'entrance', T0)), // before the invitation
      ev(receipt(T0 + 30 * MIN, 'sale', [{ sku: 'A', qty: 1, price: 1 }], 1, { member: 'm-basic' })),
      tick(T0 + HOUR + 14 * DAY),
      ev(tag(BASIC_CARD, 'entrance', T0 + HOUR + 14 * DAY + MIN)), // after the window
    ]);
    expect(ofType(facts, 'invitation.outcome')).toEqual([]);
    expect(ofType(facts, 'invitation.closed')).toMatchObject([{ arrived: false, purchases: 0, revenue: 0 }]);
  });

  it('last touch: the most recent open invitation gets the outcome, and the VIP alert names it', () => {
    const c = newCorrelator();
    const facts = run(c, [
      invitation('old', 'm-vip', T0 - 3 * DAY, { staff: 'st-1' }),
      invitation('new', 'm-vip', T0 - DAY, { staff: 'st-2' }),
      ev(tag(VIP_CARD, 'entrance', T0)),
    ]);
    expect(ofType(facts, 'vip.arrival')).toMatchObject([{ member: 'm-vip', invitationId: 'new' }]);
    expect(ofType(facts, 'invitation.outcome')).toMatchObject([
      { invitation: 'new', staff: 'st-2', outcome: 'arrived' },
    ]);
  });

  it('a repeated invitation id is ignored', () => {
    const c = newCorrelator();
    const facts = run(c, [
      invitation('inv-1', 'm-basic', T0 - DAY),
      invitation('inv-1', 'm-basic', T0 - DAY),
      tick(T0 + 14 * DAY),
    ]);
    expect(ofType(facts, 'invitation.closed')).toHaveLength(1);
  });
});
