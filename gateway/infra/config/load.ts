/**
 * Loads, overrides and validates the gateway config. Every problem is reported with its
 * path at once, so an installer fixes a file in one go instead of one error per boot.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { parse as parseYaml } from 'yaml';
import { isTimeZone } from '../../../protocols/index.js';
import { DEFAULT_CONFIG_YAML, DEMO_HTTP_USERS } from './defaults.js';
import { parseDuration } from './duration.js';
import { ConfigFile, DeviceConfig } from './schema.js';
import type { GatewayConfig } from './types.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid config ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

const fileValidator = Compile(ConfigFile);
const deviceVariants = (DeviceConfig.anyOf as TSchema[]).map((schema) => ({ schema, check: Compile(schema) }));
/**
 * One validator per top-level section: TypeBox stops reporting a branch after some
 * failures, and an installer wants every bad path of the file in one go.
 */
const sectionValidators = Object.entries(ConfigFile.properties)
  .filter(([key]) => key !== 'devices')
  .map(([key, schema]) => ({ key, check: Compile(schema as TSchema) }));
const knownSections = new Set(Object.keys(ConfigFile.properties));
const requiredSections = new Set<string>(ConfigFile.required ?? []);

/** Reads the config named by --config or GW_CONFIG, else the built-in default, then applies env overrides. */
export function loadConfig(file: string | undefined, env: Env = process.env): GatewayConfig {
  const path = file ?? env.GW_CONFIG;
  const text = path ? readFileSync(path, 'utf8') : DEFAULT_CONFIG_YAML;
  return parseConfig(text, path ?? '(built-in default)', env, path ? resolve(path, '..') : process.cwd());
}

export function parseConfig(text: string, source: string, env: Env = {}, baseDir = process.cwd()): GatewayConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(source, [`not valid YAML: ${(err as Error).message}`]);
  }
  const withEnv = applyEnvOverrides(raw, env);
  const problems = schemaProblems(withEnv);
  if (problems.length > 0) throw new ConfigError(source, problems);
  const file = withEnv as ConfigFile;
  const semantic = semanticProblems(file);
  if (semantic.length > 0) throw new ConfigError(source, semantic);
  const authMode = env.GW_HTTP_AUTH ?? '';
  if (!['', 'on', 'off', 'demo'].includes(authMode)) {
    throw new ConfigError(source, [`GW_HTTP_AUTH must be "off", "demo" or "on", not ${JSON.stringify(authMode)}`]);
  }
  const base = resolveConfig(file, baseDir);
  // Secure by default: only an explicit GW_HTTP_AUTH=off opens the API (gateway/infra/auth/http-auth.ts).
  const resolved = { ...base, http: { ...base.http, openApi: authMode === 'off' } };
  const secrets = resolveDeviceSecrets(resolved.devices, env, baseDir);
  if (secrets.problems.length > 0) throw new ConfigError(source, secrets.problems);
  return { ...resolved, devices: secrets.devices };
}

/**
 * An Impinj stream reader's password may come from `passwordFile` (one line; relative to the
 * config file) or `passwordEnv` (a variable's name) so the config file itself holds no secret.
 * Read once at start; the resolved config carries it as `password`.
 */
function resolveDeviceSecrets(
  devices: GatewayConfig['devices'],
  env: Env,
  baseDir: string,
): { devices: GatewayConfig['devices']; problems: string[] } {
  const problems: string[] = [];
  const out: Record<string, DeviceConfig> = {};
  for (const [id, device] of Object.entries(devices)) {
    if (device.transport !== 'http-stream' || (device.passwordFile === undefined && device.passwordEnv === undefined)) {
      out[id] = device;
      continue;
    }
    const { passwordFile, passwordEnv, ...rest } = device;
    let password: string | undefined;
    if (passwordFile !== undefined) {
      const file = resolve(baseDir, passwordFile);
      try {
        password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        problems.push(`/devices/${id}/passwordFile: cannot read ${file}: ${(err as Error).message}`);
      }
    } else if (passwordEnv !== undefined) {
      password = env[passwordEnv];
      if (password === undefined || password === '') {
        problems.push(`/devices/${id}/passwordEnv: environment variable ${passwordEnv} is not set`);
      }
    }
    out[id] = password === undefined || password === '' ? rest : { ...rest, password };
  }
  return { devices: out, problems };
}

