/**
 * Who is on the floor, from staff badge reads at the entrances (docs/decisions.md
 * "Staffing from badge passages"). A pure function of the set of reads: sorted before use,
 * so a read delivered late (or twice) gives the same answer as in-order delivery.
 *
 * - Reads of one badge less than `passageGapMs` apart are one passage through the door
 *   (the same rule the visitor count uses to excuse staff).
 * - Per badge and store day, passages alternate: the first arrives (on the floor), the
 *   second leaves, the third arrives again… A badge without passages that day is off the floor.
 * - A presence still open at the day's end (the leaving passage was not read) lasts to the
 *   end of that day, or to `until` (now) for today; it is reported as open.
 * - A day with no staff passage at all is unknown (badges not worn or not read): its slots
 *   have no staff count rather than 0.
 */

export interface BadgeRead {
  readonly badge: string;
  readonly ts: number;
  readonly lastTs: number;
}

export interface Presence {
  readonly badge: string;
  readonly from: number;
  readonly to: number;
  /** No leaving passage was read: `to` is the end of the day (or just after `until`). */
  readonly open: boolean;
}

export interface DayCalendar {
  dayStart(ts: number): number;
  nextDayStart(dayStart: number): number;
}

export interface StaffPresence {
  readonly presences: readonly Presence[];
  /** Starts of the store days with at least one staff passage (days whose staffing is known). */
  readonly knownDays: ReadonlySet<number>;
}

export function staffPresence(
  reads: readonly BadgeRead[],
  calendar: DayCalendar,
  options: { readonly passageGapMs: number; readonly until: number },
): StaffPresence {
  const sorted = [...reads].sort(
    (a, b) => (a.badge < b.badge ? -1 : a.badge > b.badge ? 1 : 0) || a.ts - b.ts || a.lastTs - b.lastTs,
  );
  const presences: Presence[] = [];
  const knownDays = new Set<number>();
  let i = 0;
  while (i < sorted.length) {
    const badge = (sorted[i] as BadgeRead).badge;
    const passages: number[] = [];
    let last = Number.NEGATIVE_INFINITY;
    for (; i < sorted.length && (sorted[i] as BadgeRead).badge === badge; i++) {
      const read = sorted[i] as BadgeRead;
      if (read.ts - last > options.passageGapMs) passages.push(read.ts);
      last = Math.max(last, read.lastTs);
    }
    presences.push(...presencesOfBadge(badge, passages, calendar, options.until, knownDays));
  }
  return { presences, knownDays };
}

/** Alternating arrive/leave per store day; `passages` are sorted. */
function presencesOfBadge(
  badge: string,
  passages: readonly number[],
  calendar: DayCalendar,
  until: number,
  knownDays: Set<number>,
): Presence[] {
  const out: Presence[] = [];
  let day = Number.NaN;
  let arrived: number | undefined;
  const closeDay = () => {
    if (arrived === undefined) return;
    // `to` is exclusive: an open presence includes the instant `until` (now).
    const end = Math.max(arrived, Math.min(calendar.nextDayStart(day), until + 1));
    out.push({ badge, from: arrived, to: end, open: true });
    arrived = undefined;
  };
  for (const ts of passages) {
    const d = calendar.dayStart(ts);
    if (d !== day) {
      closeDay();
      day = d;
      knownDays.add(d);
    }
    if (arrived === undefined) arrived = ts;
    else {
      out.push({ badge, from: arrived, to: ts, open: false });
      arrived = undefined;
    }
  }
  closeDay();
  return out;
}

/** Staff present at any time in [start, end), or null when that day's staffing is unknown. */
export function staffInSlot(presence: StaffPresence, calendar: DayCalendar, start: number, end: number): number | null {
  if (!presence.knownDays.has(calendar.dayStart(start))) return null;
  const badges = new Set<string>();
  for (const p of presence.presences) if (p.from < end && p.to > start) badges.add(p.badge);
  return badges.size;
}

/** Staff on the floor at `at` (an open presence counts up to and including `until`). */
export function staffAt(presence: StaffPresence, calendar: DayCalendar, at: number): number | null {
  if (!presence.knownDays.has(calendar.dayStart(at))) return null;
  const badges = new Set<string>();
  for (const p of presence.presences) if (p.from <= at && at < p.to) badges.add(p.badge);
  return badges.size;
}
