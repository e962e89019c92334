/**
 * The store API's HTTP contract (`/api/v1` on the gateway): the query strings and path
 * parameters a route takes and the answers the dashboard and staff app read. The gateway's
 * routes declare these schemas (fastify types `request.query` from them and checks what a
 * handler returns); the UI imports the Static types (gateway/ui/src/lib/types.ts), so a
 * change of shape breaks the build on both sides, not a screen at runtime.
 *
 * Query values stay strings here: the route's parse functions (common/http.ts) judge their
 * content and answer with the project's own error codes. An answer may carry more fields
 * than listed (objects are open); what is listed is what a client may rely on.
 */
import { type Static, type TSchema, Type } from 'typebox';
import type { FunnelMetrics as FunnelMetricsShape } from './funnel.js';

// --- building blocks -----------------------------------------------------------------------

/** A query-string value: one string (a repeated key is refused with 400 "… must be given once"). */
export const QueryValue = Type.Optional(Type.String());
/** A list in an answer (readonly in the Static type, so a server's readonly array fits). */
export const List = <T extends TSchema>(item: T) => Type.Immutable(Type.Array(item));
export const Nullable = <T extends TSchema>(item: T) => Type.Union([item, Type.Null()]);
/** RFC 3339 time with the store's UTC offset. */
const Time = Type.String();
const Count = Type.Number();

// --- requests ------------------------------------------------------------------------------

/** `from`/`to`: RFC 3339 or a store-local day; default today. */
export const RangeQuery = Type.Object({ from: QueryValue, to: QueryValue });
export const LimitedRangeQuery = Type.Object({ from: QueryValue, to: QueryValue, limit: QueryValue });
export const FunnelQuery = Type.Object({
  from: QueryValue,
  to: QueryValue,
  /** 15m | hour | day | week | month */
  granularity: QueryValue,
  /** previous,lastYear */
  compare: QueryValue,
});
export const FunnelCsvQuery = Type.Object({
  ...FunnelQuery.properties,
  /** en | zh-CN */
  lang: QueryValue,
  /** all | open */
  hours: QueryValue,
});
export const RejectedQuery = Type.Object({ limit: QueryValue, device: QueryValue });
export const InvitationReportQuery = Type.Object({ from: QueryValue, to: QueryValue, campaign: QueryValue });
export const ReceiptImportQuery = Type.Object({ device: QueryValue });
/** SSE: `since` replays from an event id (like Last-Event-ID); `events=a,b` filters. Repeats are ignored, not refused. */
export const StreamQuery = Type.Object({
  since: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  events: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
});
export const IdParams = Type.Object({ id: Type.String() });
export const DeviceParams = Type.Object({ device: Type.String() });

/**
 * POST /invitations. Checked in the handler (typebox/compile), so a bad body is refused with
 * INVALID_INVITATION, not coerced or stripped by fastify's ajv.
 */
