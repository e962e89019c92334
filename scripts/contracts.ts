/**
 * Writes the generated parts of docs/contracts.md from the code that defines them: the
 * TypeBox schemas of protocols/ (MQTT payloads, upstream bodies, KV values), the topic map,
 * the config schema with its resolved defaults, and example frames made by the serial
 * codecs. Everything else in the file is prose and stays as written.
 *
 *   npm run docs:contracts              rewrite docs/contracts.md
 *   npm run docs:contracts -- --check   exit 1 if it is out of date (tests/unit/docs does the same)
 *
 * A generated part sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEMO_HTTP_USERS } from '../gateway/infra/config/defaults.js';
import { type GatewayConfig, parseConfig } from '../gateway/infra/config/index.js';
import { ConfigFile, DeviceConfig, Duration } from '../gateway/infra/config/schema.js';
import {
  CatalogEntry,
  DeviceChannels,
  decodeR2000Answer,
  decodeR2000Frame,
  decodeSgtin96,
  EpcHex,
  encodeDoorLine,
  FunnelMessage,
  HealthMessage,
  HQ_CONSUMER,
  KV_CATALOG_BUCKET,
  KV_ROSTER_BUCKET,
  MessageSchemas,
  R2000Cmd,
  R2000Status,
  RosterEntry,
  realtimeInventory,
  setWorkAntenna,
  topics,
  UPSTREAM_DUPLICATE_WINDOW_MS,
  UPSTREAM_MAX_AGE_MS,
  UPSTREAM_STREAM,
  UPSTREAM_SUBJECTS,
  upstreamMsgId,
  upstreamSubject,
  VipJourneyMessage,
} from '../protocols/index.js';
import { encodeR2000Error, encodeR2000InventoryEnd, encodeR2000Tag } from '../protocols/r2000-encode.js';
import {
  CONFIG_KEYS,
  type ConfigKeyDoc,
  ENVELOPE_FIELDS,
  MESSAGE_FIELDS,
  UPSTREAM_FIELDS,
} from './contracts-fields.js';

export const CONTRACTS_FILE = fileURLToPath(new URL('../docs/contracts.md', import.meta.url));

/** The JSON Schema shape TypeBox schemas have at run time (the parts read here). */
export interface Schema {
  readonly type?: string;
  readonly const?: unknown;
  readonly anyOf?: readonly Schema[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly patternProperties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly description?: string;
}

const asSchema = (s: unknown): Schema => s as Schema;

// --- describing one schema as a table ------------------------------------------------------

/** Friendlier names for patterns used in many places. */
const NAMED_PATTERNS = new Map<string, string>([
  [asSchema(Duration).pattern ?? '', 'duration (`500ms`, `20s`, `30m`, `2h`, `14d`)'],
  ['^[A-Za-z0-9_.:-]{1,64}$', 'id (1–64 of `A–Z a–z 0–9 _ . : -`)'],
  [asSchema(EpcHex).pattern ?? '', 'EPC hex (8–64 hex digits)'],
  ['^[A-Z]{3}$', 'ISO 4217 code'],
  ['^[0-9]{8,14}$', 'GTIN (8–14 digits)'],
  ['^[0-9a-f]{64}$', '64 lower-case hex digits'],
  ['^([01][0-9]|2[0-3]):[0-5][0-9]$', '`HH:MM`'],
  ['^scrypt\\$', 'scrypt hash (`scrypt$…`)'],
  ['^https?://', 'http(s) URL'],
  ['^mqtts?://', 'mqtt(s) URL'],
]);

/** Map keys as they appear in paths. */
const MAP_KEYS: Readonly<Record<string, string>> = {
  zones: '<zone>',
  devices: '<device>',
  antennas: '<port>',
  campaigns: '<campaign>',
};

function range(s: Schema): string {
  const lo = s.minimum;
  const hi = s.maximum;
  if (s.exclusiveMinimum !== undefined)
    return hi === undefined ? ` > ${s.exclusiveMinimum}` : ` > ${s.exclusiveMinimum}, ≤ ${hi}`;
  if (lo !== undefined && hi !== undefined) return ` ${lo}…${hi}`;
  if (lo !== undefined) return ` ≥ ${lo}`;
  if (hi !== undefined) return ` ≤ ${hi}`;
  return '';
}

function length(s: Schema): string {
  const lo = s.minLength;
  const hi = s.maxLength;
  if (lo !== undefined && hi !== undefined) return ` (${lo}–${hi} chars)`;
  if (hi !== undefined) return ` (≤ ${hi} chars)`;
  if (lo !== undefined && lo > 0) return ` (≥ ${lo} char${lo === 1 ? '' : 's'})`;
  return '';
}

/** A one-line type: `"in"` or `"out"`, `integer 1…1000`, `RFC 3339 time`, `array of …`. */
export function typeText(s: Schema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.anyOf) return [...new Set(s.anyOf.map(typeText))].join(' or ');
  switch (s.type) {
    case 'string': {
      if (s.format === 'date-time') return 'RFC 3339 time';
      if (s.pattern !== undefined) {
        const named = NAMED_PATTERNS.get(s.pattern);
        return named ?? `string matching \`${s.pattern}\``;
      }
      return `string${length(s)}`;
    }
    case 'integer':
    case 'number':
      return `${s.type}${range(s)}`;
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = s.items ? (isObject(s.items) ? 'objects' : typeText(s.items)) : 'anything';
      const n =
        s.maxItems !== undefined
          ? ` (${s.minItems !== undefined ? `${s.minItems}–` : '≤ '}${s.maxItems})`
          : s.minItems
            ? ` (≥ ${s.minItems})`
            : '';
      return `array${n} of ${items}`;
    }
    case 'object': {
      if (s.patternProperties) {
        const [keyPattern, value] = Object.entries(s.patternProperties)[0] ?? ['', {}];
        const key = NAMED_PATTERNS.get(keyPattern) ?? (keyPattern === '^[0-9]{1,2}$' ? 'port number' : 'string');
        return `map: ${key} → ${typeText(value)}`;
      }
      return 'object';
    }
    default:
      throw new Error(`no description for schema ${JSON.stringify(s)}`);
  }
}

