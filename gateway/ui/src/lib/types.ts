/**
 * The shapes of the gateway's API responses the pages read (DESIGN.md "HTTP API"). The
 * browser trusts its own gateway; these mirror gateway/views and gateway/api, and the
 * funnel shape is the wire contract in protocols/.
 */
import type { FunnelBucket, FunnelMetrics } from '../../../../protocols/funnel.js';

export type { FunnelBucket, FunnelMetrics };

export interface FunnelResult {
  readonly from: string;
  readonly to: string;
  readonly granularity: string;
  readonly buckets: readonly FunnelBucket[];
  readonly totals: FunnelMetrics;
}

/** A like-for-like comparison period as GET /funnel?compare=… answers it (gateway/views/compare.ts). */
export interface ComparisonPeriod {
  readonly rule:
    | 'sameWeekdayLastWeek'
    | 'previousWeek'
    | 'previousMonth'
    | 'previousDays'
    | 'sameWeekdayLastYear'
    | 'sameMonthLastYear';
  readonly fromDay: string;
  readonly toDay: string;
  readonly from: string;
  readonly to: string;
  readonly totals: FunnelMetrics;
}

export interface CompareResult extends FunnelResult {
  /** The running period's cut-off, or null for a finished period. */
  readonly asOf: string | null;
  readonly comparisons: { readonly previous?: ComparisonPeriod; readonly lastYear?: ComparisonPeriod };
}

export interface StoreInfo {
  readonly id: string;
  readonly name: string;
  readonly currency: string;
  readonly timezone: string;
  readonly locale: 'zh-CN' | 'en';
  readonly openingTime: string;
  /** Today by the gateway's clock, store-local, 'YYYY-MM-DD'. */
  readonly today: string;
  /** Campaign slug → its name in each language (config `campaigns`). */
  readonly campaigns?: Readonly<Record<string, { readonly en: string; readonly 'zh-CN': string }>>;
}

export interface LiveSnapshot {
  readonly at: string;
  readonly occupancy: number;
  readonly today: FunnelMetrics;
  readonly sameTimeLastWeek: FunnelMetrics;
  readonly fittingRooms: readonly { room: string; inUse: boolean; since: string | null; items: number }[];
  readonly vipsInStore: readonly { member: string; name: string | null; tier: number; since: string }[];
}

export interface RoomState {
  readonly room: string;
  readonly inUse: boolean;
  readonly since: string | null;
  readonly durationMs: number | null;
  readonly items: number;
  readonly sessionsToday: number;
  readonly averageSessionMs: number | null;
  /** Garments tried in this room today (item.tried facts). */
  readonly itemsTriedToday: number;
  /** Of those, bought (tried.bought facts today). */
  readonly triedBoughtToday: number;
}

export interface SessionItem {
  readonly epc: string;
  readonly sku: string | null;
  readonly style: string | null;
  readonly size: string | null;
  readonly dwellMs: number;
  readonly tried: boolean;
}

export interface TryOnSession {
  readonly id: string;
  readonly room: string;
  readonly start: string;
  readonly end: string | null;
  readonly durationMs: number;
  readonly sizeSwap: boolean;
  readonly items: readonly SessionItem[];
}

export interface TriedNotBought {
  readonly key: string;
  readonly sku: string | null;
  readonly style: string | null;
  readonly name: string | null;
  readonly tried: number;
  readonly bought: number;
  readonly sizeSwaps: number;
  readonly triedNotBought: number;
}

export interface MemberProfile {
  readonly member: string;
  readonly name?: string | null;
  readonly tier: number;
  readonly sizes?: Readonly<Record<string, string>> | null;
  readonly brands?: readonly string[];
  readonly notes?: string | null;
  readonly lastVisit: number | null;
  readonly recentPurchases?: readonly {
    receipt: string;
    ts: number;
    units: number;
    revenue: number;
    /** What was bought (absent on alerts recorded before items were listed). */
    items?: readonly { name?: string; sku?: string; size?: string; color?: string; qty: number; price: number }[];
  }[];
  readonly triedNotBought?: readonly { epc: string; sku?: string; name?: string; size?: string }[];
  readonly invitation: { id: string; staff: string; campaign: string; channel: string; ts: number } | null;
}

export interface VipAlert {
  readonly id: string;
  readonly ts: number;
  readonly member: string;
  readonly zone: string;
  readonly via: string;
  readonly profile: MemberProfile | null;
  readonly ack: { by: string; at: number } | null;
}

export interface Invitation {
  readonly id: string;
  readonly ts: number;
  readonly member: string;
  /** The member's name (staff and managers; absent on old gateways). */
  readonly name?: string | null;
  readonly staff: string;
  readonly channel: string;
  readonly campaign: string;
}

/** One invitation's way from invited to bought (GET /invitations/journey). */
export interface JourneyRow {
  readonly invitation: string;
  readonly member: string;
  /** Null for viewers, and for a member no longer in the roster. */
  readonly name: string | null;
  readonly staff: string;
  readonly channel: string;
  readonly campaign: string;
  readonly invitedAt: number;
  readonly arrivedAt: number | null;
  readonly triedAt: number | null;
  readonly triedUnknown: boolean;
  readonly boughtAt: number | null;
  readonly purchases: number;
  readonly revenue: number;
}

/** A member found by the invitation form's search (GET /members/search). */
export interface MemberHit {
  readonly member: string;
  readonly name: string;
  readonly tier: number;
  readonly phoneTail: string | null;
}

export interface OutcomeTotals {
  readonly invited: number;
  readonly arrived: number;
  /** Arrived and their card or app credential was seen in a fitting room. */
  readonly tried: number;
  /** Arrived, but no credential of theirs was seen in a fitting room: may or may not have tried. */
  readonly triedUnknown: number;
  readonly bought: number;
  readonly purchases: number;
  readonly revenue: number;
}

export interface InvitationReport {
  readonly totals: OutcomeTotals;
  readonly byCampaign: readonly ({ campaign: string } & OutcomeTotals)[];
  readonly byStaff: readonly ({ staff: string } & OutcomeTotals)[];
}

export interface DeviceHealth {
  readonly id: string;
  readonly kind: string;
  readonly transport: string;
  /** A till whose receipts file may be imported. */
  readonly receiptImport?: boolean;
  readonly status: string;
  readonly lastSeen: string | null;
  readonly messages: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly skewMs: number | null;
  readonly battery: number | null;
  readonly link: { state: string; detail: string | null; reconnects: number } | null;
}

export interface DevicesResponse {
  readonly devices: readonly DeviceHealth[];
  /** Messages refused because their sender is not a configured device. */
  readonly unknownSenders: number;
  readonly upstream: {
    readonly enabled: boolean;
    readonly outbox: { readonly depth: number; readonly oldestAgeMs: number | null };
    readonly publisher: { readonly state?: string } | null;
  } | null;
}

export interface SessionUser {
  readonly name: string;
  readonly role: 'manager' | 'staff' | 'viewer';
}

export interface AuthState {
  readonly authRequired: boolean;
  readonly user: SessionUser | null;
  readonly csrfToken: string | null;
}
