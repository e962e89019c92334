/**
 * Hikvision ISAPI people counting (pure: parse and build, no I/O).
 *
 * Live: `GET /ISAPI/Event/notification/alertStream` answers a long-lived `multipart/mixed`
 * response; each part is an XML `EventNotificationAlert`. A people counting camera sends
 * eventType `PeopleCounting` with a `peopleCounting` block in one of the two documented
 * statistics methods (Hikvision People Counting developer guide, XML_EventNotificationAlert;
 * the shapes below are the ones cameras send, as integrations quote them):
 *
 *   <EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
 *     <channelID>1</channelID><dateTime>2021-10-12T19:15:00+08:00</dateTime>
 *     <eventType>PeopleCounting</eventType><eventState>active</eventState>
 *     <peopleCounting>
 *       <statisticalMethods>timeRange</statisticalMethods>
 *       <TimeRange><startTime>2021-10-12T19:00:00+08:00</startTime>
 *                  <endTime>2021-10-12T19:15:00+08:00</endTime></TimeRange>
 *       <enter>0</enter><exit>1</exit>
 *     </peopleCounting>
 *   </EventNotificationAlert>
 *
 * `timeRange`: counts of that statistics period. `realTime` (`<RealTime><time>`): the
 * counts so far today, sent when they change. Other event types (the `videoloss` heartbeat
 * a camera sends while idle, motion, …) are returned as `other` so the caller can use them as
 * keep-alives.
 *
 * Backfill: `POST /ISAPI/System/Video/inputs/channels/{n}/counting/search` with
 * `XML_CountingStatisticsDescription` (reportType `daily` → one `matchElement` per hour) →
 * `XML_CountingStatisticsResult` (`matchList/matchElement`: `timeSpan` startTime/endTime in
 * local time without offset, end inclusive to the second, `enterCount`, `exitCount`).
 */
import { accept, type Decoded, type Rejection, reject } from './result.js';
import { type LocalTime, localToEpoch, validLocal } from './zoned-time.js';

export type HikvisionAlert =
  | {
      readonly kind: 'people-counting';
      readonly channel: number | undefined;
      /** The alert's own time (camera clock). */
      readonly dateTime: number;
      readonly method: 'realTime';
      /** When the counts were taken. */
      readonly time: number;
      readonly enter: number;
      readonly exit: number;
    }
  | {
      readonly kind: 'people-counting';
      readonly channel: number | undefined;
      readonly dateTime: number;
      readonly method: 'timeRange';
      /** The statistics period, [start, end). */
      readonly start: number;
      readonly end: number;
      readonly enter: number;
      readonly exit: number;
    }
  | {
      readonly kind: 'other';
      readonly eventType: string;
      readonly channel: number | undefined;
      readonly dateTime: number | undefined;
    };

export interface CountingPeriod {
  /** [start, end) in epoch ms. */
  readonly start: number;
  readonly end: number;
  readonly enter: number;
  readonly exit: number;
}

/** Largest count accepted in one period or day; more is a broken message. */
const MAX_COUNT = 10_000_000;

// ---- tiny XML extraction: the few fields above, namespaces ignored, no DTDs ----

