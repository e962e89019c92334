/**
 * `cloud-sink` command line (DESIGN "Command line": HQ side):
 *
 *   cloud-sink start                              sink + HQ API (env: HQ_*, DATABASE_URL)
 *   cloud-sink roster import FILE.csv [--prune]   VIP roster → KV retail-vip-roster
 *   cloud-sink roster delete ID [ID...]           erase members at HQ and, within seconds, in every store
 *   cloud-sink roster sync                        re-derive every store's roster view (after adding stores)
 *   cloud-sink nats-config --stores=s001,s002 [--tenant=acme] [--out=DIR]   per-store NATS identities
 *   cloud-sink catalog import FILE.csv [--prune]  catalog → KV retail-catalog
 *   cloud-sink stores import FILE.csv             store names, regions, zones, currencies (HQ database)
 *   cloud-sink users list|add NAME --role=analyst|admin|remove NAME   HQ API users (HQ database)
 *
 * Exit codes: 0 done, 1 failed, 2 usage.
 */
import { readFileSync } from 'node:fs';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino, { type Logger } from 'pino';
import { HqAuth, randomPassword } from './auth.js';
import { type HqConfig, isTimeZone, loadHqConfig } from './config.js';
import { catalogFromCsv, rosterFromCsv, storesFromCsv } from './csv.js';
import { openHqStore } from './db/index.js';
import { HqError } from './errors.js';
import { deleteMembers, importCatalog, importRoster, type RosterViewOptions, syncRosterViews } from './kv-publish.js';
import { startSink } from './main.js';
import { hqConnectionOptions } from './nats.js';
import { writeNatsConfig } from './nats-config.js';

const USAGE = `usage:
  cloud-sink start
  cloud-sink roster import FILE.csv [--prune]
  cloud-sink roster delete ID [ID...]
  cloud-sink roster sync
  cloud-sink nats-config --stores=s001,s002 [--tenant=acme] [--out=DIR] [--hq-user=hq]
  cloud-sink catalog import FILE.csv [--prune]
  cloud-sink stores import FILE.csv
  cloud-sink users list
  cloud-sink users add NAME --role=analyst|admin    (prints a one-time password once)
  cloud-sink users remove NAME`;