const InvitationText = Type.String({ minLength: 1, maxLength: 64 });
export const NewInvitation = Type.Object(
  {
    member: InvitationText,
    /** Who invited. With sign-in on, always the signed-in user (set by gateway/infra/auth, whatever the body says). */
    staff: InvitationText,
    /** The person's display name. With sign-in on, always the signed-in user's (set by gateway/infra/auth). */
    staffName: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f\\u007f]+$' })),
    channel: InvitationText,
    campaign: InvitationText,
    /** When the member was invited; default now. */
    ts: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

// --- answers -------------------------------------------------------------------------------

export const FunnelMetrics = Type.Object({
  passersBy: Count,
  visitors: Count,
  tryOnSessions: Count,
  itemsTried: Count,
  transactions: Count,
  units: Count,
  revenue: Type.Number(),
  triedBought: Count,
  exits: Count,
  captureRate: Nullable(Type.Number()),
  tryOnRate: Nullable(Type.Number()),
  conversionRate: Nullable(Type.Number()),
  atv: Nullable(Type.Number()),
  upt: Nullable(Type.Number()),
  estimatedDwellMinutes: Nullable(Type.Number()),
});
export const FunnelBucket = Type.Object({ start: Time, end: Time, ...FunnelMetrics.properties });

export const FunnelResult = Type.Object({
  from: Time,
  to: Time,
  granularity: Type.String(),
  buckets: List(FunnelBucket),
  totals: FunnelMetrics,
});

/** A like-for-like comparison period as GET /funnel?compare=… answers it. */
export const ComparisonPeriod = Type.Object({
  rule: Type.Union([
    Type.Literal('sameWeekdayLastWeek'),
    Type.Literal('previousWeek'),
    Type.Literal('previousMonth'),
    Type.Literal('previousDays'),
    Type.Literal('sameWeekdayLastYear'),
    Type.Literal('sameMonthLastYear'),
  ]),
  fromDay: Type.String(),
  toDay: Type.String(),
  from: Time,
  to: Time,
  totals: FunnelMetrics,
});

/** GET /funnel: the plain answer, plus `asOf` and `comparisons` when `compare` was asked. */
export const FunnelAnswer = Type.Object({
  ...FunnelResult.properties,
  /** The running period's cut-off, or null for a finished period. */
  asOf: Type.Optional(Nullable(Time)),
  comparisons: Type.Optional(
    Type.Object({ previous: Type.Optional(ComparisonPeriod), lastYear: Type.Optional(ComparisonPeriod) }),
  ),
});

export const StoreInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  currency: Type.String(),
  timezone: Type.String(),
  locale: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]),
  openingTime: Type.String(),
  /** Today by the gateway's clock, store-local, 'YYYY-MM-DD'. */
  today: Type.String(),
  /** Campaign slug → its name in each language (config `campaigns`). */
  campaigns: Type.Optional(Type.Record(Type.String(), Type.Object({ en: Type.String(), 'zh-CN': Type.String() }))),
});

export const LiveSnapshot = Type.Object({
  at: Time,
  occupancy: Count,
  today: FunnelMetrics,
  /** Same weekday last week, from its opening up to the same local time. */
  sameTimeLastWeek: FunnelMetrics,
  fittingRooms: List(Type.Object({ room: Type.String(), inUse: Type.Boolean(), since: Nullable(Time), items: Count })),
  vipsInStore: List(
    Type.Object({ member: Type.String(), name: Nullable(Type.String()), tier: Type.Number(), since: Time }),
  ),
});

export const RoomState = Type.Object({
  room: Type.String(),
  inUse: Type.Boolean(),
  since: Nullable(Time),
  durationMs: Nullable(Type.Number()),
  items: Count,
  sessionsToday: Count,
  averageSessionMs: Nullable(Type.Number()),
  /** Garments tried in this room today (item.tried facts). */
  itemsTriedToday: Count,
  /** Of those, bought (tried.bought facts today). */
  triedBoughtToday: Count,
});
export const FittingRooms = Type.Object({ rooms: List(RoomState) });

export const SessionItem = Type.Object({
  epc: Type.String(),
  sku: Type.Optional(Nullable(Type.String())),
  style: Type.Optional(Nullable(Type.String())),
  size: Type.Optional(Nullable(Type.String())),
  dwellMs: Type.Number(),
  tried: Type.Boolean(),
});
export const TryOnSession = Type.Object({
  id: Type.String(),
  room: Type.String(),
  start: Time,
  end: Time,
  durationMs: Type.Number(),
  sizeSwap: Type.Boolean(),
  items: List(SessionItem),
});
export const Sessions = Type.Object({ sessions: List(TryOnSession) });

export const TriedNotBought = Type.Object({
  key: Type.String(),
  gtin: Type.Optional(Type.String()),
  sku: Type.Optional(Type.String()),
  style: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  tried: Count,
  bought: Count,
  sizeSwaps: Count,
  triedNotBought: Count,
});
export const TriedNotBoughtRanking = Type.Object({ products: List(TriedNotBought) });

const PurchasedItem = Type.Object({
  name: Type.Optional(Type.String()),
  sku: Type.Optional(Type.String()),
  size: Type.Optional(Type.String()),
  color: Type.Optional(Type.String()),
  qty: Type.Number(),
  price: Type.Number(),
});

/**
 * A VIP's profile on an alert. Viewers get names and notes as null; alerts recorded by an
 * older gateway may lack the later fields (hence optional).
 */
