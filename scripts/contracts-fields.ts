/**
 * What each field of a generated table in docs/contracts.md means. scripts/contracts.ts
 * refuses to run while a schema field has no entry here, or an entry names a field that no
 * schema has: a new field cannot reach the contracts undocumented, and a removed one cannot
 * stay documented. A schema's own `description` wins over an entry here.
 *
 * Keys are field paths as the tables print them: `a.b` for a nested field, `a[].b` for a
 * field of each array item, `<zone>`-style placeholders for map keys.
 */
import type { GatewayConfig } from '../gateway/infra/config/index.js';

// --- MQTT payloads -----------------------------------------------------------------------

/** The fields every device message carries. */
export const ENVELOPE_FIELDS: Readonly<Record<string, string>> = {
  v: 'contract version; always 1',
  type: 'message type; must be one the topic accepts',
  id: "the sender's message id; with the device id it is the dedupe key, so a resent message counts once",
  ts: 'when it happened, by the device clock (see "Time")',
};

/** Per message type, the fields besides the envelope. */
export const MESSAGE_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'door.crossing': {
    door: 'door name (the config maps the device to its zone; this names the doorway)',
    dir: 'direction of the crossing',
    n: 'people who crossed together in that direction',
    period:
      'optional: the n crossings happened somewhere in [ts, ts + period seconds) (a counter that reports per period); staff are excluded by the badge passages of that period',
  },
  'door.totals': {
    door: 'door name',
    totalIn: 'cumulative ins since the counter booted',
    totalOut: 'cumulative outs since the counter booted',
    boot: 'changes whenever the counter restarts; totals then count from a new base',
  },
  'rfid.reads': {
    reads: 'raw reads since the previous message',
    'reads[].epc': 'tag EPC, hex (compared upper-case)',
    'reads[].ant': 'reader antenna port; the config maps it to a zone',
    'reads[].rssi': 'signal strength in dBm',
    'reads[].ts': 'time of this read, by the reader clock',
  },
  'pos.receipt': {
    receipt: 'receipt number; with the till (device) it keys the receipt, so a resend counts once',
    kind: '`sale` counts as a transaction; `refund` and `void` only adjust units and revenue',
    member: 'member id when the customer identified as a member',
    lines: 'one entry per article line',
    'lines[].epc': 'the sold garment’s tag, when the till scanned it',
    'lines[].gtin': 'product GTIN-8…14',
    'lines[].sku': 'store SKU; every line needs at least one of epc, gtin, sku',
    'lines[].qty': 'units on the line',
    'lines[].price': 'unit price in the store currency',
    total: 'receipt total in the store currency; must equal the lines (Σ qty × price) within rounding',
    currency: "must be the store's currency",
  },
  'member.seen': {
    member: 'member id, when the source knows it',
    credential: 'a card EPC or other credential the roster maps to a member; one of member, credential is required',
    zone: 'zone where the member was recognised (a VIP in `entrance` raises an arrival alert)',
    via: 'how the member was recognised',
  },
  'device.status': {
    uptime: 'seconds since the device booted',
    fw: 'firmware version',
    battery: 'battery charge in percent, for battery devices',
    errors: 'error count since boot, or the latest error texts',
  },
};

// --- Upstream (NATS) and HQ's KV buckets -----------------------------------------------

const BUCKET_HEADER = {
  v: 'contract version; always 1',
  tenant: 'tenant id (`upstream.tenant`)',
  store: 'store id (`store.id`)',
  bucketStart: 'start of the 15-minute bucket, RFC 3339 UTC',
  bucketEnd: 'end of the bucket (exclusive)',
  rev: 'revision; grows each time late input changes the bucket, HQ keeps the highest',
};

