/**
 * Funnel CSV for Excel: UTF-8 with a byte-order mark (without it Excel on Windows reads
 * Chinese headers as mojibake), CRLF line ends, RFC 4180 quoting. Cells are what Excel
 * recognises when it opens the file: store-local times as `2026-12-03 09:15` (dates alone
 * for day and longer rows), rates as `21.8%` (one decimal, as on screen), money and UPT
 * with two decimals. Comparison columns follow the period's own ones when asked for.
 */
import { csvCell } from '../../../common/csv.js';
import type { Comparison } from './compare.js';
import type { FunnelMetrics, FunnelResult } from './funnel.js';

type MetricKey = Exclude<keyof FunnelMetrics, 'exits' | 'estimatedDwellMinutes'>;
type Kind = 'int' | 'rate' | 'money' | 'decimal';

const METRICS: readonly { key: MetricKey; kind: Kind; en: string; zh: string }[] = [
  { key: 'passersBy', kind: 'int', en: 'Passers-by', zh: '过店客数' },
  { key: 'visitors', kind: 'int', en: 'Visitors', zh: '进店客数' },
  { key: 'captureRate', kind: 'rate', en: 'Capture rate', zh: '进店率' },
  { key: 'tryOnSessions', kind: 'int', en: 'Try-on sessions', zh: '试穿次数' },
  { key: 'tryOnRate', kind: 'rate', en: 'Try-on rate', zh: '试穿率' },
  { key: 'itemsTried', kind: 'int', en: 'Items tried', zh: '试穿件数' },
  { key: 'transactions', kind: 'int', en: 'Transactions', zh: '成交笔数' },
  { key: 'conversionRate', kind: 'rate', en: 'Conversion rate', zh: '成交率' },
  { key: 'units', kind: 'int', en: 'Units', zh: '销售件数' },
  { key: 'revenue', kind: 'money', en: 'Revenue', zh: '销售额' },
  { key: 'atv', kind: 'money', en: 'ATV', zh: '客单价' },
  { key: 'upt', kind: 'decimal', en: 'UPT', zh: '连带率' },
  { key: 'triedBought', kind: 'int', en: 'Tried → bought', zh: '试穿成交件数' },
];

const COMPARISON_LABEL: Readonly<Record<Comparison, { en: string; zh: string }>> = {
  previous: { en: 'previous', zh: '上期' },
  lastYear: { en: 'last year', zh: '去年同期' },
};

export interface CsvRow {
  /** RFC 3339 with the store's offset (as the API answers). */
  readonly start: string;
  readonly end: string;
  readonly metrics: FunnelMetrics;
  /** Per comparison: its period's start (RFC 3339) and figures, or null when it has none. */
  readonly comparisons?: Readonly<Partial<Record<Comparison, { start: string; metrics: FunnelMetrics } | null>>>;
}

export interface CsvOptions {
  readonly comparisons?: readonly Comparison[];
  /** Totals of each comparison period, for the totals row. */
  readonly comparisonTotals?: Readonly<Partial<Record<Comparison, FunnelMetrics>>>;
}

function figure(kind: Kind, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '';
  switch (kind) {
    case 'int':
      return String(Math.round(value));
    case 'rate':
      return `${(Math.round(value * 1000) / 10).toFixed(1)}%`;
    case 'money':
    case 'decimal':
      return (Math.round(value * 100) / 100).toFixed(2);
  }
}

/** A local time Excel reads as a date-time: the wall-clock part of the API's RFC 3339 time. */
export function excelTime(rfc3339: string, dateOnly: boolean): string {
  const date = rfc3339.slice(0, 10);
  return dateOnly ? date : `${date} ${rfc3339.slice(11, 16)}`;
}

/** The day before an exclusive day end ('2026-12-04T00:00…' → '2026-12-03'), for inclusive date columns. */
function lastDay(rfc3339End: string): string {
  const date = new Date(`${rfc3339End.slice(0, 10)}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}

export function funnelCsv(
  result: Pick<FunnelResult, 'granularity' | 'totals'>,
  rows: readonly CsvRow[],
  locale: 'zh-CN' | 'en',
  options: CsvOptions = {},
): string {
  const zh = locale === 'zh-CN';
  const dateOnly = result.granularity === 'day' || result.granularity === 'week' || result.granularity === 'month';
  const comparisons = options.comparisons ?? [];
  const header = [zh ? '开始时间' : 'Start', zh ? '结束时间' : 'End', ...METRICS.map((m) => (zh ? m.zh : m.en))];
  for (const c of comparisons) {
    const label = zh ? COMPARISON_LABEL[c].zh : COMPARISON_LABEL[c].en;
    header.push(zh ? `${label}开始时间` : `Start (${label})`);
    for (const m of METRICS) header.push(zh ? `${m.zh}（${label}）` : `${m.en} (${label})`);
  }
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) {
    const cells = [
      excelTime(row.start, dateOnly),
      dateOnly ? lastDay(row.end) : excelTime(row.end, false),
      ...METRICS.map((m) => figure(m.kind, row.metrics[m.key])),
    ];
    for (const c of comparisons) {
      const other = row.comparisons?.[c];
      cells.push(other ? excelTime(other.start, dateOnly) : '');
      for (const m of METRICS) cells.push(other ? figure(m.kind, other.metrics[m.key]) : '');
    }
    lines.push(cells.map(csvCell).join(','));
  }
  const totals = [zh ? '合计' : 'Total', '', ...METRICS.map((m) => figure(m.kind, result.totals[m.key]))];
  for (const c of comparisons) {
    const other = options.comparisonTotals?.[c];
    totals.push('');
    for (const m of METRICS) totals.push(other ? figure(m.kind, other[m.key]) : '');
  }
  lines.push(totals.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
