/**
 * Retention: deletes what the store no longer needs to keep, at start and then once a day on
 * the gateway's clock (a simulated day at --speed N purges on simulated days).
 *
 *  - journal rows received before `retention.journal` AND older than the last correlator
 *    snapshot: recovery replays only rows after the snapshot, so older rows are never read
 *    again. The newest row is always kept (seq < snapshot_seq ≤ max seq), so SQLite never
 *    hands out a purged seq again. `rebuild` after a purge recomputes from what is left.
 *  - members neither (re)imported nor seen in any fact for `retention.members`: erased with
 *    the secure erasure path (secure_delete, alert profiles scrubbed, WAL truncated).
 *  - records that name a member (facts with a member, alerts, invitations) older than
 *    `retention.members`, like the members themselves; facts without a member and rejected
 *    inputs (raw device payloads) older than `retention.journal`, like the journal.
 *  - audit rows older than `retention.audit`, and expired login sessions.
 *
 * Big backlogs are deleted in batches with a yield between them, so ingest keeps flowing.
 */
import type { Logger } from 'pino';
import type { Db } from '../../pipeline/journal/index.js';
import type { Clock } from '../clock/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { ReferenceData } from '../reference/index.js';
import type { AuditLog } from './audit.js';

export interface PurgeCounts {
  journal: number;
  members: number;
  facts: number;
  alerts: number;
  invitations: number;
  rejected: number;
  audit: number;
  sessions: number;
}

const noneYet = (): PurgeCounts => ({
  journal: 0,
  members: 0,
  facts: 0,
  alerts: 0,
  invitations: 0,
  rejected: 0,
  audit: 0,
  sessions: 0,
});

export interface RetentionDeps {
  readonly config: GatewayConfig;
  readonly db: Db;
  readonly clock: Clock;
  readonly reference: ReferenceData;
  readonly audit: AuditLog;
  readonly purgeSessions: () => number;
  readonly log: Logger;
  /** How often (real time) to look whether a day passed on the gateway's clock. */
  readonly checkEveryMs?: number;
}

const DAY_MS = 86_400_000;
const BATCH = 5000;
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PurgeCounts> | undefined;
  private lastRunAt: number | undefined;
  private stopped = false;
  /** Totals since start, for status and tests. */
  readonly totals: PurgeCounts = noneYet();

  constructor(private readonly deps: RetentionDeps) {}

  start(): void {
    this.kick();
    this.timer = setInterval(() => {
      const now = this.deps.clock.now();
      if (this.lastRunAt === undefined || now - this.lastRunAt >= DAY_MS || now < this.lastRunAt) this.kick();
    }, this.deps.checkEveryMs ?? 60_000);
    this.timer.unref();
  }

  /** Waits for a purge in progress, then runs no more. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One purge now (or the one already running). */
  purge(): Promise<PurgeCounts> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private kick(): void {
    this.purge().catch((err: unknown) =>
      this.deps.log.error({ component: 'retention', err }, 'retention purge failed; next try in a day'),
    );
  }

  private async run(): Promise<PurgeCounts> {
    const { db, clock, config } = this.deps;
    const now = clock.now();
    this.lastRunAt = now;
    const counts = noneYet();

    const progress = db.prepare('SELECT snapshot_seq AS snapshotSeq FROM progress WHERE id = 1').get() as
      | { snapshotSeq: number | null }
      | undefined;
    const snapshotSeq = progress?.snapshotSeq ?? 0;
    const deleteJournal = db.prepare(
      'DELETE FROM journal WHERE seq IN (SELECT seq FROM journal WHERE rx_ts < ? AND seq < ? ORDER BY seq LIMIT ?)',
    );
    const journalCutoff = now - config.retention.journalMs;
    while (!this.stopped && snapshotSeq > 0) {
      const { changes } = deleteJournal.run(journalCutoff, snapshotSeq, BATCH);
      counts.journal += changes;
      if (changes < BATCH) break;
      await yieldToIo();
    }

    const memberCutoff = now - config.retention.membersMs;
    const stale = (
      db
        .prepare(
          `SELECT m.id FROM members m WHERE m.updated < ?
             AND NOT EXISTS (SELECT 1 FROM facts f WHERE f.member = m.id AND f.ts >= ?)`,
        )
        .all(memberCutoff, memberCutoff) as { id: string }[]
    ).map((r) => r.id);
    for (let i = 0; i < stale.length && !this.stopped; i += 500) {
      counts.members += this.deps.reference.deleteMembers(stale.slice(i, i + 500), { secure: true });
      await yieldToIo();
    }

    await this.purgeRecords(journalCutoff, memberCutoff, counts);

    if (!this.stopped) {
      counts.audit = this.deps.audit.purgeOlderThan(now - config.retention.auditMs);
      counts.sessions = this.deps.purgeSessions();
      if (counts.members > 0) {
        this.deps.audit.append({
          user: 'retention',
          role: 'system',
          action: 'members.erase',
          target: `${counts.members} members not seen since ${new Date(memberCutoff).toISOString()}`,
          address: 'local',
        });
      }
    }
    for (const key of Object.keys(counts) as (keyof PurgeCounts)[]) this.totals[key] += counts[key];
    this.deps.log.info(
      { component: 'retention', ...counts, journalBefore: new Date(journalCutoff).toISOString(), snapshotSeq },
      'retention purge done',
    );
    return counts;
  }

  /** Facts, alerts, invitations and rejected inputs past their retention, in batches. */
  private async purgeRecords(journalCutoff: number, memberCutoff: number, counts: PurgeCounts): Promise<void> {
    const { db } = this.deps;
    const batches = async (what: keyof PurgeCounts, statement: string, ...params: unknown[]) => {
      const stmt = db.prepare(statement);
      while (!this.stopped) {
        const { changes } = stmt.run(...params, BATCH);
        counts[what] += changes;
        if (changes < BATCH) return;
        await yieldToIo();
      }
    };
    // Per type, so each delete walks the (type, ts) index; the types come by index seeks.
    const types = db
      .prepare(
        `WITH RECURSIVE t(type) AS (
           SELECT MIN(type) FROM facts
           UNION ALL SELECT (SELECT MIN(type) FROM facts WHERE type > t.type) FROM t WHERE t.type IS NOT NULL)
         SELECT type FROM t WHERE type IS NOT NULL`,
      )
      .pluck()
      .all() as string[];
    const older = Math.max(journalCutoff, memberCutoff);
    for (const type of types) {
      await batches(
        'facts',
        `DELETE FROM facts WHERE id IN (SELECT id FROM facts WHERE type = ? AND ts < ?
           AND ((member IS NULL AND ts < ?) OR (member IS NOT NULL AND ts < ?)) LIMIT ?)`,
        type,
        older,
        journalCutoff,
        memberCutoff,
      );
    }
    await batches(
      'alerts',
      'DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE ts < ? LIMIT ?)',
      memberCutoff,
    );
    await batches(
      'invitations',
      'DELETE FROM invitations WHERE id IN (SELECT id FROM invitations WHERE ts < ? LIMIT ?)',
      memberCutoff,
    );
    await batches(
      'rejected',
      'DELETE FROM rejected WHERE id IN (SELECT id FROM rejected WHERE rx_ts < ? LIMIT ?)',
      journalCutoff,
    );
  }
}
