/** Derived facts of one type over a period, oldest first: what the read side lists and counts. */
import type { Db } from '../../pipeline/journal/index.js';

export class FactReader {
  private readonly ofType;

  constructor(db: Db) {
    this.ofType = db.prepare('SELECT body FROM facts WHERE type = ? AND ts >= ? AND ts < ? ORDER BY ts');
  }

  /** Facts of `type` with from <= ts < to. The caller names the fact shape its type has. */
  read<T>(type: string, from: number, to: number): T[] {
    return (this.ofType.all(type, from, to) as { body: string }[]).map((r) => JSON.parse(r.body) as T);
  }
}
