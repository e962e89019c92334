/**
 * End-of-day receipts file of a till that can only export (DESIGN "Foreign formats"): a CSV
 * with one row per receipt line, columns named by the device's `import.columns` mapping,
 * rows grouped into `pos.receipt` messages by (receipt number, kind). Pure: text in,
 * messages or row errors out; journaling is gateway/pipeline/ingest/pos-receipts.ts.
 *
 * - Structural errors (a mapped column missing, a row whose receipt number, time, kind,
 *   quantity, price or article id cannot be read, rows of one receipt that disagree) fail the
 *   whole file with every bad row listed: a misread file would give wrong numbers, so nothing
 *   of it is imported.
 * - Receipts that read fine but break the receipt rules (checkReceipt: total ≠ lines, a
 *   negative sale, wrong currency, out of bounds) are not structural: they are rejected,
 *   counted and reported like a till's live receipt, and the rest of the file imports.
 * - Ids are stable (`file:{kind}:{receipt number}`), so importing the same file again, or a
 *   file that overlaps an earlier one, adds nothing.
 *
 * Rows are numbered as a spreadsheet shows them: the header is row 1. Text is UTF-8 (a BOM is
 * fine); a file that is not valid UTF-8 is read as GB18030 (what Excel in zh-CN saves CSV as).
 * Refunds and voids may be written negative (many tills do): their amounts are taken as
 * positive, as the contract sends them (the gateway subtracts them).
 */
import {
  isTimeZone,
  type LocalTime,
  localToEpoch,
  type PosReceiptMsg,
  type ReceiptLine,
  validLocal,
} from '../../../protocols/index.js';
import type { PosImport } from '../../infra/config/index.js';

export interface FileRowError {
  /** Spreadsheet row number (header = 1); 0 for the file as a whole. */
  readonly row: number;
  readonly reason: string;
}

export type ReceiptFileResult =
  | { readonly ok: true; readonly receipts: readonly PosReceiptMsg[]; readonly rows: number }
  | { readonly ok: false; readonly errors: readonly FileRowError[] };

export interface ReceiptFileOptions {
  /** The store's time zone, used unless the mapping names one. */
  readonly timeZone: string;
  /** The store's currency, used when the mapping has no currency column. */
  readonly currency: string;
}

/** Most errors listed (the file is refused anyway). */
const MAX_ERRORS = 50;
const MAX_LINES = 500;
const KIND_DEFAULTS = { sale: 'sale', refund: 'refund', void: 'void' } as const;
type Kind = keyof typeof KIND_DEFAULTS;

/** Bytes of a CSV file → text: UTF-8 (BOM dropped), else GB18030. */
export function decodeCsvBytes(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('gb18030').decode(bytes);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * RFC 4180 records: fields separated by `delimiter`, quoted with `"` (a `""` inside quotes is
 * one quote; quoted fields may hold delimiters and line breaks); CRLF or LF line ends.
 */
export function parseCsv(text: string, delimiter = ','): { records: string[][]; error?: FileRowError } {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let i = 0;
  const endRecord = () => {
    record.push(field);
    records.push(record);
    record = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== delimiter && next !== '\r' && next !== '\n') {
          return { records, error: { row: records.length + 1, reason: 'text after a closing quote' } };
        }
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === delimiter) {
      record.push(field);
      field = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) return { records, error: { row: records.length + 1, reason: 'a quoted field is not closed' } };
  if (field !== '' || record.length > 0) endRecord();
  return { records };
}

