/**
 * Who may do what on the embedded broker. A client is one of: a configured device (its own
 * credentials), a staff/dashboard user (`mqtt.users`), or anonymous (only when
 * `mqtt.allowAnonymous`). The rules are in docs/security.md ("## MQTT").
 *
 * Subscriptions are checked by filter containment, not string prefix: a filter is granted
 * only when every topic it could match is inside one allowed pattern. `retail/#`,
 * `retail/+/alerts/vip` or `+/+/+` therefore never pass for a user allowed `retail/s001/alerts/#`.
 */
import { randomBytes } from 'node:crypto';
import type { GatewayConfig } from '../../infra/config/index.js';
import { hashPassword, verifyPassword } from './credentials.js';

export type UserRole = 'staff' | 'dashboard' | 'integration';

export type Principal =
  | { readonly kind: 'device'; readonly device: string }
  | { readonly kind: 'user'; readonly username: string; readonly role: UserRole }
  | { readonly kind: 'anonymous' };

/** The device or user these credentials belong to; undefined when they match nobody. */
export async function authenticatePrincipal(
  config: GatewayConfig,
  username: string | undefined,
  password: Buffer | undefined,
): Promise<Principal | undefined> {
  if (username === undefined || password === undefined) return undefined;
  // Usernames are unique across devices and users (checked when the config loads).
  for (const [id, device] of Object.entries(config.devices)) {
    if (device.transport === 'mqtt' && device.username === username && device.passwordHash !== undefined) {
      return (await verifyPassword(password.toString('utf8'), device.passwordHash))
        ? { kind: 'device', device: id }
        : undefined;
    }
  }
  for (const user of config.mqtt.users) {
    if (user.username === username) {
      return (await verifyPassword(password.toString('utf8'), user.passwordHash))
        ? { kind: 'user', username, role: user.role }
        : undefined;
    }
  }
  // Same scrypt work for an unknown username, so response time does not reveal which names exist.
  unknownUserHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password.toString('utf8'), unknownUserHash);
  return undefined;
}

let unknownUserHash: string | undefined;

/**
 * Topic filters a principal may subscribe within. Devices get none: DESIGN defines no
 * downstream (command) topic for devices, so nothing a device could subscribe to is its own.
 * Anonymous clients (demo / closed bench only) read what a dashboard reads.
 */
export function subscribePatterns(principal: Principal, store: string): readonly string[] {
  const alerts = `retail/${store}/alerts/#`;
  const live = `retail/${store}/live/#`;
  switch (principal.kind) {
    case 'device':
      return [];
    case 'user':
      if (principal.role === 'integration') return [`retail/${store}/#`];
      return principal.role === 'staff' ? [alerts] : [alerts, live];
    case 'anonymous':
      return [alerts, live];
  }
}

/** The identity a client id is bound to: one per device, per MQTT user, and one for all anonymous clients. */
export function principalKey(principal: Principal): string {
  switch (principal.kind) {
    case 'device':
      return `device:${principal.device}`;
    case 'user':
      return `user:${principal.username}`;
    case 'anonymous':
      return 'anonymous';
  }
}

/**
 * Whether this principal receives VIP alerts with the member profile (name, notes, sizes…).
 * Staff do; `dashboard` and `integration` accounts get the arrival without it. Anonymous
 * clients exist only on the demo bench and read what staff read there.
 */
export function seesMemberProfile(principal: Principal): boolean {
  return principal.kind === 'anonymous' || (principal.kind === 'user' && principal.role === 'staff');
}

/**
 * Why this principal may not publish to `topic`, or undefined when it may. `gateway` is the
 * broker's own publishes; undefined is a client that never authenticated.
 */
export function publishDenial(
  principal: Principal | 'gateway' | undefined,
  topic: string,
  store: string,
): string | undefined {
  if (principal === 'gateway') return undefined;
  if (principal === undefined) return 'client not authenticated';
  switch (principal.kind) {
    case 'user':
      // Staff acknowledge alerts over HTTP; an app or integration account has nothing to publish.
      return `user ${principal.username} (${principal.role}) may not publish`;
    case 'device':
      // Only `retail/{store}/{family}/{device}/{channel}`: nothing outside the store's tree
      // (a topic the gateway never reads is only a place to park retained bytes).
      return isOwnDeviceTopic(topic, store, principal.device)
        ? undefined
        : `device ${principal.device} may not publish to ${topic}`;
    case 'anonymous':
      // Demo bench: speaks for any device, but only under retail/ (what ingest reads and, for
      // a wrong store or device, rejects and counts); nothing outside it to park data in.
      return topic.startsWith('retail/') ? undefined : `anonymous clients may not publish to ${topic}`;
  }
}

/**
 * `retail/{store}/{family}/{device}/{channel}` with this store and device: the check of every
 * device PUBLISH, so by index instead of splitting the topic.
 */
export function isOwnDeviceTopic(topic: string, store: string, device: string): boolean {
  const storeAt = 'retail/'.length;
  if (!topic.startsWith('retail/') || !topic.startsWith(store, storeAt)) return false;
  const familyAt = storeAt + store.length + 1;
  if (topic[familyAt - 1] !== '/') return false;
  const deviceAt = topic.indexOf('/', familyAt) + 1;
  if (deviceAt === 0 || deviceAt === familyAt + 1) return false;
  if (!topic.startsWith(device, deviceAt) || topic[deviceAt + device.length] !== '/') return false;
  const channelAt = deviceAt + device.length + 1;
  return channelAt < topic.length && topic.indexOf('/', channelAt) < 0;
}

/** True when `filter` (a valid MQTT filter) may be granted to a holder of `patterns`. */
export function maySubscribe(patterns: readonly string[], filter: string): boolean {
  return patterns.some((pattern) => filterWithin(filter, pattern));
}

/**
 * True when every topic matched by `filter` is also matched by `pattern` (both MQTT 3.1.1
 * filters). Conservative: a filter covered only by the union of several patterns is refused.
 */
export function filterWithin(filter: string, pattern: string): boolean {
  const f = filter.split('/');
  const p = pattern.split('/');
  // A pattern starting with a wildcard never matches `$` topics [MQTT-4.7.2-1]; a filter naming one is outside it.
  if ((p[0] === '+' || p[0] === '#') && f[0]?.startsWith('$')) return false;
  for (let i = 0; ; i++) {
    const pl = p[i];
    const fl = f[i];
    // `a/#` matches `a` and everything below it: whatever remains of the filter fits.
    if (pl === '#') return true;
    if (pl === undefined || fl === undefined) return pl === undefined && fl === undefined;
    // `#` in the filter reaches arbitrary depth; only a `#` in the pattern (above) covers it.
    if (fl === '#') return false;
    // `+` in the filter matches any word at this level; only `+` in the pattern covers that.
    if (fl === '+') {
      if (pl !== '+') return false;
      continue;
    }
    if (pl !== '+' && pl !== fl) return false;
  }
}
