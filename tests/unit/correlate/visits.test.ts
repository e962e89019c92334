import { describe, expect, it } from 'vitest';
import {
  crossing,
  ev,
  HOUR,
  inOrder,
  MIN,
  memberSeen,
  newCorrelator,
  ofType,
  run,
  S,
  STAFF_BADGE,
  sum,
  T0,
  tag,
  tick,
  totals,
} from './helpers.js';

const visitors = (facts: Parameters<typeof ofType>[0]) => sum(ofType(facts, 'visitor').map((f) => f.n));
const staffIns = (facts: Parameters<typeof ofType>[0]) => sum(ofType(facts, 'staff.in').map((f) => f.n));

describe('visitors and the staff window', () => {
  it('an `in` becomes a visitor once the staff window has passed, at its own time', () => {
    const c = newCorrelator();
    expect(run(c, [ev(crossing(T0, 'in'))])).toEqual([]);
    expect(run(c, [tick(T0 + 2999)])).toEqual([]);
    const facts = run(c, [tick(T0 + 3000)]);
    expect(ofType(facts, 'visitor')).toEqual([{ type: 'visitor', ts: T0, door: 'main', zone: 'entrance', n: 1 }]);
  });

  it('a staff badge read up to 3 s before the `in` excuses it', () => {
    const c = newCorrelator();
    const facts = run(c, [ev(tag(STAFF_BADGE, 'entrance', T0 - 3000)), ev(crossing(T0, 'in')), tick(T0 + 10 * S)]);
    expect(visitors(facts)).toBe(0);
    expect(staffIns(facts)).toBe(1);
  });

  it('a staff badge read up to 3 s after the `in` excuses it', () => {
    const c = newCorrelator();
    const facts = run(c, [ev(crossing(T0, 'in')), ev(tag(STAFF_BADGE, 'entrance', T0 + 2900)), tick(T0 + 10 * S)]);
    expect(visitors(facts)).toBe(0);
    expect(staffIns(facts)).toBe(1);
  });

  it('a badge read more than 3 s away does not', () => {
    const before = newCorrelator();
    expect(
      visitors(run(before, [ev(tag(STAFF_BADGE, 'entrance', T0 - 3001)), ev(crossing(T0, 'in')), tick(T0 + 10 * S)])),
    ).toBe(1);
    const after = newCorrelator();
    expect(
      visitors(run(after, [ev(crossing(T0, 'in')), ev(tag(STAFF_BADGE, 'entrance', T0 + 3001)), tick(T0 + 10 * S)])),
    ).toBe(1);
  });

  it('a badge seen in another zone (fitting room, floor) does not excuse', () => {
    const c = newCorrelator();
    const facts = run(c, [ev(tag(STAFF_BADGE, 'floor', T0)), ev(crossing(T0, 'in')), tick(T0 + 10 * S)]);
    expect(visitors(facts)).toBe(1);
  });

  it('one badge passage excuses one `in`: the customer right behind is a visitor', () => {
    const c = newCorrelator();
    // The badge is read on three consecutive seconds while the staff member walks through.
    const facts = run(c, [
      ev(tag(STAFF_BADGE, 'entrance', T0 - 1000)),
      ev(crossing(T0, 'in')),
      ev(tag(STAFF_BADGE, 'entrance', T0)),
      ev(crossing(T0 + 1500, 'in')),
      ev(tag(STAFF_BADGE, 'entrance', T0 + 1000)),
      tick(T0 + 10 * S),
    ]);
    expect(staffIns(facts)).toBe(1);
    expect(visitors(facts)).toBe(1);
    // The earlier crossing is the staff member.
    expect(ofType(facts, 'staff.in')[0]?.ts).toBe(T0);
    expect(ofType(facts, 'visitor')[0]?.ts).toBe(T0 + 1500);
  });

  it('two badges excuse two ins of one n=2 crossing', () => {
    const c = newCorrelator({ staffBadges: [STAFF_BADGE, 'E2000017221101441890ABCE'] });
    const facts = run(c, [
      ev(tag(STAFF_BADGE, 'entrance', T0)),
      ev(tag('E2000017221101441890ABCE', 'entrance', T0)),
      ev(crossing(T0 + 500, 'in', { n: 3 })),
      tick(T0 + 10 * S),
    ]);
    expect(staffIns(facts)).toBe(2);
    expect(visitors(facts)).toBe(1);
  });

  it('member.seen via staff at the entrance excuses like a badge', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ev(crossing(T0, 'in')),
      ev(memberSeen(T0 + 1000, 'entrance', { credential: 'staff-042' }, 'staff')),
      tick(T0 + 10 * S),
    ]);
    expect(visitors(facts)).toBe(0);
    expect(ofType(facts, 'vip.arrival')).toEqual([]);
  });

  it('settleMs waits longer for late-delivered badge reads', () => {
    const c = newCorrelator({ settleMs: 2000 });
    const facts = run(c, [
      ev(crossing(T0, 'in')),
      tick(T0 + 3500),
      ev(tag(STAFF_BADGE, 'entrance', T0 + 2500, { rxTs: T0 + 4000 })),
      tick(T0 + 10 * S),
    ]);
    expect(visitors(facts)).toBe(0);
  });

  it('a crossing that arrives late is decided at once against the badges still remembered', () => {
    const c = newCorrelator();
    run(c, [ev(tag(STAFF_BADGE, 'entrance', T0)), tick(T0 + 2 * MIN)]);
    const facts = run(c, [
      ev(crossing(T0 + 1000, 'in', { rxTs: T0 + 2 * MIN })),
      ev(crossing(T0 + 20 * S, 'in', { rxTs: T0 + 2 * MIN })),
    ]);
    expect(ofType(facts, 'staff.in')).toMatchObject([{ ts: T0 + 1000, n: 1 }]);
    expect(ofType(facts, 'visitor')).toMatchObject([{ ts: T0 + 20 * S, n: 1 }]);
  });

  it('outs are exits at once; counters in other zones are not visitors', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ev(crossing(T0, 'out', { n: 2 })),
      ev(crossing(T0, 'in', { zone: 'till' })),
      tick(T0 + 10 * S),
    ]);
    expect(ofType(facts, 'exit')).toEqual([{ type: 'exit', ts: T0, door: 'main', zone: 'entrance', n: 2 }]);
    expect(visitors(facts)).toBe(0);
  });
});

