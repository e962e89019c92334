/**
 * The gateway's YAML config (DESIGN.md "Configuration file"): one TypeBox schema gives the
 * type and the validator. Every key in DESIGN is part of the contract.
 */
import { type Static, Type } from 'typebox';
import {
  ConnectRate,
  HttpTls,
  MaxQueuedMessages,
  MaxRetainedBytes,
  MaxRetainedMessages,
  MqttTls,
  MqttUsers,
} from './mqtt-security-schema.js';

/** "20s", "30m", "2h", "14d", "500ms". */
export const Duration = Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$' });
const Id = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' });
const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const HexEpc = Type.String({ pattern: '^[0-9A-Fa-f]{8,64}$' });

export const ZoneKind = Type.Union([
  Type.Literal('entrance'),
  Type.Literal('outside'),
  Type.Literal('fitting-room'),
  Type.Literal('cashdesk'),
  Type.Literal('floor'),
]);

const Zone = Type.Object(
  {
    kind: ZoneKind,
    rssiMin: Type.Optional(Type.Number({ minimum: -128, maximum: 20 })),
  },
  { additionalProperties: false },
);

const Clock = Type.Optional(Type.Union([Type.Literal('trusted'), Type.Literal('untrusted')]));
const Credentials = {
  /** Optional MQTT credentials for this device (password stored as a scrypt hash, see docs). */
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  passwordHash: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
};

const MqttDoorCounter = Type.Object(
  {
    kind: Type.Literal('door-counter'),
    transport: Type.Literal('mqtt'),
    door: Id,
    zone: Id,
    clock: Clock,
    ...Credentials,
  },
  { additionalProperties: false },
);
const SerialDoorCounter = Type.Object(
  {
    kind: Type.Literal('door-counter'),
    transport: Type.Literal('serial'),
    path: Type.String({ minLength: 1 }),
    baudRate: Type.Optional(Type.Integer({ minimum: 300, maximum: 4_000_000 })),
    door: Id,
    zone: Id,
  },
  { additionalProperties: false },
);
const GpioDoorCounter = Type.Object(
  {
    kind: Type.Literal('door-counter'),
    transport: Type.Literal('gpio'),
    pins: Type.Object(
      { a: Type.Integer({ minimum: 0 }), b: Type.Integer({ minimum: 0 }) },
      { additionalProperties: false },
    ),
    door: Id,
    zone: Id,
  },
  { additionalProperties: false },
);
/**
 * A network people counter the gateway reads itself over HTTP with digest auth
 * (devices/counters/): a Hikvision camera's ISAPI or an AXIS People Counter's VAPIX API.
 */
const NetworkCounter = {
  kind: Type.Literal('door-counter'),
  /** Camera base URL, e.g. http://192.168.1.64. */
  url: Type.String({ pattern: '^https?://' }),
  username: Type.String({ minLength: 1, maxLength: 64 }),
  /** The camera user's password, or a file holding it (one of the two). */
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  passwordFile: Type.Optional(Type.String({ minLength: 1 })),
  door: Id,
  zone: Id,
  /** IANA zone of the camera's clock. Default: the store's timezone. */
  timezone: Type.Optional(Type.String({ minLength: 1 })),
};
const HikvisionDoorCounter = Type.Object(
  {
    ...NetworkCounter,
    transport: Type.Literal('hikvision-isapi'),
    /** Video input channel that counts. Default 1. */
    channel: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
  },
  { additionalProperties: false },
);
const AxisDoorCounter = Type.Object(
  {
    ...NetworkCounter,
    transport: Type.Literal('axis-vapix'),
    /** How often live-sum.json is read. Default 5s. */
    pollInterval: Type.Optional(Duration),
  },
  { additionalProperties: false },
);
const Antennas = Type.Record(Type.String({ pattern: '^[0-9]{1,2}$' }), Id);
const MqttRfidReader = Type.Object(
  {
    kind: Type.Literal('rfid-reader'),
    transport: Type.Literal('mqtt'),
    format: Type.Optional(Type.Union([Type.Literal('native'), Type.Literal('impinj-iot')])),
    antennas: Antennas,
    clock: Clock,
    ...Credentials,
  },
  { additionalProperties: false },
);
const SerialRfidReader = Type.Object(
  {
    kind: Type.Literal('rfid-reader'),
    transport: Type.Literal('serial'),
    path: Type.String({ minLength: 1 }),
    baudRate: Type.Optional(Type.Integer({ minimum: 300, maximum: 4_000_000 })),
    address: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
    antennas: Antennas,
  },
  { additionalProperties: false },
);
/** An Impinj IoT reader whose HTTP event stream the gateway reads (`GET /api/v1/data/stream`). */
const StreamRfidReader = Type.Object(
  {
    kind: Type.Literal('rfid-reader'),
    transport: Type.Literal('http-stream'),
    format: Type.Literal('impinj-iot'),
    url: Type.String({ pattern: '^https?://' }),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    /** The reader password read from this file at start (relative to the config file), instead of `password`. */
    passwordFile: Type.Optional(Type.String({ minLength: 1 })),
    /** The reader password read from this environment variable at start, instead of `password`. */
    passwordEnv: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$' })),
    antennas: Antennas,
  },
  { additionalProperties: false },
);
/**
 * End-of-day receipts file of a till that can only export (gateway/pipeline/ingest/receipt-file.ts):
 * which column holds what, one row per receipt line, rows grouped by receipt number.
 */
