/**
 * Funnel CSV for Excel: UTF-8 with a byte-order mark (without it Excel on Windows reads
 * Chinese headers as mojibake), CRLF line ends, RFC 4180 quoting.
 */
import { csvCell as cell } from '../../common/csv.js';
import type { FunnelMetrics, FunnelResult } from './funnel.js';

const COLUMNS: readonly { key: keyof FunnelMetrics | 'start' | 'end'; en: string; zh: string }[] = [
  { key: 'start', en: 'Start', zh: '开始时间' },
  { key: 'end', en: 'End', zh: '结束时间' },
  { key: 'passersBy', en: 'Passers-by', zh: '过店客数' },
  { key: 'visitors', en: 'Visitors', zh: '进店客数' },
  { key: 'captureRate', en: 'Capture rate', zh: '进店率' },
  { key: 'tryOnSessions', en: 'Try-on sessions', zh: '试穿次数' },
  { key: 'tryOnRate', en: 'Try-on rate', zh: '试穿率' },
  { key: 'itemsTried', en: 'Items tried', zh: '试穿件数' },
  { key: 'transactions', en: 'Transactions', zh: '成交笔数' },
  { key: 'conversionRate', en: 'Conversion rate', zh: '成交率' },
  { key: 'units', en: 'Units', zh: '销售件数' },
  { key: 'revenue', en: 'Revenue', zh: '销售额' },
  { key: 'atv', en: 'ATV', zh: '客单价' },
  { key: 'upt', en: 'UPT', zh: '连带率' },
  { key: 'triedBought', en: 'Tried → bought', zh: '试穿成交件数' },
];

export function funnelCsv(result: FunnelResult, locale: 'zh-CN' | 'en'): string {
  const header = COLUMNS.map((c) => cell(locale === 'en' ? c.en : c.zh)).join(',');
  const rows = result.buckets.map((b) => COLUMNS.map((c) => cell(b[c.key])).join(','));
  const totalLabel = locale === 'en' ? 'Total' : '合计';
  const totals = COLUMNS.map((c) => {
    if (c.key === 'start') return cell(totalLabel);
    if (c.key === 'end') return '';
    return cell(result.totals[c.key]);
  }).join(',');
  return `\uFEFF${[header, ...rows, totals].join('\r\n')}\r\n`;
}