function applyEnvOverrides(raw: unknown, env: Env): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out = structuredClone(raw) as Record<string, unknown>;
  const section = (key: string): Record<string, unknown> => {
    const current = out[key];
    const obj = typeof current === 'object' && current !== null && !Array.isArray(current) ? current : {};
    out[key] = obj;
    return obj as Record<string, unknown>;
  };
  if (env.GW_STORE_ID) section('store').id = env.GW_STORE_ID;
  if (env.GW_DATA_DIR) out.dataDir = env.GW_DATA_DIR;
  if (env.GW_MQTT_PORT) section('mqtt').port = envInt(env.GW_MQTT_PORT);
  if (env.GW_HTTP_PORT) section('http').port = envInt(env.GW_HTTP_PORT);
  if (env.GW_NATS_URL) section('upstream').natsUrl = env.GW_NATS_URL;
  // GW_HTTP_AUTH=demo adds the demo users when the file has none (the demo command sets it); off opens the API.
  if (env.GW_HTTP_AUTH === 'demo' && section('http').auth === undefined) {
    section('http').auth = { users: DEMO_HTTP_USERS.map((u) => ({ ...u })) };
  } else if (env.GW_HTTP_AUTH === 'off') delete section('http').auth;
  return out;
}

/** Keeps a bad value as text so the schema error names it instead of silently becoming NaN. */
function envInt(value: string): number | string {
  return /^[0-9]+$/.test(value) ? Number(value) : value;
}

function schemaProblems(raw: unknown): string[] {
  if (fileValidator.Check(raw)) return [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return ['/: must be a mapping of sections'];
  const file = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(file)) {
    if (!knownSections.has(key)) problems.push(`/${key}: unknown key`);
  }
  for (const { key, check } of sectionValidators) {
    const value = file[key];
    if (value === undefined) {
      if (requiredSections.has(key)) problems.push(`/${key}: required`);
      continue;
    }
    for (const e of check.Errors(value)) problems.push(`/${key}${e.instancePath}: ${e.message}`);
  }
  const devices = file.devices;
  if (typeof devices !== 'object' || devices === null || Array.isArray(devices)) {
    problems.push('/devices: required mapping of device id → device');
  } else {
    for (const [id, device] of Object.entries(devices)) problems.push(...deviceProblems(id, device));
  }
  return readable(dedupe(problems));
}

/**
 * TypeBox words an unknown key as "schema is false" plus "must not have additional properties"
 * on its parent: say "unknown key" at the key's path instead, once.
 */
function readable(problems: readonly string[]): string[] {
  const unknown = problems.map((p) => p.replace(/: schema is false$/, ': unknown key'));
  return unknown.filter((p) => {
    const m = /^(.*): must not have additional properties$/.exec(p);
    return !m || !unknown.some((q) => q.startsWith(`${m[1]}/`) && q.endsWith(': unknown key'));
  });
}

function deviceProblems(id: string, device: unknown): string[] {
  const at = `/devices/${id}`;
  if (typeof device !== 'object' || device === null) return [`${at}: must be an object`];
  const { kind, transport } = device as { kind?: unknown; transport?: unknown };
  const variant = deviceVariants.find((v) => {
    const props = (v.schema as { properties: Record<string, { const?: unknown }> }).properties;
    return props.kind?.const === kind && props.transport?.const === transport;
  });
  if (!variant) {
    return [`${at}: unknown kind/transport ${JSON.stringify(kind)}/${JSON.stringify(transport)}`];
  }
  return variant.check.Errors(device).map((e) => `${at}${e.instancePath}: ${e.message}`);
}

