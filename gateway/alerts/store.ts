/**
 * VIP alerts as staff see them: the arrival, the profile at that moment, and who said
 * "I'm on it". Written in the derivation's transaction, so an alert on screen is durable.
 */
import type { Fact, VipArrivalFact } from '../correlate/index.js';
import type { Db } from '../journal/index.js';
import type { ReferenceData } from '../reference/index.js';
import { ProfileBuilder, type VipProfile } from './profile.js';

export interface VipAlert {
  readonly id: string;
  readonly type: 'vip.arrival';
  readonly ts: number;
  readonly member: string;
  readonly zone: string;
  readonly via: string;
  readonly profile: VipProfile;
  readonly ack: { readonly by: string; readonly at: number } | null;
}

interface AlertRow {
  id: string;
  body: string;
  acked_by: string | null;
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
  private readonly ackStmt;
  private readonly scrub;

  constructor(db: Db, reference: ReferenceData) {
    this.profiles = new ProfileBuilder(db, reference);
    this.insert = db.prepare('INSERT OR IGNORE INTO alerts (id, ts, member, body) VALUES (?, ?, ?, ?)');
    this.selectOne = db.prepare('SELECT id, body, acked_by, acked_at FROM alerts WHERE id = ?');
    this.selectRange = db.prepare(
      'SELECT id, body, acked_by, acked_at FROM alerts WHERE ts >= ? AND ts < ? ORDER BY ts DESC LIMIT ?',
    );
    this.scrub = db.prepare(
      "UPDATE alerts SET body = json_set(body, '$.profile', json_object('member', member, 'erased', json('true'))) WHERE member = ?",
    );
    this.ackStmt = db.prepare('UPDATE alerts SET acked_by = ?, acked_at = ? WHERE id = ? AND acked_by IS NULL');
  }

  /** Records the alerts among `facts`. Call inside the derivation's transaction. */
  record(facts: readonly Fact[]): void {
    for (const fact of facts) {
      if (fact.type !== 'vip.arrival') continue;
      const body = {
        id: alertId(fact),
        type: fact.type,
        ts: fact.ts,
        member: fact.member,
        zone: fact.zone,
        via: fact.via,
        profile: this.profiles.build(fact),
      };
      this.insert.run(body.id, fact.ts, fact.member, JSON.stringify(body));
    }
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

  /** The first acknowledgement wins; later ones return the alert as it is. */
  ack(id: string, staff: string, at: number): VipAlert | undefined {
    this.ackStmt.run(staff, at, id);
    return this.get(id);
  }
}

function toAlert(row: AlertRow): VipAlert {
  const body = JSON.parse(row.body) as Omit<VipAlert, 'ack'>;
  return { ...body, ack: row.acked_by === null ? null : { by: row.acked_by, at: row.acked_at ?? 0 } };
}
