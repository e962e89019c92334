/** Upstream wire contract and message builders: exact shapes, ids, pseudonyms, validation. */
import { createHmac } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemberImport, ProductImport } from '../../../gateway/infra/reference/schemas.js';
import {
  funnelBucketMessage,
  HEALTH_PERIOD_MS,
  healthMessage,
  loadStoreSecret,
  natsLinkOptions,
  Pseudonymizer,
  STORE_SECRET_FILE,
  StoreSecretError,
  toConnectionOptions,
  UpstreamConfigError,
  vipJourneyMessage,
} from '../../../gateway/outputs/upstream/index.js';
import type { BucketRow } from '../../../gateway/pipeline/derive/buckets.js';
import {
  CatalogEntry,
  catalogKey,
  decodeRosterEntry,
  decodeUpstreamMessage,
  memberIdFromRosterKey,
  parseUpstreamSubject,
  RosterEntry,
  rosterKey,
  upstreamMsgId,
  upstreamSubject,
} from '../../../protocols/index.js';
import { tempDir } from '../../support/tmp.js';

const START = Date.UTC(2026, 10, 23, 2, 0);
const row: BucketRow = {
  start: START,
  rev: 3,
  passersBy: 120,
  visitors: 30,
  exits: 28,
  tryOnSessions: 9,
  itemsTried: 21,
  transactions: 6,
  units: 11,
  revenueCents: 359_990,
  triedBought: 4,
  occupancyMs: 12_345_678,
};

describe('funnel bucket message', () => {
  it('has the subject, Nats-Msg-Id and body of the contract', () => {
    const m = funnelBucketMessage('s001', 'acme', row, START + 900_000);
    expect(m.subject).toBe('retail.acme.s001.funnel');
    expect(m.msgId).toBe(`s001:funnel:${START}:3`);
    expect(JSON.parse(m.payload)).toEqual({
      v: 1,
      tenant: 'acme',
      store: 's001',
      bucketStart: '2026-11-23T02:00:00.000Z',
      bucketEnd: '2026-11-23T02:15:00.000Z',
      rev: 3,
      passersBy: 120,
      visitors: 30,
      tryOnSessions: 9,
      itemsTried: 21,
      transactions: 6,
      units: 11,
      revenue: 3599.9,
      triedBought: 4,
      exits: 28,
      personMs: 12_345_678,
    });
    expect(m.body.revenue).toBe(3599.9);
    const decoded = decodeUpstreamMessage(m.subject, Buffer.from(m.payload));
    expect(decoded.ok && decoded.value.kind).toBe('funnel');
  });

  it('keeps negative units and revenue of a refund-only bucket', () => {
    const m = funnelBucketMessage(
      's001',
      'acme',
      { ...row, transactions: 0, units: -2, revenueCents: -19_999 },
      START + 900_000,
    );
    expect(m.body).toMatchObject({ units: -2, revenue: -199.99 });
    expect(decodeUpstreamMessage(m.subject, m.payload).ok).toBe(true);
  });

  it('is refused at HQ when the body does not match its subject or the contract', () => {
    const m = funnelBucketMessage('s001', 'acme', row, START + 900_000);
    const wrongStore = decodeUpstreamMessage('retail.acme.s002.funnel', m.payload);
    expect(wrongStore).toMatchObject({ ok: false, code: 'wrong-store' });
    expect(decodeUpstreamMessage('retail.acme.s001.funnel', '{nope')).toMatchObject({
      ok: false,
      code: 'malformed-json',
    });
    expect(decodeUpstreamMessage('retail.acme.s001.gossip', m.payload)).toMatchObject({ ok: false, code: 'bad-topic' });
    const negative = JSON.stringify({ ...JSON.parse(m.payload), visitors: -1 });
    expect(decodeUpstreamMessage(m.subject, negative)).toMatchObject({ ok: false, code: 'schema' });
    const backwards = JSON.stringify({ ...JSON.parse(m.payload), bucketEnd: '2026-11-23T01:00:00.000Z' });
    expect(decodeUpstreamMessage(m.subject, backwards)).toMatchObject({ ok: false, code: 'schema' });
    const rev0 = JSON.stringify({ ...JSON.parse(m.payload), rev: 0 });
    expect(decodeUpstreamMessage(m.subject, rev0).ok).toBe(false);
  });

  it('escapes dots in ids so subjects keep four tokens', () => {
    const subject = upstreamSubject('acme.cn', 'sh.001', 'funnel');
    expect(subject).toBe('retail.acme%2Ecn.sh%2E001.funnel');
    expect(parseUpstreamSubject(subject)).toEqual({ tenant: 'acme.cn', store: 'sh.001', kind: 'funnel' });
    expect(parseUpstreamSubject('retail.a.b')).toBeUndefined();
    expect(upstreamMsgId('sh.001', 'vipjourney', 5, 2)).toBe('sh.001:vipjourney:5:2');
  });
});

