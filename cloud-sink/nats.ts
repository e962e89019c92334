/**
 * HQ's NATS connection: never gives up reconnecting (maxReconnectAttempts -1), and a first
 * connect that fails is retried with backoff, so HQ's API serves from its database while
 * NATS is away. Also: the RETAIL stream (created when missing, with the same settings a
 * gateway would use) and the durable pull consumer `hq-sink`.
 */
import { readFileSync } from 'node:fs';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import {
  type Authenticator,
  connect,
  credsAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
  nanos,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
} from '@nats-io/transport-node';
import type { Logger } from 'pino';
import {
  HQ_CONSUMER,
  tenantSubjects,
  UPSTREAM_DUPLICATE_WINDOW_MS,
  UPSTREAM_MAX_AGE_MS,
  UPSTREAM_STREAM,
  UPSTREAM_SUBJECTS,
} from '../protocols/index.js';
import type { HqNatsOptions } from './config.js';
import { HqConfigError } from './errors.js';

export function hqConnectionOptions(options: HqNatsOptions, name = 'cloud-sink'): NodeConnectionOptions {
  const servers: string[] = [];
  let { user, pass, token } = options;
  let tls = options.caFile !== undefined || options.certFile !== undefined;
  for (const raw of options.url
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    let url: URL;
    try {
      url = new URL(raw.includes('://') ? raw : `nats://${raw}`);
    } catch (err) {
      throw new HqConfigError(`HQ_NATS_URL: not a URL: ${raw}`, { cause: err });
    }
    if (url.protocol !== 'nats:' && url.protocol !== 'tls:')
      throw new HqConfigError('HQ_NATS_URL: use nats:// or tls://');
    if (url.protocol === 'tls:') tls = true;
    if (url.username !== '') {
      if (url.password !== '') {
        user ??= decodeURIComponent(url.username);
        pass ??= decodeURIComponent(url.password);
      } else {
        token ??= decodeURIComponent(url.username);
      }
    }
    servers.push(`${url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname}:${url.port || '4222'}`);
  }
  if (servers.length === 0) throw new HqConfigError('HQ_NATS_URL: no server given');
  const auth: Authenticator[] = [];
  const creds = options.credsFile;
  if (creds !== undefined) auth.push(credsAuthenticator(() => new Uint8Array(readFileSync(creds))));
  if (token !== undefined) auth.push(tokenAuthenticator(token));
  if (user !== undefined) auth.push(usernamePasswordAuthenticator(user, pass ?? ''));
  if (auth.length > 1) throw new HqConfigError('NATS: give one of a creds file, a token, or user and password');
  return {
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 2000,
    timeout: 5000,
    ...(auth.length === 1 ? { authenticator: auth[0] as Authenticator } : {}),
    ...(tls
      ? {
          tls: {
            ...(options.caFile !== undefined ? { caFile: options.caFile } : {}),
            ...(options.certFile !== undefined ? { certFile: options.certFile } : {}),
            ...(options.keyFile !== undefined ? { keyFile: options.keyFile } : {}),
          },
        }
      : {}),
  };
}

/** Connects, retrying a failed first connect with backoff until `signal` aborts (then undefined). */
export async function connectWithRetry(
  options: NodeConnectionOptions,
  log: Logger,
  signal?: AbortSignal,
): Promise<NatsConnection | undefined> {
  let backoff = 500;
  while (!signal?.aborted) {
    try {
      const nc = await connect(options);
      if (signal?.aborted) {
        await nc.close().catch(() => undefined);
        return undefined;
      }
      log.info({ component: 'hq-nats', server: nc.getServer() }, 'nats connected');
      return nc;
    } catch (err) {
      log.warn({ component: 'hq-nats', err: (err as Error).message, retryMs: backoff }, 'nats connect failed');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      backoff = Math.min(backoff * 2, 10_000);
    }
  }
  return undefined;
}

/** Creates the RETAIL stream when missing (2.9-compatible settings), else leaves it as it is. */
export async function ensureStream(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.info(UPSTREAM_STREAM);
    return;
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || err.code !== JetStreamApiCodes.StreamNotFound) throw err;
  }
  try {
    await jsm.streams.add({
      name: UPSTREAM_STREAM,
      subjects: [...UPSTREAM_SUBJECTS],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      duplicate_window: nanos(UPSTREAM_DUPLICATE_WINDOW_MS),
      max_age: nanos(UPSTREAM_MAX_AGE_MS),
      num_replicas: 1,
    });
  } catch (err) {
    if (!(err instanceof JetStreamApiError)) throw err;
    await jsm.streams.info(UPSTREAM_STREAM);
  }
}

export interface ConsumerSettings {
  /** Only this tenant's subjects (default: all). */
  readonly tenant?: string;
  /** Redelivery after this long without an ack; default 30 s. */
  readonly ackWaitMs?: number;
  /** Unacknowledged messages the server lets out at once (all instances together); default 4096. */
  readonly maxAckPending?: number;
}

/**
 * The durable pull consumer every cloud-sink instance shares: the server hands each message
 * to one instance, and redelivers what was not acked within ack_wait.
 */
export async function ensureConsumer(jsm: JetStreamManager, settings: ConsumerSettings = {}): Promise<void> {
  try {
    await jsm.consumers.info(UPSTREAM_STREAM, HQ_CONSUMER);
    return;
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || err.code !== JetStreamApiCodes.ConsumerNotFound) throw err;
  }
  try {
    await jsm.consumers.add(UPSTREAM_STREAM, {
      durable_name: HQ_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
      ack_wait: nanos(settings.ackWaitMs ?? 30_000),
      max_ack_pending: settings.maxAckPending ?? 4096,
      max_deliver: -1,
      ...(settings.tenant !== undefined ? { filter_subject: tenantSubjects(settings.tenant) } : {}),
    });
  } catch (err) {
    // Another instance created it at the same moment.
    if (!(err instanceof JetStreamApiError)) throw err;
    await jsm.consumers.info(UPSTREAM_STREAM, HQ_CONSUMER);
  }
}

export { jetstreamManager };
