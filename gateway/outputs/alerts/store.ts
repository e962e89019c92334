/**
 * VIP alerts as staff see them: the arrival, the profile at that moment, and who said
 * "I'm on it". Written in the derivation's transaction, so an alert on screen is durable.
 *
 * An arrival older than `alerts.maxAge` when it is derived (a flushed reader buffer, a
 * replayed day) is kept with `late: true` and never pushed. When late input recomputes
 * derived state (gateway/pipeline/derive), alerts are taken back and derived again: the same
 * arrival keeps its row, its ack and its push; an arrival that is no longer derived goes,
 * and if staff already got it (pushed) or took it (acked), the visit's alert as derived
 * now (same member within realertAfter) takes over that push and ack. Only a pushed or
 * acked alert with no such successor stays as it was.
 */

import type { ReferenceData } from '../../infra/reference/index.js';
import type { Fact, VipArrivalFact } from '../../pipeline/correlate/index.js';
import type { Db } from '../../pipeline/journal/index.js';
import { alertLife, RETRACTED } from './alert-life.js';
import { ProfileBuilder, type VipProfile } from './profile.js';

export interface VipAlert {
  readonly id: string;
  readonly type: 'vip.arrival';
  readonly ts: number;
  readonly member: string;
  readonly zone: string;
  readonly via: string;
  readonly profile: VipProfile;
  /** `by`: the sign-in name; `name`: the person's display name (the sign-in name when it has none). */
  readonly ack: { readonly by: string; readonly name: string; readonly at: number } | null;
  /** Older than alerts.maxAge when derived: recorded, not pushed to phones. */
  readonly late: boolean;
  /** When it was pushed to phones (MQTT, SSE, webhook); null if never. */
  readonly pushedAt: number | null;
}

interface AlertRow {
  id: string;
  body: string;
  acked_by: string | null;
  acked_by_name: string | null;
  acked_at: number | null;
  late: number;
  pushed_at: number | null;
}

interface RetractedRow {
  id: string;
  ts: number;
  member: string;
  pushed_at: number | null;
  acked_by: string | null;
  acked_by_name: string | null;
  acked_at: number | null;
}

export function alertId(fact: VipArrivalFact): string {
  return `${fact.member}@${fact.ts}`;
}

export class AlertStore {
  private readonly profiles: ProfileBuilder;
  private readonly insert;
  private readonly selectOne;
  private readonly selectRange;
  private readonly scrub;

  private readonly life;
  private readonly exists;
  private readonly selectRetractedHandled;
  private readonly selectSameVisit;
  private readonly selectPushedNear;

  constructor(
    db: Db,
    reference: ReferenceData,
    private readonly timing: { readonly now: () => number; readonly maxAgeMs: number; readonly realertAfterMs: number },
  ) {
    this.profiles = new ProfileBuilder(db, reference);
    this.insert = db.prepare('INSERT INTO alerts (id, ts, member, body, epoch, late) VALUES (?, ?, ?, ?, ?, ?)');
    this.life = alertLife(db, 'alerts');
    this.exists = db.prepare('SELECT 1 FROM alerts WHERE id = ?').pluck();
    this.selectRetractedHandled = db.prepare(
      `SELECT id, ts, member, pushed_at, acked_by, acked_by_name, acked_at FROM alerts
       WHERE epoch = ${RETRACTED} AND (pushed_at IS NOT NULL OR acked_by IS NOT NULL)`,
    );
    this.selectSameVisit = db
      .prepare(
        `SELECT id FROM alerts WHERE member = ? AND epoch != ${RETRACTED} AND ts > ? AND ts < ?
         ORDER BY abs(ts - ?) LIMIT 1`,
      )
      .pluck();
    this.selectPushedNear = db
      .prepare('SELECT 1 FROM alerts WHERE member = ? AND id != ? AND pushed_at IS NOT NULL AND ts > ? AND ts < ?')
      .pluck();
    const columns = 'id, body, acked_by, acked_by_name, acked_at, late, pushed_at';
    this.selectOne = db.prepare(`SELECT ${columns} FROM alerts WHERE id = ?`);
    this.selectRange = db.prepare(`SELECT ${columns} FROM alerts WHERE ts >= ? AND ts < ? ORDER BY ts DESC LIMIT ?`);
    this.scrub = db.prepare(
      "UPDATE alerts SET body = json_set(body, '$.profile', json_object('member', member, 'erased', json('true'))) WHERE member = ?",
    );
  }

