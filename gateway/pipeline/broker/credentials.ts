/**
 * Passwords (devices, MQTT users, dashboard users) are stored only as scrypt hashes
 * (`scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>`), compared in constant time.
 *
 * Verification runs on libuv's thread pool: one scrypt (N=16384) is ~40 ms of CPU, and on the
 * event loop every sign-in, and every device reconnecting after a Wi-Fi drop, would stall
 * ingest and alerts for that long.
 */
import { randomBytes, type ScryptOptions, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

const DEFAULTS = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

/** Synchronous: for config tooling (`hash-password`), tests and start-up only. */
export function hashPassword(password: string, salt: Buffer = randomBytes(16)): string {
  const { N, r, p, keyLength } = DEFAULTS;
  const hash = scryptSync(password, salt, keyLength, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password, parsed.salt, parsed.hash.length, parsed.options, (err, key) => (err ? reject(err) : resolve(key))),
  );
  return timingSafeEqual(actual, parsed.hash);
}

function parseStored(stored: string): { salt: Buffer; hash: Buffer; options: ScryptOptions } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  if (!Number.isInteger(N) || !Number.isInteger(R) || !Number.isInteger(P) || N > 1 << 20) return undefined;
  const hash = Buffer.from(hashB64, 'base64');
  if (hash.length < 16) return undefined;
  return { salt: Buffer.from(saltB64, 'base64'), hash, options: { N, r: R, p: P, maxmem: 256 * N * R } };
}