export const MemberProfile = Type.Object({
  member: Type.String(),
  name: Type.Optional(Nullable(Type.String())),
  tier: Type.Number(),
  /** Per garment part (`{top: 'M'}`) or a plain list, as the roster import gave them. */
  sizes: Type.Optional(Nullable(Type.Union([List(Type.String()), Type.Record(Type.String(), Type.String())]))),
  brands: Type.Optional(List(Type.String())),
  notes: Type.Optional(Nullable(Type.String())),
  lastVisit: Nullable(Type.Number()),
  recentPurchases: Type.Optional(
    List(
      Type.Object({
        receipt: Type.String(),
        ts: Type.Number(),
        units: Type.Number(),
        revenue: Type.Number(),
        /** What was bought (absent on alerts recorded before items were listed). */
        items: Type.Optional(List(PurchasedItem)),
      }),
    ),
  ),
  triedNotBought: Type.Optional(
    List(
      Type.Object({
        epc: Type.String(),
        gtin: Type.Optional(Type.String()),
        sku: Type.Optional(Type.String()),
        name: Type.Optional(Type.String()),
        size: Type.Optional(Type.String()),
      }),
    ),
  ),
  invitation: Nullable(
    Type.Object({
      id: Type.String(),
      staff: Type.String(),
      campaign: Type.String(),
      channel: Type.String(),
      ts: Type.Number(),
    }),
  ),
});

/** Who took an alert or card ("I'm on it" / "on my way"), and when. */
const Ack = Type.Object({ by: Type.String(), name: Type.String(), at: Type.Number() });
export const VipAlert = Type.Object({
  id: Type.String(),
  ts: Type.Number(),
  member: Type.String(),
  zone: Type.String(),
  via: Type.String(),
  /** Null on a `vip.arrival` stream event reduced for a viewer. */
  profile: Nullable(MemberProfile),
  /** `by`: the sign-in name; `name`: the person's display name (the sign-in name when none). */
  ack: Nullable(Ack),
});
export const VipAlerts = Type.Object({ alerts: List(VipAlert) });
export const AckedAlert = Type.Object({ alert: VipAlert });

/** A garment on a fitting-room assistance card: catalog fields when the product is known. */
export const AssistCardItem = Type.Object({
  epc: Type.String(),
  gtin: Type.Optional(Type.String()),
  sku: Type.Optional(Type.String()),
  style: Type.Optional(Type.String()),
  size: Type.Optional(Type.String()),
  color: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
});
/** A fitting-room assistance card (GET /assist/alerts, SSE `assist.alert`). */
export const AssistAlert = Type.Object({
  id: Type.String(),
  kind: Type.Literal('assist'),
  type: Type.Literal('room.assist'),
  /** When the need arose (event time, ms). */
  ts: Type.Number(),
  room: Type.String(),
  session: Type.String(),
  start: Type.Number(),
  reason: Type.Union([Type.Literal('long'), Type.Literal('size-swap')]),
  style: Type.Optional(Type.String()),
  styleName: Type.Optional(Type.String()),
  sizes: Type.Optional(List(Type.String())),
  items: List(AssistCardItem),
  ack: Nullable(Ack),
  late: Type.Boolean(),
  pushedAt: Nullable(Type.Number()),
});
export const AssistAlerts = Type.Object({ alerts: List(AssistAlert) });
export const AckedAssistAlert = Type.Object({ alert: AssistAlert });
/** Assisted (a card someone acknowledged) vs unassisted try-on sessions of one period. */
export const AssistancePeriod = Type.Object({
  start: Time,
  sessions: Count,
  cards: Count,
  assisted: Count,
  assistedConverted: Count,
  assistedConversion: Nullable(Type.Number()),
  unassisted: Count,
  unassistedConverted: Count,
  unassistedConversion: Nullable(Type.Number()),
});
export const AssistanceReport = Type.Object({
  granularity: Type.String(),
  periods: List(AssistancePeriod),
  total: AssistancePeriod,
});
export const AssistanceQuery = Type.Object({ from: QueryValue, to: QueryValue, granularity: QueryValue });

