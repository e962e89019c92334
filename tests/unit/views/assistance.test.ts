/**
 * The assistance report on a real database: per store-local day, counted sessions split
 * into assisted (card acknowledged) and not (no card, or nobody took it), each with its
 * conversion (a tried.bought of the session, also after midnight within the window).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createStoreCalendar } from '../../../gateway/infra/time/index.js';
import { type Db, openDb } from '../../../gateway/pipeline/journal/index.js';
import { AssistanceReporter } from '../../../gateway/read/views/assistance.js';
import { tempDir } from '../../support/tmp.js';

const DAY1 = Date.parse('2026-11-23T00:00:00+08:00');
const DAY2 = Date.parse('2026-11-24T00:00:00+08:00');
const HOUR = 3_600_000;

const dirs: ReturnType<typeof tempDir>[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) d.remove();
});

function store() {
  const dir = tempDir('assist-report-');
  dirs.push(dir);
  const db = openDb(dir.path);
  dbs.push(db);
  const fact = db.prepare('INSERT INTO facts (type, ts, body) VALUES (?, ?, ?)');
  const card = db.prepare(
    'INSERT INTO assist_alerts (id, ts, room, session, start, body, acked_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  return {
    db,
    session(start: number, counted = true, room = 'fr-1') {
      const id = `${room}@${start}`;
      fact.run('session.ended', start, JSON.stringify({ type: 'session.ended', session: id, room, start, counted }));
      return id;
    },
    card(session: string, start: number, ackedBy: string | null) {
      card.run(`assist:${session}`, start + 10_000, 'fr-1', session, start, '{}', ackedBy);
    },
    bought(session: string, ts: number) {
      fact.run('tried.bought', ts, JSON.stringify({ type: 'tried.bought', session, ts }));
    },
  };
}

describe('assistance report', () => {
  it('splits each day into assisted and unassisted sessions with their conversion', () => {
    const s = store();
    // Day 1: assisted and bought (after midnight, within 2 h), assisted not bought,
    // a card nobody took (bought), no card (not bought), a glance (not counted).
    const a = s.session(DAY1 + 23 * HOUR + 30 * 60_000);
    s.card(a, DAY1 + 23 * HOUR + 30 * 60_000, '王芳');
    s.bought(a, DAY2 + 30 * 60_000);
    const b = s.session(DAY1 + 10 * HOUR);
    s.card(b, DAY1 + 10 * HOUR, 'li');
    const c = s.session(DAY1 + 11 * HOUR);
    s.card(c, DAY1 + 11 * HOUR, null);
    s.bought(c, DAY1 + 11 * HOUR + 600_000);
    s.session(DAY1 + 12 * HOUR);
    s.session(DAY1 + 13 * HOUR, false);
    // Day 2: one session without a card, bought.
    const d = s.session(DAY2 + 10 * HOUR);
    s.bought(d, DAY2 + 11 * HOUR);

    const report = new AssistanceReporter(s.db, createStoreCalendar('Asia/Shanghai'), 2 * HOUR).report(
      DAY1,
      DAY2 + 24 * HOUR,
      'day',
    );
    expect(report.periods).toEqual([
      {
        start: '2026-11-23T00:00:00+08:00',
        sessions: 4,
        cards: 3,
        assisted: 2,
        assistedConverted: 1,
        assistedConversion: 0.5,
        unassisted: 2,
        unassistedConverted: 1,
        unassistedConversion: 0.5,
      },
      {
        start: '2026-11-24T00:00:00+08:00',
        sessions: 1,
        cards: 0,
        assisted: 0,
        assistedConverted: 0,
        assistedConversion: null,
        unassisted: 1,
        unassistedConverted: 1,
        unassistedConversion: 1,
      },
    ]);
    expect(report.total).toMatchObject({ sessions: 5, assisted: 2, assistedConverted: 1, unassisted: 3 });
  });

  it('refuses more periods than it can show', () => {
    const s = store();
    const reporter = new AssistanceReporter(s.db, createStoreCalendar('Asia/Shanghai'), 2 * HOUR);
    expect(() => reporter.report(DAY1, DAY1 + 30 * 24 * HOUR, '15m')).toThrow(/coarser granularity/);
  });
});
