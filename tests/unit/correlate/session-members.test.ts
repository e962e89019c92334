/**
 * Issue 13 item 4: which members a fitting-room session is tied to (session.members), the
 * rule the VIP card's "tried, not bought" and the invitation "tried" step rely on: the
 * member's card or app credential seen in that room in [start − leaveAfter, end].
 */
import { describe, expect, it } from 'vitest';
import { Correlator } from '../../../gateway/pipeline/correlate/index.js';
import type { DeviceEvent } from '../../../protocols/index.js';
import {
  HOUR,
  inOrder,
  JEANS,
  MEMBERS,
  MIN,
  memberSeen,
  newCorrelator,
  ofType,
  reads,
  run,
  S,
  SHIRT_M,
  T0,
  tag,
  testConfig,
  testLookups,
  tick,
} from './helpers.js';

const VIP_CARD = MEMBERS[0]?.cards[0] as string;
const GOLD_CARD = MEMBERS[1]?.cards[0] as string;
/** A garment tried in fr-1 over [T0, T0 + 40 s]: the session ends (last read) at T0 + 40 s. */
const TRY_ON = reads(SHIRT_M, 'fr-1', T0, T0 + 40 * S);

function ended(events: DeviceEvent[]) {
  const facts = run(newCorrelator(), [...inOrder(events), tick(T0 + HOUR)]);
  return ofType(facts, 'session.ended');
}

describe('session members (tied = credential seen in the room during the session)', () => {
  it('ties the member whose card was read in the room during the session, not one in another room', () => {
    const sessions = ended([
      ...TRY_ON,
      tag(VIP_CARD, 'fr-1', T0 + 10 * S),
      tag(GOLD_CARD, 'fr-2', T0 + 10 * S), // next door: not this session
    ]);
    expect(sessions).toMatchObject([{ room: 'fr-1', members: ['m-vip'] }]);
  });

  it('ties a card read up to leaveAfter before the first garment read, never after the last', () => {
    expect(ended([...TRY_ON, tag(VIP_CARD, 'fr-1', T0 - 30 * S)])[0]?.members).toEqual(['m-vip']);
    expect(ended([...TRY_ON, tag(VIP_CARD, 'fr-1', T0 - 31 * S)])[0]?.members).toBeUndefined();
    expect(ended([...TRY_ON, tag(VIP_CARD, 'fr-1', T0 + 41 * S)])[0]?.members).toBeUndefined();
  });

  it('the next occupant of the room is tied to their own session only', () => {
    const next = T0 + 40 * S + 45 * S; // ≥ leaveAfter after the last read: a new session
    const sessions = ended([
      ...TRY_ON,
      tag(VIP_CARD, 'fr-1', T0 + 5 * S),
      ...reads(JEANS, 'fr-1', next, next + 30 * S),
      tag(GOLD_CARD, 'fr-1', next - 2 * S),
    ]);
    expect(sessions.map((s) => [s.start, s.members ?? []])).toEqual([
      [T0, ['m-vip']],
      [next, ['m-gold']],
    ]);
  });

  it('an app check-in in the room ties the member; a wifi position does not', () => {
    expect(ended([...TRY_ON, memberSeen(T0 + 5 * S, 'fr-1', { member: 'm-basic' }, 'app')])[0]?.members).toEqual([
      'm-basic',
    ]);
    expect(ended([...TRY_ON, memberSeen(T0 + 5 * S, 'fr-1', { member: 'm-basic' }, 'wifi')])[0]?.members).toBe(
      undefined,
    );
  });

  it('a session without any member credential has no members (nobody is tied by overlap)', () => {
    const sessions = ended([tag(VIP_CARD, 'entrance', T0 - MIN), ...TRY_ON]);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.members).toBeUndefined();
  });

  it('survives snapshot/restore mid-session; an old rooms snapshot (no members) still restores', () => {
    const c = newCorrelator();
    const events = inOrder([...TRY_ON, tag(VIP_CARD, 'fr-1', T0 - 10 * S)]);
    const half = events.findIndex((e) => e.kind === 'event' && e.event.ts >= T0 + 20 * S);
    run(c, events.slice(0, half));
    const snap = JSON.parse(JSON.stringify(c.snapshot()));
    expect(snap.rooms.members).toEqual([['fr-1', 'm-vip', T0 - 10 * S, T0 - 10 * S]]);
    const restored = Correlator.restore(testConfig(), testLookups(), snap);
    const facts = run(restored, [...events.slice(half), tick(T0 + HOUR)]);
    expect(ofType(facts, 'session.ended')).toMatchObject([{ members: ['m-vip'] }]);

    const { members: _dropped, ...oldRooms } = snap.rooms;
    const old = Correlator.restore(testConfig(), testLookups(), { ...snap, rooms: oldRooms });
    const oldFacts = run(old, [...events.slice(half), tick(T0 + HOUR)]);
    expect(ofType(oldFacts, 'session.ended')).toHaveLength(1);
    expect(ofType(oldFacts, 'session.ended')[0]?.members).toBeUndefined();
  });
});
