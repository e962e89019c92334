/**
 * NATS options the gateway (upstream link) and HQ (cloud-sink) share: how a server URL
 * list, credentials and TLS files become nats.js connection options, and the settings of
 * the RETAIL stream whichever side creates it. The one I/O module of common/ (it reads a
 * creds file at every connect): import it as `common/nats.js`, never through common/index.ts,
 * so pure code that imports common/ never loads a NATS client.
 *
 * Connection: `maxReconnectAttempts: -1` (the client never gives up on a server that went
 * away; the default is 10 attempts), 2 s between attempts with jitter, pings every 20 s.
 * Credentials: a creds file (read at every (re)connect, so rotated credentials are picked
 * up), or a token / user+password given apart or in the URL (`nats://TOKEN@host`,
 * `nats://user:pass@host`); at most one kind. TLS: a `tls://` URL or any TLS file.
 */
import { readFileSync } from 'node:fs';
import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import {
  type Authenticator,
  credsAuthenticator,
  type NodeConnectionOptions,
  nanos,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
} from '@nats-io/transport-node';
import {
  UPSTREAM_DUPLICATE_WINDOW_MS,
  UPSTREAM_MAX_AGE_MS,
  UPSTREAM_STREAM,
  UPSTREAM_SUBJECTS,
} from '../protocols/index.js';

export interface NatsTlsFiles {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface NatsLinkOptions {
  /** One or more server URLs, comma-separated; credentials in the URL are taken out. */
  readonly url: string;
  readonly credsFile?: string;
  readonly token?: string;
  readonly user?: string;
  readonly pass?: string;
  /** TLS required (implied by a tls:// URL or any TLS file). */
  readonly tls?: boolean | NatsTlsFiles;
  /** Client name shown by the server (`nats server report connections`). */
  readonly name?: string;
  /** Wait between reconnect attempts; default 2 s. */
  readonly reconnectTimeWaitMs?: number;
  /** Connect / handshake timeout; default 5 s. */
  readonly timeoutMs?: number;
  /**
   * Prefix of this connection's reply subjects (JetStream acks, KV deliveries); a store uses
   * `storeInboxPrefix(store)`, the only inbox its NATS identity may subscribe to.
   */
  readonly inboxPrefix?: string;
}

/** How a side names its settings in error messages, and the error class it throws. */
export interface NatsSettingNames {
  /** The URL setting, e.g. `upstream.natsUrl` or `HQ_NATS_URL`. */
  readonly url: string;
  /** The section the credentials and TLS files belong to, e.g. `upstream` or `NATS`. */
  readonly section: string;
  readonly error: (message: string, options?: ErrorOptions) => Error;
}

/** Turns link options into nats.js connection options, validating them (throws `names.error`). */
export function natsConnectionOptions(options: NatsLinkOptions, names: NatsSettingNames): NodeConnectionOptions {
  const servers: string[] = [];
  let user = options.user;
  let pass = options.pass;
  let token = options.token;
  let tlsRequired = options.tls !== undefined && options.tls !== false;
  for (const raw of options.url
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    let url: URL;
    try {
      url = new URL(raw.includes('://') ? raw : `nats://${raw}`);
    } catch (err) {
      throw names.error(`${names.url}: not a URL: ${raw}`, { cause: err });
    }
    if (!['nats:', 'tls:'].includes(url.protocol)) {
      throw names.error(`${names.url}: use nats:// or tls://, got ${url.protocol}//`);
    }
    if (url.protocol === 'tls:') tlsRequired = true;
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
  if (servers.length === 0) throw names.error(`${names.url}: no server given`);

  const authenticators: Authenticator[] = [];
  const credsFile = options.credsFile;
  if (credsFile !== undefined) {
    authenticators.push(credsAuthenticator(() => new Uint8Array(readFileSync(credsFile))));
  }
  if (token !== undefined) authenticators.push(tokenAuthenticator(token));
  if (user !== undefined) authenticators.push(usernamePasswordAuthenticator(user, pass ?? ''));
  if (authenticators.length > 1) {
    throw names.error(`${names.section}: give one of a creds file, a token, or user and password`);
  }
  const files = typeof options.tls === 'object' ? options.tls : {};
  if ((files.certFile === undefined) !== (files.keyFile === undefined)) {
    throw names.error(`${names.section} TLS: a client certificate needs both the cert and the key file`);
  }
  return {
    servers,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.inboxPrefix !== undefined ? { inboxPrefix: options.inboxPrefix } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? 2000,
    reconnectJitter: 200,
    timeout: options.timeoutMs ?? 5000,
    pingInterval: 20_000,
    maxPingOut: 3,
    ...(authenticators.length === 1 ? { authenticator: authenticators[0] as Authenticator } : {}),
    ...(tlsRequired
      ? {
          tls: {
            ...(files.caFile !== undefined ? { caFile: files.caFile } : {}),
            ...(files.certFile !== undefined ? { certFile: files.certFile } : {}),
            ...(files.keyFile !== undefined ? { keyFile: files.keyFile } : {}),
          },
        }
      : {}),
  };
}

/**
 * The RETAIL stream as either side creates it when missing, with settings nats-server 2.9
 * accepts: file storage, limits retention, the 2-minute duplicate window, 30-day age.
 */
export function upstreamStreamConfig(): Partial<StreamConfig> & { name: string } {
  return {
    name: UPSTREAM_STREAM,
    subjects: [...UPSTREAM_SUBJECTS],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(UPSTREAM_DUPLICATE_WINDOW_MS),
    max_age: nanos(UPSTREAM_MAX_AGE_MS),
    num_replicas: 1,
  };
}
