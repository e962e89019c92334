/**
 * The life an alert row shares with every kind of alert (VIP arrivals, fitting-room
 * assistance cards), as statements over its table: derived again by a later epoch, taken
 * back by a rewind (epoch RETRACTED), handed over to its successor (push and ack), dropped
 * when no longer derived and neither pushed nor acknowledged, claimed for a push once, and
 * acknowledged once (the first wins). Each table has `id`, `epoch`, `late`, `pushed_at`,
 * `acked_by` (the sign-in name), `acked_by_name` (the person's display name), `acked_at`.
 */
import type { Db } from '../../pipeline/journal/index.js';

/** Marks alerts a rewind took back until they are derived again. */
export const RETRACTED = -1;

export function alertLife(db: Db, table: 'alerts' | 'assist_alerts') {
  return {
    rederived: db.prepare(`UPDATE ${table} SET epoch = ? WHERE id = ?`),
    retractFrom: db.prepare(`UPDATE ${table} SET epoch = ${RETRACTED} WHERE epoch >= ?`),
    /** (pushed_at, pushed_at, acked_by_name, acked_by, acked_at, id of the successor) */
    inherit: db.prepare(
      `UPDATE ${table} SET pushed_at = COALESCE(pushed_at, ?), late = CASE WHEN ? IS NULL THEN late ELSE 0 END,
         acked_by_name = CASE WHEN acked_by IS NULL THEN ? ELSE acked_by_name END,
         acked_by = COALESCE(acked_by, ?), acked_at = COALESCE(acked_at, ?) WHERE id = ?`,
    ),
    deleteOne: db.prepare(`DELETE FROM ${table} WHERE id = ?`),
    dropRetracted: db.prepare(
      `DELETE FROM ${table} WHERE epoch = ${RETRACTED} AND pushed_at IS NULL AND acked_by IS NULL`,
    ),
    markPushed: db.prepare(`UPDATE ${table} SET pushed_at = ? WHERE id = ? AND pushed_at IS NULL`),
    /** (acked_by, acked_by_name, acked_at, id) */
    ack: db.prepare(
      `UPDATE ${table} SET acked_by = ?, acked_by_name = ?, acked_at = ? WHERE id = ? AND acked_by IS NULL`,
    ),
  };
}