export const Invitation = Type.Object({
  id: Type.String(),
  ts: Type.Number(),
  member: Type.String(),
  /** The member's name (null for a member no longer in the roster; stripped for viewers). */
  name: Type.Optional(Nullable(Type.String())),
  staff: Type.String(),
  /** The person who invited (display name; the sign-in name when none was recorded). */
  staffName: Type.String(),
  channel: Type.String(),
  campaign: Type.String(),
});
export const Invitations = Type.Object({ invitations: List(Invitation) });
/** One invitation's way from invited to bought (GET /invitations/journey); times in ms, null when not reached. */
export const JourneyRow = Type.Object({
  invitation: Type.String(),
  member: Type.String(),
  /** Null for a member no longer in the roster; stripped for viewers. */
  name: Type.Optional(Nullable(Type.String())),
  staff: Type.String(),
  staffName: Type.String(),
  channel: Type.String(),
  campaign: Type.String(),
  invitedAt: Type.Number(),
  arrivedAt: Nullable(Type.Number()),
  triedAt: Nullable(Type.Number()),
  triedUnknown: Type.Boolean(),
  boughtAt: Nullable(Type.Number()),
  purchases: Count,
  revenue: Type.Number(),
});
export const Journeys = Type.Object({ journeys: List(JourneyRow) });
export const JourneyQuery = Type.Object({ from: QueryValue, to: QueryValue, campaign: QueryValue, limit: QueryValue });
/** A member found by the invitation form's search (GET /members/search, staff and managers). */
export const MemberHit = Type.Object({
  member: Type.String(),
  name: Type.String(),
  tier: Type.Number(),
  phoneTail: Nullable(Type.String()),
});
export const MemberSearch = Type.Object({ members: List(MemberHit) });
export const MemberSearchQuery = Type.Object({ q: QueryValue, limit: QueryValue });
export const RecordedInvitation = Type.Object({ invitation: Invitation });

export const OutcomeTotals = Type.Object({
  invited: Count,
  arrived: Count,
  /** Arrived and their card or app credential was seen in a fitting room. */
  tried: Count,
  /** Arrived, but no credential of theirs was seen in a fitting room: may or may not have tried. */
  triedUnknown: Count,
  bought: Count,
  purchases: Count,
  revenue: Type.Number(),
});
export const InvitationReport = Type.Object({
  totals: OutcomeTotals,
  byCampaign: List(Type.Object({ campaign: Type.String(), ...OutcomeTotals.properties })),
  byStaff: List(Type.Object({ staff: Type.String(), staffName: Type.String(), ...OutcomeTotals.properties })),
});

export const DeviceHealth = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  transport: Type.String(),
  /** A till whose receipts file may be imported. */
  receiptImport: Type.Boolean(),
  status: Type.String(),
  lastSeen: Nullable(Time),
  messages: Count,
  duplicates: Count,
  rejected: Count,
  skewMs: Nullable(Type.Number()),
  battery: Nullable(Type.Number()),
  link: Nullable(Type.Object({ state: Type.String(), detail: Nullable(Type.String()), reconnects: Count })),
});

/** The HQ link's state (GET /upstream has it all; GET /devices carries it along). */
export const UpstreamState = Type.Object({
  enabled: Type.Boolean(),
  outbox: Type.Object({ depth: Count, oldestAgeMs: Nullable(Type.Number()) }),
  publisher: Nullable(Type.Object({ state: Type.Optional(Type.String()) })),
});

export const DevicesAnswer = Type.Object({
  devices: List(DeviceHealth),
  /** Messages refused because their sender is not a configured device. */
  unknownSenders: Count,
  upstream: Nullable(UpstreamState),
});

/** GET /rejected: refused inputs, newest first. */
export const RejectedInputs = Type.Object({
  rejected: List(
    Type.Object({
      id: Type.Number(),
      at: Type.String(),
      device: Nullable(Type.String()),
      source: Type.String(),
      code: Type.String(),
      reason: Type.String(),
      /** The first 256 bytes as hex, when the input was kept. */
      rawHex: Nullable(Type.String()),
    }),
  ),
});