function tagPattern(name: string, flags: string): RegExp {
  return new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}\\s*>`, flags);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e] ?? '');
}

/** Text of the first element `name` (any namespace prefix), trimmed; undefined when absent. */
export function xmlText(xml: string, name: string): string | undefined {
  const m = tagPattern(name, '').exec(xml);
  return m ? unescapeXml((m[1] ?? '').trim()) : undefined;
}

/** Inner XML of every element `name`. */
export function xmlBlocks(xml: string, name: string): string[] {
  return [...xml.matchAll(tagPattern(name, 'g'))].map((m) => m[1] ?? '');
}

// ---- times ----

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** ISAPI time → epoch ms: with its offset when it has one, else local time in `zone`. */
export function parseIsapiTime(text: string, zone: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const t: LocalTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
  };
  if (!validLocal(t)) return undefined;
  const off = m[7];
  if (off === undefined) return localToEpoch(t, zone);
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  if (off === 'Z') return wall;
  const sign = off[0] === '-' ? -1 : 1;
  const digits = off.slice(1).replace(':', '');
  return wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

function count(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,8}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= MAX_COUNT ? n : undefined;
}

function channelOf(xml: string): number | undefined {
  const text = xmlText(xml, 'channelID') ?? xmlText(xml, 'dynChannelID');
  return text !== undefined && /^\d{1,4}$/.test(text) ? Number(text) : undefined;
}

/** One `EventNotificationAlert` part of the alert stream. */
export function parseHikvisionAlert(xml: string, zone: string): Decoded<HikvisionAlert> {
  if (!/<(?:[\w.-]+:)?EventNotificationAlert[\s>]/.test(xml)) {
    return reject('bad-frame', 'not an EventNotificationAlert');
  }
  const eventType = xmlText(xml, 'eventType');
  if (!eventType) return reject('schema', 'EventNotificationAlert without eventType');
  const channel = channelOf(xml);
  const dateText = xmlText(xml, 'dateTime');
  const dateTime = dateText === undefined ? undefined : parseIsapiTime(dateText, zone);
  if (eventType.toLowerCase() !== 'peoplecounting') {
    return accept({ kind: 'other', eventType, channel, dateTime });
  }
  if (dateTime === undefined) return reject('schema', `PeopleCounting with a bad dateTime ${JSON.stringify(dateText)}`);
  const block = xmlBlocks(xml, 'peopleCounting')[0];
  if (block === undefined) return reject('schema', 'PeopleCounting without a peopleCounting block');
  const enter = count(xmlText(block, 'enter'));
  const exit = count(xmlText(block, 'exit'));
  if (enter === undefined || exit === undefined)
    return reject('schema', 'PeopleCounting enter/exit missing or not counts');
  const method = xmlText(block, 'statisticalMethods');
  if (method === 'realTime') {
    const timeText = xmlText(xmlBlocks(block, 'RealTime')[0] ?? '', 'time');
    const time = timeText === undefined ? dateTime : parseIsapiTime(timeText, zone);
    if (time === undefined) return reject('schema', `PeopleCounting RealTime/time ${JSON.stringify(timeText)}`);
    return accept({ kind: 'people-counting', channel, dateTime, method, time, enter, exit });
  }
  if (method === 'timeRange') {
    const range = xmlBlocks(block, 'TimeRange')[0] ?? '';
    const start = parseIsapiTime(xmlText(range, 'startTime') ?? '', zone);
    const end = parseIsapiTime(xmlText(range, 'endTime') ?? '', zone);
    if (start === undefined || end === undefined || end <= start) {
      return reject('schema', 'PeopleCounting TimeRange without a valid startTime < endTime');
    }
    return accept({ kind: 'people-counting', channel, dateTime, method, start, end, enter, exit });
  }
  return reject('unsupported', `PeopleCounting statisticalMethods ${JSON.stringify(method)}`);
}

/**
 * The request body of a counting search for one local day, as the developer guide's example:
 * reportType `daily` gives one result per hour.
 */
export function hikvisionCountingSearchXml(day: LocalTime): string {
  const d = `${String(day.year).padStart(4, '0')}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<CountingStatisticsDescription version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">\n' +
    '  <reportType>daily</reportType>\n' +
    `  <timeSpanList><timeSpan><startTime>${d}T00:00:00</startTime><endTime>${d}T23:59:59</endTime></timeSpan></timeSpanList>\n` +
    '</CountingStatisticsDescription>\n'
  );
}

/**
 * `CountingStatisticsResult` → periods. An end time on a whole second minus one
 * (`00:59:59`, the inclusive form the camera answers with) is read as the next second, so
 * hours are [00:00, 01:00). A bad element is rejected alone; the others are kept.
 */
