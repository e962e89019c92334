/**
 * HTTP requests with Digest access authentication (RFC 7616, qop=auth, MD5 or SHA-256,
 * also the -sess variants), as Hikvision ISAPI and Axis VAPIX ask for; Basic (RFC 7617)
 * when that is what the device offers. Written here rather than taken from npm: the client
 * side is ~100 lines of node:crypto, and the maintained packages wrap fetch (no streaming
 * multipart response with a socket we can destroy) or pull in a whole HTTP stack.
 *
 * The challenge is kept and reused with an increasing nonce count, so a polling driver makes
 * one round trip per request; a 401 (new or stale nonce) is answered once per request.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type ClientRequest, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

interface Challenge {
  readonly scheme: 'digest' | 'basic';
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | undefined;
  readonly algorithm: string;
  readonly qop: 'auth' | undefined;
}

/** Parses the auth-params of one challenge (`key=value` or `key="quoted"`, comma separated). */
function authParams(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const m of text.matchAll(re)) out[(m[1] as string).toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  return out;
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'MD5-SESS': 'md5', 'SHA-256-SESS': 'sha256' };

/** The best challenge a device offers: Digest SHA-256, then Digest MD5, then Basic. */
export function pickChallenge(headers: readonly string[]): Challenge | undefined {
  const found: Challenge[] = [];
  for (const header of headers) {
    // One header may carry several challenges: split before each scheme name.
    for (const part of header.split(/,?\s*(?=\b(?:Digest|Basic)\s)/i)) {
      const m = /^\s*(Digest|Basic)\s+(.*)$/is.exec(part);
      if (!m) continue;
      const p = authParams(m[2] as string);
      if ((m[1] as string).toLowerCase() === 'basic') {
        found.push({
          scheme: 'basic',
          realm: p.realm ?? '',
          nonce: '',
          opaque: undefined,
          algorithm: '',
          qop: undefined,
        });
        continue;
      }
      const algorithm = (p.algorithm ?? 'MD5').toUpperCase();
      if (!(algorithm in HASHES) || !p.nonce) continue;
      const qops = (p.qop ?? '').split(',').map((q) => q.trim().toLowerCase());
      if (p.qop !== undefined && !qops.includes('auth')) continue; // auth-int only: not supported
      found.push({
        scheme: 'digest',
        realm: p.realm ?? '',
        nonce: p.nonce,
        opaque: p.opaque,
        algorithm,
        qop: qops.includes('auth') ? 'auth' : undefined,
      });
    }
  }
  const rank = (c: Challenge): number => (c.scheme === 'basic' ? 0 : c.algorithm.startsWith('SHA-256') ? 2 : 1);
  return found.sort((a, b) => rank(b) - rank(a))[0];
}

/** The Authorization header for a request answering `c`. */
export function authorization(
  c: Challenge,
  creds: Credentials,
  method: string,
  uri: string,
  nc: number,
  cnonce: string,
): string {
  if (c.scheme === 'basic') return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
  const hashName = HASHES[c.algorithm] as string;
  const h = (s: string): string => createHash(hashName).update(s, 'utf8').digest('hex');
  let ha1 = h(`${creds.username}:${c.realm}:${creds.password}`);
  if (c.algorithm.endsWith('-SESS')) ha1 = h(`${ha1}:${c.nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  const ncText = nc.toString(16).padStart(8, '0');
  const response = c.qop ? h(`${ha1}:${c.nonce}:${ncText}:${cnonce}:${c.qop}:${ha2}`) : h(`${ha1}:${c.nonce}:${ha2}`);
  const q = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  const fields = [
    `username=${q(creds.username)}`,
    `realm=${q(c.realm)}`,
    `nonce=${q(c.nonce)}`,
    `uri=${q(uri)}`,
    `algorithm=${c.algorithm}`,
    `response=${q(response)}`,
  ];
  if (c.opaque !== undefined) fields.push(`opaque=${q(c.opaque)}`);
  if (c.qop) fields.push(`qop=${c.qop}`, `nc=${ncText}`, `cnonce=${q(cnonce)}`);
  return `Digest ${fields.join(', ')}`;
}

export interface HttpCall {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** No response headers within this long: the request is aborted. */
  readonly timeoutMs: number;
  readonly rejectUnauthorized?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The response stream (for long-lived answers); read it or call `discard()`. */
  readonly res: IncomingMessage;
  /** Destroys the request and its socket (ends a long-lived stream). */
  destroy(): void;
}

export class DigestClient {
  readonly #creds: Credentials;
  #challenge: Challenge | undefined;
  #nc = 0;

  constructor(creds: Credentials) {
    this.#creds = creds;
  }

  /**
   * Sends the request; a 401 with a challenge is answered once (the new challenge is kept).
   * Resolves with the final response (possibly still 401: wrong credentials).
   */
  async request(call: HttpCall): Promise<HttpResponse> {
    const first = await this.#send(call, this.#challenge);
    if (first.status !== 401) return first;
    const offered = first.res.headersDistinct['www-authenticate'] ?? [];
    const challenge = pickChallenge(offered);
    if (!challenge) return first;
    const retry =
      this.#challenge === undefined || challenge.nonce !== this.#challenge.nonce || challenge.scheme === 'basic';
    if (!retry && this.#challenge) return first; // the same nonce refused: the credentials are wrong
    first.res.resume();
    first.destroy();
    this.#challenge = challenge;
    this.#nc = 0;
    return this.#send(call, challenge);
  }

  #send(call: HttpCall, challenge: Challenge | undefined): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...call.headers };
    if (call.body !== undefined) headers['content-length'] = String(Buffer.byteLength(call.body));
    if (challenge) {
      this.#nc++;
      const uri = `${call.url.pathname}${call.url.search}`;
      headers.authorization = authorization(
        challenge,
        this.#creds,
        call.method,
        uri,
        this.#nc,
        randomBytes(8).toString('hex'),
      );
    }
    const send = call.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req: ClientRequest = send(call.url, {
        method: call.method,
        headers,
        ...(call.url.protocol === 'https:' ? { rejectUnauthorized: call.rejectUnauthorized ?? true } : {}),
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${call.timeoutMs} ms`)), call.timeoutMs);
      req.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.once('response', (res) => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, res, destroy: () => req.destroy() });
      });
      req.end(call.body);
    });
  }
}

/** Reads a whole (short) response body as text, at most `maxBytes`. */
export function readBody(r: HttpResponse, maxBytes: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      r.destroy();
      reject(new Error(`body not complete within ${timeoutMs} ms`));
    }, timeoutMs);
    r.res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        clearTimeout(timer);
        r.destroy();
        reject(new Error(`body over ${maxBytes} bytes`));
        return;
      }
      chunks.push(c);
    });
    r.res.once('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    r.res.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    r.res.once('aborted', () => {
      clearTimeout(timer);
      reject(new Error('connection closed before the body ended'));
    });
  });
}
