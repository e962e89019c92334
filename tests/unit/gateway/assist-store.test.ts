/**
 * The assistance card store on a real SQLite database: one row per session, late cards
 * recorded and never claimed for a push, a rewind that no longer derives a card drops it
 * unless staff got or took it, the session holding a card's start inherits its push and
 * ack, the first "on my way" wins; and the webhook's group-robot text.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ReferenceData } from '../../../gateway/infra/reference/index.js';
import { AssistStore } from '../../../gateway/outputs/alerts/assist-store.js';
import { webhookBody } from '../../../gateway/outputs/alerts/webhook.js';
import type { AssistNeededFact } from '../../../gateway/pipeline/correlate/index.js';
import { type Db, openDb } from '../../../gateway/pipeline/journal/index.js';
import { sgtin96FromGtin } from '../../../protocols/index.js';
import { tempDir } from '../../support/tmp.js';

const T0 = Date.parse('2026-11-23T14:00:00+08:00');
const MIN = 60_000;
const COAT_M = sgtin96FromGtin({ gtin: '80614141123458', companyPrefixLength: 7, serial: 1 });
const COAT_L = sgtin96FromGtin({ gtin: '80614141123465', companyPrefixLength: 7, serial: 2 });

function need(start: number, ts: number, reason: AssistNeededFact['reason'] = 'size-swap'): AssistNeededFact {
  return {
    type: 'assist.needed',
    ts,
    session: `fr-1@${start}`,
    room: 'fr-1',
    start,
    reason,
    ...(reason === 'size-swap' ? { style: 'WC', sizes: ['M', 'L'] } : {}),
    items: [{ epc: COAT_M }, { epc: COAT_L, sku: 'WC-L' }],
  };
}

const dirs: ReturnType<typeof tempDir>[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) d.remove();
});

function setup(now: { t: number }) {
  const dir = tempDir('assist-store-');
  dirs.push(dir);
  const db = openDb(dir.path);
  dbs.push(db);
  const reference = new ReferenceData(db);
  reference.importCatalog([
    { gtin: '80614141123458', sku: 'WC-M', style: 'WC', color: '驼色', size: 'M', name: '羊毛大衣', price: 1299 },
  ]);
  return new AssistStore(db, reference, { now: () => now.t, maxAgeMs: 2 * MIN });
}

describe('assistance card store', () => {
  it('names garments from the catalog, keeps one card per session, and lets the first ack win', () => {
    const now = { t: T0 + 20_000 };
    const store = setup(now);
    expect(store.record([need(T0, T0 + 10_000)], 1)).toBe(0);
    expect(store.record([need(T0, T0 + 10_000)], 2)).toBe(0);
    const card = store.get(`assist:fr-1@${T0}`);
    expect(card).toMatchObject({
      kind: 'assist',
      styleName: '羊毛大衣',
      late: false,
      pushedAt: null,
      items: [
        { epc: COAT_M, name: '羊毛大衣', size: 'M', color: '驼色' },
        { epc: COAT_L, sku: 'WC-L' },
      ],
    });
    expect(card?.items[1]).not.toHaveProperty('name');
    expect(store.list(T0, T0 + MIN, 10)).toHaveLength(1);
    expect(store.ack(`assist:fr-1@${T0}`, '王芳', now.t)?.ack).toEqual({ by: '王芳', name: '王芳', at: now.t });
    expect(store.ack(`assist:fr-1@${T0}`, 'Li', now.t + 1)?.ack).toEqual({ by: '王芳', name: '王芳', at: now.t });
  });

  it('a card older than alerts.maxAge when derived is recorded late and never claimed', () => {
    const now = { t: T0 + 10 * MIN };
    const store = setup(now);
    expect(store.record([need(T0, T0 + 10_000)])).toBe(1);
    const card = store.get(`assist:fr-1@${T0}`);
    expect(card?.late).toBe(true);
    expect(card && store.claimPush(card)).toBe(false);
  });

  it('claims a push once', () => {
    const now = { t: T0 + 20_000 };
    const store = setup(now);
    store.record([need(T0, T0 + 10_000)]);
    const card = store.get(`assist:fr-1@${T0}`);
    expect(card && store.claimPush(card)).toBe(true);
    const again = store.get(`assist:fr-1@${T0}`);
    expect(again && store.claimPush(again)).toBe(false);
  });

  it('a rewind drops a card no longer derived unless it was pushed or acknowledged', () => {
    const now = { t: T0 + 20_000 };
    const store = setup(now);
    store.record([need(T0, T0 + 10_000), need(T0 + 5 * MIN, T0 + 5 * MIN + 10_000)], 3);
    const pushed = store.get(`assist:fr-1@${T0}`);
    if (pushed) store.claimPush(pushed);
    store.retract(2);
    store.afterRewind();
    expect(store.list(T0, T0 + 10 * MIN, 10).map((c) => c.id)).toEqual([`assist:fr-1@${T0}`]);
  });

  it("the card of the session that now holds an old card's start inherits its push and ack", () => {
    const now = { t: T0 + 2 * MIN };
    const store = setup(now);
    // Live: a piece of the session from minute 1 asked and was pushed and taken.
    store.record([need(T0 + MIN, T0 + MIN + 10_000)], 1);
    const piece = store.get(`assist:fr-1@${T0 + MIN}`);
    if (piece) store.claimPush(piece);
    store.ack(`assist:fr-1@${T0 + MIN}`, '王芳', now.t);
    // Late reads: the session began at T0; derived again, its card asked at T0 + 10 s.
    store.retract(1);
    store.record([need(T0, T0 + 10_000)], 1);
    store.afterRewind();
    const cards = store.list(T0, T0 + 10 * MIN, 10);
    expect(cards.map((c) => [c.id, c.ack?.by, c.pushedAt !== null])).toEqual([[`assist:fr-1@${T0}`, '王芳', true]]);
    // Already pushed for this stay: not pushed again.
    expect(cards[0] && store.claimPush(cards[0])).toBe(false);
  });

  it('group robots get a Chinese text naming the room and the garment', () => {
    const now = { t: T0 + 20_000 };
    const store = setup(now);
    store.record([need(T0, T0 + 10_000)]);
    const card = store.get(`assist:fr-1@${T0}`);
    if (!card) throw new Error('no card');
    const body = webhookBody(card, 'wecom') as { markdown: { content: string } };
    expect(body.markdown.content).toContain('### 试衣间需要协助');
    expect(body.markdown.content).toContain('**fr-1**: 羊毛大衣 试了 M、L 码，要不要再拿个尺码过去？');
    expect(body.markdown.content).toContain('在试: 羊毛大衣、WC-L');
    expect(webhookBody(card, 'json')).toMatchObject({ type: 'room.assist', kind: 'assist', alert: { id: card.id } });
  });
});
