/**
 * HQ configuration, from the environment (DESIGN "Command line": HQ side):
 *
 *   HQ_NATS_URL    nats://127.0.0.1:4222 (credentials may be in the URL: nats://TOKEN@h, nats://u:p@h)
 *   HQ_HTTP_PORT   8090            HQ_HTTP_HOST  0.0.0.0
 *   HQ_DATA_DIR    ./hq-data       (the SQLite file when DATABASE_URL is unset)
 *   DATABASE_URL   postgres://…    HQ_PG_SCHEMA  schema for the HQ tables (default: the server's search_path)
 *   HQ_LOG_LEVEL   info
 *   HQ_TENANT      consume only retail.{tenant}.> (default: every tenant on the stream)
 *   HQ_TIMEZONE    zone for cross-store periods (default UTC; a store's own funnel uses its zone)
 *   HQ_HTTP_AUTH   on (default: users and roles, see auth.ts) | off (an open API: logged loudly)
 *                  | demo (DEMO ONLY, `npm run demo:hq`: also the admin `hq` with password `hq`)
 *   HQ_TLS_CERT, HQ_TLS_KEY   PEM files: the HQ API speaks HTTPS only
 *   HQ_ROSTER_VIP_TIER  members of this tier and above go to every store's roster view (default 4)
 *   HQ_NATS_CREDS, HQ_NATS_TOKEN, HQ_NATS_USER, HQ_NATS_PASS, HQ_NATS_CA, HQ_NATS_CERT, HQ_NATS_KEY
 */
import { resolve } from 'node:path';
import { HqConfigError } from './errors.js';

export interface HqNatsOptions {
  readonly url: string;
  readonly credsFile?: string;
  readonly token?: string;
  readonly user?: string;
  readonly pass?: string;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface HqConfig {
  readonly nats: HqNatsOptions;
  readonly http: {
    readonly port: number;
    readonly host: string;
    readonly auth: 'on' | 'off' | 'demo';
    readonly tls?: { readonly certFile: string; readonly keyFile: string };
  };
  readonly dataDir: string;
  readonly databaseUrl?: string;
  readonly pgSchema?: string;
  readonly logLevel: string;
  readonly tenant?: string;
  readonly timezone: string;
  readonly rosterVipTier: number;
}

export function loadHqConfig(env: Readonly<Record<string, string | undefined>> = process.env): HqConfig {
  const port = env.HQ_HTTP_PORT === undefined || env.HQ_HTTP_PORT === '' ? 8090 : Number(env.HQ_HTTP_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new HqConfigError(`HQ_HTTP_PORT must be a port number, got ${JSON.stringify(env.HQ_HTTP_PORT)}`);
  }
  const timezone = env.HQ_TIMEZONE || 'UTC';
  if (!isTimeZone(timezone)) throw new HqConfigError(`HQ_TIMEZONE is not an IANA zone: ${timezone}`);
  const schema = env.HQ_PG_SCHEMA || undefined;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new HqConfigError('HQ_PG_SCHEMA must be a lower-case SQL identifier');
  }
  const tenant = env.HQ_TENANT || undefined;
  if (tenant !== undefined && !/^[A-Za-z0-9_.:-]{1,64}$/.test(tenant))
    throw new HqConfigError('HQ_TENANT is not a valid id');
  const opt = (name: string): string | undefined => env[name] || undefined;
  const auth = (env.HQ_HTTP_AUTH || 'on').toLowerCase();
  if (auth !== 'on' && auth !== 'off' && auth !== 'demo')
    throw new HqConfigError('HQ_HTTP_AUTH must be on, off or demo');
  const rosterVipTier = env.HQ_ROSTER_VIP_TIER ? Number(env.HQ_ROSTER_VIP_TIER) : 4;
  if (!Number.isInteger(rosterVipTier) || rosterVipTier < 1 || rosterVipTier > 5) {
    throw new HqConfigError('HQ_ROSTER_VIP_TIER must be a tier from 1 to 5');
  }
  const certFile = opt('HQ_TLS_CERT');
  const keyFile = opt('HQ_TLS_KEY');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new HqConfigError('HQ_TLS_CERT and HQ_TLS_KEY go together');
  }
  const nats: HqNatsOptions = {
    url: env.HQ_NATS_URL || 'nats://127.0.0.1:4222',
    ...pick('credsFile', opt('HQ_NATS_CREDS')),
    ...pick('token', opt('HQ_NATS_TOKEN')),
    ...pick('user', opt('HQ_NATS_USER')),
    ...pick('pass', opt('HQ_NATS_PASS')),
    ...pick('caFile', opt('HQ_NATS_CA')),
    ...pick('certFile', opt('HQ_NATS_CERT')),
    ...pick('keyFile', opt('HQ_NATS_KEY')),
  };
  return {
    nats,
    http: {
      port,
      host: env.HQ_HTTP_HOST || '0.0.0.0',
      auth,
      ...(certFile !== undefined && keyFile !== undefined
        ? { tls: { certFile: resolve(certFile), keyFile: resolve(keyFile) } }
        : {}),
    },
    dataDir: resolve(env.HQ_DATA_DIR || './hq-data'),
    ...pick('databaseUrl', opt('DATABASE_URL')),
    ...pick('pgSchema', schema),
    logLevel: env.HQ_LOG_LEVEL || 'info',
    ...pick('tenant', tenant),
    timezone,
    rosterVipTier,
  };
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function pick<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
