/**
 * Fitting-room assistance cards ("room 3: 2 sizes of 羊毛大衣 tried — bring the other
 * size?"): one per session that asked for staff (`assist.needed`), with the garments named
 * from the catalog, and who said "on my way". Written in the derivation's transaction.
 *
 * Same life as VIP alerts (store.ts): a card whose need arose longer than `alerts.maxAge`
 * before it is derived is kept with `late: true` and never pushed; a rewind takes cards
 * back and derives them again, the same session keeping its row, push and ack. A card no
 * longer derived goes, unless staff got or took it: then the card of the session that now
 * holds its start (late reads merged it into an earlier one, or moved the start) takes
 * over that push and ack; with no such card, it stays as it was. For the same reason a
 * card is not pushed when the session holding its start already had one pushed.
 */
import { gtinFromEpc } from '../../../protocols/index.js';
import type { Product, ReferenceData } from '../../infra/reference/index.js';
import type { AssistItem, AssistNeededFact, Fact } from '../../pipeline/correlate/index.js';
import type { Db } from '../../pipeline/journal/index.js';
import { alertLife, RETRACTED } from './alert-life.js';

/** A garment on the card: catalog fields when the product is known. */
export interface AssistCardItem {
  readonly epc: string;
  readonly gtin?: string;
  readonly sku?: string;
  readonly style?: string;
  readonly size?: string;
  readonly color?: string;
  readonly name?: string;
}

export interface AssistAlert {
  /** `assist:{session}`: deterministic, so an ack survives a rebuild. */
  readonly id: string;
  readonly kind: 'assist';
  readonly type: 'room.assist';
  /** When the need arose (event time). */
  readonly ts: number;
  readonly room: string;
  readonly session: string;
  readonly start: number;
  readonly reason: AssistNeededFact['reason'];
  /** size-swap: the style, its catalog name when known, and the sizes seen. */
  readonly style?: string;
  readonly styleName?: string;
  readonly sizes?: readonly string[];
  readonly items: readonly AssistCardItem[];
  /** `by` the sign-in name, `name` the person's display name (the sign-in name when none). */
  readonly ack: { readonly by: string; readonly name: string; readonly at: number } | null;
  readonly late: boolean;
  readonly pushedAt: number | null;
}

type AssistBody = Omit<AssistAlert, 'ack' | 'late' | 'pushedAt'>;

interface Row {
  body: string;
  acked_by: string | null;
  acked_by_name: string | null;
  acked_at: number | null;
  late: number;
  pushed_at: number | null;
}

interface HandledRow {
  id: string;
  room: string;
  ts: number;
  start: number;
  pushed_at: number | null;
  acked_by: string | null;
  acked_by_name: string | null;
  acked_at: number | null;
}

const COLUMNS = 'body, acked_by, acked_by_name, acked_at, late, pushed_at';

export function assistId(fact: Pick<AssistNeededFact, 'session'>): string {
  return `assist:${fact.session}`;
}

export class AssistStore {
  private readonly life;
  private readonly insert;
  private readonly exists;
  private readonly selectHandled;
  private readonly selectSameVisit;
  private readonly selectPushedOverlap;
  private readonly selectOne;
  private readonly selectRange;

