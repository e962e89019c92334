/**
 * Devices that send two signals for one thing: a counter reporting crossings and also its
 * cumulative totals, and an app check-in after a visit that ended without an exit read.
 */
import { describe, expect, it } from 'vitest';
import { crossing, ev, HOUR, MIN, memberSeen, newCorrelator, ofType, run, S, T0, tick, totals } from './helpers.js';

describe('a counter that sends crossings and totals', () => {
  it('counts its crossings once: its totals only keep the base', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ev(totals(T0, 100, 90, 'b1', { device: 'door-1', door: 'main' })),
      ev(crossing(T0 + 10 * S, 'in')),
      ev(crossing(T0 + 20 * S, 'in')),
      ev(totals(T0 + 30 * S, 102, 90, 'b1', { device: 'door-1', door: 'main' })),
      tick(T0 + 5 * MIN),
    ]);
    expect(ofType(facts, 'visitor').reduce((n, f) => n + f.n, 0)).toBe(2);
  });

  it('still counts totals of a counter that sends totals alone', () => {
    const facts = run(newCorrelator(), [
      ev(totals(T0, 100, 90, 'b1')),
      ev(totals(T0 + 30 * S, 103, 91, 'b1')),
      tick(T0 + 5 * MIN),
    ]);
    expect(ofType(facts, 'visitor').reduce((n, f) => n + f.n, 0)).toBe(3);
    expect(ofType(facts, 'exit').reduce((n, f) => n + f.n, 0)).toBe(1);
  });
});

describe('app check-ins', () => {
  it('a second check-in after a visit that left unseen is a new arrival (and alerts past realertAfter)', () => {
    const facts = run(newCorrelator(), [
      ev(memberSeen(T0, 'entrance', { member: 'm-vip' }, 'app')),
      ev(memberSeen(T0 + HOUR, 'entrance', { member: 'm-vip' }, 'app')),
    ]);
    expect(ofType(facts, 'vip.arrival').map((f) => f.ts)).toEqual([T0, T0 + HOUR]);
    expect(ofType(facts, 'vip.departure')).toHaveLength(1);
  });

  it('a check-in again within realertAfter arrives them without a second alert', () => {
    const facts = run(newCorrelator(), [
      ev(memberSeen(T0, 'entrance', { member: 'm-vip' }, 'app')),
      ev(memberSeen(T0 + 10 * MIN, 'entrance', { member: 'm-vip' }, 'app')),
    ]);
    expect(ofType(facts, 'vip.arrival')).toHaveLength(1);
  });
});
