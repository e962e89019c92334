/**
 * Upstream wire contracts (DESIGN "Upstream (NATS JetStream) and HQ"): what a gateway sends
 * to HQ over JetStream and what HQ sends back to stores through KV buckets. The gateway's
 * publisher and HQ's cloud-sink both build and check messages with these definitions.
 *
 * - Subjects `retail.{tenant}.{store}.{kind}`, kind ∈ funnel | vipjourney | health, on the
 *   stream `RETAIL` (`retail.>`). A `.` cannot appear inside a subject token, so ids are
 *   written with `.` as `%2E` (ids never contain `%`); bodies carry the ids as they are.
 * - `Nats-Msg-Id: {store}:{kind}:{bucketStart}:{rev}` with bucketStart in epoch milliseconds
 *   (a number: RFC 3339 would put more `:` into a `:`-separated id). Bodies carry times as
 *   RFC 3339 UTC strings, like every other wire contract here.
 * - Money is a decimal number in the store currency (cents / 100); HQ keeps integer cents.
 * - No member PII: VIP journeys name members only by HMAC-SHA256 pseudonyms (64 hex chars).
 *
 * KV (HQ → stores): `retail-vip-roster` (key: member id, value: RosterEntry JSON) is HQ's
 * whole roster and only HQ reads it; each store reads its own view `retail-vip-roster-{store}`
 * (same keys and values: the members of that store, per `stores`, and every member of VIP
 * tier), so no store holds another store's customers. `retail-catalog` (key: GTIN-14, value:
 * CatalogEntry JSON) is shared. KV keys allow `[-/_=.A-Za-z0-9]` only, so roster keys escape
 * `:` as `=3A` and `.` as `=2E` (ids never contain `=`).
 *
 * NATS identities (docs/security.md "HQ link"): a store publishes only `retail.{tenant}.{its
 * store}.>`, reads only its roster view and the catalog, and receives replies only on its own
 * inbox prefix `storeInboxPrefix(store)` (a shared `_INBOX.>` would let one store read
 * another's KV deliveries).
 *
 * Pure: no I/O.
 */
