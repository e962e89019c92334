/**
 * Facts: what correlation concludes. Each has a `type` and `ts`, the time it counts at
 * (DESIGN: "each fact counts in the bucket of its own time"): a visitor at its `in`
 * crossing, a session and its items at the session start, a transaction and its
 * tried→bought items at the receipt time. A fact's `ts` never depends on when ticks came.
 */

/** Visitors: `in` crossings at an entrance that were not excused by a staff badge. */
export interface VisitorFact {
  readonly type: 'visitor';
  readonly ts: number;
  readonly door: string;
  readonly zone: string;
  readonly n: number;
}

/** `in` crossings at an entrance excused by a staff badge (not visitors; kept for audit). */
export interface StaffInFact {
  readonly type: 'staff.in';
  readonly ts: number;
  readonly door: string;
  readonly zone: string;
  readonly n: number;
}

/**
 * A staff badge read at an entrance (a tag.seen of a configured badge, or member.seen via
 * `staff`): the staffing view derives who is on the floor from the set of these
 * (gateway/read/views/staffing.ts). `ts`..`lastTs` is the read's first and last second.
 */
export interface StaffBadgeFact {
  readonly type: 'staff.badge';
  readonly ts: number;
  readonly lastTs: number;
  readonly zone: string;
  readonly badge: string;
}

export interface ExitFact {
  readonly type: 'exit';
  readonly ts: number;
  readonly door: string;
  readonly zone: string;
  readonly n: number;
}

/** Crossings (either direction) of a counter in an `outside` zone. */
export interface PasserByFact {
  readonly type: 'passerby';
  readonly ts: number;
  readonly door: string;
  readonly zone: string;
  readonly n: number;
}

/**
 * Occupancy × time over one 15-minute bucket (person·ms), for Little's law: estimated dwell
 * = Σ personMs ÷ Σ visitors over any period. `ts` is the bucket start.
 */
export interface OccupancyFact {
  readonly type: 'occupancy';
  readonly ts: number;
  readonly personMs: number;
}

/** A door counter restarted (new boot id, or a total went down): its totals start from 0 again. */
export interface CounterRestartFact {
  readonly type: 'counter.restart';
  readonly ts: number;
  readonly device: string;
  readonly door: string;
  readonly boot: string;
  readonly reason: 'boot' | 'decrease';
}

export interface SessionItem {
  readonly epc: string;
  readonly gtin?: string;
  readonly sku?: string;
  readonly style?: string;
  readonly size?: string;
  /** lastSeen − firstSeen of this garment in the session. */
  readonly dwellMs: number;
  /** dwell ≥ minDwell: a tried item. */
  readonly tried: boolean;
}

/**
 * A fitting-room session in three steps: started (first garment), counted (some garment
 * stayed ≥ minDwell: this is the try-on session of the funnel), ended (no garment for
 * leaveAfter; `end` is the last sighting). `ts` is always the session start.
 */
export interface SessionFact {
  readonly type: 'session.started' | 'session.counted' | 'session.ended';
  readonly ts: number;
  /** `${room}@${start}`: stable across the three facts. */
  readonly session: string;
  readonly room: string;
  readonly start: number;
  /** Last garment sighting so far (the session end in session.ended). */
  readonly end: number;
  readonly counted: boolean;
  readonly items: readonly SessionItem[];
  /** Two sizes of one style among the session's garments. */
  readonly sizeSwap: boolean;
  /**
   * Members tied to the session (their card or app credential seen in the room in
   * [start − leaveAfter, end]; see rooms.ts), sorted; absent when none. In session.ended
   * it is final.
   */
  readonly members?: readonly string[];
}

/** A garment whose own dwell in a session reached minDwell. `ts` is the session start. */
export interface ItemTriedFact {
  readonly type: 'item.tried';
  readonly ts: number;
  readonly session: string;
  readonly room: string;
  readonly epc: string;
  readonly gtin?: string;
  readonly sku?: string;
  readonly style?: string;
  readonly size?: string;
  /** When the garment was first seen in the session. */
  readonly firstSeen: number;
}

/** A receipt line as sent (ids present ones only), for screens that list what was bought. */
export interface ReceiptLineFact {
  readonly epc?: string;
  readonly gtin?: string;
  readonly sku?: string;
  readonly qty: number;
  readonly price: number;
}

export interface TransactionFact {
  readonly type: 'transaction';
  readonly ts: number;
  readonly receipt: string;
  readonly device: string;
  readonly units: number;
  /** The receipt total, as sent (not rounded here). */
  readonly revenue: number;
  readonly currency: string;
  readonly member?: string;
  /** What was sold (facts written before this field existed have none). */
  readonly lines?: readonly ReceiptLineFact[];
}

/** A refund or void: negative units and revenue; not a transaction. */
export interface AdjustmentFact {
  readonly type: 'adjustment';
  readonly ts: number;
  readonly receipt: string;
  readonly device: string;
  readonly kind: 'refund' | 'void';
  readonly units: number;
  readonly revenue: number;
  readonly currency: string;
  readonly member?: string;
}

