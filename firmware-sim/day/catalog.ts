/**
 * The demo store's product catalog and the EPCs of its garments. The catalog is the same on
 * every simulated day (it belongs to the store, not to a day), so a gateway can import it once.
 * GTINs are GTIN-14 (indicator 0), exactly what the gateway derives from an SGTIN-96 EPC.
 */
import { gtinCheckDigit, sgtin96FromGtin } from '../../protocols/index.js';
import { Rng } from '../prng.js';
import type { Product } from './types.js';

type Category = 'top' | 'bottom' | 'dress' | 'outer' | 'accessory';

interface StyleDef {
  readonly code: string;
  readonly name: string;
  readonly category: Category;
  readonly price: number;
}

/** Two brands with different company-prefix lengths, so EPCs use two SGTIN partitions. */
const BRANDS = [
  { name: 'Lumen', companyPrefix: '6923456' },
  { name: 'Lumen Atelier', companyPrefix: '693812345' },
] as const;

const STYLES: readonly StyleDef[] = [
  { code: 'TS01', name: '圆领棉T恤', category: 'top', price: 129 },
  { code: 'TS02', name: '条纹长袖T恤', category: 'top', price: 159 },
  { code: 'TS03', name: '宽松印花T恤', category: 'top', price: 149 },
  { code: 'SH01', name: '牛津纺衬衫', category: 'top', price: 299 },
  { code: 'SH02', name: '真丝衬衫', category: 'top', price: 699 },
  { code: 'SH03', name: '亚麻休闲衬衫', category: 'top', price: 359 },
  { code: 'KN01', name: '羊毛针织衫', category: 'top', price: 499 },
  { code: 'KN02', name: '羊绒开衫', category: 'top', price: 1299 },
  { code: 'KN03', name: '罗纹高领毛衣', category: 'top', price: 429 },
  { code: 'HD01', name: '连帽卫衣', category: 'top', price: 329 },
  { code: 'HD02', name: '圆领卫衣', category: 'top', price: 279 },
  { code: 'PL01', name: 'POLO衫', category: 'top', price: 239 },
  { code: 'JN01', name: '直筒牛仔裤', category: 'bottom', price: 399 },
  { code: 'JN02', name: '修身牛仔裤', category: 'bottom', price: 429 },
  { code: 'JN03', name: '阔腿牛仔裤', category: 'bottom', price: 459 },
  { code: 'TR01', name: '九分西裤', category: 'bottom', price: 379 },
  { code: 'TR02', name: '休闲工装裤', category: 'bottom', price: 349 },
  { code: 'TR03', name: '束脚运动裤', category: 'bottom', price: 259 },
  { code: 'SK01', name: 'A字半身裙', category: 'bottom', price: 329 },
  { code: 'SK02', name: '百褶中长裙', category: 'bottom', price: 389 },
  { code: 'DR01', name: '碎花连衣裙', category: 'dress', price: 559 },
  { code: 'DR02', name: '针织连衣裙', category: 'dress', price: 629 },
  { code: 'DR03', name: '衬衫式连衣裙', category: 'dress', price: 499 },
  { code: 'DR04', name: '真丝吊带裙', category: 'dress', price: 899 },
  { code: 'OT01', name: '双排扣风衣', category: 'outer', price: 1199 },
  { code: 'OT02', name: '羊毛大衣', category: 'outer', price: 1899 },
  { code: 'OT03', name: '西装外套', category: 'outer', price: 999 },
  { code: 'OT04', name: '轻薄羽绒服', category: 'outer', price: 799 },
  { code: 'OT05', name: '牛仔夹克', category: 'outer', price: 599 },
  { code: 'OT06', name: '飞行员夹克', category: 'outer', price: 729 },
  { code: 'AC01', name: '羊绒围巾', category: 'accessory', price: 399 },
  { code: 'AC02', name: '真皮腰带', category: 'accessory', price: 259 },
  { code: 'AC03', name: '棉袜三双装', category: 'accessory', price: 59 },
  { code: 'AC04', name: '渔夫帽', category: 'accessory', price: 149 },
  { code: 'AC05', name: '帆布托特包', category: 'accessory', price: 199 },
];

