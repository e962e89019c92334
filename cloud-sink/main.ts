/**
 * HQ composition root: database, HTTP API, and the JetStream sink. The API starts first
 * and serves from the database; the sink connects in the background (NATS may be away).
 *
 *   JetStream RETAIL ─► durable consumer hq-sink ─► validate ─► upsert-if-newer ─► ack
 *                                                                    └─► HQ API
 */
import type { AddressInfo } from 'node:net';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { buildHqApi } from './api.js';
import type { HqConfig } from './config.js';
import { SinkConsumer, type SinkConsumerOptions } from './consumer.js';
import { type HqStore, openHqStore } from './db/index.js';
import { connectWithRetry, hqConnectionOptions } from './nats.js';

export interface SinkOptions {
  readonly config: HqConfig;
  readonly log: Logger;
  /** An open store (tests share one); default: opened from the config. */
  readonly store?: HqStore;
  /** Listen for HTTP (default true). */
  readonly http?: boolean;
  readonly consumer?: Pick<
    SinkConsumerOptions,
    'batchSize' | 'pullSize' | 'onCommitted' | 'settings' | 'maxDeliveries' | 'retryDelayMs' | 'stuckAfterMs'
  >;
}

export interface RunningSink {
  readonly store: HqStore;
  readonly api: FastifyInstance;
  readonly httpPort: number | undefined;
  readonly registry: Registry;
  /** The consumer once connected. */
  consumer(): SinkConsumer | undefined;
  /** Resolves when the consumer runs (tests). */
  consuming(): Promise<SinkConsumer>;
  stop(): Promise<void>;
}

export async function startSink(options: SinkOptions): Promise<RunningSink> {
  const { config, log } = options;
  const store = options.store ?? (await openHqStore(config));
  log.info({ component: 'hq', store: store.kind }, 'hq store open');
  const registry = new Registry();
  let consumer: SinkConsumer | undefined;
  let nc: NatsConnection | undefined;
  const abort = new AbortController();
  const api = await buildHqApi({
    store,
    log,
    registry,
    timezone: config.timezone,
    notReadyReason: () => (consumer?.running ? consumer.stuckReason() : 'not consuming from NATS yet'),
  });
  let httpPort: number | undefined;
  if (options.http !== false) {
    await api.listen({ port: config.http.port, host: config.http.host });
    httpPort = (api.server.address() as AddressInfo).port;
    log.info({ component: 'hq', httpPort }, 'hq api listening');
  }

  let resolveConsuming: (c: SinkConsumer) => void = () => undefined;
  const consumingPromise = new Promise<SinkConsumer>((resolve) => (resolveConsuming = resolve));
  const connecting = (async () => {
    const connection = await connectWithRetry(hqConnectionOptions(config.nats), log, abort.signal);
    if (!connection) return;
    nc = connection;
    // Stream or consumer creation may fail while NATS settles: retry until stopped.
    while (!abort.signal.aborted) {
      const c = new SinkConsumer({
        nc: connection,
        store,
        log,
        registry,
        ...(config.tenant !== undefined ? { settings: { tenant: config.tenant } } : {}),
        ...options.consumer,
      });
      try {
        await c.start();
        consumer = c;
        resolveConsuming(c);
        return;
      } catch (err) {
        log.warn({ component: 'hq', err: (err as Error).message }, 'sink consumer not started; retrying');
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  })();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      abort.abort();
      await connecting.catch(() => undefined);
      await consumer?.stop();
      await nc?.drain().catch(() => undefined);
      await api.close().catch(() => undefined);
      if (!options.store) await store.close();
      log.info({ component: 'hq' }, 'hq stopped');
    })();
    return stopping;
  };

  return {
    store,
    api,
    httpPort,
    registry,
    consumer: () => consumer,
    consuming: () => consumingPromise,
    stop,
  };
}
