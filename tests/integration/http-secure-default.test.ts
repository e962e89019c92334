/**
 * Secure by default (docs/security.md "Users and roles"): with no dashboard users the gateway
 * does not open its API; it creates the manager `manager` with a one-time password (0600
 * file in the data folder, one log line) that must be changed at first sign-in. Users are
 * managed with `store-gateway user add|passwd|remove` in the store database, also while the
 * gateway runs; a changed password ends the user's sessions. Only GW_HTTP_AUTH=off opens the API.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { call, type Signed, signIn } from '../support/auth.js';
import { ROOT } from '../support/gateway-process.js';
import { memoryLogger } from '../support/secure-gateway.js';
import { tempDir } from '../support/tmp.js';

const CLI = fileURLToPath(new URL('../../gateway/cli.ts', import.meta.url));

/** Runs `store-gateway …` with `input` on stdin. */
function cli(args: string[], env: Record<string, string>, input = ''): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, GW_LOG_LEVEL: 'warn', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
    child.stdin.end(input);
  });
}

describe('secure by default', () => {
  const dir = tempDir();
  const { log, lines } = memoryLogger('info');
  let gateway: RunningGateway;
  const env = () => ({ GW_MQTT_PORT: '0', GW_HTTP_PORT: '0', GW_DATA_DIR: dir.path });
  const base = () => `http://127.0.0.1:${gateway.httpPort}/api/v1`;
  const passwordFile = () => join(dir.path, 'initial-manager-password');

  beforeAll(async () => {
    gateway = await startGateway({ config: loadConfig(undefined, env()), log });
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  it('answers 401 without users instead of opening the API', async () => {
    for (const path of ['/live', '/funnel', '/audit', '/vip/alerts']) {
      expect((await fetch(`${base()}${path}`)).status).toBe(401);
    }
    expect(await (await fetch(`${base()}/auth/me`)).json()).toEqual({
      authRequired: true,
      user: null,
      csrfToken: null,
    });
  });

  it('creates the first manager with a one-time password in a 0600 file, logged once', () => {
    expect(statSync(passwordFile()).mode & 0o777).toBe(0o600);
    const password = readFileSync(passwordFile(), 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(16);
    const logged = lines.filter((l) => JSON.stringify(l).includes(password));
    expect(logged).toHaveLength(1);
    expect(logged[0]?.level).toBe(40);
  });

  it('makes the manager change the one-time password before anything else; the change ends old sessions', async () => {
    const oneTime = readFileSync(passwordFile(), 'utf8').trim();
    const login = await fetch(`${base()}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'manager', password: oneTime }),
    });
    expect(login.status).toBe(200);
    expect(await login.json()).toMatchObject({ user: { name: 'manager', role: 'manager' }, mustChangePassword: true });
    const first: Signed = await signIn(base(), 'manager', oneTime);
    const blocked = await call(base(), first, 'GET', '/live');
    expect(blocked.status).toBe(403);
    expect(await blocked.json()).toMatchObject({ error: { code: 'PASSWORD_CHANGE_REQUIRED' } });
    expect(await (await call(base(), first, 'GET', '/auth/me')).json()).toMatchObject({ mustChangePassword: true });

    const wrong = await call(base(), first, 'POST', '/auth/password', { current: 'nope', password: 'a-new-secret-1' });
    expect(wrong.status).toBe(401);
    const short = await call(base(), first, 'POST', '/auth/password', { current: oneTime, password: 'short' });
    expect(short.status).toBe(400);
    const changed = await call(base(), first, 'POST', '/auth/password', {
      current: oneTime,
      password: 'a-new-secret-1',
    });
    expect(changed.status).toBe(200);
    const body = (await changed.json()) as { csrfToken: string; mustChangePassword?: boolean };
    expect(body.mustChangePassword).toBeUndefined();
    const fresh: Signed = {
      cookie: (changed.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
      csrf: body.csrfToken,
    };
    expect((await call(base(), fresh, 'GET', '/live')).status).toBe(200);
    // Every earlier session of the manager ended; the one-time password and its file are gone.
    expect((await call(base(), first, 'GET', '/auth/me').then((r) => r.json())) as unknown).toMatchObject({
      user: null,
    });
    expect(existsSync(passwordFile())).toBe(false);
    await expect(signIn(base(), 'manager', oneTime)).rejects.toThrow(/401/);
    expect((await call(base(), await signIn(base(), 'manager', 'a-new-secret-1'), 'GET', '/audit')).status).toBe(200);
  });

  it('manages users with the CLI while the gateway runs; passwd and remove end their sessions', async () => {
    const added = await cli(
      ['user', 'add', 'ann', '--role', 'staff', '--display-name', '王芳', '--password-stdin'],
      env(),
      'ann-secret-pw\n',
    );
    expect(added.code).toBe(0);
    const ann = await signIn(base(), 'ann', 'ann-secret-pw');
    const me = (await (await call(base(), ann, 'GET', '/auth/me')).json()) as { user: unknown };
    expect(me.user).toEqual({ name: 'ann', role: 'staff', displayName: '王芳' });
    expect((await cli(['user', 'add', 'bea', '--role', 'staff', '--display-name', ' '], env())).code).toBe(1);
    expect((await call(base(), ann, 'GET', '/vip/alerts')).status).toBe(200);
    expect((await call(base(), ann, 'GET', '/audit')).status).toBe(403);
    expect((await cli(['user', 'add', 'ann', '--role', 'staff'], env())).code).toBe(1);
    expect((await cli(['user', 'add', 'bob', '--role', 'boss'], env())).code).toBe(1);

    const passwd = await cli(['user', 'passwd', 'ann', '--password-stdin'], env(), 'ann-other-pw\n');
    expect(passwd.code).toBe(0);
    expect((await call(base(), ann, 'GET', '/vip/alerts')).status).toBe(401);
    const ann2 = await signIn(base(), 'ann', 'ann-other-pw');

    // Without --password-stdin: a printed one-time password that must be changed.
    const viewer = await cli(['user', 'add', 'vic', '--role', 'viewer'], env());
    expect(viewer.code).toBe(0);
    const oneTime = /one-time password[^:]*: (\S+)/.exec(viewer.out)?.[1] ?? '';
    const vic = await signIn(base(), 'vic', oneTime);
    expect((await call(base(), vic, 'GET', '/funnel')).status).toBe(403);

    const listed = await cli(['user', 'list'], env());
    expect(listed.out).toMatch(/^ann\tstaff\t王芳$/m);
    expect(listed.out).toMatch(/^vic\tviewer\t-\t\(must change password\)$/m);

    // A new display name applies to the live session at once (the directory is read per request).
    expect((await cli(['user', 'rename', 'ann', '--display-name', '王芳芳'], env())).code).toBe(0);
    const renamed = (await (await call(base(), ann2, 'GET', '/auth/me')).json()) as { user: { displayName: string } };
    expect(renamed.user.displayName).toBe('王芳芳');
    expect((await cli(['user', 'rename', 'nobody', '--display-name', 'x'], env())).code).toBe(1);

    expect((await cli(['user', 'remove', 'ann'], env())).code).toBe(0);
    expect((await call(base(), ann2, 'GET', '/vip/alerts')).status).toBe(401);
    await expect(signIn(base(), 'ann', 'ann-other-pw')).rejects.toThrow(/401/);
  });

  it('does not create another manager on restart once users exist', async () => {
    await gateway.stop();
    gateway = await startGateway({ config: loadConfig(undefined, env()), log });
    expect(existsSync(passwordFile())).toBe(false);
    expect((await fetch(`${base()}/live`)).status).toBe(401);
  });

  it('opens the API only with GW_HTTP_AUTH=off, with a loud warning; rejects other values', async () => {
    const open = tempDir();
    const memory = memoryLogger('info');
    const openGateway = await startGateway({
      config: loadConfig(undefined, { ...env(), GW_DATA_DIR: open.path, GW_HTTP_AUTH: 'off' }),
      log: memory.log,
    });
    try {
      expect((await fetch(`http://127.0.0.1:${openGateway.httpPort}/api/v1/live`)).status).toBe(200);
      expect(memory.lines.filter((l) => l.level === 40 && String(l.msg).includes('GW_HTTP_AUTH=off'))).toHaveLength(1);
      expect(existsSync(join(open.path, 'initial-manager-password'))).toBe(false);
    } finally {
      await openGateway.stop();
      open.remove();
    }
    expect(() => loadConfig(undefined, { ...env(), GW_HTTP_AUTH: 'of' })).toThrow(/GW_HTTP_AUTH must be/);
  });
});
