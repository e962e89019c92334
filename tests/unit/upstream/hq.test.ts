/** HQ (cloud-sink) pure parts: CSV import shapes, zone periods, funnel metrics, message → row. */
import { describe, expect, it } from 'vitest';
import { zoneCalendar } from '../../../cloud-sink/calendar.js';
import { loadHqConfig } from '../../../cloud-sink/config.js';
import { toRecord } from '../../../cloud-sink/consumer.js';
import { catalogFromCsv, parseCsv, rosterFromCsv, rosterToCsv, storesFromCsv } from '../../../cloud-sink/csv.js';
import type { FunnelRecord, HealthRecord, VipRecord } from '../../../cloud-sink/db/index.js';
import { pgSql } from '../../../cloud-sink/db/postgres.js';
import { funnelUpsertSql, newestPerKey } from '../../../cloud-sink/db/types.js';
import { CsvImportError, HqConfigError } from '../../../cloud-sink/errors.js';
import { emptyCounters, periods, toMetrics } from '../../../cloud-sink/funnel.js';
import { hqConnectionOptions } from '../../../cloud-sink/nats.js';
import { decodeUpstreamMessage } from '../../../protocols/index.js';

describe('CSV', () => {
  it('parses RFC 4180 with a BOM, quotes, doubled quotes, CR-LF and newlines in cells', () => {
    expect(parseCsv('\uFEFFa,b,c\r\n1,"x, ""y""",\r\n2,"multi\nline",z\n\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, "y"', ''],
      ['2', 'multi\nline', 'z'],
    ]);
  });

  it('reads the roster with ;-separated cards, sizes (list or key=value) and brands', () => {
    const members = rosterFromCsv(
      'ID,Name,Tier,Phone,Cards,Sizes,Brands,Notes\n' +
        'm1,Wang Fang,5,+86 138,E200001722110144189000AB;app:77,M;L,Acme;Beta,"likes ""linen"""\n' +
        'm2,Li Lei,3,,,top=M;bottom=30,,\n',
    );
    expect(members).toEqual([
      {
        id: 'm1',
        name: 'Wang Fang',
        tier: 5,
        phone: '+86 138',
        cards: ['E200001722110144189000AB', 'app:77'],
        sizes: ['M', 'L'],
        brands: ['Acme', 'Beta'],
        notes: 'likes "linen"',
      },
      { id: 'm2', name: 'Li Lei', tier: 3, cards: [], sizes: { top: 'M', bottom: '30' } },
    ]);
    expect(rosterFromCsv(rosterToCsv(members))).toEqual(members);
  });

  it('refuses a file with bad rows, naming every line', () => {
    try {
      rosterFromCsv('id,name,tier,cards\nm1,A,9,\nm2,,3,\nm3,C,3,\nm3,D,3,\n');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CsvImportError);
      const problems = (err as CsvImportError).problems;
      expect(problems).toHaveLength(3);
      expect(problems[0]).toMatch(/^line 2: \/tier/);
      expect(problems[1]).toMatch(/^line 3: /);
      expect(problems[2]).toBe('line 5: member m3 already on line 4');
    }
    expect(() => rosterFromCsv('id,name,tier,shoe\n')).toThrow(/unknown column "shoe"/);
    expect(() => catalogFromCsv('gtin,sku,style,color,size,name,price\n123,S,ST,red,M,N,abc\n')).toThrow(
      CsvImportError,
    );
    expect(catalogFromCsv('gtin,sku,style,color,size,name,price\n4006381333931,S,ST,red,M,N,9.5\n')).toEqual([
      { gtin: '4006381333931', sku: 'S', style: 'ST', color: 'red', size: 'M', name: 'N', price: 9.5 },
    ]);
    expect(storesFromCsv('id,region,timezone\ns1,East,Asia/Shanghai\n', (z) => z === 'Asia/Shanghai')).toEqual([
      { id: 's1', region: 'East', timezone: 'Asia/Shanghai' },
    ]);
    expect(() => storesFromCsv('id,timezone\ns1,Mars/Olympus\n', () => false)).toThrow(/IANA/);
  });
});

describe('zone periods', () => {
  it('starts days at local midnight and keeps DST days 23 and 25 hours long', () => {
    const sh = zoneCalendar('Asia/Shanghai');
    expect(sh.format(sh.startOfLocalDay('2026-11-02'))).toBe('2026-11-02T00:00:00+08:00');
    const berlin = zoneCalendar('Europe/Berlin');
    const spring = berlin.startOfLocalDay('2026-03-29');
    expect(berlin.nextDayStart(spring) - spring).toBe(23 * 3600_000);
    const autumn = berlin.startOfLocalDay('2026-10-25');
    expect(berlin.nextDayStart(autumn) - autumn).toBe(25 * 3600_000);
    const hours = periods(berlin, autumn, berlin.nextDayStart(autumn), 'hour');
    expect(hours).toHaveLength(26); // 25 hour periods + the end
    expect(berlin.format(hours[3] as number)).toBe('2026-10-25T02:00:00+01:00');
    expect(berlin.format(berlin.periodStart(Date.UTC(2026, 10, 4, 12), 'week'))).toBe('2026-11-02T00:00:00+01:00');
    expect(berlin.format(berlin.periodStart(Date.UTC(2026, 10, 4, 12), 'month'))).toBe('2026-11-01T00:00:00+01:00');
    const kathmandu = zoneCalendar('Asia/Kathmandu');
    expect(kathmandu.format(kathmandu.periodStart(Date.UTC(2026, 0, 1, 0, 20), '15m'))).toBe(
      '2026-01-01T06:00:00+05:45',
    );
    expect(Number.isNaN(sh.startOfLocalDay('2026-02-30'))).toBe(true);
  });

  it('has the store calendar: Lord_Howe half-hour DST gives the store hour periods', () => {
    const lordHowe = zoneCalendar('Australia/Lord_Howe');
    const day = lordHowe.startOfLocalDay('2026-04-05');
    const hours = periods(lordHowe, day, lordHowe.nextDayStart(day), 'hour').map((t) => lordHowe.format(t));
    expect(hours.slice(1, 4)).toEqual([
      '2026-04-05T01:00:00+11:00',
      '2026-04-05T01:30:00+10:30',
      '2026-04-05T02:00:00+10:30',
    ]);
    expect(hours.at(-1)).toBe('2026-04-06T00:00:00+10:30');
  });
});

