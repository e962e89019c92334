/**
 * Retention purge on a real store database: journal rows only when old AND before the last
 * snapshot (never the newest row), members not seen for the period (securely erased, cards
 * too), old audit rows, expired sessions; at start and again when a day passes on the clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, RetentionJob } from '../../gateway/infra/auth/index.js';
import { SessionStore } from '../../gateway/infra/auth/sessions.js';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { ReferenceData } from '../../gateway/infra/reference/index.js';
import { createLogger } from '../../gateway/log.js';
import { startGateway } from '../../gateway/main.js';
import { type Db, openDb } from '../../gateway/pipeline/journal/index.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const DAY = 86_400_000;
// Members' `updated` is the real import time: put the gateway clock 800 days after it.
const NOW = Date.now() + 800 * DAY;
const log = createLogger({ level: 'silent' });

function journalRow(db: Db, id: string, rxTs: number): void {
  db.prepare('INSERT INTO journal (device, msg_id, type, ts, rx_ts, body) VALUES (?, ?, ?, ?, ?, ?)').run(
    'door-1',
    id,
    'door.crossing',
    rxTs,
    rxTs,
    '{}',
  );
}

const seqs = (db: Db) =>
  (db.prepare('SELECT seq FROM journal ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq);

describe('retention purge', () => {
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function setup() {
    const dir = tempDir();
    const db = openDb(dir.path);
    cleanups.push(() => dir.remove());
    cleanups.push(() => {
      db.close();
    });
    const clock = new ManualClock(NOW);
    const config = loadConfig(undefined, { GW_DATA_DIR: dir.path });
    const reference = new ReferenceData(db);
    const audit = new AuditLog(db, clock);
    const sessions = new SessionStore(db, clock, 3_600_000);
    const job = new RetentionJob({
      config,
      db,
      clock,
      reference,
      audit,
      purgeSessions: () => sessions.purgeExpired(),
      log,
      checkEveryMs: 10,
    });
    cleanups.push(() => job.stop());
    return { db, clock, reference, audit, sessions, job, config };
  }

  it('deletes exactly what is past retention and no longer needed', async () => {
    const { db, clock, reference, sessions, job, config } = setup();
    expect(config.retention).toEqual({ journalMs: 400 * DAY, membersMs: 730 * DAY, auditMs: 400 * DAY });
    const old = NOW - 500 * DAY;
    for (let i = 1; i <= 6; i++) journalRow(db, `old${i}`, old + i);
    for (let i = 7; i <= 10; i++) journalRow(db, `new${i}`, NOW - DAY + i);

    // No snapshot yet: recovery would replay from the first row, so nothing may go.
    expect((await job.purge()).journal).toBe(0);
    expect(seqs(db)).toHaveLength(10);

    db.prepare('UPDATE progress SET snapshot_seq = 4 WHERE id = 1').run();
    reference.importMembers([
      { id: 'M-SEEN', name: 'Seen Recently', tier: 5, cards: ['CARD0001'] },
      { id: 'M-GONE', name: 'Long Gone', tier: 5, cards: ['CARD0002'], phone: '13700000000' },
      { id: 'M-NEVER', name: 'Never Seen', tier: 2, cards: ['CARD0003'] },
    ]);
    const fact = db.prepare('INSERT INTO facts (type, ts, member, body) VALUES (?, ?, ?, ?)');
    fact.run('vip.arrival', NOW - 10 * DAY, 'M-SEEN', '{}');
    fact.run('vip.arrival', NOW - 750 * DAY, 'M-GONE', '{}');
    const audit = db.prepare(
      "INSERT INTO audit (ts, user, role, action, target, address) VALUES (?, 'u', 'staff', 'pii.view', 't', 'a')",
    );
    audit.run(NOW - 401 * DAY);
    audit.run(NOW - 10 * DAY);
    clock.set(NOW - 2 * 3_600_000);
    sessions.create('manager'); // expired an hour ago
    clock.set(NOW);
    sessions.create('staff'); // live

    const counts = await job.purge();
    expect(counts).toEqual({
      journal: 3,
      members: 2,
      facts: 1, // M-GONE's arrival, 750 days old
      alerts: 0,
      invitations: 0,
      rejected: 0,
      audit: 1,
      sessions: 1,
    });
    // Rows 5 and 6 are old but after the snapshot: recovery replays them.
    expect(seqs(db)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(reference.memberIds()).toEqual(['M-SEEN']);
    expect(db.prepare('SELECT card FROM member_cards').all()).toEqual([{ card: 'CARD0001' }]);
    const auditRows = db.prepare('SELECT ts, user, action FROM audit ORDER BY ts').all() as {
      ts: number;
      user: string;
      action: string;
    }[];
    expect(auditRows.map((r) => r.user)).toEqual(['u', 'retention']);
    expect(auditRows[1]?.action).toBe('members.erase');
    expect((db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n).toBe(1);
    expect(job.totals).toEqual(counts);
  });

  it('deletes records naming a member after the member period, the rest after the journal period', async () => {
    const { db, job } = setup();
    const fact = db.prepare('INSERT INTO facts (type, ts, member, body) VALUES (?, ?, ?, ?)');
    const alert = db.prepare("INSERT INTO alerts (id, ts, member, body) VALUES (?, ?, 'M1', '{}')");
    const invitation = db.prepare(
      "INSERT INTO invitations (id, ts, member, staff, channel, campaign) VALUES (?, ?, 'M1', 's', 'wechat', 'c')",
    );
    const rejected = db.prepare(
      "INSERT INTO rejected (rx_ts, device, source, code, reason, raw) VALUES (?, 'door-1', 't', 'schema', 'r', x'7b7d')",
    );
    for (const [age, member] of [
      [10, null],
      [401, null], // no member: journal period (400 d) -> goes
      [401, 'M1'], // names a member: member period (730 d) -> stays
      [731, 'M1'], // -> goes
      [731, null], // -> goes
    ] as const) {
      fact.run('visitor', NOW - age * DAY, member, '{}');
      fact.run('vip.arrival', NOW - age * DAY, member, '{}');
    }
    alert.run('a-new', NOW - 401 * DAY);
    alert.run('a-old', NOW - 731 * DAY);
    invitation.run('i-new', NOW - 401 * DAY);
    invitation.run('i-old', NOW - 731 * DAY);
    rejected.run(NOW - 10 * DAY);
    rejected.run(NOW - 401 * DAY);

    const counts = await job.purge();
    expect(counts).toMatchObject({ facts: 6, alerts: 1, invitations: 1, rejected: 1 });
    const left = db.prepare('SELECT type, ts, member FROM facts ORDER BY type, ts').all();
    expect(left).toEqual([
      { type: 'vip.arrival', ts: NOW - 401 * DAY, member: 'M1' },
      { type: 'vip.arrival', ts: NOW - 10 * DAY, member: null },
      { type: 'visitor', ts: NOW - 401 * DAY, member: 'M1' },
      { type: 'visitor', ts: NOW - 10 * DAY, member: null },
    ]);
    expect(db.prepare('SELECT id FROM alerts').pluck().all()).toEqual(['a-new']);
    expect(db.prepare('SELECT id FROM invitations').pluck().all()).toEqual(['i-new']);
    expect(db.prepare('SELECT rx_ts FROM rejected').pluck().all()).toEqual([NOW - 10 * DAY]);
    // Nothing is left past its period: a second purge finds nothing.
    expect(await job.purge()).toMatchObject({ facts: 0, alerts: 0, invitations: 0, rejected: 0 });
  });

  it('keeps the newest journal row so a seq is never handed out twice', async () => {
    const { db, job } = setup();
    for (let i = 1; i <= 3; i++) journalRow(db, `old${i}`, NOW - 500 * DAY + i);
    db.prepare('UPDATE progress SET snapshot_seq = 3 WHERE id = 1').run();
    expect((await job.purge()).journal).toBe(2);
    expect(seqs(db)).toEqual([3]);
    journalRow(db, 'next', NOW);
    expect(seqs(db)).toEqual([3, 4]);
  });

  it('runs at start and again once a day has passed on the gateway clock', async () => {
    const { db, clock, job } = setup();
    const audit = db.prepare(
      "INSERT INTO audit (ts, user, role, action, target, address) VALUES (?, 'u', 'staff', 'pii.view', 't', 'a')",
    );
    const count = () => (db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;
    audit.run(NOW - 500 * DAY);
    job.start();
    await waitFor(() => count() === 0, 'the purge at start');
    audit.run(NOW - 399 * DAY); // not old enough today
    await new Promise((r) => setTimeout(r, 50));
    expect(count()).toBe(1);
    clock.advance(DAY + 1);
    await waitFor(() => count() === 0, 'the daily purge');
  });

  it('runs in the gateway at start', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const seed = openDb(dir.path);
    seed
      .prepare("INSERT INTO audit (ts, user, role, action, target, address) VALUES (?, 'u', 'staff', 'x', 't', 'a')")
      .run(NOW - 500 * DAY);
    seed.close();
    const config = loadConfig(undefined, {
      GW_MQTT_PORT: '0',
      GW_HTTP_PORT: '0',
      GW_DATA_DIR: dir.path,
      GW_HTTP_AUTH: 'off',
    });
    const gateway = await startGateway({ config, clock: new ManualClock(NOW), log });
    cleanups.push(() => gateway.stop());
    await waitFor(
      () => (gateway.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n === 0,
      'purge at start',
    );
  });
});
