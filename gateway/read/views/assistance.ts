/**
 * Fitting-room assistance report: per period, the try-on sessions that staff assisted (a
 * card was acknowledged) and those they did not, and how many of each converted (some
 * tried item bought: a `tried.bought` of the session). A session counts in the period of
 * its start, as in the funnel; its purchases may come up to conversionWindow later.
 */
import type { Granularity } from '../../../common/calendar.js';
import { BadRequestError } from '../../../common/http.js';
import type { StoreCalendar } from '../../infra/time/index.js';
import type { Db } from '../../pipeline/journal/index.js';

export interface AssistancePeriod {
  readonly start: string;
  /** Counted try-on sessions. */
  readonly sessions: number;
  /** Sessions that asked for staff (a card, pushed or recorded late). */
  readonly cards: number;
  /** Sessions whose card a staff member acknowledged. */
  readonly assisted: number;
  readonly assistedConverted: number;
  /** assistedConverted ÷ assisted; null when none were assisted. */
  readonly assistedConversion: number | null;
  /** Sessions without an acknowledged card (no card, or nobody took it). */
  readonly unassisted: number;
  readonly unassistedConverted: number;
  readonly unassistedConversion: number | null;
}

export interface AssistanceReport {
  readonly granularity: Granularity;
  readonly periods: readonly AssistancePeriod[];
  readonly total: AssistancePeriod;
}

const MAX_PERIODS = 1000;

export class AssistanceReporter {
  private readonly sessions;
  private readonly bought;
  private readonly cards;

  constructor(
    db: Db,
    private readonly calendar: StoreCalendar,
    private readonly conversionWindowMs: number,
  ) {
    this.sessions = db.prepare(
      `SELECT ts, json_extract(body, '$.session') AS session FROM facts
       WHERE type = 'session.ended' AND ts >= ? AND ts < ? AND json_extract(body, '$.counted') = 1`,
    );
    this.bought = db
      .prepare(
        `SELECT DISTINCT json_extract(body, '$.session') FROM facts
         WHERE type = 'tried.bought' AND ts >= ? AND ts < ?`,
      )
      .pluck();
    this.cards = db.prepare(
      'SELECT session, acked_by IS NOT NULL AS acked FROM assist_alerts WHERE start >= ? AND start < ?',
    );
  }

  report(from: number, to: number, granularity: Granularity): AssistanceReport {
    const starts: number[] = [];
    for (
      let p = this.calendar.periodStart(from, granularity);
      p < to;
      p = this.calendar.nextPeriodStart(p, granularity)
    ) {
      starts.push(p);
      if (starts.length > MAX_PERIODS) {
        throw new BadRequestError(`more than ${MAX_PERIODS} periods: ask for a coarser granularity`, 'RANGE_TOO_LARGE');
      }
    }
    const converted = new Set(this.bought.all(from, to + this.conversionWindowMs) as string[]);
    const acked = new Map<string, boolean>();
    for (const c of this.cards.all(from, to) as { session: string; acked: number }[])
      acked.set(c.session, c.acked === 1);
    const tallies = starts.map(() => emptyTally());
    const total = emptyTally();
    let i = 0;
    const rows = (this.sessions.all(from, to) as { ts: number; session: string }[]).sort((a, b) => a.ts - b.ts);
    for (const s of rows) {
      while (i + 1 < starts.length && (starts[i + 1] as number) <= s.ts) i++;
      const tally = tallies[i];
      if (!tally) continue;
      for (const t of [tally, total]) add(t, acked.get(s.session), converted.has(s.session));
    }
    const toPeriod = (t: Tally, start: number): AssistancePeriod => ({
      start: this.calendar.format(start),
      ...t,
      assistedConversion: t.assisted === 0 ? null : t.assistedConverted / t.assisted,
      unassistedConversion: t.unassisted === 0 ? null : t.unassistedConverted / t.unassisted,
    });
    return {
      granularity,
      periods: tallies.map((t, k) => toPeriod(t, starts[k] as number)),
      total: toPeriod(total, starts[0] ?? from),
    };
  }
}

interface Tally {
  sessions: number;
  cards: number;
  assisted: number;
  assistedConverted: number;
  unassisted: number;
  unassistedConverted: number;
}

function emptyTally(): Tally {
  return { sessions: 0, cards: 0, assisted: 0, assistedConverted: 0, unassisted: 0, unassistedConverted: 0 };
}

/** One session: `acked` undefined = no card, false = a card nobody took. */
function add(t: Tally, acked: boolean | undefined, converted: boolean): void {
  t.sessions++;
  if (acked !== undefined) t.cards++;
  if (acked === true) {
    t.assisted++;
    if (converted) t.assistedConverted++;
  } else {
    t.unassisted++;
    if (converted) t.unassistedConverted++;
  }
}
