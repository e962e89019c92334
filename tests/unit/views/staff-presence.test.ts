/** Who is on the floor, from staff badge passages: alternating per day, order-independent. */
import { describe, expect, it } from 'vitest';
import { createStoreCalendar } from '../../../gateway/infra/time/index.js';
import { type BadgeRead, staffAt, staffInSlot, staffPresence } from '../../../gateway/read/views/staff-presence.js';
import { vipResponse } from '../../../gateway/read/views/staffing.js';

const calendar = createStoreCalendar('Asia/Shanghai');
const at = (local: string) => Date.parse(`2026-11-23T${local}+08:00`);
const GAP = 3000;
const read = (badge: string, local: string, seconds = 1): BadgeRead => ({
  badge,
  ts: at(local),
  lastTs: at(local) + (seconds - 1) * 1000,
});
const slot = (presence: ReturnType<typeof staffPresence>, local: string) =>
  staffInSlot(presence, calendar, at(local), at(local) + 15 * 60_000);

/** 王芳 (A) in at 09:10, out 12:05, in 13:00, never read leaving; 李雷 (B) in 09:40, out 18:00. */
const DAY: readonly BadgeRead[] = [
  read('A', '09:10:00'),
  // Lingering at the door: reads one second apart are the same passage.
  read('A', '09:10:01'),
  read('A', '09:10:03', 2),
  read('A', '12:05:00'),
  read('A', '13:00:00'),
  read('B', '09:40:00'),
  read('B', '18:00:00'),
];

describe('staff presence from badge passages', () => {
  const until = at('20:00:00');
  const presence = staffPresence(DAY, calendar, { passageGapMs: GAP, until });

  it('alternates arrive and leave per badge; a presence not closed lasts until now', () => {
    expect(presence.presences).toEqual([
      { badge: 'A', from: at('09:10:00'), to: at('12:05:00'), open: false },
      { badge: 'A', from: at('13:00:00'), to: until + 1, open: true },
      { badge: 'B', from: at('09:40:00'), to: at('18:00:00'), open: false },
    ]);
  });

  it('counts a person in each 15-min slot they are present in', () => {
    expect(slot(presence, '09:00:00')).toBe(1);
    expect(slot(presence, '09:30:00')).toBe(2);
    expect(slot(presence, '12:00:00')).toBe(2);
    expect(slot(presence, '12:15:00')).toBe(1);
    expect(slot(presence, '13:00:00')).toBe(2);
    expect(slot(presence, '18:00:00')).toBe(1);
    expect(slot(presence, '08:45:00')).toBe(0);
    expect(staffAt(presence, calendar, at('12:30:00'))).toBe(1);
    expect(staffAt(presence, calendar, until)).toBe(1);
  });

  it('gives the same answer for any delivery order, a late badge read included', () => {
    const late = read('A', '12:05:00');
    const withoutLate = DAY.filter((r) => r.ts !== late.ts);
    // Before the late read arrives, A's 12:05 leave is missing: 13:00 reads as leaving.
    const before = staffPresence(withoutLate, calendar, { passageGapMs: GAP, until });
    expect(slot(before, '12:15:00')).toBe(2);
    for (let seed = 1; seed <= 20; seed++) {
      const shuffled = shuffle([...withoutLate, late, late], seed);
      expect(staffPresence(shuffled, calendar, { passageGapMs: GAP, until })).toEqual(presence);
    }
  });

  it('says unknown (null) for a day without any staff passage, not 0', () => {
    const nextDay = Date.parse('2026-11-24T10:00:00+08:00');
    expect(staffInSlot(presence, calendar, nextDay, nextDay + 15 * 60_000)).toBeNull();
    expect(staffAt(presence, calendar, nextDay)).toBeNull();
    const empty = staffPresence([], calendar, { passageGapMs: GAP, until });
    expect(slot(empty, '10:00:00')).toBeNull();
  });

  it('starts every store day off the floor: passages do not carry over midnight', () => {
    const reads = [
      read('A', '21:00:00'),
      { badge: 'A', ts: at('09:00:00') + 86_400_000, lastTs: at('09:00:00') + 86_400_000 },
    ];
    const p = staffPresence(reads, calendar, { passageGapMs: GAP, until: at('09:30:00') + 86_400_000 });
    expect(p.presences).toEqual([
      { badge: 'A', from: at('21:00:00'), to: calendar.nextDayStart(calendar.dayStart(at('21:00:00'))), open: true },
      { badge: 'A', from: at('09:00:00') + 86_400_000, to: at('09:30:00') + 86_400_000 + 1, open: true },
    ]);
  });
});

describe('VIP alert response', () => {
  it('counts pushed alerts, acknowledged ones, unattended ones and the median push → ack time', () => {
    const t = at('10:00:00');
    expect(
      vipResponse([
        { ts: t, pushed_at: t, acked_at: t + 20_000 },
        { ts: t, pushed_at: t, acked_at: t + 60_000 },
        { ts: t, pushed_at: t, acked_at: t + 40_000 },
        { ts: t, pushed_at: t, acked_at: null },
        // Late: recorded, never pushed; not part of the response figures.
        { ts: t, pushed_at: null, acked_at: null },
      ]),
    ).toEqual({ vipAlerts: 4, vipAcked: 3, vipUnattended: 1, vipResponseSeconds: 40 });
    expect(vipResponse([])).toEqual({ vipAlerts: 0, vipAcked: 0, vipUnattended: 0, vipResponseSeconds: null });
  });
});

/** Deterministic Fisher–Yates (a small LCG): the same seed, the same order. */
function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed;
  const next = () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
