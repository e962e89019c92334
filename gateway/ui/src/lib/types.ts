/**
 * The shapes of the gateway's API answers the pages read: the Static types of the route
 * schemas in protocols/http-api.ts, which the gateway's routes declare. Type-only: nothing
 * of the schemas reaches the bundle.
 */
import type { DevicesAnswer, FunnelAnswer, FunnelResult } from '../../../../protocols/http-api.js';

export type {
  AssistAlert,
  AssistancePeriod,
  AssistanceReport,
  AssistCardItem,
  AuthState,
  ComparisonPeriod,
  FunnelBucket,
  FunnelMetrics,
  FunnelResult,
  Invitation,
  InvitationReport,
  JourneyRow,
  LiveSnapshot,
  MemberHit,
  MemberProfile,
  NewInvitation,
  OutcomeTotals,
  RoomState,
  SessionItem,
  SessionUser,
  StaffingBucket,
  StaffingResult,
  StoreInfo,
  TriedNotBought,
  TryOnSession,
  VipAlert,
} from '../../../../protocols/http-api.js';

/** GET /funnel?compare=…: the comparison fields are always there when `compare` was asked. */
export type CompareResult = FunnelResult & Required<Pick<FunnelAnswer, 'asOf' | 'comparisons'>>;

export type DevicesResponse = DevicesAnswer;
