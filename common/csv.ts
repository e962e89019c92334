/**
 * The low-level CSV writer the store's and HQ's exports share: RFC 4180 quoting, numbers
 * to at most 4 decimals, null/undefined as an empty cell, CR-LF line ends, and a UTF-8
 * byte-order mark by default (without it Excel on Windows reads Chinese headers as
 * mojibake). What goes in the columns stays with each export.
 */

/** One cell: quoted when it holds `"`, `,`, CR or LF. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(Math.round(value * 10_000) / 10_000) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One row of cells, without the line end. */
export function csvRow(cells: readonly unknown[]): string {
  return cells.map(csvCell).join(',');
}

/** Rows → CSV text, CR-LF line ends (also after the last row), with a UTF-8 BOM unless `bom` is false. */
export function toCsv(rows: readonly (readonly unknown[])[], bom = true): string {
  return `${bom ? '\uFEFF' : ''}${rows.map(csvRow).join('\r\n')}\r\n`;
}