/**
 * A receipt that counts nothing (DESIGN "Receipts": keyed by (till, receipt number), a
 * refund or void applies once): `duplicate` = the same (till, number, kind) again within
 * 48 h; `already-adjusted` = a refund or void of a (till, number) that was already refunded
 * or voided (`adjustedBy`) within 30 days. Counted in metrics, never in the funnel.
 */
export interface ReceiptIgnoredFact {
  readonly type: 'receipt.ignored';
  readonly ts: number;
  readonly receipt: string;
  readonly device: string;
  readonly kind: 'sale' | 'refund' | 'void';
  readonly reason: 'duplicate' | 'already-adjusted';
  readonly adjustedBy?: 'refund' | 'void';
}

/** A tried item bought within conversionWindow after its session ended. `ts` is the receipt time. */
export interface TriedBoughtFact {
  readonly type: 'tried.bought';
  readonly ts: number;
  readonly receipt: string;
  readonly epc: string;
  readonly gtin?: string;
  readonly sku?: string;
  readonly style?: string;
  readonly size?: string;
  readonly room: string;
  readonly session: string;
  readonly sessionEnd: number;
  /** Which key matched the sale line: the tag itself, its GTIN, or its SKU. */
  readonly matchedBy: 'epc' | 'gtin' | 'sku';
}

export interface VipArrivalFact {
  readonly type: 'vip.arrival';
  readonly ts: number;
  readonly member: string;
  readonly tier: number;
  readonly zone: string;
  /** How the member was recognised: an RFID card read, or member.seen's `via`. */
  readonly via: 'card' | 'app' | 'wifi';
  /** The member's open invitation, when there is one. */
  readonly invitationId?: string;
}

/**
 * A VIP is no longer counted in store: seen leaving at an entrance, not seen for the
 * presence timeout, or the door counters say the store is empty (occupancy reached 0).
 */
export interface VipDepartureFact {
  readonly type: 'vip.departure';
  /** The exit sighting, the last sighting on timeout, or the crossing that emptied the store. */
  readonly ts: number;
  readonly member: string;
  readonly tier: number;
  readonly since: number;
  readonly reason: 'exit' | 'timeout' | 'empty';
}

/** A garment of a session as a staff card lists it. */
export interface AssistItem {
  readonly epc: string;
  readonly gtin?: string;
  readonly sku?: string;
  readonly style?: string;
  readonly size?: string;
}

/**
 * A fitting-room session needs staff (one per session, whichever comes first): it is still
 * open `assistAfter` after its start (`long`), or one style is in it in two sizes
 * (`size-swap`). `ts` is when the need arose in event time (start + assistAfter, or when
 * the second size was first seen), so a flushed reader gives the same fact, only late.
 */
export interface AssistNeededFact {
  readonly type: 'assist.needed';
  readonly ts: number;
  readonly session: string;
  readonly room: string;
  readonly start: number;
  readonly reason: 'long' | 'size-swap';
  /** size-swap: the style seen in several sizes, and those sizes in the order first seen. */
  readonly style?: string;
  readonly sizes?: readonly string[];
  /** The session's garments when the need arose, in the order first seen. */
  readonly items: readonly AssistItem[];
}

interface InvitationRef {
  readonly invitation: string;
  readonly member: string;
  readonly staff: string;
  readonly channel: string;
  readonly campaign: string;
  readonly invitedAt: number;
}

/**
 * One attributed outcome of an invitation (last touch: the member's most recent invitation
 * whose window holds the outcome). `ts` is the time of the outcome itself.
 */
export interface InvitationOutcomeFact extends InvitationRef {
  readonly type: 'invitation.outcome';
  readonly ts: number;
  readonly outcome: 'arrived' | 'tried' | 'bought' | 'refunded';
  /** First outcome of this kind for the invitation (arrived/tried are only ever first). */
  readonly first: boolean;
  /** Always `credential` now; `session` (a session overlapping the visit) only in old facts. */
  readonly triedBy?: 'credential' | 'session';
  readonly receipt?: string;
  /** Receipt total: positive for bought, negative for refunded. */
  readonly revenue?: number;
}

/** An invitation's window closed: its final outcome. `ts` is the close (invitedAt + window). */
export interface InvitationClosedFact extends InvitationRef {
  readonly type: 'invitation.closed';
  readonly ts: number;
  readonly arrived: boolean;
  readonly tried: boolean;
  readonly purchases: number;
  readonly revenue: number;
}

export type Fact =
  | VisitorFact
  | StaffInFact
  | StaffBadgeFact
  | ExitFact
  | PasserByFact
  | OccupancyFact
  | CounterRestartFact
  | SessionFact
  | ItemTriedFact
  | AssistNeededFact
  | TransactionFact
  | AdjustmentFact
  | ReceiptIgnoredFact
  | TriedBoughtFact
  | VipArrivalFact
  | VipDepartureFact
  | InvitationOutcomeFact
  | InvitationClosedFact;

export type FactType = Fact['type'];