export const UPSTREAM_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  funnel: {
    ...BUCKET_HEADER,
    passersBy: 'passers-by counted by an `outside` counter',
    visitors: 'visitors (see "KPIs")',
    tryOnSessions: 'fitting-room sessions that started in the bucket',
    itemsTried: 'garments tried in those sessions',
    transactions: 'sales',
    units: 'units sold minus units refunded or voided',
    revenue: 'sales minus refunds and voids, in the store currency',
    triedBought: 'tried garments bought (counted at the receipt time)',
    exits: 'out crossings, so HQ can show the dwell estimate too',
    personMs: 'occupancy integrated over the bucket (person × milliseconds), for the dwell estimate',
  },
  vipjourney: {
    ...BUCKET_HEADER,
    arrivals: 'VIP arrivals in the bucket',
    members: 'distinct VIPs with activity in the bucket',
    invitedArrivals: 'arrivals of members with an open invitation',
    transactions: 'VIP sales',
    revenue: 'VIP revenue',
    journeys: 'one entry per VIP with activity',
    'journeys[].member': 'HMAC-SHA256 pseudonym of the member id (the key never leaves the store)',
    'journeys[].tier': 'member tier',
    'journeys[].arrivals': 'arrivals in the bucket',
    'journeys[].departures': 'departures in the bucket',
    'journeys[].dwellMs': 'time in store of those departures',
    'journeys[].invited': 'the member had an open invitation',
    'journeys[].transactions': 'sales to the member',
    'journeys[].revenue': 'revenue from the member',
  },
  health: {
    v: 'contract version; always 1',
    tenant: 'tenant id',
    store: 'store id',
    ts: 'when the gateway sent it',
    name: 'store name',
    timezone: 'store time zone (IANA)',
    currency: 'store currency',
    version: 'gateway version',
    uptimeS: 'seconds since the gateway started',
    outbox: 'the upstream backlog',
    'outbox.depth': 'messages waiting for JetStream',
    'outbox.oldestAgeS': 'age of the oldest waiting message, seconds',
    reference: "the store's copy of HQ data",
    'reference.members': 'members in the roster copy',
    'reference.products': 'products in the catalog copy',
    devices: 'configured devices',
    'devices.total': 'devices in the config',
    'devices.online': 'devices heard from recently',
  },
  roster: {
    id: 'member id',
    name: 'name, shown to staff only',
    tier: 'tier, 1–5 stars; a member at or above `store.vipTier` is a VIP',
    phone: 'phone number, shown to staff only',
    cards: 'card EPCs or other credentials that identify the member',
    sizes: 'usual sizes, as a list or a map (e.g. `{"top": "M"}`)',
    brands: 'preferred brands',
    notes: 'free-text notes for staff',
    stores:
      "HQ roster only: the member's home stores; a store's roster view holds its own members and every VIP-tier member",
  },
  catalog: {
    gtin: 'GTIN-8…14; the key (as GTIN-14)',
    sku: 'store SKU',
    style: 'style code; two sizes of one style in one session are a size swap',
    color: 'colour',
    size: 'size',
    name: 'product name',
    brand: 'brand',
    price: 'list price in the store currency',
  },
};

// --- Configuration file ------------------------------------------------------------------

export interface ConfigKeyDoc {
  readonly text: string;
  /** The value used when the key is absent: literal, or read from a config resolved with the key absent. */
  readonly default?: string | ((resolved: GatewayConfig) => string | number | boolean);
}

const dur = (ms: number): string => {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
};

