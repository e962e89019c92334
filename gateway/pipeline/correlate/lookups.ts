/**
 * Reference data correlation reads but does not own (roster, catalog, EPC codec), passed
 * in as functions so this folder imports no database and no codec.
 */

export interface MemberInfo {
  readonly id: string;
  /** 1–5 stars. */
  readonly tier: number;
}

export interface ProductInfo {
  readonly gtin?: string;
  readonly sku?: string;
  readonly style?: string;
  readonly size?: string;
}

export interface CorrelatorLookups {
  /** A member by a card EPC or a credential (the lookup normalises case). */
  memberByCard(card: string): MemberInfo | undefined;
  memberById(id: string): MemberInfo | undefined;
  /** Catalog product of a tag (SGTIN-96 → GTIN → product); undefined for unknown tags. */
  resolveProduct(epc: string): ProductInfo | undefined;
}

/** GTIN-8/12/13 are GTIN-14 with leading zeros: compare them as GTIN-14. */
export function gtin14(gtin: string): string {
  return gtin.length >= 14 ? gtin : gtin.padStart(14, '0');
}

/** Catalog fields of a garment or line, present ones only (exactOptionalPropertyTypes). */
export function productFields(g: {
  readonly gtin?: string;
  readonly sku?: string;
  readonly style?: string;
  readonly size?: string;
}): { gtin?: string; sku?: string; style?: string; size?: string } {
  const p: { gtin?: string; sku?: string; style?: string; size?: string } = {};
  if (g.gtin !== undefined) p.gtin = g.gtin;
  if (g.sku !== undefined) p.sku = g.sku;
  if (g.style !== undefined) p.style = g.style;
  if (g.size !== undefined) p.size = g.size;
  return p;
}