export function parseHikvisionCountingResult(
  xml: string,
  zone: string,
): Decoded<{ periods: CountingPeriod[]; rejected: Rejection[] }> {
  if (!/<(?:[\w.-]+:)?CountingStatisticsResult[\s>]/i.test(xml)) {
    const status = xmlText(xml, 'statusString') ?? xmlText(xml, 'subStatusCode');
    return reject('schema', `not a CountingStatisticsResult${status ? ` (${status})` : ''}`);
  }
  const periods: CountingPeriod[] = [];
  const rejected: Rejection[] = [];
  for (const el of xmlBlocks(xml, 'matchElement')) {
    const span = xmlBlocks(el, 'timeSpan')[0] ?? '';
    const startText = xmlText(span, 'startTime') ?? '';
    const endText = xmlText(span, 'endTime') ?? '';
    const start = parseIsapiTime(startText, zone);
    let end = parseIsapiTime(endText, zone);
    const enter = count(xmlText(el, 'enterCount'));
    const exit = count(xmlText(el, 'exitCount'));
    if (end !== undefined && /:59$/.test(endText.replace(/(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?$/, ''))) end += 1000;
    if (start === undefined || end === undefined || end <= start || enter === undefined || exit === undefined) {
      rejected.push(reject('schema', `bad matchElement ${JSON.stringify(el.slice(0, 200))}`));
      continue;
    }
    periods.push({ start, end, enter, exit });
  }
  periods.sort((a, b) => a.start - b.start);
  return accept({ periods, rejected });
}

// ---- multipart/mixed stream ----

export interface MultipartPart {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface MultipartBatch {
  readonly parts: MultipartPart[];
  readonly rejected: Rejection[];
}

/** The boundary of a `multipart/mixed; boundary=...` content type. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

/**
 * Splits a `multipart/mixed` byte stream into parts (RFC 2046 §5.1): `--boundary` lines,
 * part headers, a blank line, the body (Content-Length when given, else up to the next
 * delimiter). Bytes that are not a part are skipped and reported once per run; a part
 * bigger than `maxPartBytes` is dropped and reported, and parsing resyncs on the next
 * delimiter.
 */
export class MultipartStreamParser {
  readonly #delimiter: Buffer;
  readonly #maxPart: number;
  #buf: Buffer = Buffer.alloc(0);
  #state: 'seek' | 'headers' | 'body' = 'seek';
  #headers: Record<string, string> = {};
  #length: number | undefined;
  #skipped = 0;

  constructor(boundary: string, options: { maxPartBytes?: number } = {}) {
    this.#delimiter = Buffer.from(`--${boundary}`, 'latin1');
    this.#maxPart = options.maxPartBytes ?? 256 * 1024;
  }

  reset(): void {
    this.#buf = Buffer.alloc(0);
    this.#state = 'seek';
    this.#skipped = 0;
  }

  push(chunk: Uint8Array): MultipartBatch {
    this.#buf = this.#buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buf, chunk]);
    const parts: MultipartPart[] = [];
    const rejected: Rejection[] = [];
    for (;;) {
      if (this.#state === 'seek') {
        const at = this.#buf.indexOf(this.#delimiter);
        if (at < 0) {
          // Keep a tail that may be the start of a delimiter; the rest is not a part.
          const keep = Math.min(this.#buf.length, this.#delimiter.length + 1);
          this.#skip(this.#buf.subarray(0, this.#buf.length - keep));
          this.#buf = this.#buf.subarray(this.#buf.length - keep);
          this.#reportSkipped(rejected);
          break;
        }
        this.#skip(this.#buf.subarray(0, at));
        this.#reportSkipped(rejected);
        const lineEnd = this.#buf.indexOf('\n', at);
        if (lineEnd < 0) break;
        this.#buf = this.#buf.subarray(lineEnd + 1);
        this.#state = 'headers';
        this.#headers = {};
        this.#length = undefined;
      }
      if (this.#state === 'headers') {
        const end = this.#headerEnd();
        if (end === undefined) {
          if (this.#buf.length > 16 * 1024) {
            rejected.push(reject('too-large', 'part headers over 16 KB'));
            this.#state = 'seek';
          }
          break;
        }
        const text = this.#buf.subarray(0, end.at).toString('latin1');
        this.#buf = this.#buf.subarray(end.at + end.len);
        for (const line of text.split(/\r?\n/)) {
          const colon = line.indexOf(':');
          if (colon > 0) this.#headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const cl = this.#headers['content-length'];
        this.#length = cl !== undefined && /^\d{1,9}$/.test(cl) ? Number(cl) : undefined;
        if (this.#length !== undefined && this.#length > this.#maxPart) {
          rejected.push(reject('too-large', `part of ${this.#length} bytes`));
          this.#state = 'seek';
          continue;
        }
        this.#state = 'body';
      }
      if (this.#state === 'body') {
        let body: Buffer;
        if (this.#length !== undefined) {
          if (this.#buf.length < this.#length) break;
          body = this.#buf.subarray(0, this.#length);
          this.#buf = this.#buf.subarray(this.#length);
        } else {
          const at = this.#buf.indexOf(this.#delimiter);
          if (at < 0) {
            if (this.#buf.length > this.#maxPart) {
              rejected.push(reject('too-large', `part over ${this.#maxPart} bytes without Content-Length`));
              this.#buf = Buffer.alloc(0);
              this.#state = 'seek';
            }
            break;
          }
          body = this.#buf.subarray(0, at);
          this.#buf = this.#buf.subarray(at);
        }
        parts.push({ headers: this.#headers, body: body.toString('utf8').replace(/\r?\n$/, '') });
        this.#state = 'seek';
      }
    }
    return { parts, rejected };
  }

  #headerEnd(): { at: number; len: number } | undefined {
    // An empty header block: the body starts at once after the delimiter line.
    if (this.#buf.subarray(0, 2).toString('latin1') === '\r\n') return { at: 0, len: 2 };
    const crlf = this.#buf.indexOf('\r\n\r\n');
    const lf = this.#buf.indexOf('\n\n');
    if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, len: 4 };
    if (lf >= 0) return { at: lf, len: 2 };
    return undefined;
  }

  #reportSkipped(out: Rejection[]): void {
    if (this.#skipped === 0) return;
    out.push(reject('bad-frame', `${this.#skipped} bytes outside any part skipped`));
    this.#skipped = 0;
  }

  #skip(bytes: Buffer): void {
    // Line breaks between parts are normal; anything else counts as skipped.
    for (const b of bytes) if (b !== 0x0d && b !== 0x0a && b !== 0x20 && b !== 0x09) this.#skipped++;
  }
}
