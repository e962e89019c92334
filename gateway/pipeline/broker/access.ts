/**
 * The aedes hooks of access control: `authenticate` records who each client is and binds its
 * client id to that principal, `authorizeSubscribe` grants or refuses each topic filter (a
 * refused one gets SUBACK 0x80 per [MQTT-3.9.3], the connection stays up),
 * `authorizeForward` re-checks every delivery (live or queued) against the receiver's role,
 * and `principalOf` tells authorizePublish.
 */
import type { Aedes, AedesPublishPacket, AuthenticateError, Client, Subscription } from 'aedes';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../infra/config/index.js';
import type { GatewayMetrics } from '../../infra/metrics/index.js';
import { redactAlertPayload } from '../../outputs/alerts/redact.js';
import {
  authenticatePrincipal,
  maySubscribe,
  type Principal,
  principalKey,
  seesMemberProfile,
  subscribePatterns,
} from './acl.js';
import type { BrokerSecurityMetrics } from './security-metrics.js';

/** Who a client id belongs to: the principal of its last login, and that login's client. */
interface Binding {
  readonly key: string;
  readonly principal: Principal;
  readonly client: Client;
}

/** Bound client ids kept at most (persistent sessions); beyond, the oldest disconnected ones go. */
const MAX_BINDINGS = 100_000;

export class AccessControl {
  private readonly principals = new WeakMap<Client, Principal>();
  /**
   * Client id → principal. A client id belongs to one principal while a client is connected
   * with it, and for as long as its persistent session (clean=false) exists (the broker keeps
   * sessions in memory, so does this map). A configured device's id is reserved for it.
   */
  private readonly bindings = new Map<string, Binding>();
  private readonly alertTopic: string;
  /** The stream aedes reads → the peer's address (the broker wraps sockets, hiding it from aedes). */
  private readonly remotes = new WeakMap<object, string>();

  constructor(
    private readonly config: GatewayConfig,
    private readonly log: Logger,
    private readonly metrics: GatewayMetrics,
    private readonly security: BrokerSecurityMetrics,
  ) {
    this.alertTopic = `retail/${config.store.id}/alerts/vip`;
  }

  /** Ends the binding of a clean session when its client goes (a persistent one keeps its id). */
  attach(aedes: Aedes): void {
    aedes.on('clientDisconnect', (client: Client) => {
      const binding = this.bindings.get(client.id);
      if (binding?.client === client && client.clean) this.bindings.delete(client.id);
    });
  }

  /** The principal a client id is bound to (for the offline queue of a persistent session). */
  principalOfClientId(clientId: string): Principal | undefined {
    return this.bindings.get(clientId)?.principal;
  }

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
      const taken = this.clientIdOwner(client.id, principal);
      if (taken !== undefined) {
        this.security.clientIdRefused.inc();
        this.log.warn(
          { client: client.id, principal: describe(principal), owner: taken, remote: this.remotes.get(client.conn) },
          'mqtt login refused: client id belongs to another principal',
        );
        callback(Object.assign(new Error('client id belongs to another principal'), { returnCode: 5 as const }), null);
        return;
      }
      this.principals.set(client, principal);
      this.bind(client, principal);
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

  /**
   * The principal (described) that `clientId` belongs to when it is not `principal`, else
   * undefined. A configured device with credentials owns its own id; any other id belongs to
   * whoever holds it connected or as a persistent session.
   */
  private clientIdOwner(clientId: string, principal: Principal): string | undefined {
    const key = principalKey(principal);
    const device = Object.hasOwn(this.config.devices, clientId) ? this.config.devices[clientId] : undefined;
    if (device?.transport === 'mqtt' && device.username !== undefined && key !== `device:${clientId}`) {
      return `device:${clientId}`;
    }
    const binding = this.bindings.get(clientId);
    if (binding === undefined || binding.key === key) return undefined;
    // A clean session that is gone holds nothing (a login that never completed, say).
    if (binding.client.clean && binding.client.closed) return undefined;
    return describe(binding.principal);
  }

  private bind(client: Client, principal: Principal): void {
    this.bindings.delete(client.id);
    this.bindings.set(client.id, { key: principalKey(principal), principal, client });
    if (this.bindings.size <= MAX_BINDINGS) return;
    for (const [id, binding] of this.bindings) {
      if (binding.client.closed) {
        this.bindings.delete(id);
        if (this.bindings.size <= MAX_BINDINGS) return;
      }
    }
  }

  /**
   * Every delivery, live or from a persistent session's queue, is checked against the
   * receiving client's role again: a subscription granted earlier, a session taken over, or
   * a role changed since must not let a message through. VIP alerts reach a role without
   * the member profile (dashboard, integration) reduced to the arrival.
   */
  readonly authorizeForward = (client: Client, packet: AedesPublishPacket): AedesPublishPacket | null => {
    const principal = this.principals.get(client);
    return principal === undefined ? null : this.viewFor(principal, packet, client.id);
  };

  /** What `principal` may receive of `packet`: the packet, a reduced copy, or null. */
  viewFor<P extends { topic: string; payload: unknown }>(principal: Principal, packet: P, clientId: string): P | null {
    if (!maySubscribe(subscribePatterns(principal, this.config.store.id), packet.topic)) {
      this.security.forwardWithheld.inc({ principal: principal.kind });
      this.log.warn(
        { client: clientId, principal: describe(principal), topic: packet.topic },
        'mqtt delivery withheld',
      );
      return null;
    }
    if (packet.topic !== this.alertTopic || seesMemberProfile(principal)) return packet;
    const payload = Buffer.isBuffer(packet.payload)
      ? packet.payload
      : Buffer.from(typeof packet.payload === 'string' ? packet.payload : '');
    return { ...packet, payload: redactAlertPayload(payload) };
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
