/**
 * Fitting-room assistance through the real derivation on a real database: the card is a
 * function of the reads in event time, so a reader that flushes its buffer late yields the
 * same card (recorded late, not pushed when older than alerts.maxAge); a card staff already
 * got and took keeps its push and ack when late reads move its session's start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/config/index.js';
import type { JournalEvent } from '../../gateway/journal/index.js';
import { sgtin96FromGtin } from '../../protocols/index.js';
import { DerivationRig } from '../support/delivery.js';
import { tempDir } from '../support/tmp.js';
import { reads, S, T0, tag } from '../unit/correlate/helpers.js';

// One coat in two sizes: SGTIN-96 tags of GTINs 80614141123458 (M) and 80614141123465 (L).
const COAT_M = sgtin96FromGtin({ gtin: '80614141123458', companyPrefixLength: 7, serial: 1 });
const COAT_L = sgtin96FromGtin({ gtin: '80614141123465', companyPrefixLength: 7, serial: 2 });
const MIN = 60 * S;

const dirs: ReturnType<typeof tempDir>[] = [];
const rigs: DerivationRig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) r.close();
  for (const d of dirs.splice(0)) d.remove();
});

function rig(): DerivationRig {
  const dir = tempDir('assist-');
  dirs.push(dir);
  const config = loadConfig(undefined, { GW_DATA_DIR: dir.path, GW_MQTT_PORT: '0', GW_HTTP_PORT: '0' });
  const r = new DerivationRig(config, T0 - MIN);
  r.importCatalog([
    { gtin: '80614141123458', sku: 'WC-M', style: 'WC', color: '驼色', size: 'M', name: '羊毛大衣', price: 1299 },
    { gtin: '80614141123465', sku: 'WC-L', style: 'WC', color: '驼色', size: 'L', name: '羊毛大衣', price: 1299 },
  ]);
  rigs.push(r);
  return r;
}

function receive(r: DerivationRig, at: number, events: readonly JournalEvent[]): void {
  r.clock.set(at);
  r.commit(events.map((e) => ({ ...e, rxTs: at })));
}

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
