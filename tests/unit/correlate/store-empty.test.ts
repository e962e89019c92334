/**
 * VIPs in store leave the list when the door counters say the store is empty: an out
 * crossing that brings occupancy to 0 means nobody is inside, whether or not their card
 * was read on the way out.
 */
import { describe, expect, it } from 'vitest';
import type { CorrelatorInput } from '../../../gateway/pipeline/correlate/index.js';
import { crossing, ev, HOUR, MEMBERS, MIN, newCorrelator, ofType, run, S, T0, tag, totals } from './helpers.js';

const VIP_CARD = MEMBERS[0]?.cards[0] as string; // m-vip, tier 5
const GOLD_CARD = MEMBERS[1]?.cards[0] as string; // m-gold, tier 4

describe('the store empties', () => {
  it('VIPs in store leave at the out crossing that brings occupancy to 0', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ev(crossing(T0, 'in')),
      ev(tag(VIP_CARD, 'entrance', T0 + S)),
      ev(crossing(T0 + 2 * S, 'in')),
      ev(tag(GOLD_CARD, 'entrance', T0 + 3 * S)),
      ev(crossing(T0 + 20 * MIN, 'out')), // one still inside
    ]);
    expect(ofType(facts, 'vip.departure')).toEqual([]);
    expect(c.vipsInStore().map((v) => v.member)).toEqual(['m-vip', 'm-gold']);

    const later = run(c, [ev(crossing(T0 + 30 * MIN, 'out'))]);
    expect(ofType(later, 'vip.departure')).toEqual([
      { type: 'vip.departure', ts: T0 + 30 * MIN, member: 'm-vip', tier: 5, since: T0 + S, reason: 'empty' },
      { type: 'vip.departure', ts: T0 + 30 * MIN, member: 'm-gold', tier: 4, since: T0 + 3 * S, reason: 'empty' },
    ]);
    expect(c.vipsInStore()).toEqual([]);
  });

  it('an out that finds occupancy already at 0 (the in was missed) also empties the store', () => {
    const c = newCorrelator();
    run(c, [ev(tag(VIP_CARD, 'entrance', T0)), ev(crossing(T0 + 10 * MIN, 'out'))]);
    expect(c.vipsInStore()).toEqual([]);
  });

  it('their card read on the walk out, just after the crossing, is not a new arrival', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ev(crossing(T0, 'in')),
      ev(tag(VIP_CARD, 'entrance', T0 + S)),
      ev(crossing(T0 + 20 * MIN, 'out')),
      ev(tag(VIP_CARD, 'entrance', T0 + 20 * MIN + 2 * S)),
    ]);
    expect(ofType(facts, 'vip.arrival')).toHaveLength(1);
    expect(ofType(facts, 'vip.departure')).toHaveLength(1);
    expect(c.vipsInStore()).toEqual([]);
  });

  it('a VIP who arrives after the store emptied is in store again', () => {
    const c = newCorrelator();
    run(c, [
      ev(crossing(T0, 'in')),
      ev(tag(VIP_CARD, 'entrance', T0 + S)),
      ev(crossing(T0 + 10 * MIN, 'out')),
      ev(crossing(T0 + HOUR, 'in')),
      ev(tag(VIP_CARD, 'entrance', T0 + HOUR + S)),
    ]);
    expect(c.vipsInStore()).toMatchObject([{ member: 'm-vip', since: T0 + HOUR + S }]);
  });

  it('an out that leaves people inside, or a crossing at another zone, keeps them', () => {
    const c = newCorrelator();
    run(c, [
      ev(crossing(T0, 'in', { n: 3 })),
      ev(tag(VIP_CARD, 'entrance', T0 + S)),
      ev(crossing(T0 + 5 * MIN, 'out', { n: 2 })),
      ev(crossing(T0 + 6 * MIN, 'out', { zone: 'street' })),
    ]);
    expect(c.vipsInStore()).toMatchObject([{ member: 'm-vip' }]);
  });

  it('door totals whose outs bring occupancy to 0 empty the store too', () => {
    const c = newCorrelator();
    run(c, [
      ev(totals(T0 - MIN, 100, 100, 'b1')),
      ev(totals(T0, 101, 100, 'b1')),
      ev(tag(VIP_CARD, 'entrance', T0 + S)),
      ev(totals(T0 + 15 * MIN, 101, 101, 'b1')),
    ]);
    expect(c.vipsInStore()).toEqual([]);
  });

  it('period counts (an out somewhere in 15 min) are no moment of emptiness', () => {
    const c = newCorrelator();
    const withPeriod = (ts: number, dir: 'in' | 'out') => ({ ...crossing(ts, dir), period: 900 });
    run(c, [ev(withPeriod(T0, 'in')), ev(tag(VIP_CARD, 'entrance', T0 + S)), ev(withPeriod(T0 + 15 * MIN, 'out'))]);
    expect(c.vipsInStore()).toMatchObject([{ member: 'm-vip' }]);
  });

  it('the same events in event-time order give the same departures, whatever order they were delivered in', () => {
    const events = [
      crossing(T0, 'in'),
      tag(VIP_CARD, 'entrance', T0 + S),
      crossing(T0 + 2 * S, 'in'),
      tag(GOLD_CARD, 'entrance', T0 + 3 * S),
      crossing(T0 + 20 * MIN, 'out'),
      crossing(T0 + 30 * MIN, 'out'),
      tag(VIP_CARD, 'entrance', T0 + 30 * MIN + S),
    ];
    // The derivation replays the journal sorted by event time (gateway/pipeline/derive): two deliveries.
    const replay = (delivered: typeof events): CorrelatorInput[] => [...delivered].sort((a, b) => a.ts - b.ts).map(ev);
    const a = run(newCorrelator(), replay(events));
    const b = run(newCorrelator(), replay([...events].reverse()));
    expect(b).toEqual(a);
    expect(ofType(a, 'vip.departure').map((d) => [d.member, d.ts, d.reason])).toEqual([
      ['m-vip', T0 + 30 * MIN, 'empty'],
      ['m-gold', T0 + 30 * MIN, 'empty'],
    ]);
  });
});