/** The delimiter of the header line: `,`, `;` or a tab, whichever it has most of. */
function sniffDelimiter(text: string): string {
  const end = text.search(/\r|\n/);
  const header = end < 0 ? text : text.slice(0, end);
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t']) {
    const n = header.split(d).length - 1;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

interface Row {
  readonly row: number;
  readonly receipt: string;
  readonly kind: Kind;
  readonly ts: number;
  readonly line: ReceiptLine;
  readonly total?: number;
  readonly member?: string;
  readonly currency: string;
}

/** Reads a receipts CSV with the device's column mapping. */
export function parseReceiptsCsv(text: string, mapping: PosImport, options: ReceiptFileOptions): ReceiptFileResult {
  const timeZone = mapping.timezone ?? options.timeZone;
  if (!isTimeZone(timeZone)) return fail([{ row: 0, reason: `unknown time zone ${timeZone}` }]);
  const parsed = parseCsv(text, sniffDelimiter(text));
  if (parsed.error) return fail([parsed.error]);
  const records = parsed.records;
  const header = records[0]?.map((h) => h.trim());
  if (!header || header.every((h) => h === '')) return fail([{ row: 0, reason: 'the file is empty' }]);

  const columns = mapping.columns;
  const index: Partial<Record<keyof typeof columns, number>> = {};
  const missing: string[] = [];
  for (const [key, name] of Object.entries(columns) as [keyof typeof columns, string | undefined][]) {
    if (name === undefined) continue;
    const at = header.indexOf(name.trim());
    if (at < 0) missing.push(`no column ${JSON.stringify(name)} (${key})`);
    else index[key] = at;
  }
  if (missing.length > 0) {
    return fail([
      { row: 1, reason: `${missing.join('; ')}; the header has ${header.map((h) => JSON.stringify(h)).join(', ')}` },
    ]);
  }

  const kindOf = new Map<string, Kind>();
  for (const kind of Object.keys(KIND_DEFAULTS) as Kind[]) {
    kindOf.set((mapping.kindValues?.[kind] ?? KIND_DEFAULTS[kind]).trim().toLowerCase(), kind);
  }
  const readTime = timeReader(mapping.dateFormat, timeZone);
  const errors: FileRowError[] = [];
  const rows: Row[] = [];

  for (const [r, record] of records.entries()) {
    if (r === 0 || record.every((cell) => cell.trim() === '')) continue;
    const rowNo = r + 1;
    const problems: string[] = [];
    const cell = (key: keyof typeof columns): string | undefined => {
      const at = index[key];
      return at === undefined ? undefined : (record[at] ?? '').trim();
    };
    const name = (key: keyof typeof columns): string => JSON.stringify(columns[key]);

    const receipt = cell('receipt') ?? '';
    if (receipt === '' || receipt.length > 64)
      problems.push(`${name('receipt')}: a receipt number of 1–64 characters is needed`);

    let kind: Kind = 'sale';
    const kindText = cell('kind');
    if (kindText !== undefined) {
      const k = kindOf.get(kindText.toLowerCase());
      if (k === undefined) {
        const known = [...kindOf.keys()].map((w) => JSON.stringify(w)).join(', ');
        problems.push(`${name('kind')}: ${JSON.stringify(kindText)} is none of ${known}`);
      } else kind = k;
    }
    const ts = readTime(cell('ts') ?? '');
    if (ts === undefined)
      problems.push(
        `${name('ts')}: ${JSON.stringify(cell('ts'))} is not a time${mapping.dateFormat ? ` in the format ${mapping.dateFormat}` : ''}`,
      );

    const signed = kind !== 'sale';
    const qty = readNumber(cell('qty') ?? '', signed);
    if (qty === undefined || !Number.isInteger(qty))
      problems.push(`${name('qty')}: ${JSON.stringify(cell('qty'))} is not a whole number`);
    const price = readNumber(cell('price') ?? '', signed);
    if (price === undefined) problems.push(`${name('price')}: ${JSON.stringify(cell('price'))} is not a number`);
    let total: number | undefined;
    const totalText = cell('total');
    if (totalText !== undefined && totalText !== '') {
      total = readNumber(totalText, signed);
      if (total === undefined) problems.push(`${name('total')}: ${JSON.stringify(totalText)} is not a number`);
    }

    const sku = cell('sku') || undefined;
    const gtin = cell('gtin') || undefined;
    const epc = cell('epc') || undefined;
    if (sku === undefined && gtin === undefined && epc === undefined) {
      const mapped = (['sku', 'gtin', 'epc'] as const).filter((k) => columns[k] !== undefined).map(name);
      problems.push(`no article: ${mapped.join(', ')} ${mapped.length > 1 ? 'are all' : 'is'} empty`);
    }
    if (sku !== undefined && sku.length > 64) problems.push(`${name('sku')}: longer than 64 characters`);
    if (gtin !== undefined && !/^[0-9]{8,14}$/.test(gtin))
      problems.push(`${name('gtin')}: ${JSON.stringify(gtin)} is not a GTIN (8–14 digits)`);
    if (epc !== undefined && !/^[0-9A-Fa-f]{8,64}$/.test(epc)) {
      problems.push(`${name('epc')}: ${JSON.stringify(epc)} is not a hex EPC`);
    }
    const member = cell('member') || undefined;
    if (member !== undefined && member.length > 64) problems.push(`${name('member')}: longer than 64 characters`);
    const currency = (cell('currency') || options.currency).toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency))
      problems.push(`${name('currency')}: ${JSON.stringify(currency)} is not an ISO 4217 code`);

    if (problems.length > 0) {
      errors.push({ row: rowNo, reason: problems.join('; ') });
      if (errors.length >= MAX_ERRORS) break;
      continue;
    }
    rows.push({
      row: rowNo,
      receipt,
      kind,
      ts: ts as number,
      line: {
        ...(epc !== undefined ? { epc } : {}),
        ...(gtin !== undefined ? { gtin } : {}),
        ...(sku !== undefined ? { sku } : {}),
        qty: qty as number,
        price: price as number,
      },
      ...(total !== undefined ? { total } : {}),
      ...(member !== undefined ? { member } : {}),
      currency,
    });
  }
  if (errors.length > 0) return fail(errors);
  if (rows.length === 0) return fail([{ row: 0, reason: 'the file has a header but no receipt lines' }]);

  // Group by (receipt number, kind): a refund may carry the number of the sale it returns.
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = `${row.kind}\u0000${row.receipt}`;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  const receipts: PosReceiptMsg[] = [];
  for (const group of groups.values()) {
    const first = group[0] as Row;
    const rowList = group.map((r) => r.row).join(', ');
    const disagree = (what: string, values: readonly (string | number | undefined)[]) => {
      const seen = [...new Set(values.filter((v) => v !== undefined))];
      if (seen.length > 1) {
        errors.push({
          row: first.row,
          reason: `receipt ${first.receipt} (${first.kind}, rows ${rowList}): ${what} differs between its lines (${seen.join(' / ')})`,
        });
        return true;
      }
      return false;
    };
    const totals = group.map((r) => (r.total === undefined ? undefined : Math.round(r.total * 100) / 100));
    if (
      disagree('the total', totals) ||
      disagree(
        'the member',
        group.map((r) => r.member),
      )
    )
      continue;
    if (
      disagree(
        'the currency',
        group.map((r) => r.currency),
      )
    )
      continue;
    if (group.length > MAX_LINES) {
      errors.push({ row: first.row, reason: `receipt ${first.receipt}: ${group.length} lines, at most ${MAX_LINES}` });
      continue;
    }
    const ts = Math.min(...group.map((r) => r.ts));
    const lines = group.map((r) => r.line);
    const givenTotal = totals.find((t) => t !== undefined);
    const total = givenTotal ?? Math.round(lines.reduce((sum, l) => sum + Math.round(l.qty * l.price * 100), 0)) / 100;
    receipts.push({
      v: 1,
      type: 'pos.receipt',
      id: `file:${first.kind}:${first.receipt}`,
      ts: new Date(ts).toISOString(),
      receipt: first.receipt,
      kind: first.kind,
      ...(first.member !== undefined ? { member: first.member } : {}),
      lines,
      total,
      currency: first.currency,
    });
  }
  if (errors.length > 0) return fail(errors.sort((a, b) => a.row - b.row));
  return { ok: true, receipts, rows: rows.length };
}

