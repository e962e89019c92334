/**
 * The bounded `rejected` table: every refused input with its reason and (capped) raw bytes,
 * so an installer can see what a misbehaving device sent without the table growing forever.
 */
import type { RejectCode } from '../../../protocols/index.js';
import type { Db } from './db.js';

export interface RejectedInput {
  readonly rxTs: number;
  readonly device: string | undefined;
  /** Where it came from: an MQTT topic, "serial:<device>", "http:<route>". */
  readonly source: string;
  readonly code: RejectCode;
  readonly reason: string;
  readonly raw: Uint8Array | undefined;
}

export interface RejectedRow {
  readonly id: number;
  readonly rxTs: number;
  readonly device: string | null;
  readonly source: string;
  readonly code: string;
  readonly reason: string;
  readonly raw: Buffer | null;
}

const RAW_CAP_BYTES = 4096;

export class RejectedStore {
  private readonly insert;
  private readonly trim;

  constructor(
    private readonly db: Db,
    private readonly maxRows = 10_000,
  ) {
    this.insert = db.prepare(
      'INSERT INTO rejected (rx_ts, device, source, code, reason, raw) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.trim = db.prepare('DELETE FROM rejected WHERE id <= (SELECT MAX(id) FROM rejected) - ?');
  }

  /** Call inside a transaction. */
  add(r: RejectedInput): void {
    const raw = r.raw ? Buffer.from(r.raw.subarray(0, RAW_CAP_BYTES)) : null;
    this.insert.run(r.rxTs, r.device ?? null, r.source, r.code, r.reason.slice(0, 1000), raw);
  }

  /** Keeps the newest maxRows rows. Call inside a transaction, after adds. */
  enforceBound(): void {
    this.trim.run(this.maxRows);
  }

  list(limit = 100, device?: string): RejectedRow[] {
    const sql = device
      ? 'SELECT id, rx_ts AS rxTs, device, source, code, reason, raw FROM rejected WHERE device = ? ORDER BY id DESC LIMIT ?'
      : 'SELECT id, rx_ts AS rxTs, device, source, code, reason, raw FROM rejected ORDER BY id DESC LIMIT ?';
    const stmt = this.db.prepare(sql);
    return (device ? stmt.all(device, limit) : stmt.all(limit)) as RejectedRow[];
  }
}
