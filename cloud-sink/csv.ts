/**
 * CSV in and out. Input: RFC 4180 (quotes, doubled quotes, CR-LF or LF, an optional UTF-8
 * BOM), a header row naming the columns of the import shapes (any order, case-insensitive).
 * Lists inside a cell are separated by `;` (cards, brands; sizes as `M;L` or
 * `top=M;bottom=30`). Output: UTF-8 with a BOM (Excel), CR-LF, quoted where needed.
 */
import { toCsv } from '../common/csv.js';
import { type CatalogEntry, checkCatalogEntry, checkRosterEntry, type RosterEntry } from '../protocols/index.js';
import type { StoreImport } from './db/index.js';
import { CsvImportError } from './errors.js';

/** The writer is common/csv.ts, shared with the store's export. */
export { csvCell, toCsv } from '../common/csv.js';

/** Parses CSV text into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let cellStarted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
    cellStarted = false;
  };
  const endRow = () => {
    endCell();
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  for (; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && !cellStarted) {
      quoted = true;
      cellStarted = true;
    } else if (ch === ',') {
      endCell();
    } else if (ch === '\n') {
      endRow();
    } else if (ch === '\r') {
      if (text[i + 1] === '\n') i++;
      endRow();
    } else {
      cell += ch;
      cellStarted = true;
    }
  }
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}

/** Rows as objects keyed by lower-cased header; line numbers are 1-based file lines (header = 1). */
function records(text: string, known: readonly string[]): { line: number; get: (col: string) => string | undefined }[] {
  const rows = parseCsv(text);
  const header = rows[0];
  if (!header) throw new CsvImportError(['the file is empty: a header row is needed']);
  const names = header.map((h) => h.trim().toLowerCase());
  const problems: string[] = [];
  for (const name of names) if (!known.includes(name)) problems.push(`line 1: unknown column "${name}"`);
  if (problems.length > 0) throw new CsvImportError(problems);
  return rows.slice(1).map((cells, i) => ({
    line: i + 2,
    get: (col: string) => {
      const index = names.indexOf(col);
      if (index < 0) return undefined;
      const value = cells[index]?.trim();
      return value === undefined || value === '' ? undefined : value;
    },
  }));
}

function list(value: string | undefined): string[] {
  return value === undefined
    ? []
    : value
        .split(';')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

const ROSTER_COLUMNS = ['id', 'name', 'tier', 'phone', 'cards', 'sizes', 'brands', 'notes', 'stores'] as const;
const CATALOG_COLUMNS = ['gtin', 'sku', 'style', 'color', 'size', 'name', 'brand', 'price'] as const;
const STORE_COLUMNS = ['id', 'name', 'region', 'timezone', 'currency'] as const;

/** Roster CSV → validated entries; throws CsvImportError listing every bad line. */
export function rosterFromCsv(text: string): RosterEntry[] {
  const out: RosterEntry[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const r of records(text, ROSTER_COLUMNS)) {
    const sizesText = list(r.get('sizes'));
    let sizes: string[] | Record<string, string> | undefined;
    if (sizesText.length > 0) {
      if (sizesText.some((s) => s.includes('='))) {
        const record: Record<string, string> = {};
        for (const pair of sizesText) {
          const at = pair.indexOf('=');
          record[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
        }
        sizes = record;
      } else {
        sizes = sizesText;
      }
    }
    const brands = list(r.get('brands'));
    const stores = list(r.get('stores'));
    const tierText = r.get('tier');
    const candidate = {
      id: r.get('id'),
      name: r.get('name'),
      tier: tierText === undefined ? undefined : Number(tierText),
      cards: list(r.get('cards')),
      ...(r.get('phone') !== undefined ? { phone: r.get('phone') } : {}),
      ...(sizes !== undefined ? { sizes } : {}),
      ...(brands.length > 0 ? { brands } : {}),
      ...(r.get('notes') !== undefined ? { notes: r.get('notes') } : {}),
      ...(stores.length > 0 ? { stores } : {}),
    };
    const checked = checkRosterEntry(candidate);
    if (!checked.ok) {
      problems.push(`line ${r.line}: ${checked.reason}`);
      continue;
    }
    const earlier = seen.get(checked.value.id);
    if (earlier !== undefined) {
      problems.push(`line ${r.line}: member ${checked.value.id} already on line ${earlier}`);
      continue;
    }
    seen.set(checked.value.id, r.line);
    out.push(checked.value);
  }
  if (problems.length > 0) throw new CsvImportError(problems);
  return out;
}

/** Catalog CSV → validated entries. */
export function catalogFromCsv(text: string): CatalogEntry[] {
  const out: CatalogEntry[] = [];
  const problems: string[] = [];
  for (const r of records(text, CATALOG_COLUMNS)) {
    const priceText = r.get('price');
    const candidate = {
      gtin: r.get('gtin'),
      sku: r.get('sku'),
      style: r.get('style'),
      color: r.get('color'),
      size: r.get('size'),
      name: r.get('name'),
      price: priceText === undefined ? undefined : Number(priceText),
      ...(r.get('brand') !== undefined ? { brand: r.get('brand') } : {}),
    };
    const checked = checkCatalogEntry(candidate);
    if (!checked.ok || !Number.isFinite(checked.value.price)) {
      problems.push(`line ${r.line}: ${checked.ok ? '/price: not a number' : checked.reason}`);
      continue;
    }
    out.push(checked.value);
  }
  if (problems.length > 0) throw new CsvImportError(problems);
  return out;
}

/** Stores CSV (id, name, region, timezone, currency): how HQ groups stores into regions. */
export function storesFromCsv(text: string, isTimeZone: (zone: string) => boolean): StoreImport[] {
  const out: StoreImport[] = [];
  const problems: string[] = [];
  for (const r of records(text, STORE_COLUMNS)) {
    const id = r.get('id');
    if (id === undefined || !/^[A-Za-z0-9_.:-]{1,64}$/.test(id)) {
      problems.push(`line ${r.line}: id must be a store id`);
      continue;
    }
    const timezone = r.get('timezone');
    if (timezone !== undefined && !isTimeZone(timezone)) {
      problems.push(`line ${r.line}: timezone ${timezone} is not an IANA zone`);
      continue;
    }
    const currency = r.get('currency');
    if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) {
      problems.push(`line ${r.line}: currency must be a 3-letter code`);
      continue;
    }
    const name = r.get('name');
    const region = r.get('region');
    out.push({
      id,
      ...(name !== undefined ? { name } : {}),
      ...(region !== undefined ? { region } : {}),
      ...(timezone !== undefined ? { timezone } : {}),
      ...(currency !== undefined ? { currency } : {}),
    });
  }
  if (problems.length > 0) throw new CsvImportError(problems);
  return out;
}

/** Roster entries → CSV text (the import format), for tools and tests. */
export function rosterToCsv(entries: readonly RosterEntry[]): string {
  const rows = entries.map((m) => [
    m.id,
    m.name,
    String(m.tier),
    m.phone ?? '',
    m.cards.join(';'),
    m.sizes === undefined
      ? ''
      : Array.isArray(m.sizes)
        ? m.sizes.join(';')
        : Object.entries(m.sizes)
            .map(([k, v]) => `${k}=${v}`)
            .join(';'),
    (m.brands ?? []).join(';'),
    m.notes ?? '',
    (m.stores ?? []).join(';'),
  ]);
  return toCsv([[...ROSTER_COLUMNS], ...rows], false);
}
