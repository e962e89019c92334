/**
 * Secrets and PII at rest and in logs (docs/security.md "Where secrets live"): the alert
 * webhook's robot key never reaches a log line, the data folder and the database files
 * (gateway.db, -wal, -shm) are the gateway user's only, and an Impinj stream reader's
 * password can come from a file or an environment variable instead of the config file.
 */
import { writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { startGateway } from '../../gateway/main.js';
import type { VipAlert } from '../../gateway/outputs/alerts/store.js';
import { AlertWebhook } from '../../gateway/outputs/alerts/webhook.js';
import { freePort } from '../support/ports.js';
import { memoryLogger, startSecureGateway } from '../support/secure-gateway.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const ROBOT_KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';

const ALERT: VipAlert = {
  id: 'M1@1',
  type: 'vip.arrival',
  ts: Date.parse('2026-11-23T14:00:00Z'),
  member: 'M1',
  zone: 'entrance',
  via: 'card',
  profile: {
    member: 'M1',
    name: '陈静',
    tier: 5,
    sizes: null,
    brands: [],
    notes: null,
    lastVisit: null,
    recentPurchases: [],
    triedNotBought: [],
    invitation: null,
  },
  ack: null,
  late: false,
  pushedAt: null,
};

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('secrets in logs', () => {
  it('logs a failing alert webhook without its robot key (refused and unreachable)', async () => {
    const server = createServer((_req, res) => {
      res.statusCode = 500;
      res.end('no');
    });
    const port = await listen(server);
    const { log, lines } = memoryLogger('debug');
    try {
      const refused = new AlertWebhook(
        {
          url: `http://127.0.0.1:${port}/cgi-bin/webhook/send?key=${ROBOT_KEY}`,
          format: 'wecom',
          maxAttempts: 2,
          baseDelayMs: 1,
        },
        log,
      );
      refused.enqueue(ALERT);
      await waitFor(() => refused.failed === 1, 'webhook gave up');
      const closed = await freePort();
      const unreachable = new AlertWebhook(
        {
          url: `http://127.0.0.1:${closed}/robot/send?access_token=${ROBOT_KEY}`,
          format: 'dingtalk',
          maxAttempts: 2,
          baseDelayMs: 1,
        },
        log,
      );
      unreachable.enqueue(ALERT);
      await waitFor(() => unreachable.failed === 1, 'webhook gave up');
    } finally {
      server.close();
    }
    const text = JSON.stringify(lines);
    expect(lines.filter((l) => String(l.msg).includes('webhook')).length).toBeGreaterThanOrEqual(4);
    expect(text).not.toContain(ROBOT_KEY);
    expect(text).toContain(`http://127.0.0.1:${port}/cgi-bin/webhook/send?key=***`);
  });
});

describe('files at rest', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('creates the data folder 0700 and gateway.db, -wal and -shm 0600', async () => {
    const gateway = await startSecureGateway({ dataDir: dir.path });
    try {
      const data = join(dir.path, 'data');
      expect((await stat(data)).mode & 0o777).toBe(0o700);
      for (const name of ['gateway.db', 'gateway.db-wal', 'gateway.db-shm']) {
        expect({ name, mode: (await stat(join(data, name))).mode & 0o777 }).toEqual({ name, mode: 0o600 });
      }
    } finally {
      await gateway.stop();
    }
  });
});

describe('Impinj stream reader password from a file or the environment', () => {
  const dir = tempDir();
  let server: Server;
  const seen: string[] = [];
  afterAll(() => {
    server?.close();
    dir.remove();
  });

  const yaml = (port: number, secret: string) => `
version: 1
store: { id: s001, name: "店", timezone: Asia/Shanghai, currency: CNY, openingTime: "09:30", vipTier: 4, locale: en }
mqtt: { port: 0 }
http: { port: 0 }
dataDir: ${join(dir.path, 'data')}
zones: { entrance: { kind: entrance } }
devices:
  r700: { kind: rfid-reader, transport: http-stream, format: impinj-iot, url: "http://127.0.0.1:${port}/api/v1/data/stream", username: root, ${secret}, antennas: { 1: entrance } }
`;

  it('sends the password read from passwordFile (relative to the config) or passwordEnv', async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push(req.headers.authorization ?? '');
      res.writeHead(401);
      res.end();
    });
    const port = await listen(server);
    writeFileSync(join(dir.path, 'reader.pw'), 'from-file-pw\n', { mode: 0o600 });
    const fromFile = parseConfig(yaml(port, 'passwordFile: reader.pw'), 'x.yaml', { GW_HTTP_AUTH: 'off' }, dir.path);
    const fromEnv = parseConfig(yaml(port, 'passwordEnv: R700_PASSWORD'), 'x.yaml', {
      GW_HTTP_AUTH: 'off',
      R700_PASSWORD: 'from-env-pw',
    });
    const r700 = (c: typeof fromFile) => c.devices.r700 as { password?: string; passwordFile?: string };
    expect(r700(fromFile).password).toBe('from-file-pw');
    expect(r700(fromFile).passwordFile).toBeUndefined();
    expect(r700(fromEnv).password).toBe('from-env-pw');
    expect(() => parseConfig(yaml(port, 'passwordEnv: NOT_SET_ANYWHERE'), 'x.yaml', {})).toThrow(
      /passwordEnv: environment variable NOT_SET_ANYWHERE is not set/,
    );
    expect(() => parseConfig(yaml(port, 'passwordFile: missing.pw'), 'x.yaml', {}, dir.path)).toThrow(
      /passwordFile: cannot read/,
    );
    expect(() => parseConfig(yaml(port, 'password: a, passwordEnv: B'), 'x.yaml', {})).toThrow(/set one of password/);

    // The running driver sends it to the reader.
    const gateway = await startGateway({ config: fromFile, log: createLogger({ level: 'silent' }) });
    try {
      const expected = `Basic ${Buffer.from('root:from-file-pw').toString('base64')}`;
      await waitFor(() => seen.includes(expected), 'the reader saw the password');
    } finally {
      await gateway.stop();
    }
  });
});
