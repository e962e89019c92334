/**
 * Issue 13: the invitation report's "tried" step means this member tried something (their
 * card or app credential in a fitting room). A member who arrived without one is
 * `triedUnknown`, not tried, even when other customers' sessions ran during their visit.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../gateway/infra/config/index.js';
import { Correlator, type Fact, type Invitation } from '../../../gateway/pipeline/correlate/index.js';
import { FactWriter } from '../../../gateway/pipeline/derive/fact-writer.js';
import { InvitationStore } from '../../../gateway/pipeline/invitations/store.js';
import { openDb } from '../../../gateway/pipeline/journal/index.js';
import { tempDir } from '../../support/tmp.js';
import {
  ev,
  HOUR,
  inOrder,
  MEMBERS,
  MIN,
  memberSeen,
  reads,
  run,
  S,
  SHIRT_M,
  T0,
  tag,
  testConfig,
  testLookups,
  tick,
} from '../correlate/helpers.js';

const DAY = 24 * HOUR;
const GOLD_CARD = MEMBERS[1]?.cards[0] as string;
const dir = tempDir();
afterAll(() => dir.remove());

function invite(id: string, member: string, staff: string): Invitation {
  return { id, member, staff, channel: 'wechat', campaign: 'spring', ts: T0 - DAY };
}

describe('invitation report', () => {
  it('counts tried only for members whose own credential was in a fitting room; the rest who arrived are unknown', () => {
    const db = openDb(dir.path);
    const store = new InvitationStore(db);
    const writer = new FactWriter(db, loadConfig(undefined, {}));
    const invitations = [
      invite('inv-gold', 'm-gold', 'st-1'), // arrives, card read in fr-1 during a session
      invite('inv-basic', 'm-basic', 'st-1'), // arrives by app, never in a fitting room
      invite('inv-vip', 'm-vip', 'st-2'), // never comes
    ];
    store.record(
      invitations.map((invitation, i) => ({
        seq: i + 1,
        event: {
          type: 'invitation.recorded',
          device: 'api',
          id: invitation.id,
          ts: invitation.ts,
          rxTs: invitation.ts,
          flags: 0,
          invitation,
        },
      })),
    );
    const c = new Correlator(testConfig(), testLookups());
    const facts: Fact[] = run(c, [
      ...invitations.map((invitation) => ({ kind: 'invitation' as const, invitation })),
      ev(memberSeen(T0, 'entrance', { member: 'm-basic' }, 'app')),
      ev(tag(GOLD_CARD, 'entrance', T0)),
      ...inOrder([...reads(SHIRT_M, 'fr-1', T0 + MIN, T0 + MIN + 40 * S), tag(GOLD_CARD, 'fr-1', T0 + MIN + 5 * S)]),
      tick(T0 + HOUR),
    ]);
    // A fact from before this rule: "tried" because some session overlapped the visit.
    facts.push({
      type: 'invitation.outcome',
      ts: T0 + MIN,
      invitation: 'inv-basic',
      member: 'm-basic',
      staff: 'st-1',
      channel: 'wechat',
      campaign: 'spring',
      invitedAt: T0 - DAY,
      outcome: 'tried',
      first: true,
      triedBy: 'session',
    });
    writer.write(facts, 0);

    const report = store.report(T0 - 2 * DAY, T0 + DAY);
    expect(report.totals).toEqual({
      invited: 3,
      arrived: 2,
      tried: 1,
      triedUnknown: 1,
      bought: 0,
      purchases: 0,
      revenue: 0,
    });
    expect(report.byStaff.map((r) => [r.staff, r.invited, r.arrived, r.tried, r.triedUnknown])).toEqual([
      ['st-1', 2, 2, 1, 1],
      ['st-2', 1, 0, 0, 0],
    ]);
    expect(report.byCampaign).toMatchObject([{ campaign: 'spring', arrived: 2, tried: 1, triedUnknown: 1 }]);
    db.close();
  });
});