describe('passers-by', () => {
  it('an outside counter counts crossings in either direction', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ev(crossing(T0, 'in', { zone: 'street', door: 'street', n: 3 })),
      ev(crossing(T0 + S, 'out', { zone: 'street', door: 'street', n: 2 })),
      tick(T0 + 10 * S),
    ]);
    expect(sum(ofType(facts, 'passerby').map((f) => f.n))).toBe(5);
    expect(visitors(facts)).toBe(0);
  });
});

describe('door totals', () => {
  const countIns = (events: Parameters<typeof inOrder>[0]) => {
    const c = newCorrelator();
    const facts = run(c, [...inOrder(events), tick(T0 + HOUR)]);
    return { visitors: visitors(facts), exits: sum(ofType(facts, 'exit').map((f) => f.n)), facts };
  };

  it('the first totals only set the base; later ones count the increase', () => {
    const r = countIns([
      totals(T0, 100, 90, 'b1'),
      totals(T0 + MIN, 103, 91, 'b1'),
      totals(T0 + 2 * MIN, 103, 91, 'b1'),
    ]);
    expect(r.visitors).toBe(3);
    expect(r.exits).toBe(1);
  });

  it('a new boot id counts the new totals from zero, never negative', () => {
    const r = countIns([totals(T0, 100, 90, 'b1'), totals(T0 + MIN, 102, 90, 'b1'), totals(T0 + 2 * MIN, 4, 1, 'b2')]);
    expect(r.visitors).toBe(2 + 4);
    expect(r.exits).toBe(1);
    expect(ofType(r.facts, 'counter.restart')).toMatchObject([{ reason: 'boot', boot: 'b2' }]);
  });

  it('a total going down without a new boot id is a restart: no negative, no double count', () => {
    const r = countIns([totals(T0, 100, 90, 'b1'), totals(T0 + MIN, 2, 95, 'b1'), totals(T0 + 2 * MIN, 5, 96, 'b1')]);
    expect(r.visitors).toBe(2 + 3);
    expect(r.exits).toBe(5 + 1);
    expect(ofType(r.facts, 'counter.restart')).toMatchObject([{ reason: 'decrease' }]);
    for (const f of r.facts) if ('n' in f) expect(f.n).toBeGreaterThan(0);
  });

  it('a late message from a previous boot is ignored (not counted again)', () => {
    const r = countIns([
      totals(T0, 100, 90, 'b1'),
      totals(T0 + MIN, 3, 0, 'b2'),
      totals(T0 + MIN + 1, 101, 90, 'b1'),
      totals(T0 + 2 * MIN, 4, 0, 'b2'),
    ]);
    expect(r.visitors).toBe(3 + 1);
  });

  it('the same totals repeated count nothing', () => {
    const r = countIns([totals(T0, 10, 10, 'b1'), totals(T0 + S, 10, 10, 'b1'), totals(T0 + 2 * S, 10, 10, 'b1')]);
    expect(r.visitors).toBe(0);
    expect(r.facts).toEqual([]);
  });

  it('two counters with their own boots are independent', () => {
    const r = countIns([
      totals(T0, 10, 0, 'x', { device: 'a', door: 'a' }),
      totals(T0, 50, 0, 'y', { device: 'b', door: 'b' }),
      totals(T0 + S, 12, 0, 'x', { device: 'a', door: 'a' }),
      totals(T0 + S, 51, 0, 'y', { device: 'b', door: 'b' }),
    ]);
    expect(r.visitors).toBe(3);
  });

  it('totals at an outside counter are passers-by', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ev(totals(T0, 0, 0, 'b', { zone: 'street' })),
      ev(totals(T0 + MIN, 7, 5, 'b', { zone: 'street' })),
    ]);
    expect(sum(ofType(facts, 'passerby').map((f) => f.n))).toBe(12);
  });
});