function semanticProblems(file: ConfigFile): string[] {
  const problems: string[] = [];
  try {
    new Intl.DateTimeFormat('en', { timeZone: file.store.timezone });
  } catch {
    problems.push(`/store/timezone: unknown IANA time zone ${JSON.stringify(file.store.timezone)}`);
  }
  if (file.mqtt?.url !== undefined && file.mqtt?.port !== undefined) {
    problems.push('/mqtt: set either port (embedded broker) or url (site broker), not both');
  }
  for (const [id, zone] of Object.entries(file.zones)) {
    if (zone.rssiMin !== undefined && zone.kind !== 'fitting-room') {
      problems.push(`/zones/${id}/rssiMin: only fitting-room zones have an RSSI threshold`);
    }
  }
  for (const [id, device] of Object.entries(file.devices)) {
    if ('zone' in device && !(device.zone in file.zones)) {
      problems.push(`/devices/${id}/zone: no zone named ${JSON.stringify(device.zone)}`);
    }
    if ('antennas' in device) {
      for (const [ant, zone] of Object.entries(device.antennas)) {
        if (!(zone in file.zones))
          problems.push(`/devices/${id}/antennas/${ant}: no zone named ${JSON.stringify(zone)}`);
      }
    }
    if (
      device.transport === 'http-stream' &&
      [device.password, device.passwordFile, device.passwordEnv].filter((v) => v !== undefined).length > 1
    ) {
      problems.push(`/devices/${id}: set one of password, passwordFile, passwordEnv`);
    }
    if (
      (device.transport === 'mqtt' || device.transport === 'http') &&
      (device.username === undefined) !== (device.passwordHash === undefined)
    ) {
      problems.push(`/devices/${id}: username and passwordHash go together`);
    }
    if (device.transport === 'hikvision-isapi' || device.transport === 'axis-vapix') {
      if ((device.password === undefined) === (device.passwordFile === undefined)) {
        problems.push(`/devices/${id}: give either password or passwordFile`);
      }
      if (device.timezone !== undefined && !isTimeZone(device.timezone)) {
        problems.push(`/devices/${id}/timezone: unknown IANA time zone ${JSON.stringify(device.timezone)}`);
      }
    }
    if (device.kind === 'pos' && device.import !== undefined) {
      const { columns, timezone, kindValues } = device.import;
      if (columns.sku === undefined && columns.gtin === undefined && columns.epc === undefined) {
        problems.push(`/devices/${id}/import/columns: map at least one of sku, gtin, epc`);
      }
      const names = Object.values(columns);
      const twice = names.find((n, i) => names.indexOf(n) !== i);
      if (twice !== undefined)
        problems.push(`/devices/${id}/import/columns: column ${JSON.stringify(twice)} is mapped twice`);
      if (timezone !== undefined && !isTimeZone(timezone)) {
        problems.push(`/devices/${id}/import/timezone: unknown IANA time zone ${JSON.stringify(timezone)}`);
      }
      const words = Object.values(kindValues ?? {});
      if (new Set(words).size !== words.length) problems.push(`/devices/${id}/import/kindValues: a word is used twice`);
    }
    if ('zone' in device && device.kind === 'door-counter') {
      const kind = file.zones[device.zone]?.kind;
      if (kind !== undefined && kind !== 'entrance' && kind !== 'outside') {
        problems.push(`/devices/${id}/zone: a door counter belongs in an entrance or outside zone, not ${kind}`);
      }
    }
  }
  const userNames = (file.http?.auth?.users ?? []).map((u) => u.name.toLowerCase());
  for (const [i, name] of userNames.entries()) {
    if (userNames.indexOf(name) !== i) problems.push(`/http/auth/users/${i}/name: ${name} is listed twice`);
  }
  problems.push(...mqttUsernameProblems(file));
  return problems;
}