import { type Static, type TSchema, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { accept, type Decoded, reject } from './result.js';
import { utf8Text } from './text.js';

export const UPSTREAM_STREAM = 'RETAIL';
export const UPSTREAM_SUBJECTS = ['retail.>'] as const;
export const KV_ROSTER_BUCKET = 'retail-vip-roster';
export const KV_CATALOG_BUCKET = 'retail-catalog';

/**
 * One store's roster view bucket. Bucket names allow `[-_A-Za-z0-9]` only: `_`, `.` and `:`
 * in a store id are written `_5F`, `_2E`, `_3A` (`_` escaped too, so two ids never share one).
 */
export function rosterViewBucket(store: string): string {
  return `${KV_ROSTER_BUCKET}-${bucketToken(store)}`;
}

/** The store id of a roster view bucket name, or undefined for any other bucket. */
export function storeOfRosterView(bucket: string): string | undefined {
  const prefix = `${KV_ROSTER_BUCKET}-`;
  if (!bucket.startsWith(prefix) || bucket.length === prefix.length) return undefined;
  return bucket
    .slice(prefix.length)
    .replace(/_(5F|2E|3A)/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function bucketToken(id: string): string {
  return id.replace(/[_.:]/g, (c) => `_${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The inbox prefix of a store's NATS connection: replies (JetStream acks, KV watch
 * deliveries) come only there, and a store's identity may subscribe to nothing else.
 */
export function storeInboxPrefix(store: string): string {
  return `_INBOX_${bucketToken(store)}`;
}
/** The durable pull consumer every cloud-sink instance shares. */
export const HQ_CONSUMER = 'hq-sink';
/** JetStream drops a repeated Nats-Msg-Id within this window (the server default, 2 min). */
export const UPSTREAM_DUPLICATE_WINDOW_MS = 120_000;
/** Messages stay in the stream this long, for HQ consumers that were down. */
export const UPSTREAM_MAX_AGE_MS = 30 * 24 * 3600_000;

export const UPSTREAM_KINDS = ['funnel', 'vipjourney', 'health'] as const;
export type UpstreamKind = (typeof UPSTREAM_KINDS)[number];

/** 15-minute buckets: a bucket's end is its start plus this (true in every zone in use today). */
export const UPSTREAM_BUCKET_MS = 15 * 60_000;

// --- subjects and message ids --------------------------------------------------------

/** One subject token from an id: `.` would split the token, so it is written `%2E`. */
export function subjectToken(id: string): string {
  return id.replaceAll('.', '%2E');
}

export function fromSubjectToken(token: string): string {
  return token.replaceAll('%2E', '.');
}

export function upstreamSubject(tenant: string, store: string, kind: UpstreamKind): string {
  return `retail.${subjectToken(tenant)}.${subjectToken(store)}.${kind}`;
}

/** Every subject of one tenant (HQ's consumer filter). */
export function tenantSubjects(tenant: string): string {
  return `retail.${subjectToken(tenant)}.>`;
}

export interface UpstreamSubject {
  readonly tenant: string;
  readonly store: string;
  readonly kind: UpstreamKind;
}

export function parseUpstreamSubject(subject: string): UpstreamSubject | undefined {
  const parts = subject.split('.');
  if (parts.length !== 4 || parts[0] !== 'retail') return undefined;
  const [, tenant, store, kind] = parts as [string, string, string, string];
  if (tenant === '' || store === '' || !(UPSTREAM_KINDS as readonly string[]).includes(kind)) return undefined;
  return { tenant: fromSubjectToken(tenant), store: fromSubjectToken(store), kind: kind as UpstreamKind };
}

/** `{store}:{kind}:{bucketStart epoch ms}:{rev}`: JetStream drops a repeat within its duplicate window. */
export function upstreamMsgId(store: string, kind: UpstreamKind, bucketStartMs: number, rev: number): string {
  return `${store}:${kind}:${bucketStartMs}:${rev}`;
}

// --- message bodies ------------------------------------------------------------------

const Rfc3339 = Type.String({ format: 'date-time', maxLength: 64 });
const WireId = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' });
const Count = Type.Integer({ minimum: 0 });
/** Units and revenue may go below zero in a bucket holding refunds only. */
const SignedCount = Type.Integer();
const Money = Type.Number();
const Rev = Type.Integer({ minimum: 1 });
/** HMAC-SHA256 of a member id under a store secret, lower-case hex. */
export const Pseudonym = Type.String({ pattern: '^[0-9a-f]{64}$' });

const bucketHeader = {
  v: Type.Literal(1),
  tenant: WireId,
  store: WireId,
  bucketStart: Rfc3339,
  bucketEnd: Rfc3339,
  rev: Rev,
};

/** One 15-minute funnel bucket at one revision (DESIGN "Definitions": the same numbers the store shows). */
export const FunnelMessage = Type.Object({
  ...bucketHeader,
  passersBy: Count,
  visitors: Count,
  tryOnSessions: Count,
  itemsTried: Count,
  transactions: Count,
  units: SignedCount,
  revenue: Money,
  triedBought: Count,
  /** Optional extras so HQ can show the store's dwell estimate too. */
  exits: Type.Optional(Count),
  personMs: Type.Optional(Count),
});

export const VipJourney = Type.Object({
  member: Pseudonym,
  tier: Type.Integer({ minimum: 1, maximum: 5 }),
  arrivals: Count,
  departures: Count,
  /** Time in store of the departures in this bucket (departure − arrival), ms. */
  dwellMs: Count,
  invited: Type.Boolean(),
  transactions: Count,
  revenue: Money,
});

/** VIP activity in one bucket: counts and pseudonymised members only, never names or contacts. */
export const VipJourneyMessage = Type.Object({
  ...bucketHeader,
  arrivals: Count,
  members: Count,
  invitedArrivals: Count,
  transactions: Count,
  revenue: Money,
  journeys: Type.Array(VipJourney, { maxItems: 10_000 }),
});

/** Liveness and backlog of one gateway; not queued while offline (a stale health is no use). */
export const HealthMessage = Type.Object({
  v: Type.Literal(1),
  tenant: WireId,
  store: WireId,
  ts: Rfc3339,
  name: Type.Optional(Type.String({ maxLength: 128 })),
  timezone: Type.Optional(Type.String({ maxLength: 64 })),
  currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  version: Type.Optional(Type.String({ maxLength: 64 })),
  uptimeS: Type.Number({ minimum: 0 }),
  outbox: Type.Object({ depth: Count, oldestAgeS: Type.Number({ minimum: 0 }) }),
  reference: Type.Optional(Type.Object({ members: Count, products: Count })),
  devices: Type.Optional(Type.Object({ total: Count, online: Count })),
});

export type FunnelMessage = Static<typeof FunnelMessage>;
export type VipJourney = Static<typeof VipJourney>;
export type VipJourneyMessage = Static<typeof VipJourneyMessage>;
export type HealthMessage = Static<typeof HealthMessage>;

export type UpstreamMessage =
  | { readonly kind: 'funnel'; readonly tenant: string; readonly store: string; readonly body: FunnelMessage }
  | { readonly kind: 'vipjourney'; readonly tenant: string; readonly store: string; readonly body: VipJourneyMessage }
  | { readonly kind: 'health'; readonly tenant: string; readonly store: string; readonly body: HealthMessage };

type Validator = ReturnType<typeof Compile<TSchema>>;
const validators: Record<UpstreamKind, Validator> = {
  funnel: Compile(FunnelMessage as TSchema),
  vipjourney: Compile(VipJourneyMessage as TSchema),
  health: Compile(HealthMessage as TSchema),
};

/** Parses and checks one upstream message against its subject; the subject names the kind. */
export function decodeUpstreamMessage(subject: string, payload: Uint8Array | string): Decoded<UpstreamMessage> {
  const where = parseUpstreamSubject(subject);
  if (!where) return reject('bad-topic', `not an upstream subject: ${subject.slice(0, 200)}`);
  const parsed = parseJson(payload);
  if (!parsed.ok) return parsed;
  const validator = validators[where.kind];
  if (!validator.Check(parsed.value)) return reject('schema', describeErrors(validator, parsed.value));
  const body = parsed.value as FunnelMessage | VipJourneyMessage | HealthMessage;
  if (body.tenant !== where.tenant || body.store !== where.store) {
    return reject('wrong-store', `body names ${body.tenant}/${body.store}, subject ${where.tenant}/${where.store}`);
  }
  if ('bucketStart' in body) {
    const start = Date.parse(body.bucketStart);
    const end = Date.parse(body.bucketEnd);
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
      return reject('schema', '/bucketEnd: must be a time after bucketStart');
    }
    if (!Number.isFinite(body.revenue)) return reject('schema', '/revenue: not a finite number');
  } else if (!Number.isFinite(Date.parse(body.ts))) {
    return reject('schema', '/ts: not a valid time');
  }
  switch (where.kind) {
    case 'funnel':
      return accept({ kind: 'funnel', tenant: where.tenant, store: where.store, body: body as FunnelMessage });
    case 'vipjourney':
      return accept({ kind: 'vipjourney', tenant: where.tenant, store: where.store, body: body as VipJourneyMessage });
    case 'health':
      return accept({ kind: 'health', tenant: where.tenant, store: where.store, body: body as HealthMessage });
  }
}

// --- KV values: HQ → stores -----------------------------------------------------------

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

/** A roster entry: the store's member import shape (DESIGN "Member import"). */
export const RosterEntry = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' }),
  name: Text(128),
  tier: Type.Integer({ minimum: 1, maximum: 5 }),
  phone: Type.Optional(Type.String({ maxLength: 32 })),
  cards: Type.Array(Text(128), { maxItems: 20 }),
  sizes: Type.Optional(
    Type.Union([Type.Array(Text(32), { maxItems: 20 }), Type.Record(Type.String({ maxLength: 32 }), Text(32))]),
  ),
  brands: Type.Optional(Type.Array(Text(64), { maxItems: 20 })),
  notes: Type.Optional(Type.String({ maxLength: 2000 })),
  /** Home stores: the member is sent to these stores whatever the tier (HQ's roster only). */
  stores: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' }), { maxItems: 100 })),
});

/** A catalog entry: the store's catalog import shape (DESIGN "Catalog import"). */
export const CatalogEntry = Type.Object({
  gtin: Type.String({ pattern: '^[0-9]{8,14}$' }),
  sku: Text(64),
  style: Text(64),
  color: Text(64),
  size: Text(32),
  name: Text(256),
  brand: Type.Optional(Text(64)),
  price: Type.Number({ minimum: 0 }),
});

export type RosterEntry = Static<typeof RosterEntry>;
export type CatalogEntry = Static<typeof CatalogEntry>;

const rosterValidator = Compile(RosterEntry as TSchema);
const catalogValidator = Compile(CatalogEntry as TSchema);

export function decodeRosterEntry(payload: Uint8Array | string): Decoded<RosterEntry> {
  const parsed = parseJson(payload);
  if (!parsed.ok) return parsed;
  if (!rosterValidator.Check(parsed.value)) return reject('schema', describeErrors(rosterValidator, parsed.value));
  return accept(parsed.value as RosterEntry);
}

export function decodeCatalogEntry(payload: Uint8Array | string): Decoded<CatalogEntry> {
  const parsed = parseJson(payload);
  if (!parsed.ok) return parsed;
  if (!catalogValidator.Check(parsed.value)) return reject('schema', describeErrors(catalogValidator, parsed.value));
  const entry = parsed.value as CatalogEntry;
  if (!Number.isFinite(entry.price)) return reject('schema', '/price: not a finite number');
  return accept(entry);
}

export function checkRosterEntry(value: unknown): Decoded<RosterEntry> {
  return rosterValidator.Check(value)
    ? accept(value as RosterEntry)
    : reject('schema', describeErrors(rosterValidator, value));
}

export function checkCatalogEntry(value: unknown): Decoded<CatalogEntry> {
  return catalogValidator.Check(value)
    ? accept(value as CatalogEntry)
    : reject('schema', describeErrors(catalogValidator, value));
}

/** KV key of a member id (`:` → `=3A`, `.` → `=2E`, so every id is a valid key). */
export function rosterKey(memberId: string): string {
  return memberId.replaceAll(':', '=3A').replaceAll('.', '=2E');
}

export function memberIdFromRosterKey(key: string): string {
  return key.replaceAll('=3A', ':').replaceAll('=2E', '.');
}

/** KV key of a product: its GTIN as GTIN-14, so GTIN-13 and GTIN-14 of one product are one key. */
export function catalogKey(gtin: string): string {
  return gtin.padStart(14, '0');
}

// --- helpers ---------------------------------------------------------------------------

function parseJson(payload: Uint8Array | string): Decoded<unknown> {
  try {
    const text = typeof payload === 'string' ? payload : utf8Text(payload);
    return accept(JSON.parse(text) as unknown);
  } catch (err) {
    return reject('malformed-json', `payload is not JSON: ${(err as Error).message}`);
  }
}

function describeErrors(validator: Validator, value: unknown): string {
  return validator
    .Errors(value)
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'}: ${e.message}`)
    .join('; ');
}