export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const args = argv.filter((a) => !a.startsWith('--'));
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const [command, sub, ...rest] = args;
  if (command === undefined || command === 'help' || flags.has('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  let config: HqConfig;
  try {
    config = loadHqConfig(env);
  } catch (err) {
    process.stderr.write(`cloud-sink: ${(err as Error).message}\n`);
    return 2;
  }
  const log = pino({ level: config.logLevel });
  try {
    switch (`${command} ${sub ?? ''}`.trim()) {
      case 'start':
        return await runStart(config, log);
      case 'roster import': {
        const file = requireArg(rest[0], 'FILE.csv');
        const entries = rosterFromCsv(readFileSync(file, 'utf8'));
        const views = await viewOptions(config);
        const result = await withNats(config, (nc) =>
          importRoster(nc, entries, { prune: flags.has('--prune'), ...views }),
        );
        print({ bucket: 'retail-vip-roster', ...result });
        return 0;
      }
      case 'roster delete': {
        if (rest.length === 0) throw new UsageError('give at least one member id');
        const views = await viewOptions(config);
        const n = await withNats(config, (nc) => deleteMembers(nc, rest, views));
        print({ bucket: 'retail-vip-roster', removed: n });
        return 0;
      }
      case 'roster sync': {
        const views = await viewOptions(config);
        print({ views: await withNats(config, (nc) => syncRosterViews(nc, views)) });
        return 0;
      }
      case 'nats-config': {
        const value = (name: string) =>
          [...flags].find((f) => f.startsWith(`--${name}=`))?.slice(name.length + 3) || undefined;
        const stores = (value('stores') ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
        if (stores.length === 0) throw new UsageError('give --stores=s001,s002,…');
        const tenant = value('tenant') ?? config.tenant ?? 'acme';
        const out = value('out') ?? 'nats-identities';
        const written = writeNatsConfig(out, {
          tenant,
          stores,
          ...(value('hq-user') ? { hqUser: value('hq-user') as string } : {}),
        });
        print({ out, files: written });
        return 0;
      }
      case 'catalog import': {
        const file = requireArg(rest[0], 'FILE.csv');
        const entries = catalogFromCsv(readFileSync(file, 'utf8'));
        const result = await withNats(config, (nc) => importCatalog(nc, entries, { prune: flags.has('--prune') }));
        print({ bucket: 'retail-catalog', ...result });
        return 0;
      }
      case 'stores import': {
        const file = requireArg(rest[0], 'FILE.csv');
        const list = storesFromCsv(readFileSync(file, 'utf8'), isTimeZone);
        const store = await openHqStore(config);
        try {
          print({ stores: await store.importStores(list), database: store.kind });
        } finally {
          await store.close();
        }
        return 0;
      }
      case 'users list':
      case 'users add':
      case 'users remove': {
        const store = await openHqStore(config);
        try {
          const auth = new HqAuth({ store, log });
          if (sub === 'list') {
            print({ users: await auth.users() });
          } else if (sub === 'add') {
            const name = requireArg(rest[0], 'NAME');
            const role = [...flags].find((f) => f.startsWith('--role='))?.slice('--role='.length) ?? 'analyst';
            if (role !== 'analyst' && role !== 'admin') throw new UsageError('--role must be analyst or admin');
            const password = randomPassword();
            await auth.setUser(name, role, password, true);
            print({ user: name.toLowerCase(), role, oneTimePassword: password });
          } else {
            const name = requireArg(rest[0], 'NAME');
            if (!(await auth.removeUser(name))) throw new HqError('NOT_FOUND', `no user ${name}`);
            print({ removed: name.toLowerCase() });
          }
        } finally {
          await store.close();
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown command: ${args.join(' ')}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`cloud-sink: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    const code = err instanceof HqError ? err.code : ((err as { code?: unknown }).code ?? 'FAILED');
    process.stderr.write(`cloud-sink: ${String(code)}: ${(err as Error).message}\n`);
    return 1;
  }
}

class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
}

function requireArg(value: string | undefined, name: string): string {
  if (value === undefined) throw new UsageError(`missing ${name}`);
  return value;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Roster views for the stores HQ knows (its store list) and the configured VIP tier. */
async function viewOptions(config: HqConfig): Promise<RosterViewOptions> {
  let stores: string[] = [];
  try {
    const store = await openHqStore(config);
    try {
      stores = (await store.stores()).map((s) => s.id);
    } finally {
      await store.close();
    }
  } catch (err) {
    process.stderr.write(
      `cloud-sink: HQ database not readable (${(err as Error).message}); views for the stores in the roster only\n`,
    );
  }
  return { stores, vipTier: config.rosterVipTier };
}

/** One-shot commands fail fast when NATS is unreachable (no endless retry). */
async function withNats<T>(config: HqConfig, work: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ ...hqConnectionOptions(config.nats, 'cloud-sink cli'), maxReconnectAttempts: 3 });
  try {
    return await work(nc);
  } finally {
    await nc.drain().catch(() => undefined);
  }
}

async function runStart(config: HqConfig, log: Logger): Promise<number> {
  const sink = await startSink({ config, log });
  if (sink.initialAdmin) {
    // Printed once, to the terminal that started HQ, not into the logs.
    process.stdout.write(
      `\nHQ API: first user "admin" created with the one-time password\n\n    ${sink.initialAdmin.password}\n\n` +
        `(also in ${sink.initialAdmin.file}, mode 0600). Sign in (POST /api/v1/auth/login) and set your own\n` +
        'password (POST /api/v1/auth/password); then delete that file.\n\n',
    );
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await sink.stop();
  return 0;
}

export { USAGE };
