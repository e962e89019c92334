/**
 * The gateway's HQ link, assembled: outbox + scheduler (always: the outbox fills even with
 * no NATS URL configured), and, when `upstream.natsUrl` is set, one NATS connection shared
 * by the outbox publisher and the KV mirror of the VIP roster and the catalog.
 */
import type { Logger } from 'pino';
import { storeInboxPrefix } from '../../../protocols/index.js';
import type { Clock } from '../../infra/clock/index.js';
import type { GatewayConfig } from '../../infra/config/index.js';
import type { GatewayMetrics } from '../../infra/metrics/index.js';
import type { ReferenceData } from '../../infra/reference/index.js';
import { createStoreCalendar } from '../../infra/time/index.js';
import type { Db } from '../../pipeline/journal/index.js';
import { NatsConnector, type NatsLinkOptions, natsLinkOptions } from './connection.js';
import { type BucketMirrorStatus, KvMirror, type KvMirrorOptions } from './kv-mirror.js';
import { healthMessage, loadStoreSecret, Pseudonymizer } from './messages.js';
import { UpstreamMetrics } from './metrics.js';
import { Outbox } from './outbox.js';
import { OutboxPublisher, type PublisherOptions, type PublisherStatus } from './publisher.js';
import { UpstreamScheduler } from './scheduler.js';

export interface UpstreamOptions {
  readonly db: Db;
  readonly config: GatewayConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
  readonly reference: ReferenceData;
  /** GW_NATS_TOKEN, GW_NATS_USER, GW_NATS_PASS, GW_NATS_CA, GW_NATS_CERT, GW_NATS_KEY; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Pseudonym secret; default: `{dataDir}/upstream-secret.key`, created on first use. */
  readonly secret?: string;
  /** Delay after a bucket's end before it is first sent; default 60 s. */
  readonly graceMs?: number;
  /** Health report period while connected; default 60 s. */
  readonly healthEveryMs?: number;
  /** Gateway version for health reports. */
  readonly version?: string;
  /** Device counts for health reports (from the device registry). */
  readonly devices?: () => { readonly total: number; readonly online: number } | undefined;
  readonly link?: Pick<NatsLinkOptions, 'reconnectTimeWaitMs' | 'timeoutMs'>;
  readonly publisher?: Pick<PublisherOptions, 'maxInFlight' | 'readBatch' | 'publishTimeoutMs'>;
  readonly kv?: Pick<KvMirrorOptions, 'flushAfterMs' | 'maxBatch' | 'retryMs' | 'reconcile'> & {
    /** Mirror the roster and catalog from HQ (default true when NATS is configured). */
    readonly enabled?: boolean;
  };
}

export interface UpstreamStatus {
  readonly enabled: boolean;
  readonly tenant: string;
  readonly outbox: { readonly depth: number; readonly oldestAgeMs: number };
  readonly publisher: PublisherStatus | null;
  readonly roster: BucketMirrorStatus | null;
  readonly catalog: BucketMirrorStatus | null;
}

export class Upstream {
  readonly outbox: Outbox;
  readonly scheduler: UpstreamScheduler;
  readonly connector: NatsConnector | undefined;
  readonly publisher: OutboxPublisher | undefined;
  readonly mirror: KvMirror | undefined;
  readonly metrics: UpstreamMetrics;
  private readonly startedAt: number;

  private constructor(
    private readonly options: UpstreamOptions,
    parts: {
      outbox: Outbox;
      scheduler: UpstreamScheduler;
      metrics: UpstreamMetrics;
      connector?: NatsConnector;
      publisher?: OutboxPublisher;
      mirror?: KvMirror;
    },
  ) {
    this.outbox = parts.outbox;
    this.scheduler = parts.scheduler;
    this.metrics = parts.metrics;
    this.connector = parts.connector;
    this.publisher = parts.publisher;
    this.mirror = parts.mirror;
    this.startedAt = options.clock.now();
  }