export const CONFIG_KEYS: Readonly<Record<string, ConfigKeyDoc>> = {
  version: { text: 'config format version' },
  store: { text: 'the store' },
  'store.id': { text: 'store id, used in MQTT topics and upstream subjects' },
  'store.name': { text: 'display name' },
  'store.timezone': { text: 'IANA time zone; buckets, days and opening time are in it' },
  'store.currency': { text: 'ISO 4217 currency of receipts and revenue' },
  'store.openingTime': { text: 'local opening time, `HH:MM`; occupancy resets to 0 then' },
  'store.vipTier': { text: 'lowest member tier that is a VIP' },
  'store.locale': { text: 'default language of the dashboard, CSV headers and alerts' },
  mqtt: { text: 'the MQTT side; without `url` the gateway runs its own broker' },
  'mqtt.port': { text: 'port of the embedded broker (`GW_MQTT_PORT`)', default: (c) => c.mqtt.port },
  'mqtt.host': { text: 'listen address of the embedded broker', default: (c) => c.mqtt.host },
  'mqtt.url': { text: 'use this site broker instead of the embedded one' },
  'mqtt.allowAnonymous': {
    text: 'let clients without credentials connect (demo, closed test bench); otherwise every device logs in',
    default: (c) => c.mqtt.allowAnonymous,
  },
  'mqtt.maxPacketBytes': {
    text: 'a client announcing a bigger packet is disconnected before its body is read',
    default: (c) => c.mqtt.maxPacketBytes,
  },
  'mqtt.users': { text: 'MQTT accounts for staff phones and dashboards (not devices); they may subscribe only' },
  'mqtt.users[].username': { text: 'unique across users and devices' },
  'mqtt.users[].passwordHash': { text: 'scrypt hash from `store-gateway hash-password`' },
  'mqtt.users[].role': { text: '`staff` reads the alert topics, `dashboard` also the live topics' },
  'mqtt.tls': { text: 'an mqtts listener beside the plain port', default: 'off' },
  'mqtt.tls.port': { text: 'mqtts port' },
  'mqtt.tls.certFile': { text: 'server certificate (PEM), relative to the config file' },
  'mqtt.tls.keyFile': { text: 'its private key (PEM)' },
  'mqtt.tls.caFile': { text: 'intermediate/CA certificates sent with it' },
  'mqtt.connectRate': { text: 'limit new connections per remote address (token bucket)', default: 'off' },
  'mqtt.connectRate.perSecond': { text: 'refill rate' },
  'mqtt.connectRate.burst': { text: 'bucket size' },
  'mqtt.maxQueuedMessages': {
    text: 'QoS 1 messages kept per offline persistent session; the oldest are dropped beyond',
    default: (c) => c.mqtt.maxQueuedMessages,
  },
  'mqtt.maxRetainedMessages': {
    text: 'retained messages the broker keeps; a retained publish beyond is refused and its client dropped',
    default: (c) => c.mqtt.maxRetainedMessages,
  },
  'mqtt.maxRetainedBytes': {
    text: 'bytes of retained payloads the broker keeps; beyond, as above',
    default: (c) => c.mqtt.maxRetainedBytes,
  },
  http: { text: 'API, dashboard, SSE, metrics and MQTT over WebSocket at `/mqtt`' },
  'http.port': { text: 'HTTP port (`GW_HTTP_PORT`)', default: (c) => c.http.port },
  'http.host': { text: 'listen address', default: (c) => c.http.host },
  'http.auth': {
    text: 'dashboard and API users; absent, the API is open (a warning is logged) unless `GW_HTTP_AUTH=demo`',
  },
  'http.auth.users': { text: 'the users' },
  'http.auth.users[].name': { text: 'sign-in name' },
  'http.auth.users[].role': {
    text: '`manager` everything, `staff` also member PII and acks, `viewer` aggregates only',
  },
  'http.auth.users[].passwordHash': { text: 'scrypt hash from `store-gateway hash-password`' },
  'http.auth.users[].displayName': {
    text: 'the person’s name as colleagues know it (e.g. 王芳): acks, invitations and reports show it; leave it out for a shared account',
  },
  'http.auth.sessionTtl': {
    text: 'lifetime of a sign-in',
    default: (c) => dur(c.http.auth?.sessionTtlMs ?? Number.NaN),
  },
  'http.auth.secureCookies': {
    text: 'always mark the session cookie Secure (behind a TLS proxy)',
    default: (c) => c.http.auth?.secureCookies ?? 'n/a',
  },
  'http.tls': { text: 'serve HTTPS, and WSS at `/mqtt`', default: 'off' },
  'http.tls.certFile': { text: 'server certificate (PEM), relative to the config file' },
  'http.tls.keyFile': { text: 'its private key (PEM)' },
  retention: { text: 'how long data is kept; a purge runs at start and daily' },
  'retention.journal': {
    text: 'journal rows, facts naming no member and rejected inputs',
    default: (c) => dur(c.retention.journalMs),
  },
  'retention.members': {
    text: 'members not seen nor re-imported for this long are erased; their facts, alerts and invitations too',
    default: (c) => dur(c.retention.membersMs),
  },
  'retention.audit': { text: 'audit rows (who saw member PII)', default: (c) => dur(c.retention.auditMs) },
  dataDir: { text: 'folder of the SQLite database (`GW_DATA_DIR`), relative to the config file', default: './data' },
  zones: { text: 'the store’s zones by id' },
  'zones.<zone>.kind': { text: 'what the zone is; it decides what signals there mean' },
  'zones.<zone>.rssiMin': {
    text: 'fitting rooms: weakest read (dBm) that puts a garment in the room',
    default: 'no threshold',
  },
  devices: { text: 'the devices by id; a message from an id not listed here is rejected' },
  'door-counter/mqtt.door': { text: 'door name' },
  'door-counter/mqtt.zone': {
    text: 'zone the door leads into: an `entrance` zone, or an `outside` one for passers-by',
  },
  'door-counter/mqtt.clock': {
    text: '`untrusted`: use the receive time instead of the device `ts`',
    default: 'trusted',
  },
  'door-counter/serial.path': { text: 'serial device, e.g. `/dev/ttyUSB0`' },
  'door-counter/serial.baudRate': { text: 'line speed (8N1)', default: '9600' },
  'door-counter/serial.door': { text: 'door name' },
  'door-counter/serial.zone': { text: 'zone the door leads into' },
  'door-counter/gpio.pins': { text: 'the two light-beam inputs; the order they break gives the direction' },
  'door-counter/gpio.pins.a': { text: 'GPIO line of the outer beam' },
  'door-counter/gpio.pins.b': { text: 'GPIO line of the inner beam' },
  'door-counter/gpio.door': { text: 'door name' },
  'door-counter/gpio.zone': { text: 'zone the door leads into' },
  'rfid-reader/mqtt.format': {
    text: '`native` publishes `rfid.reads`; `impinj-iot` publishes Impinj IoT events on `…/impinj`',
    default: 'native',
  },
  'rfid-reader/mqtt.antennas': { text: 'antenna port → zone id' },
  'rfid-reader/mqtt.clock': { text: '`untrusted`: use the receive time', default: 'trusted' },
  'rfid-reader/serial.path': { text: 'serial device of the R2000 reader' },
  'rfid-reader/serial.baudRate': { text: 'line speed (8N1)', default: '115200' },
  'rfid-reader/serial.address': { text: 'reader address byte; 255 is the broadcast address', default: '255' },
  'rfid-reader/serial.antennas': { text: 'antenna port → zone id' },
  'rfid-reader/http-stream.format': { text: 'only `impinj-iot`' },
  'rfid-reader/http-stream.url': { text: "the reader's base URL; the gateway reads its event stream" },
  'rfid-reader/http-stream.username': { text: 'reader login' },
  'rfid-reader/http-stream.password': { text: 'reader password' },
  'rfid-reader/http-stream.passwordFile': { text: 'a file holding the reader password, relative to the config file' },
  'rfid-reader/http-stream.passwordEnv': { text: 'an environment variable holding the reader password' },
  'rfid-reader/http-stream.antennas': { text: 'antenna port → zone id' },
  'door-counter/hikvision-isapi.url': { text: "the camera's base URL, e.g. `http://192.168.1.64`" },
  'door-counter/hikvision-isapi.username': { text: 'camera user (HTTP digest auth)' },
  'door-counter/hikvision-isapi.password': { text: 'its password (or `passwordFile`)' },
  'door-counter/hikvision-isapi.passwordFile': { text: 'a file holding the password, relative to the config file' },
  'door-counter/hikvision-isapi.door': { text: 'door name' },
  'door-counter/hikvision-isapi.zone': { text: 'zone the door leads into' },
  'door-counter/hikvision-isapi.timezone': { text: "IANA zone of the camera's clock", default: 'the store’s' },
  'door-counter/hikvision-isapi.channel': { text: 'video input channel that counts', default: '1' },
  'door-counter/axis-vapix.url': { text: "the counter's base URL" },
  'door-counter/axis-vapix.username': { text: 'counter user (HTTP digest auth)' },
  'door-counter/axis-vapix.password': { text: 'its password (or `passwordFile`)' },
  'door-counter/axis-vapix.passwordFile': { text: 'a file holding the password, relative to the config file' },
  'door-counter/axis-vapix.door': { text: 'door name' },
  'door-counter/axis-vapix.zone': { text: 'zone the door leads into' },
  'door-counter/axis-vapix.timezone': { text: "IANA zone of the counter's clock", default: 'the store’s' },
  'door-counter/axis-vapix.pollInterval': { text: 'how often the live sum is read', default: '5s' },
  'pos/mqtt.clock': { text: '`untrusted`: use the receive time', default: 'trusted' },
  'pos/http.clock': { text: '`untrusted`: use the receive time', default: 'trusted' },
  'pos/http.username': { text: 'HTTP Basic user of the till (`POST /api/v1/ingest/pos/{device}`)' },
  'pos/http.passwordHash': { text: 'scrypt hash of its password; goes with username' },
  // End-of-day receipts file (either POS transport).
  'pos/*.import': { text: "how to read the till's receipts file (`store-gateway import-receipts`, dashboard upload)" },
  'pos/*.import.columns': { text: 'column header → field; one row per receipt line, grouped by receipt number' },
  'pos/*.import.columns.receipt': { text: 'receipt number' },
  'pos/*.import.columns.ts': { text: 'time of the receipt (local time of `timezone`, or RFC 3339)' },
  'pos/*.import.columns.qty': { text: 'units on the line (negative allowed on refunds and voids)' },
  'pos/*.import.columns.price': { text: 'unit price' },
  'pos/*.import.columns.kind': {
    text: 'sale / refund / void, in the words of `kindValues`',
    default: 'every row a sale',
  },
  'pos/*.import.columns.sku': { text: 'store SKU (map at least one of sku, gtin, epc)' },
  'pos/*.import.columns.gtin': { text: 'product GTIN' },
  'pos/*.import.columns.epc': { text: "the garment's tag EPC, hex" },
  'pos/*.import.columns.total': {
    text: 'receipt total, repeated on its lines or on the first only',
    default: 'Σ qty × price',
  },
  'pos/*.import.columns.member': { text: 'member id' },
  'pos/*.import.columns.currency': { text: 'ISO 4217 currency', default: 'the store’s' },
  'pos/*.import.timezone': { text: 'IANA zone of the times in the file', default: 'the store’s' },
  'pos/*.import.dateFormat': {
    text: 'layout of the time column with `YYYY MM M DD D HH H mm ss`, e.g. `YYYY/MM/DD HH:mm:ss`',
    default: '`YYYY-MM-DD HH:mm[:ss]` or RFC 3339',
  },
  'pos/*.import.kindValues': { text: 'the words the till writes in the kind column' },
  'pos/*.import.kindValues.sale': { text: 'word for a sale', default: 'sale' },
  'pos/*.import.kindValues.refund': { text: 'word for a refund', default: 'refund' },
  'pos/*.import.kindValues.void': { text: 'word for a void', default: 'void' },
  'member-source/mqtt.clock': { text: '`untrusted`: use the receive time', default: 'trusted' },
  // Fields every MQTT device variant shares.
  '*/mqtt.username': { text: 'MQTT login of the device (needed unless `mqtt.allowAnonymous`)' },
  '*/mqtt.passwordHash': { text: 'scrypt hash of its password; goes with username' },
  staff: { text: 'staff badges' },
  'staff.badges': { text: 'EPCs of staff badges: an `in` within `staffWindow` of one at the entrance is no visitor' },
  campaigns: {
    text: 'campaign names, keyed by the campaign as invitations carry it (up to 64 characters); screens and staff cards show the name, the key when none',
  },
  'campaigns.<campaign>.en': { text: 'name in English, e.g. `Winter private sale`' },
  'campaigns.<campaign>.zh-CN': { text: 'name in Chinese, e.g. `冬季私享会`' },
  correlation: { text: 'the windows the KPI definitions use' },
  'correlation.minDwell': {
    text: 'a garment must stay this long in a room to count as tried',
    default: (c) => dur(c.correlation.minDwellMs),
  },
  'correlation.leaveAfter': {
    text: 'a session ends when none of its garments was seen for this long',
    default: (c) => dur(c.correlation.leaveAfterMs),
  },
  'correlation.assistAfter': {
    text: 'a fitting-room session still open this long after its start sends staff an assistance card (a size swap sends one at once)',
    default: (c) => dur(c.correlation.assistAfterMs),
  },
  'correlation.conversionWindow': {
    text: 'a sale this long after a session ended still makes its garment tried → bought',
    default: (c) => dur(c.correlation.conversionWindowMs),
  },
  'correlation.realertAfter': {
    text: 'no new arrival alert for the same member within this (event time)',
    default: (c) => dur(c.correlation.realertAfterMs),
  },
  'correlation.invitationWindow': {
    text: 'an invitation’s outcome is attributed over this period',
    default: (c) => dur(c.correlation.invitationWindowMs),
  },
  'correlation.staffWindow': {
    text: 'an `in` this close to a staff badge at the entrance is staff',
    default: (c) => dur(c.correlation.staffWindowMs),
  },
  'correlation.lateWindow': {
    text: 'device times older than this are rejected; later input within it corrects results',
    default: (c) => dur(c.correlation.lateWindowMs),
  },
  'correlation.skewBound': {
    text: 'a device time further in the future is replaced by the receive time and flagged',
    default: (c) => dur(c.correlation.skewBoundMs),
  },
  'correlation.settle': {
    text: 'how far behind the clock deadlines (staff window, session end) are decided; later input still counts: it recomputes what it changes',
    default: (c) => dur(c.correlation.settleMs),
  },
  alerts: { text: 'VIP alert delivery besides MQTT and SSE' },
  'alerts.maxAge': {
    text: 'a VIP arrival older than this when derived (a flushed reader, a replayed day) is recorded `late` and not pushed',
    default: (c) => dur(c.alerts.maxAgeMs),
  },
  'alerts.webhook': { text: 'POST every alert to this endpoint, with retries', default: 'off' },
  'alerts.webhook.url': { text: 'endpoint' },
  'alerts.webhook.format': {
    text: 'plain JSON, or a WeCom / DingTalk group-robot markdown message',
    default: (c) => c.alerts.webhook?.format ?? 'n/a',
  },
  upstream: { text: 'the link to HQ; the outbox fills even while it is off' },
  'upstream.natsUrl': { text: 'NATS server (`GW_NATS_URL`); absent, nothing is sent', default: 'off' },
  'upstream.tenant': { text: 'tenant id in subjects and bodies', default: (c) => c.upstream.tenant },
  'upstream.credsFile': { text: "the store's NATS credentials file" },
};