describe('funnel metrics at HQ', () => {
  it('follows the store definitions, null for a zero denominator', () => {
    expect(toMetrics(emptyCounters())).toMatchObject({
      captureRate: null,
      tryOnRate: null,
      conversionRate: null,
      atv: null,
      upt: null,
      estimatedDwellMinutes: null,
    });
    const m = toMetrics({
      ...emptyCounters(),
      passersBy: 200,
      visitors: 50,
      tryOnSessions: 20,
      transactions: 3,
      units: 7,
      revenueCents: 100_000,
    });
    expect(m).toMatchObject({
      captureRate: 0.25,
      tryOnRate: 0.4,
      conversionRate: 0.06,
      atv: 333.33,
      upt: 2.33, // 7 ÷ 3, rounded to 2 decimals
      revenue: 1000,
    });
  });

  it('rounds ATV and UPT half away from zero in exact integer arithmetic (the store does the same)', () => {
    const sale = { ...emptyCounters(), transactions: 2 };
    expect(toMetrics({ ...sale, revenueCents: 51_205 }).atv).toBe(256.03); // 256.025
    expect(toMetrics({ ...sale, revenueCents: -51_205 }).atv).toBe(-256.03); // refunds mirror sales
    expect(toMetrics({ ...sale, revenueCents: 51_203 }).atv).toBe(256.02); // 256.015: no float 256.0149…
    expect(toMetrics({ ...emptyCounters(), transactions: 8, units: 9 }).upt).toBe(1.13); // 1.125
    const dwell = toMetrics({ ...emptyCounters(), visitors: 4, personMs: 4 * 93_000 }); // 1.55 minutes each
    expect(dwell.estimatedDwellMinutes).toBe(1.6);
  });

  it('turns messages into rows with integer cents, newest revision per key first', () => {
    const payload = JSON.stringify({
      v: 1,
      tenant: 'acme',
      store: 's1',
      bucketStart: '2026-11-23T02:00:00.000Z',
      bucketEnd: '2026-11-23T02:15:00.000Z',
      rev: 2,
      passersBy: 1,
      visitors: 1,
      tryOnSessions: 0,
      itemsTried: 0,
      transactions: 1,
      units: 1,
      revenue: 1234.57,
      triedBought: 0,
    });
    const decoded = decodeUpstreamMessage('retail.acme.s1.funnel', payload);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const into = { funnel: [] as FunnelRecord[], vip: [] as VipRecord[], health: [] as HealthRecord[] };
    toRecord(decoded.value, into);
    expect(into.funnel[0]).toMatchObject({
      store: 's1',
      bucketStart: Date.UTC(2026, 10, 23, 2),
      rev: 2,
      revenueCents: 123_457,
      exits: 0,
    });
    const older = { ...(into.funnel[0] as FunnelRecord), rev: 1 };
    expect(newestPerKey([older, into.funnel[0] as FunnelRecord, older]).map((r) => r.rev)).toEqual([2]);
  });

  it('writes one SQL text for both engines: upsert only if the revision is newer', () => {
    const sql = funnelUpsertSql(2);
    expect(sql).toMatch(/ON CONFLICT \(store, bucket_start\) DO UPDATE SET/);
    expect(sql).toMatch(/WHERE excluded\.rev > funnel\.rev$/);
    expect(pgSql('a = ? AND b IN (?, ?)')).toBe('a = $1 AND b IN ($2, $3)');
  });
});

describe('HQ configuration', () => {
  it('reads the HQ environment with the documented defaults', () => {
    const c = loadHqConfig({});
    expect(c).toMatchObject({
      http: { port: 8090 },
      timezone: 'UTC',
      logLevel: 'info',
      nats: { url: 'nats://127.0.0.1:4222' },
    });
    expect(c.databaseUrl).toBeUndefined();
    expect(loadHqConfig({ DATABASE_URL: 'postgres://x/y', HQ_HTTP_PORT: '9000', HQ_TENANT: 'acme' })).toMatchObject({
      databaseUrl: 'postgres://x/y',
      http: { port: 9000 },
      tenant: 'acme',
    });
    expect(() => loadHqConfig({ HQ_HTTP_PORT: 'eighty' })).toThrow(HqConfigError);
    expect(() => loadHqConfig({ HQ_TIMEZONE: 'Nowhere/Else' })).toThrow(HqConfigError);
    expect(hqConnectionOptions({ url: 'nats://u:p@hq:4333' })).toMatchObject({
      servers: ['hq:4333'],
      maxReconnectAttempts: -1,
    });
  });
});