  /**
   * Builds the parts; reads (or creates) the pseudonym secret file, no network I/O.
   * Throws UpstreamConfigError for an unusable NATS URL or credentials.
   */
  static create(options: UpstreamOptions): Upstream {
    const { config, db, clock } = options;
    const log = options.log.child({ component: 'upstream' });
    const outbox = new Outbox(db, clock);
    const metrics = new UpstreamMetrics(options.metrics.registry, outbox);
    const calendar = createStoreCalendar(config.store.timezone);
    const pseudonymizer = new Pseudonymizer(loadStoreSecret(config.dataDir, options.secret));
    const scheduler = new UpstreamScheduler({
      db,
      outbox,
      storeId: config.store.id,
      tenant: config.upstream.tenant,
      pseudonymizer,
      bucketStartOf: (ts) => calendar.bucketStart(ts),
      vipTier: config.store.vipTier,
      tierOf: (id) => options.reference.memberById(id)?.tier,
      log,
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    });
    const link = natsLinkOptions(config.upstream, options.env ?? process.env, `gateway ${config.store.id}`);
    if (!link) return new Upstream(options, { outbox, scheduler, metrics });

    // Replies only on this store's own inbox prefix (its NATS identity may read no other).
    const connector = new NatsConnector(
      { ...link, inboxPrefix: storeInboxPrefix(config.store.id), ...options.link },
      log,
    );
    const upstream: { self?: Upstream } = {};
    const publisher = new OutboxPublisher({
      outbox,
      connector,
      clock,
      log,
      metrics,
      ...options.publisher,
      health: {
        everyMs: options.healthEveryMs ?? 60_000,
        build: () => {
          const self = upstream.self;
          return healthMessage(
            config.store.id,
            config.upstream.tenant,
            {
              name: config.store.name,
              timezone: config.store.timezone,
              currency: config.store.currency,
              ...(options.version !== undefined ? { version: options.version } : {}),
              uptimeMs: clock.now() - (self?.startedAt ?? clock.now()),
              outbox: outbox.backlog(),
              reference: { members: options.reference.memberCount(), products: options.reference.productCount() },
              ...devicesOf(options),
            },
            clock.now(),
          );
        },
      },
    });
    const mirror =
      options.kv?.enabled === false
        ? undefined
        : new KvMirror({
            connector,
            reference: options.reference,
            storeId: config.store.id,
            log,
            metrics,
            ...options.kv,
          });
    const self = new Upstream(options, {
      outbox,
      scheduler,
      metrics,
      connector,
      publisher,
      ...(mirror ? { mirror } : {}),
    });
    upstream.self = self;
    return self;
  }

  get enabled(): boolean {
    return this.connector !== undefined;
  }

  /** Connects (in the background) and starts draining and mirroring; idempotent. */
  start(): void {
    this.connector?.start();
    this.publisher?.start();
    this.mirror?.start();
    this.options.log.info(
      { component: 'upstream', enabled: this.enabled, tenant: this.options.config.upstream.tenant },
      'upstream started',
    );
  }

  /** Stops publishing and mirroring, then closes the connection; idempotent, never throws. */
  async stop(): Promise<void> {
    await Promise.allSettled([this.publisher?.stop(), this.mirror?.stop()]);
    await this.connector?.stop().catch(() => undefined);
  }

  status(): UpstreamStatus {
    let outbox = { depth: 0, oldestAgeMs: 0 };
    try {
      outbox = this.outbox.backlog();
    } catch {
      // database closed during shutdown
    }
    const mirror = this.mirror?.status();
    return {
      enabled: this.enabled,
      tenant: this.options.config.upstream.tenant,
      outbox,
      publisher: this.publisher?.status() ?? null,
      roster: mirror?.roster ?? null,
      catalog: mirror?.catalog ?? null,
    };
  }
}

function devicesOf(options: UpstreamOptions): { devices?: { total: number; online: number } } {
  const devices = options.devices?.();
  return devices ? { devices: { total: devices.total, online: devices.online } } : {};
}
