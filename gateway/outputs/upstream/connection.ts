/**
 * The gateway's one NATS connection, shared by the outbox publisher and the KV mirror.
 *
 * `maxReconnectAttempts: -1`: the client never gives up on a server that went away (the
 * default is 10 attempts). If the very first connect fails, or the connection closes for
 * good (e.g. an auth error), the connector starts over after a backoff: NATS down for days
 * is normal operation, and the outbox keeps filling meanwhile.
 *
 * Credentials: a creds file (config `upstream.credsFile`), or a token / user+password in
 * the URL (`nats://TOKEN@host:4222`, `nats://user:pass@host:4222`) or the environment
 * (GW_NATS_TOKEN, GW_NATS_USER, GW_NATS_PASS). TLS: a `tls://` URL, or GW_NATS_CA /
 * GW_NATS_CERT / GW_NATS_KEY (file paths; a client certificate needs both).
 */
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { type NatsLinkOptions, type NatsTlsFiles, natsConnectionOptions } from '../../../common/nats.js';
import { UpstreamConfigError } from './errors.js';

export type { NatsLinkOptions, NatsTlsFiles };

/** Link options from the gateway config's `upstream` section plus GW_NATS_* secrets. */
export function natsLinkOptions(
  upstream: { readonly natsUrl?: string; readonly credsFile?: string },
  env: Readonly<Record<string, string | undefined>> = process.env,
  name?: string,
): NatsLinkOptions | undefined {
  if (upstream.natsUrl === undefined || upstream.natsUrl === '') return undefined;
  const tlsFiles: NatsTlsFiles = {
    ...(env.GW_NATS_CA ? { caFile: env.GW_NATS_CA } : {}),
    ...(env.GW_NATS_CERT ? { certFile: env.GW_NATS_CERT } : {}),
    ...(env.GW_NATS_KEY ? { keyFile: env.GW_NATS_KEY } : {}),
  };
  return {
    url: upstream.natsUrl,
    ...(upstream.credsFile !== undefined ? { credsFile: upstream.credsFile } : {}),
    ...(env.GW_NATS_TOKEN ? { token: env.GW_NATS_TOKEN } : {}),
    ...(env.GW_NATS_USER ? { user: env.GW_NATS_USER } : {}),
    ...(env.GW_NATS_PASS ? { pass: env.GW_NATS_PASS } : {}),
    ...(Object.keys(tlsFiles).length > 0 ? { tls: tlsFiles } : {}),
    ...(name !== undefined ? { name } : {}),
  };
}

/** Turns link options into nats.js connection options (validating them; common/nats.ts, shared with HQ). */
export function toConnectionOptions(options: NatsLinkOptions): NodeConnectionOptions {
  return {
    ...natsConnectionOptions(options, {
      url: 'upstream.natsUrl',
      section: 'upstream',
      error: (message, cause) => new UpstreamConfigError(message, cause),
    }),
    // nats.js otherwise builds two Errors, stack traces included, for every request (a
    // JetStream publish is one), to point a later timeout at its caller: 3.6 of 11.8 s in a
    // profile of the drain bench (docs/benchmarks.md 20). The publisher logs errors itself.
    noAsyncTraces: true,
  };
}

export type LinkState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'stopped';

/** Keeps one NatsConnection up for as long as it runs. Construction does no I/O. */
export class NatsConnector {
  private nc: NatsConnection | undefined;
  private linkState: LinkState = 'idle';
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly waiters = new Set<(nc: NatsConnection | undefined) => void>();
  private readonly listeners = new Set<(state: LinkState) => void>();
  private wakeSleep: (() => void) | undefined;
  private readonly connectionOptions: NodeConnectionOptions;
  lastError: string | undefined;

  constructor(
    options: NatsLinkOptions,
    private readonly log: Logger,
  ) {
    this.connectionOptions = toConnectionOptions(options);
  }

  get state(): LinkState {
    return this.linkState;
  }

  get connected(): boolean {
    return this.linkState === 'connected';
  }

  /** The current connection when connected. */
  get connection(): NatsConnection | undefined {
    return this.connected ? this.nc : undefined;
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = this.loop().catch((err: unknown) => {
      this.log.error({ component: 'upstream', err }, 'nats connector failed');
    });
  }

  /** Resolves with the connection once connected, or undefined once stopped. */
  ready(): Promise<NatsConnection | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const nc = this.connection;
    if (nc) return Promise.resolve(nc);
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  onState(listener: (state: LinkState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes the connection; idempotent, never throws. */
  async stop(): Promise<void> {
    if (this.stopped) {
      await this.running;
      return;
    }
    this.stopped = true;
    this.setState('stopped');
    this.wakeSleep?.();
    for (const waiter of this.waiters) waiter(undefined);
    this.waiters.clear();
    const nc = this.nc;
    this.nc = undefined;
    if (nc) await nc.close().catch(() => undefined);
    await this.running;
  }

  private setState(state: LinkState): void {
    if (this.linkState === state || (this.linkState === 'stopped' && state !== 'stopped')) return;
    this.linkState = state;
    if (state === 'connected' && this.nc) {
      for (const waiter of this.waiters) waiter(this.nc);
      this.waiters.clear();
    }
    for (const listener of this.listeners) listener(state);
  }

  private async loop(): Promise<void> {
    let backoff = 500;
    while (!this.stopped) {
      this.setState('connecting');
      let nc: NatsConnection;
      try {
        nc = await connect(this.connectionOptions);
      } catch (err) {
        this.lastError = (err as Error).message;
        this.log.warn({ component: 'upstream', err: (err as Error).message, retryMs: backoff }, 'nats connect failed');
        this.setState('disconnected');
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
        continue;
      }
      if (this.stopped) {
        await nc.close().catch(() => undefined);
        return;
      }
      backoff = 500;
      this.nc = nc;
      this.lastError = undefined;
      this.log.info({ component: 'upstream', server: nc.getServer() }, 'nats connected');
      this.setState('connected');
      void this.watchStatus(nc);
      const closed = await nc.closed();
      this.nc = undefined;
      if (this.stopped) return;
      if (closed instanceof Error) this.lastError = closed.message;
      this.log.warn(
        { component: 'upstream', err: closed instanceof Error ? closed.message : undefined },
        'nats connection closed',
      );
      this.setState('disconnected');
      await this.sleep(backoff);
    }
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    try {
      for await (const status of nc.status()) {
        if (this.stopped || this.nc !== nc) return;
        switch (status.type) {
          case 'disconnect':
            this.log.warn({ component: 'upstream', server: status.server }, 'nats disconnected');
            this.setState('disconnected');
            break;
          case 'reconnect':
            this.log.info({ component: 'upstream', server: status.server }, 'nats reconnected');
            this.setState('connected');
            break;
          case 'error':
            this.lastError = status.error.message;
            break;
          default:
            break;
        }
      }
    } catch (err) {
      this.log.debug({ component: 'upstream', err }, 'nats status stream ended');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = done;
    });
  }
}
