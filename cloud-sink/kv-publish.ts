/**
 * HQ → stores: writes the VIP roster and the catalog into their JetStream KV buckets, which
 * every gateway mirrors into its own SQLite.
 *
 * The roster is split (issue 14 item 10): `retail-vip-roster` holds HQ's whole roster and only
 * HQ's NATS identity may read it; each store mirrors its own view `retail-vip-roster-{store}`
 * holding only the members it needs: those whose `stores` name it (their home stores) and
 * every member of VIP tier (`vipTier`, default 4: served in any store). `syncRosterViews`
 * derives every view from the whole roster after each import or delete; a view gets only
 * the puts and purges that change it. Views exist for the stores HQ knows (its store list),
 * the stores named in the roster, and the views already there. Imports replace by key and are idempotent
 * (a store skips values identical to what it holds); `prune` also removes keys missing from
 * the file. Members are removed with a purge, which drops every stored revision of the key,
 * so their PII does not linger in the bucket's history either.
 */
import { StorageType } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  type CatalogEntry,
  catalogKey,
  KV_CATALOG_BUCKET,
  KV_ROSTER_BUCKET,
  type RosterEntry,
  rosterKey,
  rosterViewBucket,
  storeOfRosterView,
} from '../protocols/index.js';

/** Members of this tier and above go to every store's view (the gateway's default `vipTier`). */
export const DEFAULT_ROSTER_VIP_TIER = 4;

export interface RosterViewOptions {
  /** Stores that get a view besides those named in the roster and the existing views. */
  readonly stores?: readonly string[];
  readonly vipTier?: number;
}

export interface RosterViewResult {
  readonly stores: number;
  readonly put: number;
  readonly removed: number;
}

/** Keys written at once (KV puts are JetStream publishes: pipelined like the gateway's outbox). */
const IN_FLIGHT = 64;

export interface KvImportResult {
  readonly put: number;
  readonly removed: number;
}

/** Opens a bucket, creating it when missing (file storage, one value per key). */
export async function openBucket(nc: NatsConnection, bucket: string): Promise<KV> {
  const kvm = new Kvm(nc);
  try {
    return await kvm.create(bucket, { history: 1, storage: StorageType.File });
  } catch {
    // Exists with other settings (an operator tuned it): use it as it is.
    return kvm.open(bucket);
  }
}

export async function importRoster(
  nc: NatsConnection,
  entries: readonly RosterEntry[],
  options: { readonly prune?: boolean } & RosterViewOptions = {},
): Promise<KvImportResult & { readonly views: RosterViewResult }> {
  const kv = await openBucket(nc, KV_ROSTER_BUCKET);
  const items = entries.map((m) => ({ key: rosterKey(m.id), value: JSON.stringify(m) }));
  const result = await write(kv, items, options.prune === true);
  return { ...result, views: await syncRosterViews(nc, options) };
}

/** Re-derives every store's roster view from HQ's whole roster (idempotent). */
export async function syncRosterViews(nc: NatsConnection, options: RosterViewOptions = {}): Promise<RosterViewResult> {
  const vipTier = options.vipTier ?? DEFAULT_ROSTER_VIP_TIER;
  const roster = await openBucket(nc, KV_ROSTER_BUCKET);
  const members = new Map<string, RosterEntry>();
  for (const [key, value] of await readAll(roster)) members.set(key, JSON.parse(value) as RosterEntry);
  const stores = new Set(options.stores ?? []);
  for (const m of members.values()) for (const s of m.stores ?? []) stores.add(s);
  for await (const status of new Kvm(nc).list()) {
    const store = storeOfRosterView(status.bucket);
    if (store !== undefined) stores.add(store);
  }
  let put = 0;
  let removed = 0;
  for (const store of [...stores].sort()) {
    const view = await openBucket(nc, rosterViewBucket(store));
    const wanted = new Map<string, string>();
    for (const [key, m] of members) {
      if (m.tier < vipTier && !(m.stores ?? []).includes(store)) continue;
      const { stores: _homeStores, ...entry } = m;
      wanted.set(key, JSON.stringify(entry));
    }
    const current = await readAll(view);
    const puts = [...wanted].filter(([key, value]) => current.get(key) !== value);
    const gone = [...current.keys()].filter((key) => !wanted.has(key));
    await pipelined(puts, ([key, value]) => view.put(key, value));
    await pipelined(gone, (key) => view.purge(key));
    put += puts.length;
    removed += gone.length;
  }
  return { stores: stores.size, put, removed };
}

/** Live keys and values of a bucket. */
async function readAll(kv: KV): Promise<Map<string, string>> {
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  const out = new Map<string, string>();
  await pipelined(keys, async (key) => {
    const entry = await kv.get(key);
    if (entry && entry.operation === 'PUT') out.set(key, entry.string());
  });
  return out;
}

export async function importCatalog(
  nc: NatsConnection,
  entries: readonly CatalogEntry[],
  options: { readonly prune?: boolean } = {},
): Promise<KvImportResult> {
  const kv = await openBucket(nc, KV_CATALOG_BUCKET);
  const items = entries.map((p) => ({
    key: catalogKey(p.gtin),
    value: JSON.stringify({ ...p, gtin: catalogKey(p.gtin) }),
  }));
  return write(kv, items, options.prune === true);
}

/** Erases members from HQ's roster and every store view (stores delete them, PII included, within seconds). */
export async function deleteMembers(
  nc: NatsConnection,
  ids: readonly string[],
  options: RosterViewOptions = {},
): Promise<number> {
  const kv = await openBucket(nc, KV_ROSTER_BUCKET);
  await pipelined(ids, (id) => kv.purge(rosterKey(id)));
  // Straight to every view (no full re-derivation): an erasure should not wait.
  const stores = new Set(options.stores ?? []);
  for await (const status of new Kvm(nc).list()) {
    const store = storeOfRosterView(status.bucket);
    if (store !== undefined) stores.add(store);
  }
  for (const store of stores) {
    const view = await openBucket(nc, rosterViewBucket(store));
    await pipelined(ids, (id) => view.purge(rosterKey(id)));
  }
  return ids.length;
}

async function write(
  kv: KV,
  items: readonly { key: string; value: string }[],
  prune: boolean,
): Promise<KvImportResult> {
  await pipelined(items, (item) => kv.put(item.key, item.value));
  let removed = 0;
  if (prune) {
    const wanted = new Set(items.map((i) => i.key));
    const gone: string[] = [];
    for await (const key of await kv.keys()) if (!wanted.has(key)) gone.push(key);
    await pipelined(gone, (key) => kv.purge(key));
    removed = gone.length;
  }
  return { put: items.length, removed };
}

async function pipelined<T>(items: readonly T[], run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await run(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, worker));
  if (failure !== undefined) throw failure;
}
