/**
 * Drill: corrupt inputs at boot. Bad config files (truncated YAML, wrong types, unknown keys,
 * a binary file, an empty or missing file) make `store-gateway start` and `check-config` exit 1
 * with every bad path named, before any database file is created. A store database that is
 * not a database, or is damaged, makes `start` (and `rebuild`) exit 3 with the file named and
 * what to do, never a stack trace, and the file is left as it was.
 * (tests/integration/cli.test.ts covers wrong enum/pattern values; these are the other shapes.)
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../gateway/infra/config/defaults.js';
import { openDb } from '../../gateway/pipeline/journal/db.js';
import { type CliResult, runCli } from '../support/gateway-process.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { recordDrill } from './support.js';

const dir = tempDir('gw-drill-corrupt-');

interface BadConfig {
  readonly name: string;
  readonly content: string | Buffer | undefined;
  /** What stderr must contain (each bad path, or the file for a file-level problem). */
  readonly expect: readonly (string | RegExp)[];
}

const good = DEFAULT_CONFIG_YAML;
const CASES: readonly BadConfig[] = [
  {
    name: 'truncated',
    content: good.slice(0, good.indexOf('timezone') + 12),
    expect: ['not valid YAML', /line \d+, column \d+/],
  },
  {
    name: 'wrong-types',
    content: good
      .replace('allowAnonymous: true', 'allowAnonymous: "yes"')
      .replace('vipTier: 4', 'vipTier: "four"')
      .replace('door: main, zone: entrance', 'door: 7, zone: entrance')
      .replace('staff: { badges: [', 'staff: { badges: [42, '),
    expect: ['/mqtt/allowAnonymous', '/store/vipTier', '/devices/door-1/door', '/staff/badges/0'],
  },
  {
    name: 'unknown-keys',
    content: good
      .replace('version: 1', 'version: 1\ncolour: red')
      .replace('locale: zh-CN }', 'locale: zh-CN, manager: Li }')
      .replace('entrance: { kind: entrance }', 'entrance: { kind: entrance, size: 3 }'),
    expect: ['/colour: unknown key', '/store/manager: unknown key', '/zones/entrance/size: unknown key'],
  },
  {
    // Fixed bytes (not random) so the run is repeatable: NULs, control bytes, invalid UTF-8.
    name: 'binary',
    content: Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 131 + 7) % 256)),
    expect: [/not valid YAML|\/: must be a mapping of sections/],
  },
  { name: 'missing', content: undefined, expect: ['ENOENT'] },
];

function writeCase(c: BadConfig): string {
  const file = join(dir.path, `${c.name}.yaml`);
  if (c.content !== undefined) writeFileSync(file, c.content);
  return file;
}

function noStackTrace(r: CliResult): void {
  expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

describe('drill: corrupt config and database files', () => {
  const measured: Record<string, number | string | boolean> = {};
  afterAll(() => {
    recordDrill({
      drill: 'corrupt-input',
      what: 'bad config files (truncated, wrong types, unknown keys, binary, missing) and a corrupt or damaged gateway.db at boot',
      load: `${CASES.length} config files × (start, check-config); 2 database files × start (+ rebuild)`,
      measured,
      ackedLost: 0,
    });
    dir.remove();
  });

  for (const c of CASES) {
    it(`config ${c.name}: check-config and start exit 1 naming each problem, and create no database`, async () => {
      const file = writeCase(c);
      const dataDir = join(dir.path, `data-${c.name}`);
      const env = { GW_DATA_DIR: dataDir, GW_MQTT_PORT: String(await freePort()), GW_HTTP_PORT: '0' };
      const [check, start] = await Promise.all([
        runCli(['check-config', file], env),
        runCli(['start', '--config', file], env),
      ]);
      measured[`config ${c.name}: exit codes`] = `${check.code}/${start.code}`;
      for (const r of [check, start]) {
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(file);
        for (const e of c.expect) expect(r.stderr).toMatch(e);
        noStackTrace(r);
      }
      expect(existsSync(dataDir)).toBe(false);
    });
  }

  it('a gateway.db of garbage bytes: start and rebuild exit 3 naming the file, and leave it untouched', async () => {
    const dataDir = join(dir.path, 'garbage-db');
    const db = join(dataDir, 'gateway.db');
    openDb(dataDir).close(); // creates the directory the way the gateway would
    const garbage = randomBytes(64 * 1024);
    writeFileSync(db, garbage);
    const env = { GW_DATA_DIR: dataDir, GW_MQTT_PORT: String(await freePort()), GW_HTTP_PORT: '0' };
    const [start, rebuild] = await Promise.all([runCli(['start'], env), runCli(['rebuild'], env)]);
    measured['garbage gateway.db: exit codes (start/rebuild)'] = `${start.code}/${rebuild.code}`;
    for (const r of [start, rebuild]) {
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(db);
      expect(r.stderr).toContain('SQLITE_NOTADB');
      expect(r.stderr).toContain('restore a backup');
      noStackTrace(r);
    }
    expect(readFileSync(db).equals(garbage)).toBe(true);
  });

  it('a gateway.db with a valid header and damaged pages: start exits 3 naming the file, no stack trace', async () => {
    const dataDir = join(dir.path, 'damaged-db');
    const db = join(dataDir, 'gateway.db');
    const setup = openDb(dataDir);
    const insert = setup.prepare(
      "INSERT INTO journal (device, msg_id, type, ts, rx_ts, body) VALUES ('door-1', ?, 'door.crossing', 0, 0, '{}')",
    );
    for (let i = 0; i < 2000; i++) insert.run(`m${i}`);
    setup.pragma('wal_checkpoint(TRUNCATE)');
    setup.pragma('journal_mode = DELETE');
    setup.close();
    // Keep the 100-byte header and the first page's schema; overwrite everything after it.
    const bytes = readFileSync(db);
    randomBytes(bytes.length - 4096).copy(bytes, 4096);
    writeFileSync(db, bytes);
    const env = { GW_DATA_DIR: dataDir, GW_MQTT_PORT: String(await freePort()), GW_HTTP_PORT: '0' };
    const start = await runCli(['start'], env);
    measured['damaged gateway.db: exit code'] = start.code ?? 'signal';
    measured['damaged gateway.db: message'] = start.stderr.trim().split('\n')[0]?.slice(0, 140) ?? '';
    expect(start.code).toBe(3);
    expect(start.stderr).toContain(db);
    expect(start.stderr).toMatch(/SQLITE_CORRUPT|SQLITE_NOTADB/);
    noStackTrace(start);
  });
});
