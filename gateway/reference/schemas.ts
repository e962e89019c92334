/** Import shapes of DESIGN ("Member import", "Catalog import"): the API and HQ sync share them. */
import { type Static, Type } from 'typebox';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

export const MemberImport = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' }),
  name: Text(128),
  tier: Type.Integer({ minimum: 1, maximum: 5 }),
  phone: Type.Optional(Type.String({ maxLength: 32 })),
  /** EPC hex of member cards, or credentials (app ids, card numbers). */
  cards: Type.Array(Text(128), { maxItems: 20 }),
  /** Either a list ("M", "L") or per category ({"top": "M", "bottom": "30"}). */
  sizes: Type.Optional(
    Type.Union([Type.Array(Text(32), { maxItems: 20 }), Type.Record(Type.String({ maxLength: 32 }), Text(32))]),
  ),
  brands: Type.Optional(Type.Array(Text(64), { maxItems: 20 })),
  notes: Type.Optional(Type.String({ maxLength: 2000 })),
});

export const MemberImportList = Type.Array(MemberImport, { maxItems: 100_000 });

export const ProductImport = Type.Object({
  gtin: Type.String({ pattern: '^[0-9]{8,14}$' }),
  sku: Text(64),
  style: Text(64),
  color: Text(64),
  size: Text(32),
  name: Text(256),
  brand: Type.Optional(Text(64)),
  price: Type.Number({ minimum: 0 }),
});

export const ProductImportList = Type.Array(ProductImport, { maxItems: 500_000 });

export type MemberImport = Static<typeof MemberImport>;
export type ProductImport = Static<typeof ProductImport>;
