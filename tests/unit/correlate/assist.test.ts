/** Fitting-room assistance (assist.needed): the assistAfter timer in event time, size swaps. */
import { describe, expect, it } from 'vitest';
import { Correlator } from '../../../gateway/pipeline/correlate/index.js';
import {
  inOrder,
  JEANS,
  MIN,
  newCorrelator,
  ofType,
  reads,
  run,
  S,
  SHIRT_L,
  SHIRT_M,
  SHIRT_M2,
  T0,
  tag,
  testConfig,
  testLookups,
  tick,
} from './helpers.js';

/** Reads of `epc` every 20 s (well inside leaveAfter) from `from` to `to`. */
function sparse(epc: string, zone: string, from: number, to: number) {
  const out = [];
  for (let t = from; t <= to; t += 20 * S) out.push(tag(epc, zone, t));
  return out;
}

describe('fitting-room assistance', () => {
  it('a session still open assistAfter after its start asks once, at start + assistAfter', () => {
    const c = newCorrelator();
    const before = run(c, [...inOrder(sparse(SHIRT_M, 'fr-1', T0, T0 + 7 * MIN + 40 * S)), tick(T0 + 8 * MIN - 1)]);
    expect(ofType(before, 'assist.needed')).toEqual([]);

    const after = run(c, [...inOrder(sparse(SHIRT_M, 'fr-1', T0 + 8 * MIN, T0 + 12 * MIN)), tick(T0 + 20 * MIN)]);
    expect(ofType(after, 'assist.needed')).toEqual([
      {
        type: 'assist.needed',
        ts: T0 + 8 * MIN,
        session: `fr-1@${T0}`,
        room: 'fr-1',
        start: T0,
        reason: 'long',
        items: [{ epc: SHIRT_M, gtin: '80614141123458', sku: 'S1-M', style: 'S1', size: 'M' }],
      },
    ]);
  });

  it('the timer is event time: ticks alone (no reads) do not make an ended session ask', () => {
    const c = newCorrelator();
    // Last read at 7:20; leaveAfter (30 s) later, before 8:00, the room was empty.
    const facts = run(c, [...inOrder(sparse(SHIRT_M, 'fr-1', T0, T0 + 7 * MIN + 20 * S)), tick(T0 + 9 * MIN)]);
    expect(ofType(facts, 'session.ended')).toHaveLength(1);
    expect(ofType(facts, 'assist.needed')).toEqual([]);
  });

  it('edge: open at the threshold = a read less than leaveAfter before it', () => {
    const last = (s: number) => [
      ...sparse(SHIRT_M, 'fr-1', T0, T0 + 7 * MIN + 20 * S),
      tag(SHIRT_M, 'fr-1', T0 + s * S),
    ];
    // 7:31 + 30 s = 8:01: still open at 8:00.
    const open = run(newCorrelator(), [...inOrder(last(7 * 60 + 31)), tick(T0 + 9 * MIN)]);
    expect(ofType(open, 'assist.needed')).toMatchObject([{ reason: 'long', ts: T0 + 8 * MIN }]);
    expect(ofType(open, 'session.ended')).toHaveLength(1);
    // 7:30 + 30 s = 8:00: it ended at its last read, 7:30.
    const ended = run(newCorrelator(), [...inOrder(last(7 * 60 + 30)), tick(T0 + 9 * MIN)]);
    expect(ofType(ended, 'assist.needed')).toEqual([]);
  });

  it('honours a configured assistAfter', () => {
    const c = new Correlator(testConfig({ assistAfterMs: 2 * MIN }), testLookups());
    const facts = run(c, [...inOrder(sparse(SHIRT_M, 'fr-1', T0, T0 + 3 * MIN)), tick(T0 + 5 * MIN)]);
    expect(ofType(facts, 'assist.needed')).toMatchObject([{ reason: 'long', ts: T0 + 2 * MIN }]);
  });

  it('a size swap asks at once, when the second size is first seen', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ...inOrder([...reads(SHIRT_M, 'fr-1', T0, T0 + 30 * S), ...reads(SHIRT_L, 'fr-1', T0 + 10 * S, T0 + 40 * S)]),
      tick(T0 + 20 * MIN),
    ]);
    const asks = ofType(facts, 'assist.needed');
    expect(asks).toEqual([
      {
        type: 'assist.needed',
        ts: T0 + 10 * S,
        session: `fr-1@${T0}`,
        room: 'fr-1',
        start: T0,
        reason: 'size-swap',
        style: 'S1',
        sizes: ['M', 'L'],
        items: [
          { epc: SHIRT_M, gtin: '80614141123458', sku: 'S1-M', style: 'S1', size: 'M' },
          { epc: SHIRT_L, gtin: '80614141123465', sku: 'S1-L', style: 'S1', size: 'L' },
        ],
      },
    ]);
  });

  it('two pieces of the same size, or two styles, are no size swap', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ...inOrder([
        ...reads(SHIRT_M, 'fr-1', T0, T0 + 30 * S),
        ...reads(SHIRT_M2, 'fr-1', T0 + 5 * S, T0 + 30 * S),
        ...reads(JEANS, 'fr-1', T0 + 6 * S, T0 + 30 * S),
      ]),
      tick(T0 + 20 * MIN),
    ]);
    expect(ofType(facts, 'assist.needed')).toEqual([]);
  });

  it('one card per session: a long session with a later size swap asks once', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ...inOrder([...sparse(SHIRT_M, 'fr-1', T0, T0 + 10 * MIN), tag(SHIRT_L, 'fr-1', T0 + 9 * MIN)]),
      tick(T0 + 20 * MIN),
    ]);
    expect(ofType(facts, 'assist.needed')).toMatchObject([{ reason: 'long', ts: T0 + 8 * MIN }]);
  });

  it('each room and each session asks on its own', () => {
    const c = newCorrelator();
    const facts = run(c, [
      ...inOrder([
        ...reads(SHIRT_M, 'fr-1', T0, T0 + 25 * S),
        ...reads(SHIRT_L, 'fr-1', T0 + 3 * S, T0 + 25 * S),
        ...reads(SHIRT_M, 'fr-2', T0 + 2 * MIN, T0 + 2 * MIN + 25 * S),
        ...reads(SHIRT_L, 'fr-2', T0 + 2 * MIN + 4 * S, T0 + 2 * MIN + 25 * S),
        // fr-1 again after it ended: a new session.
        ...reads(SHIRT_M, 'fr-1', T0 + 5 * MIN, T0 + 5 * MIN + 25 * S),
        ...reads(SHIRT_L, 'fr-1', T0 + 5 * MIN + 1 * S, T0 + 5 * MIN + 25 * S),
      ]),
      tick(T0 + 20 * MIN),
    ]);
    expect(ofType(facts, 'assist.needed').map((f) => [f.session, f.ts])).toEqual([
      [`fr-1@${T0}`, T0 + 3 * S],
      [`fr-2@${T0 + 2 * MIN}`, T0 + 2 * MIN + 4 * S],
      [`fr-1@${T0 + 5 * MIN}`, T0 + 5 * MIN + 1 * S],
    ]);
  });

  it('a snapshot taken while the timer runs keeps it (restore, then cross the threshold)', () => {
    const c = newCorrelator();
    run(c, inOrder(sparse(SHIRT_M, 'fr-1', T0, T0 + 5 * MIN)));
    const restored = Correlator.restore(testConfig(), testLookups(), JSON.parse(JSON.stringify(c.snapshot())));
    const facts = run(restored, [...inOrder(sparse(SHIRT_M, 'fr-1', T0 + 5 * MIN + 20 * S, T0 + 9 * MIN))]);
    expect(ofType(facts, 'assist.needed')).toMatchObject([{ reason: 'long', ts: T0 + 8 * MIN }]);
    const asked = Correlator.restore(testConfig(), testLookups(), JSON.parse(JSON.stringify(restored.snapshot())));
    expect(
      ofType(run(asked, [...inOrder(sparse(SHIRT_M, 'fr-1', T0 + 9 * MIN + 20 * S, T0 + 12 * MIN))]), 'assist.needed'),
    ).toEqual([]);
  });
});
