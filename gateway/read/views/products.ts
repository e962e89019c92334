/** GET /products/tried-not-bought: products tried on more often than bought over a period. */

import type { ReferenceData } from '../../infra/reference/index.js';
import type { ItemTriedFact, SessionFact, TriedBoughtFact } from '../../pipeline/correlate/index.js';
import type { Db } from '../../pipeline/journal/index.js';
import { FactReader } from './facts.js';

interface ProductRow {
  key: string;
  gtin?: string;
  sku?: string;
  style?: string;
  name?: string;
  tried: number;
  bought: number;
  sizeSwaps: number;
}

export class ProductsView {
  private readonly facts: FactReader;

  constructor(
    db: Db,
    private readonly reference: ReferenceData,
  ) {
    this.facts = new FactReader(db);
  }

  /** The `limit` products with the most tries not followed by a purchase in [from, to). */
  triedNotBought(from: number, to: number, limit: number) {
    const rows = new Map<string, ProductRow>();
    const keyOf = (f: { gtin?: string; sku?: string; epc: string }) => f.gtin ?? f.sku ?? f.epc;
    const row = (f: ItemTriedFact | TriedBoughtFact): ProductRow => {
      const key = keyOf(f);
      let r = rows.get(key);
      if (!r) {
        const product = f.gtin
          ? this.reference.productByGtin(f.gtin)
          : f.sku
            ? this.reference.productBySku(f.sku)
            : undefined;
        const sku = f.sku ?? product?.sku;
        const style = f.style ?? product?.style;
        r = {
          key,
          ...(f.gtin ? { gtin: f.gtin } : {}),
          ...(sku ? { sku } : {}),
          ...(style ? { style } : {}),
          ...(product ? { name: product.name } : {}),
          tried: 0,
          bought: 0,
          sizeSwaps: 0,
        };
        rows.set(key, r);
      }
      return r;
    };
    for (const f of this.facts.read<ItemTriedFact>('item.tried', from, to)) row(f).tried++;
    for (const f of this.facts.read<TriedBoughtFact>('tried.bought', from, to)) row(f).bought++;
    // A size swap counts for every style swapped in the session.
    const swapStyles = new Map<string, number>();
    for (const s of this.facts.read<SessionFact>('session.ended', from, to)) {
      if (!s.sizeSwap) continue;
      for (const style of new Set(s.items.map((i) => i.style).filter((x): x is string => x !== undefined))) {
        swapStyles.set(style, (swapStyles.get(style) ?? 0) + 1);
      }
    }
    for (const r of rows.values()) if (r.style) r.sizeSwaps = swapStyles.get(r.style) ?? 0;
    const ranking = [...rows.values()]
      .map((r) => ({ ...r, triedNotBought: Math.max(0, r.tried - r.bought) }))
      .filter((r) => r.triedNotBought > 0)
      .sort((a, b) => b.triedNotBought - a.triedNotBought || b.tried - a.tried || (a.key < b.key ? -1 : 1))
      .slice(0, limit);
    return { products: ranking };
  }
}
