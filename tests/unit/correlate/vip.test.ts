import { describe, expect, it } from 'vitest';
import { ev, HOUR, MEMBERS, MIN, memberSeen, newCorrelator, ofType, reads, run, S, T0, tag, tick } from './helpers.js';

const VIP_CARD = MEMBERS[0]?.cards[0] as string; // m-vip, tier 5
const GOLD_CARD = MEMBERS[1]?.cards[0] as string; // m-gold, tier 4 = vipTier
const BASIC_CARD = MEMBERS[2]?.cards[0] as string; // m-basic, tier 2

describe('VIP arrival', () => {
  it('a VIP card at the entrance raises vip.arrival at once, at the read time', () => {
    const c = newCorrelator();
    const facts = run(c, [ev(tag(VIP_CARD, 'entrance', T0))]);
    expect(facts).toEqual([{ type: 'vip.arrival', ts: T0, member: 'm-vip', tier: 5, zone: 'entrance', via: 'card' }]);
  });

  it('tier equal to vipTier is a VIP; below is not and raises nothing', () => {
    expect(ofType(run(newCorrelator(), [ev(tag(GOLD_CARD, 'entrance', T0))]), 'vip.arrival')).toHaveLength(1);
    expect(run(newCorrelator(), [ev(tag(BASIC_CARD, 'entrance', T0)), tick(T0 + HOUR)])).toEqual([]);
    expect(run(newCorrelator({ vipTier: 5 }), [ev(tag(GOLD_CARD, 'entrance', T0))])).toEqual([]);
  });

  it('member.seen in an entrance zone raises it (by member id or credential)', () => {
    const byId = run(newCorrelator(), [ev(memberSeen(T0, 'entrance', { member: 'm-vip' }, 'app'))]);
    expect(byId).toMatchObject([{ type: 'vip.arrival', member: 'm-vip', via: 'app' }]);
    const byCredential = run(newCorrelator(), [ev(memberSeen(T0, 'entrance', { credential: 'app-vip' }, 'wifi'))]);
    expect(byCredential).toMatchObject([{ type: 'vip.arrival', member: 'm-vip', via: 'wifi' }]);
  });

  it('reads during the arrival walk raise one alert', () => {
    const c = newCorrelator();
    const facts = run(c, reads(VIP_CARD, 'entrance', T0, T0 + 5 * S).map(ev));
    expect(ofType(facts, 'vip.arrival')).toHaveLength(1);
  });

  it('no new alert within realertAfter, a new one after it', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ev(tag(VIP_CARD, 'entrance', T0)), // arrival: alert
      ev(tag(VIP_CARD, 'entrance', T0 + 10 * MIN)), // leaving
      ev(tag(VIP_CARD, 'entrance', T0 + 20 * MIN)), // back within 30 min of the alert: suppressed
      ev(tag(VIP_CARD, 'entrance', T0 + 28 * MIN)), // leaving again
      ev(tag(VIP_CARD, 'entrance', T0 + 40 * MIN)), // back, 40 min after the alert: alert
    ]);
    expect(ofType(facts, 'vip.arrival').map((f) => f.ts)).toEqual([T0, T0 + 40 * MIN]);
  });

  it('a VIP seen first away from the entrance is in store but raises no alert', () => {
    const c = newCorrelator();
    const facts = run(c, [ev(tag(VIP_CARD, 'floor', T0))]);
    expect(ofType(facts, 'vip.arrival')).toEqual([]);
    expect(c.vipsInStore()).toMatchObject([{ member: 'm-vip', since: T0 }]);
  });
});

describe('VIPs in store', () => {
  it('from arrival until seen leaving at an entrance after minVisit', () => {
    const c = newCorrelator();
    run(c, [
      ev(tag(VIP_CARD, 'entrance', T0)),
      ev(tag(GOLD_CARD, 'entrance', T0 + S)),
      ev(tag(BASIC_CARD, 'entrance', T0)),
    ]);
    expect(c.vipsInStore().map((v) => v.member)).toEqual(['m-vip', 'm-gold']);
    // A read 2 minutes later at the door is still the arrival (minVisit is 5 min).
    run(c, [ev(tag(VIP_CARD, 'entrance', T0 + 2 * MIN))]);
    expect(c.vipsInStore()).toHaveLength(2);
    const leaving = run(c, [ev(tag(VIP_CARD, 'entrance', T0 + 25 * MIN))]);
    expect(ofType(leaving, 'vip.departure')).toEqual([
      { type: 'vip.departure', ts: T0 + 25 * MIN, member: 'm-vip', tier: 5, since: T0, reason: 'exit' },
    ]);
    // The rest of the exit walk is not a new arrival.
    expect(run(c, [ev(tag(VIP_CARD, 'entrance', T0 + 25 * MIN + 2 * S))])).toEqual([]);
    expect(c.vipsInStore().map((v) => v.member)).toEqual(['m-gold']);
  });

  it('until not seen for presenceTimeout; any sighting refreshes', () => {
    const c = newCorrelator({ presenceTimeoutMs: HOUR });
    run(c, [ev(tag(VIP_CARD, 'entrance', T0)), ev(tag(VIP_CARD, 'fr-1', T0 + 30 * MIN))]);
    expect(run(c, [tick(T0 + 89 * MIN)])).toEqual([]);
    expect(c.vipsInStore()).toHaveLength(1);
    const facts = run(c, [tick(T0 + 90 * MIN)]);
    expect(facts).toEqual([
      { type: 'vip.departure', ts: T0 + 30 * MIN, member: 'm-vip', tier: 5, since: T0, reason: 'timeout' },
    ]);
    expect(c.vipsInStore()).toEqual([]);
  });
});