function isObject(s: Schema): boolean {
  return s.type === 'object' && s.properties !== undefined;
}

export interface Row {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly schema: Schema;
}

/** Every field of an object schema, depth first: `a`, `a.b`, `list[].c`, `zones.<zone>.kind`. */
export function fieldRows(schema: Schema, prefix = ''): Row[] {
  const rows: Row[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    rows.push({ path, type: typeText(field), required: required.has(name), schema: field });
    if (isObject(field)) rows.push(...fieldRows(field, path));
    else if (field.type === 'array' && field.items && isObject(field.items))
      rows.push(...fieldRows(field.items, `${path}[]`));
    else if (field.patternProperties && name in MAP_KEYS) {
      const value = Object.values(field.patternProperties)[0];
      if (value && isObject(value)) rows.push(...fieldRows(value, `${path}.${MAP_KEYS[name]}`));
    }
  }
  return rows;
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/**
 * A markdown table of an object schema's fields. Throws when a field has no description
 * (in the schema or in `docs`), or when `docs` describes a field the schema does not have.
 */
export function fieldTable(
  name: string,
  rows: readonly Row[],
  docs: Readonly<Record<string, string>>,
  columns: { readonly defaults?: Readonly<Record<string, string>> } = {},
): string {
  const missing = rows.filter((r) => r.schema.description === undefined && docs[r.path] === undefined);
  if (missing.length > 0) {
    throw new Error(
      `${name}: no description for ${missing.map((r) => r.path).join(', ')} (add it in scripts/contracts-fields.ts)`,
    );
  }
  const known = new Set(rows.map((r) => r.path));
  const stale = Object.keys(docs).filter((k) => !known.has(k));
  if (stale.length > 0) throw new Error(`${name}: scripts/contracts-fields.ts describes unknown ${stale.join(', ')}`);
  const withDefaults = columns.defaults !== undefined;
  const head = withDefaults
    ? '| key | type | required | default | meaning |\n| --- | --- | --- | --- | --- |'
    : '| field | type | required | meaning |\n| --- | --- | --- | --- |';
  const lines = rows.map((r) => {
    const text = r.schema.description ?? docs[r.path] ?? '';
    const req = r.required ? 'yes' : 'no';
    const def = withDefaults ? ` ${cell(columns.defaults?.[r.path] ?? '')} |` : '';
    return `| \`${r.path}\` | ${cell(r.type)} | ${req} |${def} ${cell(text)} |`;
  });
  return [head, ...lines].join('\n');
}

// --- the generated parts --------------------------------------------------------------------

function mqttTopics(): string {
  const byPattern = new Map<string, string>();
  for (const fn of Object.values(topics) as ((store: string, device: string) => string)[]) {
    byPattern.set(fn('{store}', '{device}'), fn.name);
  }
  const rows = ['| topic | direction | message types |', '| --- | --- | --- |'];
  for (const [channel, types] of Object.entries(DeviceChannels)) {
    const [family, leaf] = channel.split('/');
    const topic = `retail/{store}/${family}/{device}/${leaf}`;
    if (!byPattern.delete(topic)) throw new Error(`protocols/topics.ts has no topic function for ${topic}`);
    const carried =
      types.length > 0
        ? types.map((t) => `\`${t}\``).join(', ')
        : 'Impinj IoT Device Interface JSON, as the reader emits it';
    rows.push(`| \`${topic}\` | device → gateway | ${carried} |`);
  }
  const outgoing: Record<string, string> = {
    [topics.vipAlerts('{store}')]: '`vip.arrival`, `vip.ack` (QoS 1)',
    [topics.assistAlerts('{store}')]: '`room.assist`, `room.assist.ack` (QoS 1)',
    [topics.liveFunnel('{store}')]: '`funnel.live` (QoS 1, retained)',
  };
  for (const [topic, carried] of Object.entries(outgoing)) {
    if (!byPattern.delete(topic)) throw new Error(`protocols/topics.ts has no topic function for ${topic}`);
    rows.push(`| \`${topic}\` | gateway → subscribers | ${carried} |`);
  }
  if (byPattern.size > 0) throw new Error(`topics not documented: ${[...byPattern.keys()].join(', ')}`);
  return rows.join('\n');
}

function mqttPayloads(): string {
  const parts: string[] = [];
  const envelopeNames = Object.keys(ENVELOPE_FIELDS);
  const first = asSchema(Object.values(MessageSchemas)[0]);
  const envelope = fieldRows(first)
    .filter((r) => envelopeNames.includes(r.path))
    .map((r) => (r.path === 'type' ? { ...r, type: 'string: one of the types below' } : r));
  parts.push(
    '#### Every device message',
    '',
    fieldTable('envelope', envelope, ENVELOPE_FIELDS),
    '',
    'Fields not listed are ignored, so newer firmware may add some.',
  );
  for (const [type, schema] of Object.entries(MessageSchemas)) {
    const rows = fieldRows(asSchema(schema));
    for (const name of envelopeNames) {
      const here = rows.find((r) => r.path === name);
      const base = envelope.find((r) => r.path === name);
      const same = name === 'type' ? here?.type === `\`${JSON.stringify(type)}\`` : here?.type === base?.type;
      if (!here?.required || !same) throw new Error(`${type}: envelope field ${name} differs from the others`);
    }
    const own = rows.filter((r) => !envelopeNames.includes(r.path));
    parts.push('', `#### \`${type}\``, '', fieldTable(type, own, MESSAGE_FIELDS[type] ?? {}));
  }
  return parts.join('\n');
}

function upstreamBodies(): string {
  const kinds: [string, string, Schema][] = [
    ['funnel', upstreamSubject('{tenant}', '{store}', 'funnel'), asSchema(FunnelMessage)],
    ['vipjourney', upstreamSubject('{tenant}', '{store}', 'vipjourney'), asSchema(VipJourneyMessage)],
    ['health', upstreamSubject('{tenant}', '{store}', 'health'), asSchema(HealthMessage)],
  ];
  const parts = [
    `Stream \`${UPSTREAM_STREAM}\` on ${UPSTREAM_SUBJECTS.map((s) => `\`${s}\``).join(', ')}; messages are kept ` +
      `${UPSTREAM_MAX_AGE_MS / 86_400_000} days; JetStream drops a repeated \`Nats-Msg-Id\` within ` +
      `${UPSTREAM_DUPLICATE_WINDOW_MS / 1000} s. HQ's cloud-sink instances share the durable consumer \`${HQ_CONSUMER}\`.`,
    `Message id example: \`${upstreamMsgId('s001', 'funnel', Date.UTC(2026, 10, 23, 2, 0), 3)}\` ` +
      '(store, kind, bucket start in epoch milliseconds, revision).',
  ];
  for (const [kind, subject, schema] of kinds) {
    parts.push('', `#### \`${subject}\``, '', fieldTable(kind, fieldRows(schema), UPSTREAM_FIELDS[kind] ?? {}));
  }
  parts.push(
    '',
    `#### KV \`${KV_ROSTER_BUCKET}\` (key: member id, \`:\` written \`=3A\` and \`.\` written \`=2E\`) and \`PUT /api/v1/members\` items`,
    '',
    fieldTable('roster', fieldRows(asSchema(RosterEntry)), UPSTREAM_FIELDS.roster ?? {}),
    '',
    `#### KV \`${KV_CATALOG_BUCKET}\` (key: GTIN-14) and \`PUT /api/v1/catalog\` items`,
    '',
    fieldTable('catalog', fieldRows(asSchema(CatalogEntry)), UPSTREAM_FIELDS.catalog ?? {}),
  );
  return parts.join('\n');
}

