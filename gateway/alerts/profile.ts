/**
 * What staff see when a VIP walks in (DESIGN "Staff"): name, tier, sizes, last visit,
 * recent purchases, items tried but not bought on the last visit, the open invitation.
 * Built from the store's own copy of the roster and its facts; stays in the store.
 */
import type { TransactionFact, VipArrivalFact } from '../correlate/index.js';
import type { Db } from '../journal/index.js';
import type { ReferenceData } from '../reference/index.js';

export interface VipProfile {
  readonly member: string;
  readonly name: string | null;
  readonly tier: number;
  readonly sizes: unknown;
  readonly brands: readonly string[];
  readonly notes: string | null;
  readonly lastVisit: number | null;
  readonly recentPurchases: readonly { receipt: string; ts: number; units: number; revenue: number }[];
  /** Garments tried in fitting-room sessions during the member's last visit and not bought since. */
  readonly triedNotBought: readonly { epc: string; gtin?: string; sku?: string; name?: string; size?: string }[];
  readonly invitation: { id: string; campaign: string; staff: string; channel: string; ts: number } | null;
}

export class ProfileBuilder {
  private readonly lastArrival;
  private readonly lastDeparture;
  private readonly purchases;
  private readonly triedBetween;
  private readonly boughtSince;
  private readonly invitation;

  constructor(
    db: Db,
    private readonly reference: ReferenceData,
  ) {
    this.lastArrival = db.prepare(
      "SELECT ts FROM facts WHERE member = ? AND type = 'vip.arrival' AND ts < ? ORDER BY ts DESC LIMIT 1",
    );
    this.lastDeparture = db.prepare(
      "SELECT ts FROM facts WHERE member = ? AND type = 'vip.departure' AND ts >= ? ORDER BY ts LIMIT 1",
    );
    this.purchases = db.prepare(
      "SELECT body FROM facts WHERE member = ? AND type = 'transaction' ORDER BY ts DESC LIMIT 5",
    );
    this.triedBetween = db.prepare("SELECT body FROM facts WHERE type = 'item.tried' AND ts >= ? AND ts <= ? LIMIT 50");
    this.boughtSince = db.prepare(
      "SELECT json_extract(body, '$.epc') AS epc FROM facts WHERE type = 'tried.bought' AND ts >= ?",
    );
    this.invitation = db.prepare('SELECT id, campaign, staff, channel, ts FROM invitations WHERE id = ?');
  }

  build(fact: VipArrivalFact): VipProfile {
    const member = this.reference.memberById(fact.member);
    const previous = this.lastArrival.get(fact.member, fact.ts) as { ts: number } | undefined;
    const left = previous
      ? (this.lastDeparture.get(fact.member, previous.ts) as { ts: number } | undefined)
      : undefined;
    const purchases = (this.purchases.all(fact.member) as { body: string }[]).map((r) => {
      const t = JSON.parse(r.body) as TransactionFact;
      return { receipt: t.receipt, ts: t.ts, units: t.units, revenue: t.revenue };
    });
    let triedNotBought: VipProfile['triedNotBought'] = [];
    if (previous) {
      const until = left?.ts ?? previous.ts + 2 * 3_600_000;
      const bought = new Set((this.boughtSince.all(previous.ts) as { epc: string }[]).map((r) => r.epc));
      triedNotBought = (this.triedBetween.all(previous.ts, until) as { body: string }[])
        .map((r) => JSON.parse(r.body) as { epc: string; gtin?: string; sku?: string; size?: string })
        .filter((item) => !bought.has(item.epc))
        .slice(0, 10)
        .map((item) => {
          const product = item.gtin ? this.reference.productByGtin(item.gtin) : undefined;
          return {
            epc: item.epc,
            ...(item.gtin ? { gtin: item.gtin } : {}),
            ...(item.sku ? { sku: item.sku } : {}),
            ...(product ? { name: product.name } : {}),
            ...(item.size ? { size: item.size } : {}),
          };
        });
    }
    const invitation = fact.invitationId
      ? ((this.invitation.get(fact.invitationId) as VipProfile['invitation'] | undefined) ?? null)
      : null;
    return {
      member: fact.member,
      name: member?.name ?? null,
      tier: fact.tier,
      sizes: member?.sizes ?? null,
      brands: member?.brands ?? [],
      notes: member?.notes ?? null,
      lastVisit: previous?.ts ?? null,
      recentPurchases: purchases,
      triedNotBought,
      invitation,
    };
  }
}