function resolveConfig(file: ConfigFile, baseDir: string): GatewayConfig {
  const c = file.correlation ?? {};
  const ms = (value: string | undefined, fallback: string) => parseDuration(value ?? fallback);
  const dataDirSetting = file.dataDir ?? './data';
  const dataDir = isAbsolute(dataDirSetting) ? dataDirSetting : resolve(baseDir, dataDirSetting);
  const mqtt = file.mqtt ?? {};
  const http = file.http ?? {};
  return {
    store: file.store,
    mqtt: {
      mode: mqtt.url ? 'client' : 'embedded',
      port: mqtt.port ?? 1883,
      host: mqtt.host ?? '0.0.0.0',
      ...(mqtt.url ? { url: mqtt.url } : {}),
      maxPacketBytes: mqtt.maxPacketBytes ?? 256 * 1024,
      allowAnonymous: mqtt.allowAnonymous ?? false,
      users: mqtt.users ?? [],
      ...(mqtt.tls ? { tls: resolveTlsFiles(mqtt.tls, baseDir) } : {}),
      ...(mqtt.connectRate ? { connectRate: mqtt.connectRate } : {}),
      maxQueuedMessages: mqtt.maxQueuedMessages ?? 1000,
      maxRetainedMessages: mqtt.maxRetainedMessages ?? 1000,
      maxRetainedBytes: mqtt.maxRetainedBytes ?? 16 * 1024 * 1024,
    },
    http: {
      port: http.port ?? 8080,
      host: http.host ?? '0.0.0.0',
      ...(http.tls ? { tls: resolveTlsFiles(http.tls, baseDir) } : {}),
      ...(http.auth
        ? {
            auth: {
              users: http.auth.users,
              sessionTtlMs: ms(http.auth.sessionTtl, '12h'),
              secureCookies: http.auth.secureCookies ?? false,
            },
          }
        : {}),
    },
    retention: {
      journalMs: ms(file.retention?.journal, '400d'),
      membersMs: ms(file.retention?.members, '730d'),
      auditMs: ms(file.retention?.audit, '400d'),
    },
    dataDir,
    zones: file.zones,
    devices: Object.fromEntries(
      Object.entries(file.devices).map(([id, d]) => [
        id,
        'passwordFile' in d && d.passwordFile !== undefined
          ? { ...d, passwordFile: resolve(baseDir, d.passwordFile) }
          : d,
      ]),
    ),
    staffBadges: (file.staff?.badges ?? []).map((b) => b.toUpperCase()),
    campaigns: file.campaigns ?? {},
    correlation: {
      minDwellMs: ms(c.minDwell, '20s'),
      leaveAfterMs: ms(c.leaveAfter, '30s'),
      assistAfterMs: ms(c.assistAfter, '8m'),
      conversionWindowMs: ms(c.conversionWindow, '2h'),
      realertAfterMs: ms(c.realertAfter, '30m'),
      invitationWindowMs: ms(c.invitationWindow, '14d'),
      staffWindowMs: ms(c.staffWindow, '3s'),
      lateWindowMs: ms(c.lateWindow, '7d'),
      skewBoundMs: ms(c.skewBound, '5m'),
      settleMs: ms(c.settle, '1500ms'),
    },
    alerts: {
      maxAgeMs: ms(file.alerts?.maxAge, '2m'),
      ...(file.alerts?.webhook
        ? { webhook: { url: file.alerts.webhook.url, format: file.alerts.webhook.format ?? 'json' } }
        : {}),
    },
    upstream: {
      ...(file.upstream?.natsUrl ? { natsUrl: file.upstream.natsUrl } : {}),
      tenant: file.upstream?.tenant ?? 'default',
      ...(file.upstream?.credsFile ? { credsFile: resolve(baseDir, file.upstream.credsFile) } : {}),
    },
  };
}

/** Certificate/key paths in the config are relative to the config file's folder. */
function resolveTlsFiles<T extends { certFile: string; keyFile: string; caFile?: string }>(tls: T, baseDir: string): T {
  return {
    ...tls,
    certFile: resolve(baseDir, tls.certFile),
    keyFile: resolve(baseDir, tls.keyFile),
    ...(tls.caFile !== undefined ? { caFile: resolve(baseDir, tls.caFile) } : {}),
  };
}

/** MQTT usernames are unique across devices and users: a login must name exactly one principal. */
function mqttUsernameProblems(file: ConfigFile): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [id, device] of Object.entries(file.devices)) {
    if (device.transport !== 'mqtt' || device.username === undefined) continue;
    if (seen.has(device.username)) problems.push(`/devices/${id}/username: ${device.username} is used twice`);
    seen.add(device.username);
  }
  for (const [i, user] of (file.mqtt?.users ?? []).entries()) {
    if (seen.has(user.username)) problems.push(`/mqtt/users/${i}/username: ${user.username} is used twice`);
    seen.add(user.username);
  }
  if (file.mqtt?.tls !== undefined && file.mqtt.tls.port !== 0 && file.mqtt.tls.port === file.mqtt.port) {
    problems.push('/mqtt/tls/port: must differ from mqtt.port');
  }
  return problems;
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}
