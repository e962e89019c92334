/**
 * HQ API access (issue 14 item 12), on a real port: with no user configured the first start
 * creates `admin` with a random one-time password (0600 file, returned once, never again);
 * nothing under /api/v1 answers without a token; a one-time password must be changed first;
 * analysts read, only admins manage users and see dead letters; HQ_TLS_CERT/KEY make it
 * HTTPS; HQ_HTTP_AUTH=off is the only way to an open API and is logged loudly.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHqConfig } from '../../../cloud-sink/config.js';
import { type RunningSink, startSink } from '../../../cloud-sink/main.js';
import { freePort } from '../../support/ports.js';
import { tempDir } from '../../support/tmp.js';

const silent = pino({ level: 'silent' });

async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('HQ API: users, roles, first admin', () => {
  const dir = tempDir('hq-auth-');
  let sink: RunningSink;
  let base: string;
  let natsUrl: string;

  beforeAll(async () => {
    natsUrl = `nats://127.0.0.1:${await freePort()}`; // nothing listens: the API serves from the database
    sink = await startSink({
      config: loadHqConfig({
        HQ_NATS_URL: natsUrl,
        HQ_HTTP_PORT: '0',
        HQ_HTTP_HOST: '127.0.0.1',
        HQ_DATA_DIR: dir.path,
      }),
      log: silent,
    });
    base = `http://127.0.0.1:${sink.httpPort}`;
  });

  afterAll(async () => {
    await sink?.stop();
    dir.remove();
  });

  it('creates a first admin with a one-time password, written 0600 and returned once', async () => {
    const first = sink.initialAdmin;
    expect(first?.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const file = join(dir.path, 'initial-admin-password');
    expect(first?.file).toBe(file);
    expect(readFileSync(file, 'utf8').trim()).toBe(first?.password);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('answers nothing under /api/v1 without a token; probes stay open', async () => {
    for (const path of ['/api/v1/stores', '/api/v1/funnel', '/api/v1/export/funnel.csv', '/api/v1/users']) {
      const res = await call(base, 'GET', path);
      expect(res.status, path).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    }
    const forged = await call(base, 'GET', '/api/v1/stores', { token: 'A'.repeat(43) });
    expect(forged.status).toBe(401);
    expect((await call(base, 'GET', '/healthz')).status).toBe(200);
  });

  it('makes the admin change the one-time password, then admins manage users and analysts only read', async () => {
    const password = sink.initialAdmin?.password as string;
    const wrong = await call(base, 'POST', '/api/v1/auth/login', {
      body: { name: 'admin', password: 'nope-nope-nope' },
    });
    expect(wrong.status).toBe(401);
    const unknown = await call(base, 'POST', '/api/v1/auth/login', { body: { name: 'ghost', password } });
    expect(unknown.body).toMatchObject({ error: { code: 'BAD_CREDENTIALS' } });

    const login = await call(base, 'POST', '/api/v1/auth/login', { body: { name: 'admin', password } });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ passwordChangeRequired: true, user: { name: 'admin', role: 'admin' } });
    const oneTime = login.body.token as string;
    const blocked = await call(base, 'GET', '/api/v1/stores', { token: oneTime });
    expect(blocked.status).toBe(403);
    expect(blocked.body).toMatchObject({ error: { code: 'PASSWORD_CHANGE_REQUIRED' } });
    const changed = await call(base, 'POST', '/api/v1/auth/password', {
      token: oneTime,
      body: { current: password, password: 'correct horse battery staple' },
    });
    expect(changed.status).toBe(204);
    // Changing the password ends the one-time session; sign in with the new one.
    expect((await call(base, 'GET', '/api/v1/stores', { token: oneTime })).status).toBe(401);
    const again = await call(base, 'POST', '/api/v1/auth/login', {
      body: { name: 'admin', password: 'correct horse battery staple' },
    });
    const admin = again.body.token as string;
    expect(again.body).toMatchObject({ passwordChangeRequired: false });
    expect((await call(base, 'GET', '/api/v1/stores', { token: admin })).status).toBe(200);
    expect((await call(base, 'GET', '/api/v1/dead-letters', { token: admin })).body).toEqual({ deadLetters: [] });

    const created = await call(base, 'POST', '/api/v1/users', { token: admin, body: { name: 'Ana', role: 'analyst' } });
    expect(created.status).toBe(201);
    const anaOneTime = created.body.password as string;
    const anaLogin = await call(base, 'POST', '/api/v1/auth/login', { body: { name: 'ana', password: anaOneTime } });
    await call(base, 'POST', '/api/v1/auth/password', {
      token: anaLogin.body.token as string,
      body: { current: anaOneTime, password: 'analyst password 2026' },
    });
    const ana = (
      await call(base, 'POST', '/api/v1/auth/login', { body: { name: 'ANA', password: 'analyst password 2026' } })
    ).body.token as string;
    expect((await call(base, 'GET', '/api/v1/stores', { token: ana })).status).toBe(200);
    expect((await call(base, 'GET', '/api/v1/funnel?granularity=day', { token: ana })).status).toBe(200);
    for (const [method, path, body] of [
      ['GET', '/api/v1/users', undefined],
      ['GET', '/api/v1/dead-letters', undefined],
      ['POST', '/api/v1/users', { name: 'eve', role: 'admin', password: 'eve password 123' }],
      ['DELETE', '/api/v1/users/admin', undefined],
    ] as const) {
      const res = await call(base, method, path, { token: ana, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    expect((await call(base, 'DELETE', '/api/v1/users/admin', { token: admin })).body).toMatchObject({
      error: { code: 'LAST_ADMIN' },
    });
    expect((await call(base, 'POST', '/api/v1/auth/logout', { token: ana })).status).toBe(204);
    expect((await call(base, 'GET', '/api/v1/stores', { token: ana })).status).toBe(401);
  });

  it('does not create another admin on the next start', async () => {
    const next = await startSink({
      config: loadHqConfig({ HQ_NATS_URL: natsUrl, HQ_DATA_DIR: dir.path }),
      log: silent,
      http: false,
    });
    try {
      expect(next.initialAdmin).toBeUndefined();
    } finally {
      await next.stop();
    }
  });
});

describe('HQ API: TLS and the explicit open mode', () => {
  const dir = tempDir('hq-auth-tls-');

  afterAll(() => dir.remove());

  it('serves HTTPS with HQ_TLS_CERT and HQ_TLS_KEY', async () => {
    const cert = join(dir.path, 'cert.pem');
    const key = join(dir.path, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const sink = await startSink({
      config: loadHqConfig({
        HQ_NATS_URL: `nats://127.0.0.1:${await freePort()}`,
        HQ_HTTP_PORT: '0',
        HQ_HTTP_HOST: '127.0.0.1',
        HQ_DATA_DIR: join(dir.path, 'tls'),
        HQ_TLS_CERT: cert,
        HQ_TLS_KEY: key,
      }),
      log: silent,
    });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest(
          { host: '127.0.0.1', port: sink.httpPort, path: '/api/v1/stores', ca: readFileSync(cert) },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(401);
      // Plain HTTP on the same port gets no API.
      await expect(fetch(`http://127.0.0.1:${sink.httpPort}/api/v1/stores`)).rejects.toThrow();
    } finally {
      await sink.stop();
    }
  });

  it('opens the API only with HQ_HTTP_AUTH=off, and says so loudly', async () => {
    const lines: string[] = [];
    const capture = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const sink = await startSink({
      config: loadHqConfig({
        HQ_NATS_URL: `nats://127.0.0.1:${await freePort()}`,
        HQ_HTTP_PORT: '0',
        HQ_HTTP_HOST: '127.0.0.1',
        HQ_DATA_DIR: join(dir.path, 'open'),
        HQ_HTTP_AUTH: 'off',
      }),
      log: capture,
    });
    try {
      expect(sink.initialAdmin).toBeUndefined();
      expect((await fetch(`http://127.0.0.1:${sink.httpPort}/api/v1/stores`)).status).toBe(200);
      const warning = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => /OPEN/.test(l.msg));
      expect(warning?.level).toBe(50);
    } finally {
      await sink.stop();
    }
  });
});
