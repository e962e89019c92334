/**
 * What staff see when a VIP walks in (DESIGN "Staff"): name, tier, sizes, last visit,
 * recent purchases, items tried but not bought on the last visit, the open invitation.
 * Built from the store's own copy of the roster and its facts; stays in the store.
 */
import { gtinFromEpc } from '../../../protocols/index.js';
import type { Member, Product, ReferenceData } from '../../infra/reference/index.js';
import type {
  ReceiptLineFact,
  SessionFact,
  SessionItem,
  TransactionFact,
  VipArrivalFact,
} from '../../pipeline/correlate/index.js';
import type { Db } from '../../pipeline/journal/index.js';

/** One line of a purchase, named from the catalog when the line's EPC, GTIN or SKU is in it. */
export interface PurchasedItem {
  readonly name?: string;
  readonly sku?: string;
  readonly size?: string;
  readonly color?: string;
  readonly qty: number;
  readonly price: number;
}

export interface VipProfile {
  readonly member: string;
  readonly name: string | null;
  readonly tier: number;
  readonly sizes: NonNullable<Member['sizes']> | null;
  readonly brands: readonly string[];
  readonly notes: string | null;
  readonly lastVisit: number | null;
  /** The member's last 5 sales before this arrival, newest first, with what was bought. */
  readonly recentPurchases: readonly {
    receipt: string;
    ts: number;
    units: number;
    revenue: number;
    items: readonly PurchasedItem[];
  }[];
  /**
   * Garments the member tried on their last visit and has not bought since: tried items of
   * the fitting-room sessions tied to them (their card or app credential seen in the room
   * during the session: session.ended `members`), never other customers' try-ons.
   */
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
    // Purchases and "bought since" before the arrival only: the card says what was known when
    // they walked in, the same however late the arrival or the receipts were derived.
    this.purchases = db.prepare(
      "SELECT body FROM facts WHERE member = ? AND type = 'transaction' AND ts < ? ORDER BY ts DESC LIMIT 5",
    );
    this.triedBetween = db.prepare(
      `SELECT body FROM facts WHERE type = 'session.ended' AND ts >= ? AND ts <= ?
         AND EXISTS (SELECT 1 FROM json_each(facts.body, '$.members') WHERE json_each.value = ?)
       ORDER BY ts LIMIT 50`,
    );
    this.boughtSince = db.prepare(
      "SELECT json_extract(body, '$.epc') AS epc FROM facts WHERE type = 'tried.bought' AND ts >= ? AND ts < ?",
    );
    // The card names the person who invited (display name), the sign-in name when none was recorded.
    this.invitation = db.prepare(
      'SELECT id, campaign, COALESCE(staff_name, staff) AS staff, channel, ts FROM invitations WHERE id = ?',
    );
  }

  build(fact: VipArrivalFact): VipProfile {
    const member = this.reference.memberById(fact.member);
    const previous = this.lastArrival.get(fact.member, fact.ts) as { ts: number } | undefined;
    const left = previous
      ? (this.lastDeparture.get(fact.member, previous.ts) as { ts: number } | undefined)
      : undefined;
    const purchases = (this.purchases.all(fact.member, fact.ts) as { body: string }[]).map((r) => {
      const t = JSON.parse(r.body) as TransactionFact;
      const items = (t.lines ?? []).map((line) => this.purchasedItem(line));
      return { receipt: t.receipt, ts: t.ts, units: t.units, revenue: t.revenue, items };
    });
    let triedNotBought: VipProfile['triedNotBought'] = [];
    if (previous) {
      const until = left?.ts ?? previous.ts + 2 * 3_600_000;
      const bought = new Set((this.boughtSince.all(previous.ts, fact.ts) as { epc: string }[]).map((r) => r.epc));
      // A garment tried in two of their sessions is listed once.
      const tried = new Map<string, SessionItem>();
      for (const r of this.triedBetween.all(previous.ts, until, fact.member) as { body: string }[]) {
        for (const item of (JSON.parse(r.body) as SessionFact).items) {
          if (item.tried && !bought.has(item.epc) && !tried.has(item.epc)) tried.set(item.epc, item);
        }
      }
      triedNotBought = [...tried.values()].slice(0, 10).map((item) => {
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

  private purchasedItem(line: ReceiptLineFact): PurchasedItem {
    const gtin = line.gtin ?? (line.epc === undefined ? undefined : gtinFromEpc(line.epc));
    const product: Product | undefined =
      (gtin === undefined ? undefined : this.reference.productByGtin(gtin)) ??
      (line.sku === undefined ? undefined : this.reference.productBySku(line.sku));
    const sku = product?.sku ?? line.sku;
    return {
      ...(product ? { name: product.name, size: product.size, color: product.color } : {}),
      ...(sku === undefined ? {} : { sku }),
      qty: line.qty,
      price: line.price,
    };
  }
}
