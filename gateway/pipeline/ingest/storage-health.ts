/**
 * Storage health: what the gateway does when a journal commit fails (disk full, database
 * locked by another process, I/O error). Failed inputs are not acknowledged, so MQTT
 * publishers keep them and resend; this tracks the outage so that it is logged once (not
 * once per retried message), counted in /metrics and reported by /readyz until an input
 * is durable again.
 */
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../../infra/metrics/index.js';

/** SQLite result codes that mean "retry soon": another connection holds the lock. */
const TRANSIENT_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_LOCKED']);

/** What an operator should read for each failure class. */
const EXPLANATIONS: Readonly<Record<string, string>> = {
  SQLITE_FULL: 'disk full (or the database reached GW_DB_MAX_PAGES): free space in the data directory',
  SQLITE_BUSY: 'the database is locked by another process',
  SQLITE_LOCKED: 'the database is locked',
  SQLITE_IOERR: 'I/O error writing the database: check the disk',
  SQLITE_READONLY: 'the database file is read-only: check permissions of the data directory',
  SQLITE_CORRUPT: 'the database file is corrupt: restore it from a backup',
  SQLITE_CANTOPEN: 'the database file cannot be opened: check the data directory',
};

/** The SQLite result code of an error or of its causes ('UNKNOWN' when none). */
export function storageErrorCode(err: unknown): string {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  }
  return 'UNKNOWN';
}

/** Whether a failed commit is worth retrying in place (a lock), not failing its inputs. */
export function isTransientStorageError(err: unknown): boolean {
  return TRANSIENT_CODES.has(storageErrorCode(err));
}

function explain(code: string): string {
  return EXPLANATIONS[code] ?? EXPLANATIONS[code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1')] ?? 'storage failure';
}

interface Outage {
  readonly code: string;
  readonly since: number;
  failures: number;
}

export class StorageHealth {
  private outage: Outage | undefined;

  constructor(
    private readonly log: Logger,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** A commit failed (`retrying`: its inputs are kept and retried, not failed). */
  failed(err: unknown, retrying: boolean): void {
    const code = storageErrorCode(err);
    this.metrics.storageFailures.inc({ code });
    if (this.outage && this.outage.code === code) {
      this.outage.failures++;
      return;
    }
    // One error line per outage (and per change of cause), not one per retried message.
    // Real time, not the gateway clock: this is for the operator, and a virtual clock may run fast.
    this.outage = { code, since: Date.now(), failures: 1 };
    this.metrics.storageFailing.set(1);
    this.log.error(
      { component: 'storage', code, retrying, err },
      `journal commit failed: ${explain(code)}; device messages are not acknowledged until it commits again`,
    );
  }

  /** An input was committed: storage works again. */
  committed(): void {
    const outage = this.outage;
    if (!outage) return;
    this.outage = undefined;
    this.metrics.storageFailing.set(0);
    this.log.warn(
      { component: 'storage', code: outage.code, failures: outage.failures, downMs: Date.now() - outage.since },
      'journal commits succeed again; acknowledging device messages',
    );
  }

  /** For /readyz: undefined when storage works. */
  notReadyReason(): string | undefined {
    const outage = this.outage;
    if (!outage) return undefined;
    return `storage failing since ${new Date(outage.since).toISOString()}: ${explain(outage.code)} (${outage.code})`;
  }
}
