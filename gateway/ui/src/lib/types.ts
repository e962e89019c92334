/**
 * The shapes of the gateway's API answers the pages read: the Static types of the route
 * schemas in protocols/http-api.ts, which the gateway's routes declare. Type-only: nothing
 * of the schemas reaches the bundle.
 */
import type { DevicesAnswer, FunnelAnswer, FunnelResult } from '../../../../protocols/http-api.js';

export type {
  AuthState,
  ComparisonPeriod,
  FunnelBucket,
  FunnelMetrics,
  FunnelResult,
  Invitation,
  InvitationReport,
  LiveSnapshot,
  MemberProfile,
  NewInvitation,
  OutcomeTotals,
  RoomState,
  SessionItem,
  SessionUser,
  StoreInfo,
  TriedNotBought,
  TryOnSession,
  VipAlert,
} from '../../../../protocols/http-api.js';

/** GET /funnel?compare=…: the comparison fields are always there when `compare` was asked. */
export type CompareResult = FunnelResult & Required<Pick<FunnelAnswer, 'asOf' | 'comparisons'>>;

export type DevicesResponse = DevicesAnswer;

/** A fitting-room assistance card (GET /assist/alerts, SSE assist.alert). */
export interface AssistCardItem {
  readonly epc: string;
  readonly sku?: string;
  readonly size?: string;
  readonly color?: string;
  readonly name?: string;
}

export interface AssistAlert {
  readonly id: string;
  readonly kind: 'assist';
  readonly ts: number;
  readonly room: string;
  readonly start: number;
  readonly reason: 'long' | 'size-swap';
  readonly style?: string;
  readonly styleName?: string;
  readonly sizes?: readonly string[];
  readonly items: readonly AssistCardItem[];
  readonly ack: { by: string; at: number } | null;
  readonly late: boolean;
}

/** GET /fitting-rooms/assistance: assisted vs unassisted sessions and their conversion. */
export interface AssistancePeriod {
  readonly start: string;
  readonly sessions: number;
  readonly cards: number;
  readonly assisted: number;
  readonly assistedConverted: number;
  readonly assistedConversion: number | null;
  readonly unassisted: number;
  readonly unassistedConverted: number;
  readonly unassistedConversion: number | null;
}
