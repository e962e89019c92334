/**
 * HQ composition root: database, HTTP API, and the JetStream sink. The API starts first
 * and serves from the database; the sink connects in the background (NATS may be away).
 *
 *   JetStream RETAIL ─► durable consumer hq-sink ─► validate ─► upsert-if-newer ─► ack
 *                                                                    └─► HQ API
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { buildHqApi } from './api.js';
import { HqAuth } from './auth.js';
import type { HqConfig } from './config.js';
import { SinkConsumer, type SinkConsumerOptions } from './consumer.js';
import { type HqStore, openHqStore } from './db/index.js';
import { HqConfigError } from './errors.js';
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
  /** Users and sign-in; undefined with HQ_HTTP_AUTH=off. */
  readonly auth: HqAuth | undefined;
  /** Set when this start created the first admin: print it once, never log it. */
  readonly initialAdmin: { readonly password: string; readonly file: string } | undefined;
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
  let auth: HqAuth | undefined;
  let initialAdmin: { password: string; file: string } | undefined;
  if (config.http.auth === 'off') {
    log.error(
      { component: 'hq-auth', host: config.http.host, port: config.http.port },
      "HQ_HTTP_AUTH=off: THE HQ API IS OPEN. Anyone who reaches this port reads every store's figures. Use only on a closed test network.",
    );
  } else {
    auth = new HqAuth({ store, log });
    // The demo's admin comes first, so no one-time admin is made beside it.
    if (config.http.auth === 'demo') await auth.ensureDemoUser();
    initialAdmin = await auth.ensureFirstAdmin(config.dataDir);
  }
  const tls = config.http.tls ? readTls(config.http.tls) : undefined;
  if (!tls && options.http !== false && !isLoopback(config.http.host)) {
    log.warn(
      { component: 'hq-api', host: config.http.host },
      'HQ API without TLS on a non-loopback address: passwords and tokens travel in clear text (set HQ_TLS_CERT and HQ_TLS_KEY, or put a TLS proxy in front)',
    );
  }
  const api = await buildHqApi({
    store,
    log,
    auth: auth ?? 'off',
    ...(tls ? { tls } : {}),
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
    auth,
    initialAdmin,
    consumer: () => consumer,
    consuming: () => consumingPromise,
    stop,
  };
}

function readTls(files: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  const read = (file: string, setting: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new HqConfigError(`${setting}: cannot read ${file}`, { cause: err });
    }
  };
  return { cert: read(files.certFile, 'HQ_TLS_CERT'), key: read(files.keyFile, 'HQ_TLS_KEY') };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
