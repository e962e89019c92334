import { describe, expect, it } from 'vitest';
import { createStoreCalendar } from '../../../gateway/infra/time/index.js';
import { FunnelAggregator } from '../../../gateway/pipeline/correlate/index.js';
import {
  ev,
  HOUR,
  inOrder,
  JEANS,
  MEMBERS,
  MIN,
  newCorrelator,
  ofType,
  reads,
  run,
  S,
  SHIRT_L,
  SHIRT_M,
  STAFF_BADGE,
  T0,
  tag,
  tick,
  UNKNOWN,
} from './helpers.js';

describe('try-on sessions', () => {
  it('starts at the first garment, counts after minDwell, ends leaveAfter after the last sighting', () => {
    const c = newCorrelator();
    const facts = run(c, [...inOrder(reads(SHIRT_M, 'fr-1', T0, T0 + 40 * S)), tick(T0 + 40 * S + 29_999)]);
    expect(ofType(facts, 'session.started')).toMatchObject([{ room: 'fr-1', start: T0, ts: T0 }]);
    expect(ofType(facts, 'session.counted')).toMatchObject([{ room: 'fr-1', start: T0, ts: T0, counted: true }]);
    expect(ofType(facts, 'item.tried')).toMatchObject([
      { ts: T0, room: 'fr-1', epc: SHIRT_M, gtin: '80614141123458', sku: 'S1-M', style: 'S1', size: 'M' },
    ]);
    expect(ofType(facts, 'session.ended')).toEqual([]);
    expect(c.roomsInUse()).toMatchObject([{ room: 'fr-1', since: T0, items: 1, counted: true }]);

    const end = run(c, [tick(T0 + 70 * S)]);
    expect(ofType(end, 'session.ended')).toMatchObject([
      { ts: T0, start: T0, end: T0 + 40 * S, counted: true, items: [{ epc: SHIRT_M, dwellMs: 40 * S, tried: true }] },
    ]);
    expect(c.roomsInUse()).toEqual([]);
  });

  it('minDwell edge: 19 s does not count, 20 s does', () => {
    const short = newCorrelator();
    const f19 = run(short, [...inOrder(reads(SHIRT_M, 'fr-1', T0, T0 + 19 * S)), tick(T0 + 5 * MIN)]);
    expect(ofType(f19, 'session.started')).toHaveLength(1);
    expect(ofType(f19, 'session.counted')).toEqual([]);
    expect(ofType(f19, 'item.tried')).toEqual([]);
    expect(ofType(f19, 'session.ended')).toMatchObject([
      { counted: false, items: [{ dwellMs: 19 * S, tried: false }] },
    ]);

    const exact = newCorrelator();
    const f20 = run(exact, [...inOrder(reads(SHIRT_M, 'fr-1', T0, T0 + 20 * S)), tick(T0 + 5 * MIN)]);
    expect(ofType(f20, 'session.counted')).toHaveLength(1);
    expect(ofType(f20, 'item.tried')).toHaveLength(1);
  });

  it('"stayed" is per garment: two garments of 15 s each, overlapping, do not count', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ...inOrder([...reads(SHIRT_M, 'fr-1', T0, T0 + 15 * S), ...reads(JEANS, 'fr-1', T0 + 10 * S, T0 + 25 * S)]),
      tick(T0 + 5 * MIN),
    ]);
    expect(ofType(facts, 'session.counted')).toEqual([]);
    expect(ofType(facts, 'session.ended')).toMatchObject([{ start: T0, end: T0 + 25 * S, counted: false }]);
  });

  it('a gap of leaveAfter splits sessions; a shorter gap does not', () => {
    const split = newCorrelator();
    const f = run(split, [
      ...inOrder([...reads(SHIRT_M, 'fr-1', T0, T0 + 25 * S), ...reads(SHIRT_M, 'fr-1', T0 + 55 * S, T0 + 80 * S)]),
      tick(T0 + 5 * MIN),
    ]);
    expect(ofType(f, 'session.ended').map((s) => [s.start, s.end])).toEqual([
      [T0, T0 + 25 * S],
      [T0 + 55 * S, T0 + 80 * S],
    ]);
    expect(ofType(f, 'session.counted')).toHaveLength(2);

    const joined = newCorrelator();
    const g = run(joined, [
      ...inOrder([...reads(SHIRT_M, 'fr-1', T0, T0 + 25 * S), ...reads(SHIRT_M, 'fr-1', T0 + 54 * S, T0 + 80 * S)]),
      tick(T0 + 5 * MIN),
    ]);
    expect(ofType(g, 'session.ended').map((s) => [s.start, s.end])).toEqual([[T0, T0 + 80 * S]]);
  });

  it('with settleMs, a read still waiting in its second extends a session whose end is due', () => {
    const c = newCorrelator({ settleMs: 1500 });
    // Last read at 25 s; the next at 54.5 s is held until 56.5 s, after the end deadline (55 s).
    const facts = run(c, [
      ...inOrder([...reads(SHIRT_M, 'fr-1', T0, T0 + 25 * S), ...reads(SHIRT_M, 'fr-1', T0 + 54_500, T0 + 80_500)]),
      tick(T0 + 5 * MIN),
    ]);
    expect(ofType(facts, 'session.ended').map((s) => [s.start, s.end])).toEqual([[T0, T0 + 80_500]]);
  });

  it('the same result when no tick ever comes between the reads and much later', () => {
    const c = newCorrelator();
    const f = run(c, [
      ...inOrder([...reads(SHIRT_M, 'fr-1', T0, T0 + 25 * S), ...reads(SHIRT_M, 'fr-1', T0 + 55 * S, T0 + 80 * S)]),
      tick(T0 + 24 * 60 * MIN),
    ]);
    expect(ofType(f, 'session.ended').map((s) => [s.start, s.end])).toEqual([
      [T0, T0 + 25 * S],
      [T0 + 55 * S, T0 + 80 * S],
    ]);
  });

  it('a cross-read by the neighbouring room at lower RSSI creates no session there', () => {
    const c = newCorrelator();
    const events = [
      ...reads(SHIRT_M, 'fr-1', T0, T0 + 30 * S, -45),
      ...reads(SHIRT_M, 'fr-2', T0, T0 + 30 * S, -62).map((e) => ({ ...e, ts: e.ts + 300, lastTs: e.lastTs + 300 })),
    ];
    const facts = run(c, [...inOrder(events), tick(T0 + 5 * MIN)]);
    expect(ofType(facts, 'session.started').map((s) => s.room)).toEqual(['fr-1']);
    expect(ofType(facts, 'session.ended')).toMatchObject([{ room: 'fr-1', counted: true }]);
  });

  it('arbitration is per second: the stronger room wins each second', () => {
    const c = newCorrelator();
    // First 10 s the tag is nearer fr-2, then it moves into fr-1 for 30 s.
    const events = [
      ...reads(SHIRT_M, 'fr-2', T0, T0 + 9 * S, -50),
      ...reads(SHIRT_M, 'fr-1', T0, T0 + 9 * S, -66),
      ...reads(SHIRT_M, 'fr-1', T0 + 10 * S, T0 + 40 * S, -48),
      ...reads(SHIRT_M, 'fr-2', T0 + 10 * S, T0 + 40 * S, -60),
    ];
    const facts = run(c, [...inOrder(events), tick(T0 + 5 * MIN)]);
    const ended = ofType(facts, 'session.ended');
    expect(ended.map((s) => [s.room, s.start, s.end, s.counted])).toEqual([
      ['fr-2', T0, T0 + 9 * S, false],
      ['fr-1', T0 + 10 * S, T0 + 40 * S, true],
    ]);
  });

  it('stray reads below the room’s rssiMin are ignored', () => {
    const c = newCorrelator();
    const facts = run(c, [...inOrder(reads(SHIRT_M, 'fr-1', T0, T0 + 40 * S, -71)), tick(T0 + 5 * MIN)]);
    expect(facts).toEqual([]);
    const edge = newCorrelator();
    const g = run(edge, [...inOrder(reads(SHIRT_M, 'fr-1', T0, T0 + 40 * S, -70)), tick(T0 + 5 * MIN)]);
    expect(ofType(g, 'session.counted')).toHaveLength(1);
  });

  it('person tags (staff badges, member cards) are not garments', () => {
    const c = newCorrelator();
    const card = MEMBERS[2]?.cards[0] as string;
    const facts = run(c, [
      ...inOrder([...reads(STAFF_BADGE, 'fr-1', T0, T0 + 40 * S), ...reads(card, 'fr-2', T0, T0 + 40 * S)]),
      tick(T0 + 5 * MIN),
    ]);
    expect(ofType(facts, 'session.started')).toEqual([]);
  });

  it('tags not in the catalog are garments without product fields', () => {
    const c = newCorrelator();
    const facts = run(c, [...inOrder(reads(UNKNOWN, 'fr-1', T0, T0 + 25 * S)), tick(T0 + 5 * MIN)]);
    expect(ofType(facts, 'item.tried')).toEqual([
      { type: 'item.tried', ts: T0, session: `fr-1@${T0}`, room: 'fr-1', epc: UNKNOWN, firstSeen: T0 },
    ]);
  });

  it('size swap: two sizes of one style in one session', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ...inOrder([...reads(SHIRT_M, 'fr-1', T0, T0 + 30 * S), ...reads(SHIRT_L, 'fr-1', T0 + 5 * S, T0 + 40 * S)]),
      tick(T0 + 5 * MIN),
    ]);
    expect(ofType(facts, 'session.ended')).toMatchObject([{ sizeSwap: true }]);
    expect(ofType(facts, 'item.tried')).toHaveLength(2);

    const other = newCorrelator();
    const g = run(other, [
      ...inOrder([...reads(SHIRT_M, 'fr-1', T0, T0 + 30 * S), ...reads(JEANS, 'fr-1', T0 + 5 * S, T0 + 40 * S)]),
      tick(T0 + 5 * MIN),
    ]);
    expect(ofType(g, 'session.ended')).toMatchObject([{ sizeSwap: false }]);
  });

  it('a session across a bucket boundary counts in the bucket of its start', () => {
    const c = newCorrelator();
    const start = T0 + 14 * MIN + 50 * S; // 10:14:50, counted at 10:15:10
    const facts = run(c, [...inOrder(reads(SHIRT_M, 'fr-1', start, start + 60 * S)), tick(T0 + HOUR)]);
    const agg = new FunnelAggregator(createStoreCalendar('Asia/Shanghai'));
    agg.addAll(facts);
    expect(agg.get(T0)).toMatchObject({ tryOnSessions: 1, itemsTried: 1 });
    expect(agg.get(T0 + 15 * MIN)).toBeUndefined();
  });

  it('a reader flushing old reads late still builds one session from them', () => {
    const c = newCorrelator();
    const late = T0 + 10 * MIN;
    const events = reads(SHIRT_M, 'fr-1', T0, T0 + 40 * S).map((e, i) => ({ ...e, rxTs: late + i }));
    const facts = run(c, [tick(late - 1), ...events.map(ev), tick(late + MIN)]);
    expect(ofType(facts, 'session.ended').map((s) => [s.start, s.end, s.counted])).toEqual([[T0, T0 + 40 * S, true]]);
  });

  it('a late cross-read of a second already decided loses', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ev(tag(SHIRT_M, 'fr-1', T0, { rssi: -60 })),
      tick(T0 + 2 * S),
      ev(tag(SHIRT_M, 'fr-2', T0 + 100, { rssi: -40, rxTs: T0 + 3 * S })),
      tick(T0 + 5 * MIN),
    ]);
    expect(ofType(facts, 'session.started').map((s) => s.room)).toEqual(['fr-1']);
  });
});
