/**
 * HQ → stores: writes the VIP roster and the catalog into their JetStream KV buckets, which
 * every gateway mirrors into its own SQLite. Imports replace by key and are idempotent
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
} from '../protocols/index.js';

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
  options: { readonly prune?: boolean } = {},
): Promise<KvImportResult> {
  const kv = await openBucket(nc, KV_ROSTER_BUCKET);
  const items = entries.map((m) => ({ key: rosterKey(m.id), value: JSON.stringify(m) }));
  return write(kv, items, options.prune === true);
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

/** Erases members from the roster bucket (stores delete them, PII included, within seconds). */
export async function deleteMembers(nc: NatsConnection, ids: readonly string[]): Promise<number> {
  const kv = await openBucket(nc, KV_ROSTER_BUCKET);
  await pipelined(ids, (id) => kv.purge(rosterKey(id)));
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
