/**
 * The PII audit log: who viewed, exported, imported or erased member data, when, from where.
 * Repeated views of the same thing by the same user are coalesced (one row per window), so a
 * dashboard polling /live every few seconds writes one row per quarter hour, not thousands.
 */

import type { Db } from '../../pipeline/journal/index.js';
import type { Clock } from '../clock/index.js';
import type { Role } from './roles.js';

export interface AuditEntry {
  readonly ts: number;
  readonly user: string;
  readonly role: Role | 'system';
  readonly action: string;
  readonly target: string;
  readonly address: string;
}

const COALESCE_MS = 15 * 60_000;
const MAX_TARGET = 512;

export class AuditLog {
  private readonly insert;
  private readonly selectRange;
  private readonly removeOlder;
  private readonly lastWritten = new Map<string, number>();

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.insert = db.prepare('INSERT INTO audit (ts, user, role, action, target, address) VALUES (?, ?, ?, ?, ?, ?)');
    this.selectRange = db.prepare(
      'SELECT ts, user, role, action, target, address FROM audit WHERE ts >= ? AND ts < ? ORDER BY ts, id LIMIT ?',
    );
    this.removeOlder = db.prepare('DELETE FROM audit WHERE ts < ?');
  }

  /** Appends a row; with `coalesce`, skips it when the same user did the same within the window. */
  append(entry: Omit<AuditEntry, 'ts'>, options: { coalesce?: boolean } = {}): void {
    const now = this.clock.now();
    const target = entry.target.slice(0, MAX_TARGET);
    if (options.coalesce) {
      const key = `${entry.user}\u0000${entry.action}\u0000${target}`;
      const last = this.lastWritten.get(key);
      if (last !== undefined && now - last < COALESCE_MS && now >= last) return;
      if (this.lastWritten.size > 10_000) this.lastWritten.clear();
      this.lastWritten.set(key, now);
    }
    this.insert.run(now, entry.user, entry.role, entry.action, target, entry.address);
  }

  list(from: number, to: number, limit: number): AuditEntry[] {
    return this.selectRange.all(from, to, limit) as AuditEntry[];
  }

  purgeOlderThan(ts: number): number {
    return this.removeOlder.run(ts).changes;
  }
}
