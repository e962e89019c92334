/**
 * The store's reference data: VIP roster and product catalog, kept in SQLite (so the store
 * works offline from its own copy) and indexed in memory for correlation lookups.
 */
import type { Db } from '../../pipeline/journal/index.js';
import { type MemberHit, searchMembers } from './member-search.js';
import type { MemberImport, ProductImport } from './schemas.js';

export interface Member {
  readonly id: string;
  readonly name: string;
  readonly tier: number;
  readonly phone?: string;
  readonly cards: readonly string[];
  readonly sizes?: readonly string[] | Readonly<Record<string, string>>;
  readonly brands?: readonly string[];
  readonly notes?: string;
}

export interface Product {
  readonly gtin: string;
  readonly sku: string;
  readonly style: string;
  readonly color: string;
  readonly size: string;
  readonly name: string;
  readonly brand?: string;
  readonly price: number;
}

/** GTIN-8/12/13 are GTIN-14 with leading zeros; SGTIN-96 tags decode to GTIN-14. */
export function toGtin14(gtin: string): string {
  return gtin.padStart(14, '0');
}

/** Cards are compared like EPCs: upper-case (credentials too, so "abc" and "ABC" are one card). */
export function normaliseCard(card: string): string {
  return card.trim().toUpperCase();
}

export class ReferenceData {
  private readonly members = new Map<string, Member>();
  private readonly cards = new Map<string, string>();
  private readonly products = new Map<string, Product>();
  private readonly skus = new Map<string, Product>();
  private readonly erasureListeners: ((ids: readonly string[]) => void)[] = [];

  constructor(private readonly db: Db) {
    this.load();
  }

  memberById(id: string): Member | undefined {
    return this.members.get(id);
  }

  /** Members matching an id, a name or a phone tail, best first, at most `limit` (≤ 20). */
  searchMembers(query: string, limit: number): MemberHit[] {
    return searchMembers(this.members.values(), query, limit);
  }

  memberByCard(card: string): Member | undefined {
    const id = this.cards.get(normaliseCard(card));
    return id === undefined ? undefined : this.members.get(id);
  }

  productByGtin(gtin: string): Product | undefined {
    return this.products.get(toGtin14(gtin));
  }

  productBySku(sku: string): Product | undefined {
    return this.skus.get(sku);
  }

  memberCount(): number {
    return this.members.size;
  }

  productCount(): number {
    return this.products.size;
  }

  /** Replaces the listed members by id (cards included); others stay. Idempotent. */
  importMembers(list: readonly MemberImport[]): number {
    const upsert = this.db.prepare(`
      INSERT INTO members (id, name, tier, phone, sizes, brands, notes, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, tier = excluded.tier, phone = excluded.phone,
        sizes = excluded.sizes, brands = excluded.brands, notes = excluded.notes, updated = excluded.updated`);
    const dropCards = this.db.prepare('DELETE FROM member_cards WHERE member_id = ?');
    const addCard = this.db.prepare(
      'INSERT INTO member_cards (card, member_id) VALUES (?, ?) ON CONFLICT (card) DO UPDATE SET member_id = excluded.member_id',
    );
    const now = Date.now();
    this.db.transaction(() => {
      for (const m of list) {
        upsert.run(
          m.id,
          m.name,
          m.tier,
          m.phone ?? null,
          m.sizes === undefined ? null : JSON.stringify(m.sizes),
          m.brands === undefined ? null : JSON.stringify(m.brands),
          m.notes ?? null,
          now,
        );
        dropCards.run(m.id);
        for (const card of m.cards) addCard.run(normaliseCard(card), m.id);
      }
    })();
    this.load();
    return list.length;
  }

  /**
   * Called inside the erasure's transaction with the erased ids, so other stores of
   * personal data (alert profiles) are scrubbed in the same commit.
   */
  onErase(listener: (ids: readonly string[]) => void): void {
    this.erasureListeners.push(listener);
  }

