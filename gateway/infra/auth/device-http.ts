/**
 * Device credentials over HTTP: a device that posts to the gateway (the Impinj reader
 * webhook today, a POS endpoint later) authenticates like an MQTT device, with HTTP Basic
 * `devices.<id>.username` + the password behind `devices.<id>.passwordHash`.
 *
 * - A device with credentials must send them, matching its own username.
 * - A device without credentials may post only while `mqtt.allowAnonymous` is true (the demo
 *   bench), like its anonymous MQTT twin; otherwise it cannot post at all.
 * - The password check is scrypt on libuv's thread pool (verifyPassword), and a wrong user
 *   name costs the same scrypt as a wrong password.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '../../pipeline/broker/credentials.js';
import type { GatewayConfig } from '../config/index.js';

export type DeviceHttpAuthFailure =
  /** No (or a non-Basic) Authorization header for a device that needs one. */
  | 'missing-credentials'
  /** A Basic header that does not decode to `user:password`. */
  | 'malformed'
  /** Wrong user name or password. */
  | 'bad-credentials'
  /** The device has no credentials in the config and anonymous devices are not allowed. */
  | 'no-device-credentials';

export type DeviceHttpAuthResult =
  | { readonly ok: true; readonly anonymous: boolean }
  | { readonly ok: false; readonly reason: DeviceHttpAuthFailure };

let dummyHash: string | undefined;

/** Parses `Basic base64(user:password)`; undefined when absent or not Basic, null when malformed. */
function parseBasic(header: string | undefined): { user: string; password: string } | undefined | null {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return /^Basic\b/i.test(header) ? null : undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Whether this request may speak for `deviceId` (a device listed in the config).
 * `authorization` is the request's Authorization header.
 */
export async function checkDeviceHttpAuth(
  config: GatewayConfig,
  authorization: string | undefined,
  deviceId: string,
): Promise<DeviceHttpAuthResult> {
  const device = Object.hasOwn(config.devices, deviceId) ? config.devices[deviceId] : undefined;
  const username = device && 'username' in device ? device.username : undefined;
  const passwordHash = device && 'passwordHash' in device ? device.passwordHash : undefined;
  const basic = parseBasic(authorization);
  if (basic === null) return { ok: false, reason: 'malformed' };
  if (username === undefined || passwordHash === undefined) {
    if (config.mqtt.allowAnonymous && basic === undefined) return { ok: true, anonymous: true };
    if (basic !== undefined) {
      // Same work as a real check: the answer's timing does not tell which devices have credentials.
      dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
      await verifyPassword(basic.password, dummyHash);
    }
    return { ok: false, reason: 'no-device-credentials' };
  }
  if (basic === undefined) return { ok: false, reason: 'missing-credentials' };
  // Always one scrypt, also for a wrong user name.
  const valid = await verifyPassword(basic.password, passwordHash);
  return valid && basic.user === username ? { ok: true, anonymous: false } : { ok: false, reason: 'bad-credentials' };
}