const MINIMAL_CONFIG = `
version: 1
store: { id: s001, name: Demo, timezone: Asia/Shanghai, currency: CNY, openingTime: "09:30", vipTier: 4, locale: zh-CN }
zones: {}
devices: {}
`;

/** The config the gateway resolves when every optional key is absent (and, for keys inside optional sections, the section given bare). */
function resolvedDefaults(): GatewayConfig {
  const plain = parseConfig(MINIMAL_CONFIG, 'defaults');
  const withSections = parseConfig(
    `${MINIMAL_CONFIG}http: { auth: { users: [{ name: a, role: manager, passwordHash: "${DEMO_HTTP_USERS[0].passwordHash}" }] } }\n` +
      'alerts: { webhook: { url: "http://127.0.0.1/" } }\n',
    'defaults',
  );
  return { ...plain, http: withSections.http, alerts: withSections.alerts };
}

function defaultText(doc: ConfigKeyDoc | undefined, resolved: GatewayConfig): string {
  if (doc?.default === undefined) return '';
  const value = typeof doc.default === 'function' ? doc.default(resolved) : doc.default;
  const text = String(value);
  return text.includes(' ') ? text : `\`${text}\``;
}

function configKeys(): string {
  const resolved = resolvedDefaults();
  const file = asSchema(ConfigFile);
  const top = fieldRows({ ...file, properties: { ...file.properties } });
  // Devices get one table per variant below.
  const general = top.filter((r) => !r.path.startsWith('devices.'));
  const generalDocs = Object.fromEntries(Object.entries(CONFIG_KEYS).filter(([k]) => !k.includes('/'))) as Record<
    string,
    ConfigKeyDoc
  >;
  const parts = [
    fieldTable('config', general, Object.fromEntries(Object.entries(generalDocs).map(([k, v]) => [k, v.text])), {
      defaults: Object.fromEntries(general.map((r) => [r.path, defaultText(generalDocs[r.path], resolved)])),
    }),
  ];
  const deviceDocs = Object.entries(CONFIG_KEYS).filter(([k]) => k.includes('/'));
  const used = new Set<string>();
  for (const variant of asSchema(DeviceConfig).anyOf ?? []) {
    const kind = String(variant.properties?.kind?.const);
    const transport = String(variant.properties?.transport?.const);
    const rows = fieldRows(variant, 'devices.<device>').filter(
      (r) => r.path !== 'devices.<device>.kind' && r.path !== 'devices.<device>.transport',
    );
    const docs: Record<string, string> = {};
    const defaults: Record<string, string> = {};
    for (const r of rows) {
      const field = r.path.slice('devices.<device>.'.length);
      const key = [`${kind}/${transport}.${field}`, `${kind}/*.${field}`, `*/${transport}.${field}`].find(
        (k) => k in CONFIG_KEYS,
      );
      if (!key) continue;
      used.add(key);
      docs[r.path] = CONFIG_KEYS[key]?.text ?? '';
      defaults[r.path] = defaultText(CONFIG_KEYS[key], resolved);
    }
    parts.push(
      '',
      `#### \`devices.<device>\` with \`kind: ${kind}\`, \`transport: ${transport}\``,
      '',
      fieldTable(`devices ${kind}/${transport}`, rows, docs, { defaults }),
    );
  }
  const unused = deviceDocs.map(([k]) => k).filter((k) => !used.has(k));
  if (unused.length > 0)
    throw new Error(`scripts/contracts-fields.ts describes unknown device keys ${unused.join(', ')}`);
  return parts.join('\n');
}

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');

