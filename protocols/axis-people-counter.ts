/**
 * AXIS People Counter (VAPIX application API, `/local/tvpc/.api`), pure parsing.
 *
 * Live, `GET /local/tvpc/.api?live-sum.json` (People counter API, "Request real-time data"):
 *
 *   {"serial":"00408CAC512B","name":"Exit south","timestamp":"20170503112756","in":12,"out":318}
 *
 * `timestamp` is the camera's local time `YYYYMMDDhhmmss`; `in` is "the number of people
 * passing in until now today", `out` likewise: cumulative counts of the camera's day.
 *
 * History, `GET /local/tvpc/.api?export-csv&date=YYYYMMDD&res=15m` ("Request CSV data";
 * res 15m/1h/24h): "the first line contains a description of each element, and the following
 * lines contain the corresponding data for the chosen time interval and resolution". The
 * header cameras send is `Interval start,Interval stop,Camera serial number,Counter name,
 * Pedestrians coming in,Pedestrians going out` with local times `YYYY-MM-DD hh:mm:ss`;
 * columns are found by their header, so an added column does not break parsing. (The API
 * also offers `export-json`, but documents no shape for it; the CSV header is known.)
 */
import { accept, type Decoded, type Rejection, reject } from './result.js';
import { type LocalTime, localToEpoch, validLocal } from './zoned-time.js';

export const AXIS_TVPC_PATH = '/local/tvpc/.api';

export interface AxisLiveSum {
  readonly serial: string;
  readonly name: string;
  /** Camera time, epoch ms. */
  readonly ts: number;
  /** The camera's day (`YYYYMMDD` of its local time): `in`/`out` count from its midnight. */
  readonly day: string;
  readonly in: number;
  readonly out: number;
}

export interface AxisHistoryRow {
  /** [start, end) epoch ms. */
  readonly start: number;
  readonly end: number;
  readonly in: number;
  readonly out: number;
}

const MAX_COUNT = 10_000_000;

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_COUNT;
}

/** `YYYYMMDDhhmmss` → fields. */
function compactTime(text: string): LocalTime | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const t = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
  };
  return validLocal(t) ? t : undefined;
}

/** `YYYY-MM-DD hh:mm:ss` (or with `T`) → fields. */
function spacedTime(text: string): LocalTime | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const t = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6] ?? 0),
  };
  return validLocal(t) ? t : undefined;
}

/** The body of `live-sum.json`, read in the camera's zone. */
export function parseAxisLiveSum(text: string, zone: string): Decoded<AxisLiveSum> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return reject('malformed-json', `live-sum.json is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return reject('schema', 'live-sum.json is not an object');
  const b = body as Record<string, unknown>;
  if (!isCount(b.in) || !isCount(b.out)) return reject('schema', 'live-sum.json in/out are not counts');
  const t = typeof b.timestamp === 'string' ? compactTime(b.timestamp) : undefined;
  if (!t) return reject('schema', `live-sum.json timestamp ${JSON.stringify(b.timestamp)} is not YYYYMMDDhhmmss`);
  return accept({
    serial: typeof b.serial === 'string' ? b.serial.slice(0, 64) : '',
    name: typeof b.name === 'string' ? b.name.slice(0, 64) : '',
    ts: localToEpoch(t, zone),
    day: (b.timestamp as string).slice(0, 8),
    in: b.in,
    out: b.out,
  });
}

/** Splits one CSV line (quotes allowed, as a counter name may hold a comma). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

/**
 * An `export-csv` answer → rows (sorted by start). A bad row is rejected alone; a missing
 * header (or one without the time and count columns) rejects the whole answer.
 */
export function parseAxisHistoryCsv(
  text: string,
  zone: string,
): Decoded<{ rows: AxisHistoryRow[]; rejected: Rejection[] }> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0] === undefined ? [] : csvFields(lines[0].replace(/^\uFEFF/, '')).map((h) => h.toLowerCase());
  const col = (name: string): number => header.indexOf(name);
  const iStart = col('interval start');
  const iStop = col('interval stop');
  const iIn = col('pedestrians coming in');
  const iOut = col('pedestrians going out');
  if (iStart < 0 || iStop < 0 || iIn < 0 || iOut < 0) {
    return reject(
      'schema',
      `export-csv header without interval and pedestrian columns: ${JSON.stringify((lines[0] ?? '').slice(0, 120))}`,
    );
  }
  const rows: AxisHistoryRow[] = [];
  const rejected: Rejection[] = [];
  for (const line of lines.slice(1)) {
    const f = csvFields(line);
    const s = spacedTime(f[iStart] ?? '');
    const e = spacedTime(f[iStop] ?? '');
    const nIn = /^\d{1,8}$/.test(f[iIn] ?? '') ? Number(f[iIn]) : Number.NaN;
    const nOut = /^\d{1,8}$/.test(f[iOut] ?? '') ? Number(f[iOut]) : Number.NaN;
    const start = s ? localToEpoch(s, zone) : Number.NaN;
    const end = e ? localToEpoch(e, zone) : Number.NaN;
    if (!(end > start) || !isCount(nIn) || !isCount(nOut)) {
      rejected.push(reject('schema', `bad export-csv row ${JSON.stringify(line.slice(0, 120))}`));
      continue;
    }
    rows.push({ start, end, in: nIn, out: nOut });
  }
  rows.sort((a, b) => a.start - b.start);
  return accept({ rows, rejected });
}