function fail(errors: FileRowError[]): ReceiptFileResult {
  return { ok: false, errors: errors.slice(0, MAX_ERRORS) };
}

/**
 * A decimal as tills write it: `1234.5`, `1,234.50`, `¥1234.50`, `-3`. `absolute`: a minus
 * sign is dropped (refund and void amounts).
 */
function readNumber(text: string, absolute: boolean): number | undefined {
  const cleaned = text.replace(/[\s,¥￥]/g, '');
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(cleaned)) return undefined;
  const n = Number(cleaned);
  if (!Number.isFinite(n)) return undefined;
  return absolute ? Math.abs(n) : n;
}

const TOKENS: Record<string, { re: string; field: keyof LocalTime }> = {
  YYYY: { re: '(\\d{4})', field: 'year' },
  MM: { re: '(\\d{2})', field: 'month' },
  M: { re: '(\\d{1,2})', field: 'month' },
  DD: { re: '(\\d{2})', field: 'day' },
  D: { re: '(\\d{1,2})', field: 'day' },
  HH: { re: '(\\d{2})', field: 'hour' },
  H: { re: '(\\d{1,2})', field: 'hour' },
  mm: { re: '(\\d{2})', field: 'minute' },
  ss: { re: '(\\d{2})', field: 'second' },
};

/**
 * A reader of the time column. With `format` (tokens YYYY MM M DD D HH H mm ss; anything
 * else is literal) the cell must match it; without, RFC 3339 with an offset, or a local
 * `YYYY-MM-DD HH:mm[:ss]` (also with `/` or `.` between the date parts, or a `T`).
 */
export function timeReader(format: string | undefined, timeZone: string): (text: string) => number | undefined {
  let pattern: RegExp;
  let fields: (keyof LocalTime)[];
  if (format !== undefined) {
    fields = [];
    let source = '';
    let rest = format;
    while (rest.length > 0) {
      const token = ['YYYY', 'MM', 'DD', 'HH', 'mm', 'ss', 'M', 'D', 'H'].find((t) => rest.startsWith(t));
      if (token) {
        const spec = TOKENS[token] as { re: string; field: keyof LocalTime };
        source += spec.re;
        fields.push(spec.field);
        rest = rest.slice(token.length);
      } else {
        source += (rest[0] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        rest = rest.slice(1);
      }
    }
    pattern = new RegExp(`^${source}$`);
  } else {
    pattern = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
    fields = ['year', 'month', 'day', 'hour', 'minute', 'second'];
  }
  return (text) => {
    if (format === undefined && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
      const ms = Date.parse(text);
      return Number.isFinite(ms) ? ms : undefined;
    }
    const m = pattern.exec(text);
    if (!m) return undefined;
    const t: Record<keyof LocalTime, number> = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
    for (const [i, field] of fields.entries()) {
      const value = m[i + 1];
      if (value !== undefined) t[field] = Number(value);
    }
    if (!validLocal(t)) return undefined;
    return localToEpoch(t, timeZone);
  };
}