function serialExamples(): string {
  const line = encodeDoorLine({ device: 'door-2', seq: 42, door: 'side', totalIn: 1234, totalOut: 1201, bootId: 'b7' });
  const body = line.slice(1, line.indexOf('*'));
  const epc = '3074257BF7194E4000001A85';
  const sgtin = decodeSgtin96(epc);
  const frames: [string, Uint8Array, 'host' | 'reader'][] = [
    ['host → reader: real-time inventory, one round (cmd 0x89, Repeat 1)', realtimeInventory(0x01, 0x01), 'host'],
    ['host → reader: select antenna 1 (cmd 0x74, AntennaID 0)', setWorkAntenna(0x01, 0), 'host'],
    [
      'reader → host: one tag (FreqAnt, PC, EPC, RSSI)',
      encodeR2000Tag({ addr: 0x01, antenna: 1, freq: 7, epc, rssiDbm: -55 }),
      'reader',
    ],
    [
      'reader → host: end of the round (AntID, ReadRate, TotalRead)',
      encodeR2000InventoryEnd({ addr: 0x01, antenna: 1, readRate: 40, totalRead: 12 }),
      'reader',
    ],
    [
      'reader → host: error (ErrorCode antennaMissingError)',
      encodeR2000Error({ addr: 0x01, cmd: R2000Cmd.realTimeInventory, code: R2000Status.antennaMissingError }),
      'reader',
    ],
  ];
  const rows = ['| frame | bytes | decoded |', '| --- | --- | --- |'];
  for (const [what, bytes, from] of frames) {
    // A host command is a plain frame; only reader answers have a meaning beyond addr, cmd, data.
    const decoded = from === 'host' ? decodeR2000Frame(bytes) : decodeR2000Answer(bytes);
    if (!decoded.ok) throw new Error(`example frame ${hex(bytes)} does not decode: ${decoded.reason}`);
    const meaning = JSON.stringify(decoded.value, (_k, v: unknown) => (v instanceof Uint8Array ? hex(v) : v));
    rows.push(`| ${what} | \`${hex(bytes)}\` | ${cell(`\`${meaning}\``)} |`);
  }
  return [
    'Door counter line (the checksum is the XOR of the bytes between `$` and `*`):',
    '',
    '```',
    line.trimEnd(),
    '```',
    '',
    `Here the XOR of \`${body}\` is 0x${line.slice(line.indexOf('*') + 1, line.indexOf('*') + 3)}.`,
    '',
    'R2000 frames, and what the gateway decodes from them:',
    '',
    ...rows,
    '',
    `The EPC above is SGTIN-96: ${sgtin.ok ? `\`${sgtin.value.uri}\`, GTIN \`${sgtin.value.gtin14}\`` : 'not decodable'}.`,
  ].join('\n');
}

export const GENERATORS: Readonly<Record<string, () => string>> = {
  'mqtt-topics': mqttTopics,
  'mqtt-payloads': mqttPayloads,
  'serial-examples': serialExamples,
  upstream: upstreamBodies,
  'config-keys': configKeys,
};

/** `current` with every generated part replaced by what the code says now. */
export function renderContracts(current: string): string {
  const seen = new Set<string>();
  const out = current.replace(
    /(<!-- generated:([a-z-]+) -->\n)[\s\S]*?(<!-- \/generated:\2 -->)/g,
    (_all, open: string, name: string, close: string) => {
      const generate = GENERATORS[name];
      if (!generate) throw new Error(`docs/contracts.md has an unknown generated part ${name}`);
      seen.add(name);
      return `${open}${generate()}\n${close}`;
    },
  );
  const absent = Object.keys(GENERATORS).filter((name) => !seen.has(name));
  if (absent.length > 0) throw new Error(`docs/contracts.md lacks the generated parts ${absent.join(', ')}`);
  return out;
}

function main(argv: readonly string[]): number {
  const current = readFileSync(CONTRACTS_FILE, 'utf8');
  const next = renderContracts(current);
  if (argv.includes('--check')) {
    if (next === current) return 0;
    console.error('docs/contracts.md is out of date: run `npm run docs:contracts` and commit it');
    return 1;
  }
  if (next !== current) writeFileSync(CONTRACTS_FILE, next);
  console.log(next === current ? 'docs/contracts.md is up to date' : 'docs/contracts.md rewritten');
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = main(process.argv.slice(2));
