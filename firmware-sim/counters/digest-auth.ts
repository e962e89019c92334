/**
 * The server side of HTTP Digest access authentication (RFC 7616, qop=auth, MD5), as
 * network cameras do it: a 401 with a fresh nonce, then each request's `response` checked
 * against the password. Nonces are remembered (bounded) and a nonce count may not go back.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface DigestUser {
  readonly username: string;
  readonly password: string;
}

function params(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    out[(m[1] as string).toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return out;
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

export class DigestGuard {
  readonly #realm: string;
  readonly #user: DigestUser;
  readonly #nonces = new Map<string, number>();
  readonly #opaque = randomBytes(8).toString('hex');
  /** Requests refused for bad or missing credentials. */
  refused = 0;

  constructor(realm: string, user: DigestUser) {
    this.#realm = realm;
    this.#user = user;
  }

  /** True when the request is authorised; otherwise a 401 challenge has been sent. */
  check(req: IncomingMessage, res: ServerResponse): boolean {
    const header = req.headers.authorization ?? '';
    if (/^Digest\s/i.test(header) && this.#valid(params(header.slice(7)), req.method ?? 'GET', req.url ?? '')) {
      return true;
    }
    if (header) this.refused++;
    const nonce = randomBytes(16).toString('hex');
    this.#nonces.set(nonce, 0);
    if (this.#nonces.size > 1000) this.#nonces.delete(this.#nonces.keys().next().value as string);
    res
      .writeHead(401, {
        'www-authenticate': `Digest realm="${this.#realm}", qop="auth", nonce="${nonce}", opaque="${this.#opaque}", algorithm=MD5, stale="FALSE"`,
        'content-type': 'text/html',
      })
      .end('<html><body>401 Unauthorized</body></html>');
    return false;
  }

  #valid(p: Record<string, string>, method: string, url: string): boolean {
    const nonce = p.nonce ?? '';
    const lastNc = this.#nonces.get(nonce);
    if (lastNc === undefined || p.username !== this.#user.username || p.realm !== this.#realm || p.uri !== url) {
      return false;
    }
    if (
      (p.algorithm ?? 'MD5').toUpperCase() !== 'MD5' ||
      p.qop !== 'auth' ||
      !p.cnonce ||
      !/^[0-9a-f]{8}$/i.test(p.nc ?? '')
    ) {
      return false;
    }
    const nc = Number.parseInt(p.nc as string, 16);
    if (nc <= lastNc) return false;
    const ha1 = md5(`${this.#user.username}:${this.#realm}:${this.#user.password}`);
    const ha2 = md5(`${method}:${url}`);
    const want = Buffer.from(md5(`${ha1}:${nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`));
    const got = Buffer.from(p.response ?? '');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return false;
    this.#nonces.set(nonce, nc);
    return true;
  }
}
