/**
 * Late input corrects earlier output (issue 13, DESIGN "Order independence"), case by case,
 * through the real derivation on a real database: a staff badge that arrives after the
 * door counter's crossing withdraws the visitor it had counted; a receipt and the session it
 * converts link whichever comes first; a VIP arrival older than alerts.maxAge is recorded
 * as late and never pushed; re-alerting is decided in event time. Fitting-room assistance
 * cards are a function of the reads in event time too: a flushed reader yields the same
 * card (late, not pushed), and a card staff got and took keeps its push and ack when late
 * reads move its session's start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/infra/config/index.js';
import type { JournalEvent } from '../../gateway/pipeline/journal/index.js';
import { sgtin96FromGtin } from '../../protocols/index.js';
import { DerivationRig } from '../support/delivery.js';
import { tempDir } from '../support/tmp.js';
import { crossing, memberSeen, reads, receipt, S, T0, tag } from '../unit/correlate/helpers.js';

const BADGE = 'E2000017221101441890A001';
const SHIRT = '3074257BF7194E4000001A01';
const VIP_CARD = 'E2000017221101441890C001';
const MIN = 60 * S;
// One coat in two sizes: SGTIN-96 tags of GTINs 80614141123458 (M) and 80614141123465 (L).
const COAT_M = sgtin96FromGtin({ gtin: '80614141123458', companyPrefixLength: 7, serial: 1 });
const COAT_L = sgtin96FromGtin({ gtin: '80614141123465', companyPrefixLength: 7, serial: 2 });

const dirs: ReturnType<typeof tempDir>[] = [];
const rigs: DerivationRig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) r.close();
  for (const d of dirs.splice(0)) d.remove();
});

function rig(): DerivationRig {
  const dir = tempDir('late-');
  dirs.push(dir);
  const config = loadConfig(undefined, { GW_DATA_DIR: dir.path, GW_MQTT_PORT: '0', GW_HTTP_PORT: '0' });
  const r = new DerivationRig(config, T0 - MIN);
  r.importMembers([{ id: 'V1', name: 'Ms Vip', tier: 5, cards: [VIP_CARD] }]);
  r.importCatalog([
    { gtin: '80614141123458', sku: 'WC-M', style: 'WC', color: '驼色', size: 'M', name: '羊毛大衣', price: 1299 },
    { gtin: '80614141123465', sku: 'WC-L', style: 'WC', color: '驼色', size: 'L', name: '羊毛大衣', price: 1299 },
  ]);
  rigs.push(r);
  return r;
}

/** Commits `events` received at `at` (their rxTs), as one batch. */
function receive(r: DerivationRig, at: number, events: readonly JournalEvent[]): void {
  r.clock.set(at);
  r.commit(events.map((e) => ({ ...e, rxTs: at })));
}

function bucket(r: DerivationRig): { visitors: number; rev: number } {
  return r.database
    .prepare('SELECT COALESCE(SUM(visitors), 0) AS visitors, COALESCE(MAX(rev), 0) AS rev FROM buckets')
    .get() as { visitors: number; rev: number };
}

describe('late input corrects earlier output', () => {
  it('a staff badge read that arrives after the crossing was counted withdraws the visitor', () => {
    const r = rig();
    receive(r, T0 + 100, [crossing(T0, 'in')]);
    receive(r, T0 + 10 * S, []); // the staff window (3 s) and settle (1.5 s) have passed
    expect(bucket(r).visitors).toBe(1);
    const counted = bucket(r).rev;
    // The reader's read of the staff badge at the door, 1 s after the crossing, comes a minute late.
    receive(r, T0 + MIN, [tag(BADGE, 'entrance', T0 + S)]);
    expect(bucket(r).visitors).toBe(0);
    expect(bucket(r).rev).toBeGreaterThan(counted); // revised: HQ gets it again
    const day = r.finish();
    expect(day.facts.filter((f) => f.startsWith('visitor '))).toEqual([]);
  });

  it('a burst stamped behind the clock but sent in order is not late input', async () => {
    const r = rig();
    // 200 crossings stamped when the burst was prepared, received 5 s later in batches of 20:
    // older than the settle horizon, but each after the one before.
    const events = Array.from({ length: 200 }, (_, i) => crossing(T0 + i * 10, 'in'));
    for (let b = 0; b < 10; b++) receive(r, T0 + 5 * S + b * 100, events.slice(b * 20, b * 20 + 20));
    expect((await r.metrics.lateInputs.get()).values[0]?.value ?? 0).toBe(0);
    expect((await r.metrics.rewinds.get()).values[0]?.value ?? 0).toBe(0);
    receive(r, T0 + MIN, []);
    expect(bucket(r).visitors).toBe(200);
  });

  it('a receipt synced before the fitting-room reads it converts still links them', () => {
    const r = rig();
    // The POS is online; the reader flushes its buffer ten minutes later.
    receive(r, T0 + 5 * MIN, [receipt(T0 + 5 * MIN, 'sale', [{ epc: SHIRT, qty: 1, price: 199 }], 199)]);
    receive(r, T0 + 15 * MIN, reads(SHIRT, 'fr-1', T0, T0 + 40 * S));
    receive(r, T0 + 20 * MIN, []);
    const day = r.finish();
    expect(day.facts.filter((f) => f.startsWith('tried.bought ')).length).toBe(1);
    expect(day.facts.filter((f) => f.startsWith('session.ended ')).length).toBe(1);
  });

  it('a VIP arrival older than alerts.maxAge is recorded late and not pushed; a timely one is pushed', () => {
    const r = rig();
    // The member's app check-in at the entrance, received 10 minutes late.
    receive(r, T0 + 10 * MIN, [memberSeen(T0, 'entrance', { member: 'V1' })]);
    const late = r.database.prepare('SELECT id, late, pushed_at FROM alerts').all();
    expect(late).toEqual([{ id: `V1@${T0}`, late: 1, pushed_at: null }]);
    expect(r.pushed.size).toBe(0);
    // Two hours later (past realertAfter) she comes back, read in time at the door.
    const back = T0 + 2 * 60 * MIN;
    receive(r, back + 50, [tag(VIP_CARD, 'entrance', back)]);
    expect([...r.pushed]).toEqual([`V1@${back}`]);
  });

  it('re-alerting is in event time: card reads replayed hours later re-alert by event time, not by the clock', () => {
    const r = rig();
    // Card reads at the door every 5 minutes for 25 minutes (a member lingering by the entrance,
    // read on each pass), all delivered hours later in one flush.
    const flush = T0 + 5 * 60 * MIN;
    const events = Array.from({ length: 6 }, (_, i) => tag(VIP_CARD, 'entrance', T0 + i * 5 * MIN));
    receive(r, flush, events);
    receive(r, flush + MIN, []);
    const alerts = r.database.prepare('SELECT id, late FROM alerts').all();
    expect(alerts).toEqual([{ id: `V1@${T0}`, late: 1 }]);
    expect(r.pushed.size).toBe(0);
  });
});

