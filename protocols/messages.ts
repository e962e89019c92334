/**
 * MQTT payloads of DESIGN.md "MQTT contract": one TypeBox schema per message type gives
 * both the TypeScript type and the compiled runtime validator.
 *
 * Unknown extra fields are allowed and ignored (a newer firmware may add some); known
 * fields are strict.
 */
import { type Static, type TSchema, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { useFastDateTimeFormat } from './date-time.js';
import { accept, type Decoded, reject } from './result.js';
import { utf8Text } from './text.js';

const Rfc3339 = Type.String({ format: 'date-time', maxLength: 64 });
const Id = Type.String({ minLength: 1, maxLength: 128 });
const Name = Type.String({ minLength: 1, maxLength: 64 });
/** EPC as hex, any case on the wire; compared upper-case (DESIGN "Tags"). */
export const EpcHex = Type.String({ pattern: '^[0-9A-Fa-f]{8,64}$' });

function envelope<T extends string>(type: T) {
  return {
    v: Type.Literal(1),
    type: Type.Literal(type),
    id: Id,
    ts: Rfc3339,
  };
}

export const DoorCrossingMsg = Type.Object({
  ...envelope('door.crossing'),
  door: Name,
  dir: Type.Union([Type.Literal('in'), Type.Literal('out')]),
  n: Type.Integer({ minimum: 1, maximum: 1000 }),
  /** Optional: the crossings happened in [ts, ts + period seconds) (a counter reporting per period). */
  period: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
});

export const DoorTotalsMsg = Type.Object({
  ...envelope('door.totals'),
  door: Name,
  totalIn: Type.Integer({ minimum: 0 }),
  totalOut: Type.Integer({ minimum: 0 }),
  boot: Type.String({ minLength: 1, maxLength: 64 }),
});

export const RfidRead = Type.Object({
  epc: EpcHex,
  ant: Type.Integer({ minimum: 1, maximum: 64 }),
  rssi: Type.Number({ minimum: -128, maximum: 20 }),
  ts: Rfc3339,
});

export const RfidReadsMsg = Type.Object({
  ...envelope('rfid.reads'),
  reads: Type.Array(RfidRead, { maxItems: 5000 }),
});

export const ReceiptLine = Type.Object({
  epc: Type.Optional(EpcHex),
  gtin: Type.Optional(Type.String({ pattern: '^[0-9]{8,14}$' })),
  sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  qty: Type.Integer({ minimum: 0, maximum: 10_000 }),
  price: Type.Number({ minimum: 0 }),
});

export const PosReceiptMsg = Type.Object({
  ...envelope('pos.receipt'),
  receipt: Type.String({ minLength: 1, maxLength: 64 }),
  kind: Type.Union([Type.Literal('sale'), Type.Literal('refund'), Type.Literal('void')]),
  member: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  lines: Type.Array(ReceiptLine, { maxItems: 500 }),
  total: Type.Number(),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
});

export const MemberSeenMsg = Type.Object({
  ...envelope('member.seen'),
  member: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  credential: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  zone: Name,
  via: Type.Union([Type.Literal('app'), Type.Literal('card'), Type.Literal('wifi'), Type.Literal('staff')]),
});

export const DeviceStatusMsg = Type.Object({
  ...envelope('device.status'),
  uptime: Type.Number({ minimum: 0 }),
  fw: Type.String({ maxLength: 64 }),
  battery: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  /** Error count since boot, or the latest error texts. */
  errors: Type.Optional(
    Type.Union([Type.Integer({ minimum: 0 }), Type.Array(Type.String({ maxLength: 256 }), { maxItems: 50 })]),
  ),
});

export type DoorCrossingMsg = Static<typeof DoorCrossingMsg>;
export type DoorTotalsMsg = Static<typeof DoorTotalsMsg>;
export type RfidRead = Static<typeof RfidRead>;
export type RfidReadsMsg = Static<typeof RfidReadsMsg>;
export type ReceiptLine = Static<typeof ReceiptLine>;
export type PosReceiptMsg = Static<typeof PosReceiptMsg>;
export type MemberSeenMsg = Static<typeof MemberSeenMsg>;
export type DeviceStatusMsg = Static<typeof DeviceStatusMsg>;

/** Message type → schema: the one map every decoder and simulator uses. */
export const MessageSchemas = {
  'door.crossing': DoorCrossingMsg,
  'door.totals': DoorTotalsMsg,
  'rfid.reads': RfidReadsMsg,
  'pos.receipt': PosReceiptMsg,
  'member.seen': MemberSeenMsg,
  'device.status': DeviceStatusMsg,
} as const;

export type MessageType = keyof typeof MessageSchemas;
export type DeviceMessage =
  | DoorCrossingMsg
  | DoorTotalsMsg
  | RfidReadsMsg
  | PosReceiptMsg
  | MemberSeenMsg
  | DeviceStatusMsg;

type Validator = ReturnType<typeof Compile<TSchema>>;
useFastDateTimeFormat();
const validators = new Map<string, Validator>(
  Object.entries(MessageSchemas).map(([type, schema]) => [type, Compile(schema as TSchema)]),
);

export function isMessageType(type: unknown): type is MessageType {
  return typeof type === 'string' && validators.has(type);
}

/** Parses a UTF-8 JSON payload and validates it against the schema of its `type`. */
export function decodeMessage(payload: Uint8Array | string): Decoded<DeviceMessage> {
  let parsed: unknown;
  try {
    const text = typeof payload === 'string' ? payload : utf8Text(payload);
    parsed = JSON.parse(text);
  } catch (err) {
    return reject('malformed-json', `payload is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return reject('schema', 'payload must be a JSON object');
  }
  const type = (parsed as Record<string, unknown>).type;
  const validator = typeof type === 'string' ? validators.get(type) : undefined;
  if (!validator) return reject('schema', `unknown message type ${JSON.stringify(type)}`);
  if (!validator.Check(parsed)) return reject('schema', describeErrors(validator, parsed));
  const semantic = checkSemantics(parsed as DeviceMessage);
  if (semantic) return reject('schema', semantic);
  return accept(parsed as DeviceMessage);
}

/** Rules a JSON schema cannot say neatly. */
function checkSemantics(msg: DeviceMessage): string | undefined {
  if (!Number.isFinite(Date.parse(msg.ts))) return '/ts: not a valid time';
  if (msg.type === 'member.seen' && msg.member === undefined && msg.credential === undefined) {
    return 'member.seen needs member or credential';
  }
  if (msg.type === 'pos.receipt') {
    const i = msg.lines.findIndex((l) => l.epc === undefined && l.gtin === undefined && l.sku === undefined);
    if (i >= 0) return `/lines/${i}: needs epc, gtin or sku`;
  }
  if (msg.type === 'rfid.reads') {
    const i = msg.reads.findIndex((r) => !Number.isFinite(Date.parse(r.ts)));
    if (i >= 0) return `/reads/${i}/ts: not a valid time`;
  }
  return undefined;
}

function describeErrors(validator: Validator, value: unknown): string {
  return validator
    .Errors(value)
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'}: ${e.message}`)
    .join('; ');
}
