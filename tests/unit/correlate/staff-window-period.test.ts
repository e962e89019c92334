/**
 * Period counts (door.crossing with `period`, from network counters and backfilled history):
 * the staff badge passages of the same period (± staffWindow) excuse that many of its ins,
 * never more than it has, one passage excusing one in; point crossings keep their ±3 s rule.
 */
import { describe, expect, it } from 'vitest';
import type { Fact } from '../../../gateway/pipeline/correlate/facts.js';
import { StaffWindow } from '../../../gateway/pipeline/correlate/staff-window.js';

const MIN = 60_000;
const T0 = Date.parse('2026-11-23T02:00:00Z');

function decided(w: StaffWindow, until: number): Fact[] {
  const out: Fact[] = [];
  w.fire(until, out);
  return out;
}

function sum(facts: readonly Fact[], type: 'visitor' | 'staff.in'): number {
  return facts.reduce((s, f) => (f.type === type ? s + (f as { n: number }).n : s), 0);
}

describe('staff exclusion for period counts', () => {
  it('subtracts the badge passages of the period from its ins, never below 0', () => {
    const w = new StaffWindow(3000, 0);
    // Three staff walks through the entrance inside 10:00–10:15, one badge twice (two walks).
    w.badgeSeen('entrance', 'B1', T0 + 1 * MIN, T0 + 1 * MIN + 800, T0);
    w.badgeSeen('entrance', 'B1', T0 + 9 * MIN, T0 + 9 * MIN, T0);
    w.badgeSeen('entrance', 'B2', T0 + 14 * MIN, T0 + 14 * MIN, T0);
    // Another zone's badge and one an hour later do not count.
    w.badgeSeen('back', 'B3', T0 + 5 * MIN, T0 + 5 * MIN, T0);
    w.badgeSeen('entrance', 'B4', T0 + 60 * MIN, T0 + 60 * MIN, T0);
    w.holdIn(T0, 'main', 'entrance', 10, 15 * MIN);
    expect(w.nextDeadline()).toBe(T0 + 15 * MIN + 3000);
    expect(decided(w, T0 + 15 * MIN + 2999)).toEqual([]);
    const facts = decided(w, T0 + 15 * MIN + 3000);
    expect(facts).toEqual([
      { type: 'visitor', ts: T0, door: 'main', zone: 'entrance', n: 7 },
      { type: 'staff.in', ts: T0, door: 'main', zone: 'entrance', n: 3 },
    ]);

    // More staff passages than ins: all ins are staff, no negative visitors.
    const w2 = new StaffWindow(3000, 0);
    for (let i = 0; i < 5; i++) w2.badgeSeen('entrance', `S${i}`, T0 + i * MIN, T0 + i * MIN, T0);
    w2.holdIn(T0, 'main', 'entrance', 2, 15 * MIN);
    const f2 = decided(w2, T0 + 16 * MIN);
    expect(sum(f2, 'visitor')).toBe(0);
    expect(sum(f2, 'staff.in')).toBe(2);
  });

  it('one passage excuses one in: adjacent periods and point crossings do not reuse it', () => {
    const w = new StaffWindow(3000, 0);
    // A passage 1 s after the first period ends is within staffWindow of both periods.
    w.badgeSeen('entrance', 'B1', T0 + 15 * MIN + 1000, T0 + 15 * MIN + 1000, T0);
    w.holdIn(T0, 'main', 'entrance', 4, 15 * MIN);
    w.holdIn(T0 + 15 * MIN, 'main', 'entrance', 4, 15 * MIN);
    const facts = decided(w, T0 + 31 * MIN);
    expect(sum(facts, 'staff.in')).toBe(1);
    expect(sum(facts, 'visitor')).toBe(7);
  });

  it('keeps passages a held period still needs beyond the usual 10 minutes, and snapshots the period', () => {
    const w = new StaffWindow(3000, 0);
    w.badgeSeen('entrance', 'B1', T0 + 2 * MIN, T0 + 2 * MIN, T0);
    w.holdIn(T0, 'main', 'entrance', 3, 60 * MIN);
    // A badge read 50 minutes later prunes old passages, but not the one the held hour needs.
    w.badgeSeen('entrance', 'B2', T0 + 50 * MIN, T0 + 50 * MIN, T0 + 50 * MIN);
    const restored = StaffWindow.restore(3000, 0, JSON.parse(JSON.stringify(w.snapshot())));
    expect(restored.nextDeadline()).toBe(T0 + 60 * MIN + 3000);
    const facts = decided(restored, T0 + 61 * MIN);
    expect(sum(facts, 'staff.in')).toBe(2);
    expect(sum(facts, 'visitor')).toBe(1);
  });

  it('a snapshot without periods keeps the old column set', () => {
    const w = new StaffWindow(3000, 0);
    w.holdIn(T0, 'main', 'entrance', 1);
    expect('period' in w.snapshot().held).toBe(false);
  });
});