const COLORS = [
  { code: 'BLK', name: '黑色' },
  { code: 'WHT', name: '白色' },
  { code: 'NVY', name: '藏青' },
  { code: 'BEI', name: '米色' },
  { code: 'GRY', name: '灰色' },
  { code: 'RED', name: '酒红' },
  { code: 'GRN', name: '墨绿' },
  { code: 'BLU', name: '浅蓝' },
] as const;

const SIZES: Readonly<Record<Category, readonly string[]>> = {
  top: ['XS', 'S', 'M', 'L', 'XL'],
  dress: ['XS', 'S', 'M', 'L', 'XL'],
  outer: ['S', 'M', 'L', 'XL', 'XXL'],
  bottom: ['26', '27', '28', '29', '30', '31', '32'],
  accessory: ['F'],
};

export interface CatalogItem extends Product {
  readonly category: Category;
  readonly companyPrefixLength: number;
}

export interface StoreCatalog {
  readonly products: readonly CatalogItem[];
  /** Garments people take into fitting rooms (not accessories). */
  readonly tryable: readonly CatalogItem[];
  /** All sizes of one style and colour, in size order. */
  readonly sizesOf: (product: CatalogItem) => readonly CatalogItem[];
}

/** The store's catalog: every style in a few colours, every colour in every size. */
export function buildCatalog(): StoreCatalog {
  const rng = new Rng('demo-store/catalog');
  const products: CatalogItem[] = [];
  const itemNumbers = [0, 0];
  const bySku = new Map<string, CatalogItem[]>();
  STYLES.forEach((style, i) => {
    const brandIndex = i % 5 === 4 ? 1 : 0;
    const brand = BRANDS[brandIndex] ?? BRANDS[0];
    const colors = rng.shuffled(COLORS).slice(0, style.category === 'accessory' ? 2 : 3);
    for (const color of colors) {
      const family: CatalogItem[] = [];
      for (const size of SIZES[style.category]) {
        itemNumbers[brandIndex] = (itemNumbers[brandIndex] ?? 0) + 1;
        const irDigits = 13 - brand.companyPrefix.length;
        const itemReference = `0${String(itemNumbers[brandIndex]).padStart(irDigits - 1, '0')}`;
        const body = itemReference.slice(0, 1) + brand.companyPrefix + itemReference.slice(1);
        const item: CatalogItem = {
          gtin: body + String(gtinCheckDigit(body)),
          sku: `${style.code}-${color.code}-${size}`,
          style: style.code,
          color: color.code,
          size,
          name: `${style.name} ${color.name}`,
          brand: brand.name,
          price: style.price,
          category: style.category,
          companyPrefixLength: brand.companyPrefix.length,
        };
        products.push(item);
        family.push(item);
      }
      bySku.set(`${style.code}-${color.code}`, family);
    }
  });
  return {
    products,
    tryable: products.filter((p) => p.category !== 'accessory'),
    sizesOf: (p) => bySku.get(`${p.style}-${p.color}`) ?? [p],
  };
}

/** Hands out SGTIN-96 EPCs with serials unique within the day (one physical garment each). */
export class EpcMint {
  private serial: number;

  constructor(firstSerial: number) {
    this.serial = firstSerial;
  }

  mint(product: CatalogItem): string {
    this.serial += 1;
    return sgtin96FromGtin({
      gtin: product.gtin,
      companyPrefixLength: product.companyPrefixLength,
      serial: this.serial,
    });
  }
}

/** A catalog entry in the import shape (drops the generator's own fields). */
export function toProduct(item: CatalogItem): Product {
  const { category: _category, companyPrefixLength: _cpl, ...product } = item;
  return product;
}