  /**
   * Erases many members and their cards in one transaction with one reload (the HQ roster
   * mirror deletes in batches). With `secure`, SQLite overwrites the freed content with
   * zeros (secure_delete) and the WAL is checkpointed and truncated, so names, phones and
   * notes are gone from the database files too, not only from queries.
   */
  deleteMembers(ids: readonly string[], options: { readonly secure?: boolean } = {}): number {
    if (ids.length === 0) return 0;
    const remove = this.db.prepare('DELETE FROM members WHERE id = ?');
    const secure = options.secure === true;
    const previous = secure ? (this.db.pragma('secure_delete', { simple: true }) as number) : 0;
    let changes = 0;
    if (secure) this.db.pragma('secure_delete = ON');
    try {
      this.db.transaction(() => {
        for (const id of ids) changes += remove.run(id).changes;
        for (const listener of this.erasureListeners) listener(ids);
      })();
    } finally {
      if (secure) this.db.pragma(`secure_delete = ${previous === 1 ? 'ON' : 'OFF'}`);
    }
    if (secure && changes > 0) this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.load();
    return changes;
  }

  /** Removes products by GTIN (any length; compared as GTIN-14), in one transaction. */
  deleteProducts(gtins: readonly string[]): number {
    if (gtins.length === 0) return 0;
    const remove = this.db.prepare('DELETE FROM catalog WHERE gtin = ?');
    let changes = 0;
    this.db.transaction(() => {
      for (const gtin of gtins) changes += remove.run(toGtin14(gtin)).changes;
    })();
    this.load();
    return changes;
  }

  /** Every member id in the store copy. */
  memberIds(): string[] {
    return [...this.members.keys()];
  }

  /** Every product GTIN-14 in the store copy. */
  productGtins(): string[] {
    return [...this.products.keys()];
  }

  /** Replaces the listed products by GTIN; others stay. Idempotent. */
  importCatalog(list: readonly ProductImport[]): number {
    const upsert = this.db.prepare(`
      INSERT INTO catalog (gtin, sku, style, color, size, name, brand, price) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (gtin) DO UPDATE SET sku = excluded.sku, style = excluded.style, color = excluded.color,
        size = excluded.size, name = excluded.name, brand = excluded.brand, price = excluded.price`);
    this.db.transaction(() => {
      for (const p of list) {
        upsert.run(toGtin14(p.gtin), p.sku, p.style, p.color, p.size, p.name, p.brand ?? null, p.price);
      }
    })();
    this.load();
    return list.length;
  }

  private load(): void {
    this.members.clear();
    this.cards.clear();
    this.products.clear();
    this.skus.clear();
    const cardsByMember = new Map<string, string[]>();
    for (const row of this.db.prepare('SELECT card, member_id AS memberId FROM member_cards').all() as {
      card: string;
      memberId: string;
    }[]) {
      this.cards.set(row.card, row.memberId);
      const list = cardsByMember.get(row.memberId) ?? [];
      list.push(row.card);
      cardsByMember.set(row.memberId, list);
    }
    type MemberRow = {
      id: string;
      name: string;
      tier: number;
      phone: string | null;
      sizes: string | null;
      brands: string | null;
      notes: string | null;
    };
    for (const r of this.db
      .prepare('SELECT id, name, tier, phone, sizes, brands, notes FROM members')
      .all() as MemberRow[]) {
      this.members.set(r.id, {
        id: r.id,
        name: r.name,
        tier: r.tier,
        cards: cardsByMember.get(r.id) ?? [],
        ...(r.phone !== null ? { phone: r.phone } : {}),
        ...(r.sizes !== null ? { sizes: JSON.parse(r.sizes) as Member['sizes'] & object } : {}),
        ...(r.brands !== null ? { brands: JSON.parse(r.brands) as string[] } : {}),
        ...(r.notes !== null ? { notes: r.notes } : {}),
      });
    }
    type ProductRow = {
      gtin: string;
      sku: string;
      style: string;
      color: string;
      size: string;
      name: string;
      brand: string | null;
      price: number;
    };
    for (const r of this.db
      .prepare('SELECT gtin, sku, style, color, size, name, brand, price FROM catalog')
      .all() as ProductRow[]) {
      const product: Product = {
        gtin: r.gtin,
        sku: r.sku,
        style: r.style,
        color: r.color,
        size: r.size,
        name: r.name,
        price: r.price,
        ...(r.brand !== null ? { brand: r.brand } : {}),
      };
      this.products.set(r.gtin, product);
      this.skus.set(r.sku, product);
    }
  }
}