  /**
   * Records the alerts among `facts`; returns how many new ones were late. Call inside the
   * derivation's transaction.
   */
  record(facts: readonly Fact[], epoch = 0): number {
    let lateCount = 0;
    for (const fact of facts) {
      if (fact.type !== 'vip.arrival') continue;
      const id = alertId(fact);
      if (this.exists.get(id) !== undefined) {
        this.life.rederived.run(epoch, id);
        continue;
      }
      const body = {
        id: alertId(fact),
        type: fact.type,
        ts: fact.ts,
        member: fact.member,
        zone: fact.zone,
        via: fact.via,
        profile: this.profiles.build(fact),
      };
      const late = this.timing.now() - fact.ts > this.timing.maxAgeMs;
      this.insert.run(id, fact.ts, fact.member, JSON.stringify(body), epoch, late ? 1 : 0);
      if (late) lateCount++;
    }
    return lateCount;
  }

  /** A rewind takes back the alerts epochs ≥ `fromEpoch` derived (see the file comment). */
  retract(fromEpoch: number): void {
    this.life.retractFrom.run(fromEpoch);
  }

  /** After the rewind: alerts no longer derived go, unless pushed or acknowledged. */
  afterRewind(): void {
    // Staff got (or took) an alert whose arrival moved (an earlier read came late): the
    // visit's alert as derived now carries that push and ack, and the old row goes.
    const r = this.timing.realertAfterMs;
    for (const old of this.selectRetractedHandled.all() as RetractedRow[]) {
      const current = this.selectSameVisit.get(old.member, old.ts - r, old.ts + r, old.ts) as string | undefined;
      if (current === undefined) continue;
      this.life.inherit.run(old.pushed_at, old.pushed_at, old.acked_by_name, old.acked_by, old.acked_at, current);
      this.life.deleteOne.run(old.id);
    }
    this.life.dropRetracted.run();
  }

  /**
   * Whether to push this alert to phones now: derived in time (not late), not pushed yet,
   * and no other alert of the member pushed within `realertAfterMs` of it (event time).
   * Marks it pushed when so.
   */
  claimPush(alert: VipAlert, realertAfterMs: number): boolean {
    if (alert.late || alert.pushedAt !== null) return false;
    const near = this.selectPushedNear.get(
      alert.member,
      alert.id,
      alert.ts - realertAfterMs,
      alert.ts + realertAfterMs,
    );
    if (near !== undefined) return false;
    return this.life.markPushed.run(this.timing.now(), alert.id).changes === 1;
  }

  get(id: string): VipAlert | undefined {
    const row = this.selectOne.get(id) as AlertRow | undefined;
    return row ? toAlert(row) : undefined;
  }

  list(from: number, to: number, limit: number): VipAlert[] {
    return (this.selectRange.all(from, to, limit) as AlertRow[]).map(toAlert);
  }

  /** Removes erased members' personal data from their alerts; the alert itself (a count) stays. */
  erase(members: readonly string[]): void {
    for (const member of members) this.scrub.run(member);
  }

  /**
   * The first acknowledgement wins; later ones return the alert as it is. `staff` is the
   * sign-in name, `name` the person's display name (omitted: the sign-in name).
   */
  ack(id: string, staff: string, at: number, name?: string): VipAlert | undefined {
    this.life.ack.run(staff, name ?? null, at, id);
    return this.get(id);
  }
}

function toAlert(row: AlertRow): VipAlert {
  const body = JSON.parse(row.body) as Omit<VipAlert, 'ack' | 'late' | 'pushedAt'>;
  return {
    ...body,
    ack:
      row.acked_by === null
        ? null
        : { by: row.acked_by, name: row.acked_by_name ?? row.acked_by, at: row.acked_at ?? 0 },
    late: row.late === 1,
    pushedAt: row.pushed_at,
  };
}