describe('occupancy', () => {
  it('is ins − outs, never below 0', () => {
    const c = newCorrelator();
    run(c, [ev(crossing(T0, 'in', { n: 2 })), ev(crossing(T0 + S, 'out', { n: 5 }))]);
    expect(c.occupancy()).toBe(0);
    run(c, [ev(crossing(T0 + 2 * S, 'in'))]);
    expect(c.occupancy()).toBe(1);
  });

  it('resets at the opening time of the next day', () => {
    const c = newCorrelator();
    const evening = Date.parse('2026-03-02T21:50:00+08:00');
    run(c, [ev(crossing(evening, 'in', { n: 4 })), ev(crossing(evening + MIN, 'out'))]);
    expect(c.occupancy()).toBe(3);
    // Nothing resets at midnight; staff coming in before opening add to it until 09:30.
    run(c, [ev(crossing(Date.parse('2026-03-03T09:00:00+08:00'), 'in', { n: 2 }))]);
    expect(c.occupancy()).toBe(5);
    run(c, [tick(Date.parse('2026-03-03T09:29:59+08:00'))]);
    expect(c.occupancy()).toBe(5);
    run(c, [tick(Date.parse('2026-03-03T09:30:00+08:00'))]);
    expect(c.occupancy()).toBe(0);
    run(c, [ev(crossing(Date.parse('2026-03-03T09:31:00+08:00'), 'in'))]);
    expect(c.occupancy()).toBe(1);
  });

  it('a late crossing from before today’s opening does not touch today’s occupancy', () => {
    const c = newCorrelator();
    run(c, [ev(crossing(T0, 'in', { n: 2 }))]);
    const yesterday = T0 - 24 * HOUR;
    run(c, [ev(crossing(yesterday, 'out', { n: 2, rxTs: T0 + S }))]);
    expect(c.occupancy()).toBe(2);
  });

  it('integrates occupancy per bucket for Little’s law', () => {
    const c = newCorrelator();
    // 10:00 two in; 10:10 one out; 10:20 one out. Buckets 10:00–10:15, 10:15–10:30.
    const facts = run(c, [
      ev(crossing(T0, 'in', { n: 2 })),
      ev(crossing(T0 + 10 * MIN, 'out')),
      ev(crossing(T0 + 20 * MIN, 'out')),
      tick(T0 + HOUR),
    ]);
    const occ = ofType(facts, 'occupancy');
    expect(occ).toEqual([
      { type: 'occupancy', ts: T0, personMs: 2 * 10 * MIN + 1 * 5 * MIN },
      { type: 'occupancy', ts: T0 + 15 * MIN, personMs: 1 * 5 * MIN },
    ]);
    // Estimated dwell = Σ personMs ÷ visitors = 30 min ÷ 2 = 15 min: each stayed 10 and 20 min.
    expect(sum(occ.map((f) => f.personMs)) / visitors(facts)).toBe(15 * MIN);
  });

  it('the integral of the last bucket comes at the bucket end, whatever the ticks', () => {
    const c = newCorrelator();
    run(c, [ev(crossing(T0 + MIN, 'in'))]);
    expect(ofType(run(c, [tick(T0 + 14 * MIN)]), 'occupancy')).toEqual([]);
    expect(ofType(run(c, [tick(T0 + 15 * MIN)]), 'occupancy')).toEqual([
      { type: 'occupancy', ts: T0, personMs: 14 * MIN },
    ]);
  });
});
