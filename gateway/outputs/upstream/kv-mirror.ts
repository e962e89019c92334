/**
 * HQ → store: mirrors the JetStream KV buckets `retail-vip-roster-{store}` (this store's view
 * of HQ's roster: its own members and every VIP-tier member; key: member id, value: member
 * import JSON) and `retail-catalog` (key: GTIN-14, value: product import JSON) into the
 * store's ReferenceData, which keeps them in SQLite: while NATS is away the store works from
 * its own copy. A store's NATS identity can read no other store's view nor HQ's whole roster
 * (docs/security.md "HQ link").
 *
 * Each (re)sync: list the bucket's live keys, delete local entries HQ no longer has (the
 * store copy is a mirror: a member HQ deleted while this gateway was off is erased too),
 * then watch the last value of every key and every later change. Changes are applied in
 * batches (ReferenceData reloads its maps per call): whatever arrived within `flushAfterMs`
 * (50 ms) or up to `maxBatch` entries, the last operation per key winning. A delete or
 * purge erases the member with secure_delete, so their PII leaves the database files
 * within a second. Values are validated; a bad value is counted and skipped.
 */
import { createHash } from 'node:crypto';
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { type KV, Kvm, type KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import {
  type CatalogEntry,
  catalogKey,
  type Decoded,
  decodeCatalogEntry,
  decodeRosterEntry,
  KV_CATALOG_BUCKET,
  memberIdFromRosterKey,
  type RosterEntry,
  reject,
  rosterKey,
  rosterViewBucket,
} from '../../../protocols/index.js';
import { type Member, normaliseCard, type Product, type ReferenceData } from '../../infra/reference/index.js';
import type { NatsConnector } from './connection.js';
import type { UpstreamMetrics } from './metrics.js';

export interface KvMirrorOptions {
  readonly connector: NatsConnector;
  readonly reference: ReferenceData;
  /** This store: its roster view is `retail-vip-roster-{storeId}`. */
  readonly storeId: string;
  readonly log: Logger;
  readonly metrics?: UpstreamMetrics;
  /** Apply changes this long after the first pending one; default 50 ms. */
  readonly flushAfterMs?: number;
  /** Apply at once when this many keys are pending; default 2000. */
  readonly maxBatch?: number;
  /** Wait before looking again for a bucket HQ has not created yet; default 5 s. */
  readonly retryMs?: number;
  /** Delete local entries the bucket does not hold (default true: the copy is a mirror). */
  readonly reconcile?: boolean;
}

export interface BucketMirrorStatus {
  readonly bucket: string;
  /** The last sync listed the bucket and its watch is running. */
  readonly watching: boolean;
  readonly lastSyncAt: string | null;
  readonly applied: number;
  readonly rejected: number;
  readonly lastError: string | null;
}

/** How one bucket maps onto ReferenceData. */
interface BucketAdapter<T> {
  readonly bucket: string;
  decode(key: string, value: Uint8Array): Decoded<T>;
  /** The store copy already holds exactly this value (a restart re-lists every key: skip those). */
  holds(value: T): boolean;
  /** The store copy has an entry under this key. */
  hasKey(key: string): boolean;
  put(values: readonly T[]): void;
  remove(keys: readonly string[]): void;
  localKeys(): string[];
}

type Pending<T> = { readonly op: 'put'; readonly value: T; readonly digest: string } | { readonly op: 'del' };

export class KvMirror {
  private readonly mirrors: BucketMirror<RosterEntry | CatalogEntry>[];

  constructor(options: KvMirrorOptions) {
    const { reference } = options;
    const roster: BucketAdapter<RosterEntry> = {
      bucket: rosterViewBucket(options.storeId),
      decode: (key, value) => {
        const decoded = decodeRosterEntry(value);
        if (decoded.ok && rosterKey(decoded.value.id) !== key) {
          return reject('schema', `roster key ${key} holds member ${decoded.value.id}`);
        }
        return decoded;
      },
      holds: (value) => sameMember(reference.memberById(value.id), value),
      hasKey: (key) => reference.memberById(memberIdFromRosterKey(key)) !== undefined,
      put: (values) => reference.importMembers(values),
      remove: (keys) => reference.deleteMembers(keys.map(memberIdFromRosterKey), { secure: true }),
      localKeys: () => reference.memberIds().map(rosterKey),
    };
    const catalog: BucketAdapter<CatalogEntry> = {
      bucket: KV_CATALOG_BUCKET,
      decode: (key, value) => {
        const decoded = decodeCatalogEntry(value);
        if (decoded.ok && catalogKey(decoded.value.gtin) !== key) {
          return reject('schema', `catalog key ${key} holds GTIN ${decoded.value.gtin}`);
        }
        return decoded;
      },
      holds: (value) => sameProduct(reference.productByGtin(value.gtin), value),
      hasKey: (key) => reference.productByGtin(key) !== undefined,
      put: (values) => reference.importCatalog(values),
      remove: (keys) => reference.deleteProducts(keys),
      localKeys: () => reference.productGtins(),
    };
    this.mirrors = [
      new BucketMirror(roster as BucketAdapter<RosterEntry | CatalogEntry>, options),
      new BucketMirror(catalog as BucketAdapter<RosterEntry | CatalogEntry>, options),
    ];
  }

  /** Starts both mirrors (and the connector); idempotent. */
  start(): void {
    for (const mirror of this.mirrors) mirror.start();
  }

  /** Stops watching and applies what is pending; idempotent, never throws. */
  async stop(): Promise<void> {
    await Promise.all(this.mirrors.map((m) => m.stop()));
  }

  status(): { roster: BucketMirrorStatus; catalog: BucketMirrorStatus } {
    const [roster, catalog] = this.mirrors.map((m) => m.status()) as [BucketMirrorStatus, BucketMirrorStatus];
    return { roster, catalog };
  }
}

class BucketMirror<T> {
  private running: Promise<void> | undefined;
  private stopping = false;
  private signalStop: (() => void) | undefined;
  private readonly stopped = new Promise<void>((resolve) => (this.signalStop = resolve));
  private stopWatch: (() => void) | undefined;
  private readonly pending = new Map<string, Pending<T>>();
  /** Digest of the value applied per key, so a re-sync skips what the store already has. */
  private readonly applied = new Map<string, string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private watching = false;
  private lastSyncAt: number | undefined;
  private appliedCount = 0;
  private rejectedCount = 0;
  private lastError: string | undefined;
  private readonly log: Logger;

  constructor(
    private readonly adapter: BucketAdapter<T>,
    private readonly options: KvMirrorOptions,
  ) {
    this.log = options.log.child({ component: 'upstream', bucket: adapter.bucket });
  }

  start(): void {
    if (this.running || this.stopping) return;
    this.options.connector.start();
    this.running = this.loop().catch((err: unknown) => {
      this.log.error({ err }, 'kv mirror failed');
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.signalStop?.();
    this.stopWatch?.();
    try {
      await this.running;
    } catch {
      // loop() never rejects
    }
    this.flush();
  }

  status(): BucketMirrorStatus {
    return {
      bucket: this.adapter.bucket,
      watching: this.watching,
      lastSyncAt: this.lastSyncAt === undefined ? null : new Date(this.lastSyncAt).toISOString(),
      applied: this.appliedCount,
      rejected: this.rejectedCount,
      lastError: this.lastError ?? null,
    };
  }

  private async loop(): Promise<void> {
    const retryMs = this.options.retryMs ?? 5000;
    while (!this.stopping) {
      const nc = await Promise.race([this.options.connector.ready(), this.stopped.then(() => undefined)]);
      if (!nc || this.stopping) return;
      let delay = 1000;
      try {
        const kv = await this.openBucket(nc);
        if (kv) {
          await this.sync(kv);
          delay = 250;
        } else {
          delay = retryMs;
        }
      } catch (err) {
        this.lastError = (err as Error).message;
        this.log.warn({ err: this.lastError }, 'kv mirror sync failed; retrying');
      } finally {
        this.watching = false;
        this.flush();
      }
      await Promise.race([sleep(delay), this.stopped]);
    }
  }

  /** The bucket when HQ created it; undefined (and a retry later) when not yet. */
  private async openBucket(nc: NatsConnection): Promise<KV | undefined> {
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.streams.info(`KV_${this.adapter.bucket}`);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) {
        if (this.lastError !== 'bucket not found') this.log.info({}, 'kv bucket not created by HQ yet');
        this.lastError = 'bucket not found';
        return undefined;
      }
      throw err;
    }
    return new Kvm(nc).open(this.adapter.bucket);
  }

  /** Lists, reconciles, then watches until the watch ends (connection lost) or stop(). */
  private async sync(kv: KV): Promise<void> {
    if (this.options.reconcile !== false) {
      const live = new Set<string>();
      for await (const key of await kv.keys()) live.add(key);
      if (this.stopping) return;
      const gone = this.adapter.localKeys().filter((key) => !live.has(key));
      if (gone.length > 0) {
        this.adapter.remove(gone);
        for (const key of gone) this.applied.delete(key);
        this.options.metrics?.kvApplied.inc({ bucket: this.adapter.bucket, op: 'delete' }, gone.length);
        this.log.info({ removed: gone.length }, 'kv mirror removed entries HQ no longer has');
      }
    }
    const watcher = await kv.watch({ key: '>' });
    this.stopWatch = () => watcher.stop();
    if (this.stopping) watcher.stop();
    this.watching = true;
    this.lastSyncAt = Date.now();
    this.lastError = undefined;
    this.log.info({}, 'kv mirror watching');
    try {
      for await (const entry of watcher) {
        this.accept(entry);
        if (this.pending.size >= (this.options.maxBatch ?? 2000)) this.flush();
        else this.scheduleFlush();
      }
    } finally {
      this.stopWatch = undefined;
    }
  }

  private accept(entry: KvWatchEntry): void {
    const key = entry.key;
    if (entry.operation === 'DEL' || entry.operation === 'PURGE') {
      // A tombstone of a key the store never had (or erased already) needs no work.
      if (this.pending.has(key) || this.adapter.hasKey(key)) this.pending.set(key, { op: 'del' });
      this.applied.delete(key);
      return;
    }
    const digest = createHash('sha1').update(entry.value).digest('hex');
    if (this.applied.get(key) === digest && !this.pending.has(key)) return;
    const decoded = this.adapter.decode(key, entry.value);
    if (!decoded.ok) {
      this.rejectedCount++;
      this.options.metrics?.kvRejected.inc({ bucket: this.adapter.bucket });
      this.log.warn({ key, code: decoded.code, reason: decoded.reason }, 'kv value rejected');
      return;
    }
    if (!this.pending.has(key) && this.adapter.holds(decoded.value)) {
      this.applied.set(key, digest);
      return;
    }
    this.pending.set(key, { op: 'put', value: decoded.value, digest });
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flush(), this.options.flushAfterMs ?? 50);
  }

  /** Applies pending changes: one import and one delete call per batch. */
  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.size === 0) return;
    const puts: T[] = [];
    const putKeys: [string, string][] = [];
    const dels: string[] = [];
    for (const [key, change] of this.pending) {
      if (change.op === 'put') {
        puts.push(change.value);
        putKeys.push([key, change.digest]);
      } else {
        dels.push(key);
      }
    }
    this.pending.clear();
    try {
      if (puts.length > 0) this.adapter.put(puts);
      if (dels.length > 0) this.adapter.remove(dels);
    } catch (err) {
      // The store copy is behind: force a full re-sync rather than continue on a gap.
      this.lastError = (err as Error).message;
      this.log.error({ err }, 'kv mirror could not apply changes; re-syncing');
      this.applied.clear();
      this.stopWatch?.();
      return;
    }
    for (const [key, digest] of putKeys) this.applied.set(key, digest);
    for (const key of dels) this.applied.delete(key);
    this.appliedCount += puts.length + dels.length;
    const metrics = this.options.metrics;
    if (metrics) {
      if (puts.length > 0) metrics.kvApplied.inc({ bucket: this.adapter.bucket, op: 'put' }, puts.length);
      if (dels.length > 0) metrics.kvApplied.inc({ bucket: this.adapter.bucket, op: 'delete' }, dels.length);
    }
    this.log.debug({ puts: puts.length, deletes: dels.length }, 'kv changes applied');
  }
}

/** Whether the stored member equals the roster entry (cards compared as the store normalises them). */
export function sameMember(stored: Member | undefined, entry: RosterEntry): boolean {
  if (!stored) return false;
  return (
    stored.name === entry.name &&
    stored.tier === entry.tier &&
    stored.phone === entry.phone &&
    stored.notes === entry.notes &&
    JSON.stringify([...stored.cards].sort()) === JSON.stringify(entry.cards.map(normaliseCard).sort()) &&
    JSON.stringify(stored.sizes) === JSON.stringify(entry.sizes) &&
    JSON.stringify(stored.brands) === JSON.stringify(entry.brands)
  );
}

export function sameProduct(stored: Product | undefined, entry: CatalogEntry): boolean {
  if (!stored) return false;
  return (
    stored.sku === entry.sku &&
    stored.style === entry.style &&
    stored.color === entry.color &&
    stored.size === entry.size &&
    stored.name === entry.name &&
    stored.brand === entry.brand &&
    stored.price === entry.price
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