  constructor(
    db: Db,
    private readonly reference: ReferenceData,
    private readonly timing: { readonly now: () => number; readonly maxAgeMs: number },
  ) {
    this.insert = db.prepare(
      'INSERT INTO assist_alerts (id, ts, room, session, start, body, epoch, late) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.life = alertLife(db, 'assist_alerts');
    this.exists = db.prepare('SELECT 1 FROM assist_alerts WHERE id = ?').pluck();
    this.selectHandled = db.prepare(
      `SELECT id, room, ts, start, pushed_at, acked_by, acked_by_name, acked_at FROM assist_alerts
       WHERE epoch = ${RETRACTED} AND (pushed_at IS NOT NULL OR acked_by IS NOT NULL)`,
    );
    // The card of the room's session that holds a moment (`at`): the room's latest card
    // whose session began at or before it and had not ended before it (sessions of one
    // room never overlap; an open one has no session.ended yet).
    const holding = `FROM assist_alerts a WHERE a.room = @room AND a.epoch != ${RETRACTED} AND a.id != @id AND a.start <= @at
      AND NOT EXISTS (SELECT 1 FROM facts f WHERE f.type = 'session.ended' AND f.ts = a.start
        AND json_extract(f.body, '$.room') = a.room AND json_extract(f.body, '$.end') < @at)`;
    this.selectSameVisit = db.prepare(`SELECT a.id ${holding} ORDER BY a.start DESC LIMIT 1`).pluck();
    this.selectPushedOverlap = db
      .prepare(`SELECT 1 ${holding} AND a.pushed_at IS NOT NULL ORDER BY a.start DESC LIMIT 1`)
      .pluck();
    this.selectOne = db.prepare(`SELECT ${COLUMNS} FROM assist_alerts WHERE id = ?`);
    this.selectRange = db.prepare(
      `SELECT ${COLUMNS} FROM assist_alerts WHERE ts >= ? AND ts < ? ORDER BY ts DESC LIMIT ?`,
    );
  }

  /** Records the cards among `facts`; returns how many new ones were late. In the derivation's transaction. */
  record(facts: readonly Fact[], epoch = 0): number {
    let lateCount = 0;
    for (const fact of facts) {
      if (fact.type !== 'assist.needed') continue;
      const id = assistId(fact);
      if (this.exists.get(id) !== undefined) {
        this.life.rederived.run(epoch, id);
        continue;
      }
      const body = this.card(id, fact);
      const late = this.timing.now() - fact.ts > this.timing.maxAgeMs;
      this.insert.run(id, fact.ts, fact.room, fact.session, fact.start, JSON.stringify(body), epoch, late ? 1 : 0);
      if (late) lateCount++;
    }
    return lateCount;
  }

  retract(fromEpoch: number): void {
    this.life.retractFrom.run(fromEpoch);
  }

  afterRewind(): void {
    for (const old of this.selectHandled.all() as HandledRow[]) {
      const current = this.selectSameVisit.get({ room: old.room, id: old.id, at: old.start }) as string | undefined;
      if (current === undefined) continue;
      this.life.inherit.run(old.pushed_at, old.pushed_at, old.acked_by_name, old.acked_by, old.acked_at, current);
      this.life.deleteOne.run(old.id);
    }
    this.life.dropRetracted.run();
  }

  /**
   * Whether to push this card now: not late, not pushed yet, and no card pushed for the
   * session that holds its start (the same visit derived anew). Marks it pushed when so.
   */
  claimPush(card: AssistAlert): boolean {
    if (card.late || card.pushedAt !== null) return false;
    if (this.selectPushedOverlap.get({ room: card.room, id: card.id, at: card.start }) !== undefined) return false;
    return this.life.markPushed.run(this.timing.now(), card.id).changes === 1;
  }

  get(id: string): AssistAlert | undefined {
    const row = this.selectOne.get(id) as Row | undefined;
    return row ? toCard(row) : undefined;
  }

  list(from: number, to: number, limit: number): AssistAlert[] {
    return (this.selectRange.all(from, to, limit) as Row[]).map(toCard);
  }

  /** The first acknowledgement wins; later ones return the card as it is. */
  ack(id: string, staff: string, at: number, name?: string): AssistAlert | undefined {
    this.life.ack.run(staff, name ?? null, at, id);
    return this.get(id);
  }

  private card(id: string, fact: AssistNeededFact): AssistBody {
    const items = fact.items.map((i) => this.named(i));
    const styleName = fact.style === undefined ? undefined : items.find((i) => i.style === fact.style)?.name;
    return {
      id,
      kind: 'assist',
      type: 'room.assist',
      ts: fact.ts,
      room: fact.room,
      session: fact.session,
      start: fact.start,
      reason: fact.reason,
      ...(fact.style === undefined ? {} : { style: fact.style }),
      ...(styleName === undefined ? {} : { styleName }),
      ...(fact.sizes === undefined ? {} : { sizes: fact.sizes }),
      items,
    };
  }

  /** The garment named from the catalog by its GTIN (else its EPC's), else its SKU. */
  private named(item: AssistItem): AssistCardItem {
    const gtin = item.gtin ?? gtinFromEpc(item.epc);
    const product: Product | undefined =
      (gtin === undefined ? undefined : this.reference.productByGtin(gtin)) ??
      (item.sku === undefined ? undefined : this.reference.productBySku(item.sku));
    if (!product) return item;
    return {
      epc: item.epc,
      gtin: product.gtin,
      sku: product.sku,
      style: product.style,
      size: product.size,
      color: product.color,
      name: product.name,
    };
  }
}

function toCard(row: Row): AssistAlert {
  const body = JSON.parse(row.body) as AssistBody;
  return {
    ...body,
    ack:
      row.acked_by === null
        ? null
        : { by: row.acked_by, name: row.acked_by_name ?? row.acked_by, at: row.acked_at ?? 0 },
    late: row.late === 1,
    pushedAt: row.pushed_at,
  };
}
