/**
 * HQ → store over JetStream KV on a real nats-server: 10,000 members imported at HQ from a
 * CSV (`cloud-sink roster import`) reach a gateway's ReferenceData through the KV mirror;
 * `cloud-sink roster delete` erases a member from the store database within seconds, PII
 * included (not even the database files keep the name, phone or notes); the store keeps
 * working from its SQLite copy while NATS is away and catches up when it returns.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as hqCli } from '../../../cloud-sink/cli.js';
import { rosterToCsv } from '../../../cloud-sink/csv.js';
import { ReferenceData } from '../../../gateway/infra/reference/index.js';
import { KvMirror, NatsConnector } from '../../../gateway/outputs/upstream/index.js';
import { type Db, openDb } from '../../../gateway/pipeline/journal/index.js';
import type { RosterEntry } from '../../../protocols/index.js';
import { tempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';
import { NatsServer } from './support/nats-server.js';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const MEMBERS = 10_000;

const id = (i: number) => `m${String(i).padStart(5, '0')}`;
function member(i: number): RosterEntry {
  return {
    id: id(i),
    name: `Zhang Wei ${i} 张伟${i}`,
    tier: 1 + (i % 5),
    phone: `+86 138 ${String(i).padStart(8, '0')}`,
    cards: [`E2000017221101441890${String(i).padStart(4, '0')}`.slice(0, 24), `app:${id(i)}`],
    ...(i % 2 === 0 ? { sizes: ['M', 'L'] } : { sizes: { top: 'M', bottom: '30' } }),
    brands: ['Acme'],
    notes: `note-${i}-prefers-linen; call "after 5"`,
    stores: ['s001'], // the gateway below is s001: every member reaches its roster view
  };
}

describe('VIP roster and catalog via JetStream KV (real nats-server 2.9)', () => {
  let server: NatsServer;
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let reference: ReferenceData;
  let connector: NatsConnector;
  let mirror: KvMirror;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await NatsServer.start();
    dir = tempDir('upstream-kv-');
    db = openDb(join(dir.path, 'gw'));
    reference = new ReferenceData(db);
    connector = new NatsConnector({ url: server.url, reconnectTimeWaitMs: 100 }, log);
    mirror = new KvMirror({ connector, reference, storeId: 's001', log, retryMs: 200 });
    mirror.start();
    env = { HQ_NATS_URL: server.url, HQ_DATA_DIR: join(dir.path, 'hq'), HQ_LOG_LEVEL: 'silent' };
  });

  afterAll(async () => {
    await mirror.stop();
    await connector.stop();
    db.close();
    await server.dispose();
    dir.remove();
  });

  it('10,000 members imported at HQ from CSV reach the store through KV', async () => {
    const file = join(dir.path, 'roster.csv');
    writeFileSync(file, rosterToCsv(Array.from({ length: MEMBERS }, (_, i) => member(i))));
    const started = Date.now();
    expect(await hqCli(['roster', 'import', file], env)).toBe(0);
    await waitFor(() => reference.memberCount() === MEMBERS, '10,000 members mirrored', 30_000, 50);
    console.log(`[upstream kv] 10,000 members: HQ import to store copy in ${Date.now() - started} ms`);

    const m = reference.memberById(id(4242));
    expect(m).toMatchObject({
      id: id(4242),
      name: member(4242).name,
      tier: member(4242).tier,
      phone: member(4242).phone,
      notes: member(4242).notes,
      sizes: ['M', 'L'],
    });
    expect(reference.memberByCard(`app:${id(4242)}`)?.id).toBe(id(4242));
    expect(mirror.status().roster.watching).toBe(true);
  });

  it('a member deleted at HQ is gone from the store database within seconds, PII included', async () => {
    const victim = member(42);
    expect(reference.memberById(victim.id)).toBeDefined();
    const started = Date.now();
    expect(await hqCli(['roster', 'delete', victim.id], env)).toBe(0);
    await waitFor(() => reference.memberById(victim.id) === undefined, 'member erased', 5000, 10);
    const took = Date.now() - started;
    console.log(`[upstream kv] member erased from the store ${took} ms after the HQ delete`);
    expect(took).toBeLessThan(5000);
    expect(db.prepare('SELECT count(*) FROM members WHERE id = ?').pluck().get(victim.id)).toBe(0);
    expect(db.prepare('SELECT count(*) FROM member_cards WHERE member_id = ?').pluck().get(victim.id)).toBe(0);
    expect(reference.memberByCard(`app:${victim.id}`)).toBeUndefined();
    expect(reference.memberCount()).toBe(MEMBERS - 1);

    // Not just unreachable by queries: the bytes are gone from the database files.
    const files = ['gateway.db', 'gateway.db-wal'].map((f) => join(dir.path, 'gw', f));
    const bytes = Buffer.concat(files.map((f) => readFileOrEmpty(f)));
    for (const pii of [victim.name, victim.phone ?? '', victim.notes ?? '']) {
      expect(bytes.includes(Buffer.from(pii, 'utf8')), `"${pii}" still in the database files`).toBe(false);
    }
    // A neighbour's PII is still there (the check above can find text at all).
    expect(bytes.includes(Buffer.from(member(43).phone ?? '', 'utf8'))).toBe(true);
  });

  it('catalog import reaches the store', async () => {
    const file = join(dir.path, 'catalog.csv');
    const lines = ['gtin,sku,style,color,size,name,brand,price'];
    for (let i = 0; i < 50; i++) {
      lines.push(
        `0614141${String(100000 + i).padStart(6, '0')},SKU-${i},ST-${i % 10},navy,${['S', 'M', 'L'][i % 3]},"Linen shirt, ${i}",Acme,${199 + i}.5`,
      );
    }
    writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`);
    expect(await hqCli(['catalog', 'import', file], env)).toBe(0);
    await waitFor(() => reference.productCount() === 50, 'catalog mirrored', 10_000);
    expect(reference.productBySku('SKU-7')).toMatchObject({ name: 'Linen shirt, 7', price: 206.5, size: 'M' });
  });

  it('works from its SQLite copy while NATS is away, and catches up when it returns', async () => {
    await server.stop();
    // A gateway restarted while offline has its roster from SQLite.
    const offline = new ReferenceData(db);
    expect(offline.memberCount()).toBe(MEMBERS - 1);
    expect(offline.memberById(id(7))?.name).toBe(member(7).name);

    await server.start();
    const changed = { ...member(7), tier: 5, name: 'Zhang Wei renamed' };
    const file = join(dir.path, 'roster-change.csv');
    writeFileSync(file, rosterToCsv([changed]));
    expect(await hqCli(['roster', 'import', file], env)).toBe(0);
    await waitFor(
      () => reference.memberById(id(7))?.name === 'Zhang Wei renamed',
      'change after reconnect',
      20_000,
      50,
    );
    expect(reference.memberCount()).toBe(MEMBERS - 1);
  });

  it('a restarted gateway re-lists the buckets without rewriting what it already holds', async () => {
    const lastUpdate = () => db.prepare('SELECT max(updated) FROM members').pluck().get() as number;
    const before = lastUpdate();
    const again = new ReferenceData(db);
    const link = new NatsConnector({ url: server.url, reconnectTimeWaitMs: 100 }, log);
    const restarted = new KvMirror({ connector: link, reference: again, storeId: 's001', log, retryMs: 200 });
    restarted.start();
    try {
      await waitFor(
        () => restarted.status().roster.watching && restarted.status().catalog.watching,
        'restarted mirror watching',
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(restarted.status().roster).toMatchObject({ applied: 0, rejected: 0 });
      expect(lastUpdate()).toBe(before);
      expect(again.memberCount()).toBe(MEMBERS - 1);
    } finally {
      await restarted.stop();
      await link.stop();
    }
  });
});

function readFileOrEmpty(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    return Buffer.alloc(0);
  }
}
