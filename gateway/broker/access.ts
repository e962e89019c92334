/**
 * The aedes hooks of access control: `authenticate` records who each client is,
 * `authorizeSubscribe` grants or refuses each topic filter (a refused one gets SUBACK 0x80
 * per [MQTT-3.9.3], the connection stays up), and `principalOf` tells authorizePublish.
 */
import type { AuthenticateError, Client, Subscription } from 'aedes';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/index.js';
import type { GatewayMetrics } from '../metrics/index.js';
import { authenticatePrincipal, maySubscribe, type Principal, subscribePatterns } from './acl.js';
import type { BrokerSecurityMetrics } from './security-metrics.js';

export class AccessControl {
  private readonly principals = new WeakMap<Client, Principal>();
  /** The stream aedes reads → the peer's address (the broker wraps sockets, hiding it from aedes). */
  private readonly remotes = new WeakMap<object, string>();

  constructor(
    private readonly config: GatewayConfig,
    private readonly log: Logger,
    private readonly metrics: GatewayMetrics,
    private readonly security: BrokerSecurityMetrics,
  ) {}

  rememberRemote(conn: object, address: string | undefined): void {
    if (address !== undefined) this.remotes.set(conn, address);
  }

  /** Who this client logged in as; undefined before (or without) a successful CONNECT. */
  principalOf(client: Client): Principal | undefined {
    return this.principals.get(client);
  }

  readonly authenticate = (
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    callback: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void => {
    authenticatePrincipal(this.config, username, password).then(
      (principal) => this.settleLogin(client, username, principal, callback),
      (err: unknown) =>
        callback(Object.assign(err instanceof Error ? err : new Error(String(err)), { returnCode: 3 as const }), null),
    );
  };

  private settleLogin(
    client: Client,
    username: string | undefined,
    known: Principal | undefined,
    callback: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const principal =
      known ??
      (username === undefined && this.config.mqtt.allowAnonymous ? ({ kind: 'anonymous' } as const) : undefined);
    if (principal !== undefined) {
      this.principals.set(client, principal);
      callback(null, true);
      return;
    }
    this.metrics.authFailures.inc();
    this.log.warn({ client: client.id, username, remote: this.remotes.get(client.conn) }, 'mqtt login refused');
    // MQTT 3.1.1 CONNACK: 0x05 "not authorized" without credentials, 0x04 "bad user name or
    // password" for wrong ones (an unknown username and a wrong password look the same).
    const refusal =
      username === undefined
        ? Object.assign(new Error('not authorized: credentials required'), { returnCode: 5 as const })
        : Object.assign(new Error('bad username or password'), { returnCode: 4 as const });
    callback(refusal, null);
  }

  readonly authorizeSubscribe = (
    client: Client,
    sub: Subscription,
    callback: (error: Error | null, subscription?: Subscription | null) => void,
  ): void => {
    const principal = this.principals.get(client);
    if (principal !== undefined && maySubscribe(subscribePatterns(principal, this.config.store.id), sub.topic)) {
      callback(null, sub);
      return;
    }
    this.security.subscribeRefused.inc({ principal: principal?.kind ?? 'unknown' });
    this.log.warn(
      { client: client.id, principal: describe(principal), filter: sub.topic },
      'mqtt subscription refused',
    );
    // A null subscription makes aedes answer 0x80 for this filter only; an error would drop the client.
    callback(null, null);
  };

  /** Counts and logs a publish the ACL refused (aedes then disconnects the client). */
  publishRefused(client: Client | null, reason: string): void {
    const principal = client ? this.principals.get(client) : undefined;
    this.security.publishRefused.inc({ principal: principal?.kind ?? 'unknown' });
    this.log.warn({ client: client?.id, principal: describe(principal), reason }, 'mqtt publish refused');
  }
}

function describe(principal: Principal | undefined): string {
  if (principal === undefined) return 'unknown';
  switch (principal.kind) {
    case 'device':
      return `device:${principal.device}`;
    case 'user':
      return `${principal.role}:${principal.username}`;
    case 'anonymous':
      return 'anonymous';
  }
}
