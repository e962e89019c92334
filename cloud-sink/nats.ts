/**
 * HQ's NATS connection, with the gateway's options (common/nats.ts: it never gives up
 * reconnecting), and a first connect that fails is retried with backoff, so HQ's API
 * serves from its database while NATS is away. Also: the RETAIL stream (created when missing, with the same settings a
 * gateway would use) and the durable pull consumer `hq-sink`.
 */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  ReplayPolicy,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, type NodeConnectionOptions, nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { type NatsTlsFiles, natsConnectionOptions, upstreamStreamConfig } from '../common/nats.js';
import { HQ_CONSUMER, tenantSubjects, UPSTREAM_STREAM } from '../protocols/index.js';
import type { HqNatsOptions } from './config.js';
import { HqConfigError } from './errors.js';

/** Connection options from the HQ_NATS_* settings: the gateway's (common/nats.ts). */
export function hqConnectionOptions(options: HqNatsOptions, name = 'cloud-sink'): NodeConnectionOptions {
  const tls: NatsTlsFiles = {
    ...(options.caFile !== undefined ? { caFile: options.caFile } : {}),
    ...(options.certFile !== undefined ? { certFile: options.certFile } : {}),
    ...(options.keyFile !== undefined ? { keyFile: options.keyFile } : {}),
  };
  return natsConnectionOptions(
    {
      url: options.url,
      name,
      ...(options.credsFile !== undefined ? { credsFile: options.credsFile } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.user !== undefined ? { user: options.user } : {}),
      ...(options.pass !== undefined ? { pass: options.pass } : {}),
      ...(Object.keys(tls).length > 0 ? { tls } : {}),
    },
    { url: 'HQ_NATS_URL', section: 'NATS', error: (message, cause) => new HqConfigError(message, cause) },
  );
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
    await jsm.streams.add(upstreamStreamConfig());
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