describe('VIP journey and health messages', () => {
  const pseudonymizer = new Pseudonymizer('a-store-secret-of-32-characters!');

  it('pseudonymises members with HMAC-SHA256 under the store secret and counts the rest', () => {
    const m = vipJourneyMessage(
      's001',
      'acme',
      {
        bucketStart: START,
        bucketEnd: START + 900_000,
        rev: 4,
        journeys: [
          {
            memberId: 'vip-2',
            tier: 5,
            arrivals: 1,
            departures: 0,
            dwellMs: 0,
            invited: true,
            transactions: 1,
            revenueCents: 12_345,
          },
          {
            memberId: 'vip-1',
            tier: 4,
            arrivals: 2,
            departures: 1,
            dwellMs: 600_000,
            invited: false,
            transactions: 0,
            revenueCents: 0,
          },
          {
            memberId: 'vip-3',
            tier: 4,
            arrivals: 0,
            departures: 0,
            dwellMs: 0,
            invited: false,
            transactions: 1,
            revenueCents: 5000,
          },
        ],
      },
      pseudonymizer,
    );
    const hmac = (id: string) => createHmac('sha256', 'a-store-secret-of-32-characters!').update(id).digest('hex');
    expect(m.subject).toBe('retail.acme.s001.vipjourney');
    expect(m.msgId).toBe(`s001:vipjourney:${START}:4`);
    expect(m.body).toMatchObject({ arrivals: 3, members: 2, invitedArrivals: 1, transactions: 2, revenue: 173.45 });
    expect(m.body.journeys.map((j) => j.member)).toEqual(['vip-1', 'vip-2', 'vip-3'].map(hmac));
    expect(m.payload).not.toMatch(/vip-\d/);
    expect(decodeUpstreamMessage(m.subject, m.payload).ok).toBe(true);
  });

  it('names the minute in a health report id', () => {
    const now = START + 90_000;
    const m = healthMessage(
      's001',
      'acme',
      { uptimeMs: 61_000, outbox: { depth: 5, oldestAgeMs: 2500 }, timezone: 'Asia/Shanghai', currency: 'CNY' },
      now,
    );
    expect(m.msgId).toBe(`s001:health:${Math.floor(now / HEALTH_PERIOD_MS) * HEALTH_PERIOD_MS}:1`);
    expect(m.body).toMatchObject({ uptimeS: 61, outbox: { depth: 5, oldestAgeS: 3 }, timezone: 'Asia/Shanghai' });
    expect(decodeUpstreamMessage(m.subject, m.payload).ok).toBe(true);
  });

  it('creates the store secret once (mode 0600) and reuses it; a configured one wins', () => {
    const dir = tempDir('upstream-secret-');
    try {
      const first = loadStoreSecret(dir.path);
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(loadStoreSecret(dir.path)).toBe(first);
      expect(statSync(join(dir.path, STORE_SECRET_FILE)).mode & 0o777).toBe(0o600);
      expect(loadStoreSecret(dir.path, 'configured-secret-0123456789')).toBe('configured-secret-0123456789');
      expect(() => loadStoreSecret(dir.path, 'short')).toThrow(StoreSecretError);
      expect(() => new Pseudonymizer('short')).toThrow(StoreSecretError);
      expect(new Pseudonymizer(first).pseudonym('m1')).not.toBe(new Pseudonymizer(`${first}x`).pseudonym('m1'));
    } finally {
      dir.remove();
    }
  });
});

describe('KV contract (HQ → stores)', () => {
  it('roster and catalog entries are exactly the store import shapes', () => {
    expect(JSON.stringify(RosterEntry)).toBe(JSON.stringify(MemberImport));
    expect(JSON.stringify(CatalogEntry)).toBe(JSON.stringify(ProductImport));
  });

  it('maps every member id to a valid KV key and back', () => {
    for (const id of ['m1', 'app:123', 'a.b.c', 'x:y.z-_', 'A.B:C']) {
      const key = rosterKey(id);
      expect(key).toMatch(/^[-/=_A-Za-z0-9]+$/);
      expect(memberIdFromRosterKey(key)).toBe(id);
    }
    expect(catalogKey('4006381333931')).toBe('04006381333931');
  });

  it('validates roster values', () => {
    expect(decodeRosterEntry('{"id":"m1","name":"N","tier":4,"cards":[]}').ok).toBe(true);
    expect(decodeRosterEntry('{"id":"m1","name":"N","tier":9,"cards":[]}')).toMatchObject({
      ok: false,
      code: 'schema',
    });
  });
});

describe('NATS connection options', () => {
  it('takes credentials out of the URL and never gives up reconnecting', () => {
    const token = toConnectionOptions({ url: 'nats://s3cret@hq.example:4333' });
    expect(token).toMatchObject({ servers: ['hq.example:4333'], maxReconnectAttempts: -1 });
    expect(token.authenticator).toBeDefined();
    const user = toConnectionOptions({ url: 'tls://gw:p%40ss@hq.example' });
    expect(user).toMatchObject({ servers: ['hq.example:4222'], tls: {} });
    expect(toConnectionOptions({ url: 'nats://a:4222,nats://b:4223' }).servers).toEqual(['a:4222', 'b:4223']);
    // No Error (and stack trace) built per JetStream publish.
    expect(toConnectionOptions({ url: 'nats://a:4222' }).noAsyncTraces).toBe(true);
    expect(() => toConnectionOptions({ url: 'nats://tok@h', credsFile: '/x.creds' })).toThrow(UpstreamConfigError);
    expect(() => toConnectionOptions({ url: 'http://h' })).toThrow(UpstreamConfigError);
    expect(natsLinkOptions({})).toBeUndefined();
    expect(natsLinkOptions({ natsUrl: 'nats://h' }, { GW_NATS_TOKEN: 't', GW_NATS_CA: '/ca.pem' })).toMatchObject({
      url: 'nats://h',
      token: 't',
      tls: { caFile: '/ca.pem' },
    });
  });
});