const ColumnName = Type.String({ minLength: 1, maxLength: 128 });
export const PosImport = Type.Object(
  {
    columns: Type.Object(
      {
        receipt: ColumnName,
        ts: ColumnName,
        qty: ColumnName,
        price: ColumnName,
        kind: Type.Optional(ColumnName),
        sku: Type.Optional(ColumnName),
        gtin: Type.Optional(ColumnName),
        epc: Type.Optional(ColumnName),
        total: Type.Optional(ColumnName),
        member: Type.Optional(ColumnName),
        currency: Type.Optional(ColumnName),
      },
      { additionalProperties: false },
    ),
    /** IANA zone of the times in the file. Default: the store's. */
    timezone: Type.Optional(Type.String({ minLength: 1 })),
    /** Layout of the time column, e.g. `YYYY/MM/DD HH:mm:ss`. Default: `YYYY-MM-DD HH:mm[:ss]` or RFC 3339. */
    dateFormat: Type.Optional(Type.String({ minLength: 2, maxLength: 64, pattern: '^[^\\r\\n]+$' })),
    /** The words the till writes in the kind column. Default: `sale`, `refund`, `void`. */
    kindValues: Type.Optional(
      Type.Object(
        {
          sale: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          refund: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          void: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
const Pos = Type.Object(
  {
    kind: Type.Literal('pos'),
    transport: Type.Literal('mqtt'),
    clock: Clock,
    ...Credentials,
    import: Type.Optional(PosImport),
  },
  { additionalProperties: false },
);
/** A till that posts receipts to `POST /api/v1/ingest/pos/{device}` (HTTP Basic with these credentials). */
const HttpPos = Type.Object(
  {
    kind: Type.Literal('pos'),
    transport: Type.Literal('http'),
    clock: Clock,
    ...Credentials,
    import: Type.Optional(PosImport),
  },
  { additionalProperties: false },
);
const MemberSource = Type.Object(
  { kind: Type.Literal('member-source'), transport: Type.Literal('mqtt'), clock: Clock, ...Credentials },
  { additionalProperties: false },
);

/** Dashboard/API users. Absent: the API is open (every request acts as manager) and a warning is logged. */
const HttpAuth = Type.Object(
  {
    /** manager: everything; staff: + VIP alerts with member PII, ack, invitations; viewer: aggregates, no PII. */
    users: Type.Array(
      Type.Object(
        {
          name: Type.String({ pattern: '^[A-Za-z0-9_.@-]{1,64}$' }),
          role: Type.Union([Type.Literal('manager'), Type.Literal('staff'), Type.Literal('viewer')]),
          /** scrypt hash from `store-gateway hash-password` (never the password itself). */
          passwordHash: Type.String({ pattern: '^scrypt\\$', maxLength: 256 }),
          /** The person's name as colleagues know it (e.g. 王芳): acks, invitations and reports show it. */
          displayName: Type.Optional(
            Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
    /** Absolute lifetime of a login session. Default 12h. */
    sessionTtl: Type.Optional(Duration),
    /** Always mark the session cookie Secure (behind a TLS proxy). It is Secure anyway on a TLS request. */
    secureCookies: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const DeviceConfig = Type.Union([
  MqttDoorCounter,
  SerialDoorCounter,
  GpioDoorCounter,
  HikvisionDoorCounter,
  AxisDoorCounter,
  MqttRfidReader,
  SerialRfidReader,
  StreamRfidReader,
  Pos,
  HttpPos,
  MemberSource,
]);

/** A campaign's name as people say it, in both languages the screens speak. */
const CampaignNames = Type.Object(
  {
    en: Type.String({ minLength: 1, maxLength: 64 }),
    'zh-CN': Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);

export const ConfigFile = Type.Object(
  {
    version: Type.Literal(1),
    store: Type.Object(
      {
        id: Id,
        name: Type.String({ minLength: 1, maxLength: 128 }),
        timezone: Type.String({ minLength: 1 }),
        currency: Type.String({ pattern: '^[A-Z]{3}$' }),
        openingTime: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
        vipTier: Type.Integer({ minimum: 1, maximum: 5 }),
        locale: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]),
      },
      { additionalProperties: false },
    ),
    mqtt: Type.Optional(
      Type.Object(
        {
          port: Type.Optional(Port),
          host: Type.Optional(Type.String()),
          url: Type.Optional(Type.String({ pattern: '^mqtts?://' })),
          /**
           * Clients without credentials may connect (the demo and a closed test bench).
           * With false, every device needs its username and password (see devices.*.username).
           */
          allowAnonymous: Type.Optional(Type.Boolean()),
          /** Largest MQTT packet accepted; bigger ones close the connection. */
          maxPacketBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024 })),
          // Access control and transport security: see mqtt-security-schema.ts and docs/security.md.
          users: Type.Optional(MqttUsers),
          tls: Type.Optional(MqttTls),
          connectRate: Type.Optional(ConnectRate),
          maxQueuedMessages: Type.Optional(MaxQueuedMessages),
          maxRetainedMessages: Type.Optional(MaxRetainedMessages),
          maxRetainedBytes: Type.Optional(MaxRetainedBytes),
        },
        { additionalProperties: false },
      ),
    ),
    http: Type.Optional(
      Type.Object(
        {
          port: Type.Optional(Port),
          host: Type.Optional(Type.String()),
          auth: Type.Optional(HttpAuth),
          tls: Type.Optional(HttpTls),
        },
        { additionalProperties: false },
      ),
    ),
    /** How long data is kept (docs/security.md "Retention"); a purge runs at start and daily. */
    retention: Type.Optional(
      Type.Object(
        {
          /** Journal rows (never those recovery still needs), facts naming no member and rejected inputs older than this. Default 400d. */
          journal: Type.Optional(Duration),
          /** Members not seen in the store (nor re-imported) for this long are erased securely; facts naming a member, alerts and invitations go after as long. Default 730d. */
          members: Type.Optional(Duration),
          /** Audit rows (who saw member PII) older than this are deleted. Default 400d. */
          audit: Type.Optional(Duration),
        },
        { additionalProperties: false },
      ),
    ),
    dataDir: Type.Optional(Type.String({ minLength: 1 })),
    zones: Type.Record(Id, Zone),
    devices: Type.Record(Id, DeviceConfig),
    staff: Type.Optional(Type.Object({ badges: Type.Array(HexEpc) }, { additionalProperties: false })),
    // Keyed by the campaign as invitations carry it (free text up to 64 characters).
    campaigns: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 64 }), CampaignNames)),
    correlation: Type.Optional(
      Type.Object(
        {
          minDwell: Type.Optional(Duration),
          leaveAfter: Type.Optional(Duration),
          /** A fitting-room session open this long asks staff for assistance (a card). */
          assistAfter: Type.Optional(Duration),
          conversionWindow: Type.Optional(Duration),
          realertAfter: Type.Optional(Duration),
          invitationWindow: Type.Optional(Duration),
          staffWindow: Type.Optional(Duration),
          lateWindow: Type.Optional(Duration),
          /** How far in the future a device ts may be before it is replaced by rxTs. */
          skewBound: Type.Optional(Duration),
          /**
           * How far behind the gateway's clock correlation decides (a held entrance crossing, a
           * fitting-room session's end): input up to this late is taken in order without
           * recomputing anything. Later input is still used: it recomputes what it changes.
           */
          settle: Type.Optional(Duration),
        },
        { additionalProperties: false },
      ),
    ),
    alerts: Type.Optional(
      Type.Object(
        {
          /**
           * A VIP arrival whose event time is older than this when the gateway learns of it (a
           * reader flushing its buffer, a replayed day) is recorded as late and not pushed to
           * phones. Default 2m.
           */
          maxAge: Type.Optional(Duration),
          /** Optional outgoing webhook for VIP alerts (a WeCom / DingTalk group robot, or any JSON endpoint). */
          webhook: Type.Optional(
            Type.Object(
              {
                url: Type.String({ pattern: '^https?://' }),
                format: Type.Optional(
                  Type.Union([Type.Literal('json'), Type.Literal('wecom'), Type.Literal('dingtalk')]),
                ),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    upstream: Type.Optional(
      Type.Object(
        {
          natsUrl: Type.Optional(Type.String()),
          tenant: Type.Optional(Id),
          credsFile: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type ConfigFile = Static<typeof ConfigFile>;
export type DeviceConfig = Static<typeof DeviceConfig>;
export type PosImport = Static<typeof PosImport>;
export type ZoneKind = Static<typeof ZoneKind>;