/** GET /audit: who viewed, exported, imported or erased member data. */
export const AuditEntries = Type.Object({
  entries: List(
    Type.Object({
      ts: Type.String(),
      user: Type.String(),
      role: Type.String(),
      action: Type.String(),
      target: Type.String(),
      address: Type.String(),
    }),
  ),
});

/** GET /staffing (docs/contracts.md "Staff on the floor"); null figures are unknown. */
const StaffingVip = {
  vipAlerts: Count,
  vipAcked: Count,
  vipUnattended: Count,
  vipResponseSeconds: Nullable(Type.Number()),
};
export const StaffingBucket = Type.Object({
  start: Time,
  end: Time,
  staffOnFloor: Nullable(Type.Number()),
  visitors: Count,
  transactions: Count,
  conversionRate: Nullable(Type.Number()),
  shoppersPerAssociate: Nullable(Type.Number()),
  ...StaffingVip,
});
export const StaffingResult = Type.Object({
  from: Time,
  to: Time,
  now: Type.Object({
    at: Time,
    staffOnFloor: Nullable(Type.Number()),
    shoppers: Count,
    shoppersPerAssociate: Nullable(Type.Number()),
  }),
  buckets: List(StaffingBucket),
  totals: Type.Object({
    ...StaffingVip,
    associateHours: Nullable(Type.Number()),
    visitors: Count,
    transactions: Count,
    conversionRate: Nullable(Type.Number()),
    visitorsPerAssociateHour: Nullable(Type.Number()),
    openPresences: Count,
  }),
});
export const StaffingQuery = Type.Object({ from: QueryValue, to: QueryValue, granularity: QueryValue });

export const SessionUser = Type.Object({
  name: Type.String(),
  role: Type.Union([Type.Literal('manager'), Type.Literal('staff'), Type.Literal('viewer')]),
  /** The person's name (王芳); null for a shared account or the open API. */
  displayName: Nullable(Type.String()),
});
export const AuthState = Type.Object({
  authRequired: Type.Boolean(),
  user: Nullable(SessionUser),
  csrfToken: Nullable(Type.String()),
  mustChangePassword: Type.Optional(Type.Boolean()),
});

// --- the Static types the UI imports ----------------------------------------------------------

export type NewInvitation = Static<typeof NewInvitation>;
export type FunnelMetrics = Static<typeof FunnelMetrics>;
export type FunnelBucket = Static<typeof FunnelBucket>;
export type FunnelResult = Static<typeof FunnelResult>;
export type ComparisonPeriod = Static<typeof ComparisonPeriod>;
export type FunnelAnswer = Static<typeof FunnelAnswer>;
export type StoreInfo = Static<typeof StoreInfo>;
export type LiveSnapshot = Static<typeof LiveSnapshot>;
export type RoomState = Static<typeof RoomState>;
export type SessionItem = Static<typeof SessionItem>;
export type TryOnSession = Static<typeof TryOnSession>;
export type TriedNotBought = Static<typeof TriedNotBought>;
export type MemberProfile = Static<typeof MemberProfile>;
export type VipAlert = Static<typeof VipAlert>;
export type Invitation = Static<typeof Invitation>;
export type JourneyRow = Static<typeof JourneyRow>;
export type MemberHit = Static<typeof MemberHit>;
export type AssistCardItem = Static<typeof AssistCardItem>;
export type AssistAlert = Static<typeof AssistAlert>;
export type AssistancePeriod = Static<typeof AssistancePeriod>;
export type AssistanceReport = Static<typeof AssistanceReport>;
export type OutcomeTotals = Static<typeof OutcomeTotals>;
export type InvitationReport = Static<typeof InvitationReport>;
export type DeviceHealth = Static<typeof DeviceHealth>;
export type DevicesAnswer = Static<typeof DevicesAnswer>;
export type SessionUser = Static<typeof SessionUser>;
export type AuthState = Static<typeof AuthState>;
export type StaffingBucket = Static<typeof StaffingBucket>;
export type StaffingResult = Static<typeof StaffingResult>;

/** The funnel schema and the computed shape in funnel.ts must not drift apart. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const funnelShapeMatches: Same<FunnelMetrics, { -readonly [K in keyof FunnelMetricsShape]: FunnelMetricsShape[K] }> =
  true;
void funnelShapeMatches;