interface CardRow {
  id: string;
  ts: number;
  late: number;
  pushed_at: number | null;
  acked_by: string | null;
  body: string;
}

function cards(r: DerivationRig): CardRow[] {
  return r.database
    .prepare('SELECT id, ts, late, pushed_at, acked_by, body FROM assist_alerts ORDER BY id')
    .all() as CardRow[];
}

/** Each second's reads received one second later, as a live reader sends them. */
function live(r: DerivationRig, events: readonly JournalEvent[]): void {
  for (const e of [...events].sort((a, b) => a.ts - b.ts)) receive(r, e.ts + S, [e]);
}

describe('fitting-room assistance and late input', () => {
  it('a size swap whose first size is flushed late gives the same card, recorded late and not pushed', () => {
    const swap = [...reads(COAT_M, 'fr-1', T0, T0 + 40 * S), ...reads(COAT_L, 'fr-1', T0 + 10 * S, T0 + 40 * S)];
    const inOrder = rig();
    live(inOrder, swap);
    receive(inOrder, T0 + 5 * MIN, []);
    const expected = cards(inOrder);
    expect(expected).toMatchObject([{ id: `assist:fr-1@${T0}`, ts: T0 + 10 * S, late: 0 }]);
    expect(JSON.parse(expected[0]?.body ?? '{}')).toMatchObject({
      reason: 'size-swap',
      styleName: '羊毛大衣',
      sizes: ['M', 'L'],
      items: [
        { name: '羊毛大衣', size: 'M' },
        { name: '羊毛大衣', size: 'L' },
      ],
    });
    expect([...inOrder.pushed]).toEqual([`assist:fr-1@${T0}`]);

    // The L reads come live (one size: no card); the M reads, earlier, come 5 minutes later.
    const late = rig();
    live(late, reads(COAT_L, 'fr-1', T0 + 10 * S, T0 + 40 * S));
    expect(cards(late)).toEqual([]);
    receive(late, T0 + 5 * MIN, reads(COAT_M, 'fr-1', T0, T0 + 40 * S));
    receive(late, T0 + 6 * MIN, []);
    const got = cards(late);
    expect(got.map(({ id, ts, body }) => ({ id, ts, body }))).toEqual(
      expected.map(({ id, ts, body }) => ({ id, ts, body })),
    );
    expect(got[0]).toMatchObject({ late: 1, pushed_at: null });
    expect(late.pushed.size).toBe(0);
    expect(late.finish().alerts).toEqual(inOrder.finish().alerts);
  });

  it('the assistAfter timer runs in event time: a long session flushed in one batch asks at start + 8 min', () => {
    const r = rig();
    const stay = Array.from({ length: 31 }, (_, i) => tag(COAT_M, 'fr-1', T0 + i * 20 * S));
    receive(r, T0 + 30 * MIN, stay);
    receive(r, T0 + 31 * MIN, []);
    expect(cards(r)).toMatchObject([{ id: `assist:fr-1@${T0}`, ts: T0 + 8 * MIN, late: 1, pushed_at: null }]);
    expect(r.pushed.size).toBe(0);
  });

  it('a card staff got and took keeps its push and ack when late reads move its session start', () => {
    const r = rig();
    // Live: the coat read every 20 s from minute 1 to minute 10 → a card at minute 9.
    live(
      r,
      Array.from({ length: 28 }, (_, i) => tag(COAT_M, 'fr-1', T0 + MIN + i * 20 * S)),
    );
    const first = `assist:fr-1@${T0 + MIN}`;
    expect([...r.pushed]).toEqual([first]);
    r.database.prepare("UPDATE assist_alerts SET acked_by = 'li', acked_at = ? WHERE id = ?").run(T0 + 9 * MIN, first);

    // Another reader's reads of the first minute come late: the session started at T0.
    receive(
      r,
      T0 + 11 * MIN,
      Array.from({ length: 3 }, (_, i) => tag(COAT_M, 'fr-1', T0 + i * 20 * S)),
    );
    receive(r, T0 + 12 * MIN, []);
    expect(cards(r)).toMatchObject([
      { id: `assist:fr-1@${T0}`, ts: T0 + 8 * MIN, acked_by: 'li', pushed_at: expect.any(Number) },
    ]);
    // Not pushed a second time.
    expect([...r.pushed]).toEqual([first]);
  });
});
