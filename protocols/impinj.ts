/**
 * Impinj IoT Device Interface (R700/R720 "RESTful"/IoT interface) events → tag reads.
 *
 * A tag read arrives as
 *
 *   {"timestamp":"2026-11-23T06:12:01.123456789Z","hostname":"impinj-14-56-c3",
 *    "eventType":"tagInventory",
 *    "tagInventoryEvent":{"epc":"MJUAAAAAAAAAAAAB","epcHex":"309500000000000000000001",
 *      "antennaPort":1,"antennaName":"Antenna 1","peakRssiCdbm":-5600,"frequency":920625,
 *      "transmitPowerCdbm":3000,"lastSeenTime":"2026-11-23T06:12:01.120Z"}}
 *
 * over MQTT (one event per message), a webhook (a JSON array of events per POST) or the HTTP
 * stream (newline-delimited JSON, CR LF, blank lines as keep-alives). Field names follow
 * Impinj's examples (`epc` base64 by default, `epcHex`/`tidHex` when enabled in the
 * eventConfig, `peakRssiCdbm` in centi-dBm). Firmware 7.x events carry no `eventType`; there
 * the presence of `tagInventoryEvent` decides. Other events (inventoryStatus, antennaHealth,
 * keep-alives, diagnostics) are ignored: a null value, not a rejection.
 */
import { normalizeEpcHex } from './epc.js';
import { accept, type Decoded, type Rejection, reject } from './result.js';
import { utf8Text } from './text.js';

export interface ImpinjTagRead {
  /** Upper-case hex. */
  readonly epc: string;
  readonly antennaPort: number;
  readonly rssiDbm: number;
  /** Epoch milliseconds (digits beyond milliseconds are truncated). */
  readonly ts: number;
}

export interface ImpinjBatch {
  readonly reads: ImpinjTagRead[];
  readonly rejected: Rejection[];
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * Lenient RFC 3339 → epoch ms: any number of fractional digits (truncated to ms), `Z`,
 * `±hh:mm` or `±hhmm`, a space for `T`; no zone means UTC (the readers log in UTC).
 * Undefined for anything else, including impossible dates.
 */
export function parseImpinjTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const m = RFC3339.exec(value.trim());
  if (!m) return undefined;
  const [, y = '', mo = '', d = '', h = '', mi = '', s = '', frac = '', , sign, oh = '00', om = '00'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60 || Number(oh) > 23 || Number(om) > 59) return undefined;
  const ms = Number(frac.slice(0, 3).padEnd(3, '0'));
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000 : 0;
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  const t = date.getTime() - offset;
  return Number.isFinite(t) ? t : undefined;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Base64 (standard or URL-safe, padding optional) → upper-case hex, else undefined. */
function base64ToHex(value: string): string | undefined {
  const s = value.trim();
  if (s.length === 0 || s.length > 200 || !BASE64.test(s) || s.replace(/=+$/, '').length % 4 === 1) return undefined;
  const hex = Buffer.from(s, 'base64').toString('hex').toUpperCase();
  return hex.length > 0 ? hex : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A finite number, or a string holding one (lenient: some relays stringify numbers). */
function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

/**
 * One event → a tag read, null for an event that is not a tag read, or a rejection
 * (`schema`) for a tag event the gateway cannot use (no EPC, antenna, RSSI or time).
 */
export function decodeImpinjEvent(json: unknown): Decoded<ImpinjTagRead | null> {
  if (!isRecord(json)) return reject('schema', 'Impinj event must be a JSON object');
  const eventType = json.eventType;
  if (eventType !== undefined && typeof eventType !== 'string') return reject('schema', 'eventType must be a string');
  if (eventType !== undefined && eventType !== 'tagInventory') return accept(null);
  const tag = json.tagInventoryEvent;
  if (tag === undefined) {
    if (eventType === 'tagInventory') return reject('schema', 'tagInventory event without tagInventoryEvent');
    // Firmware without eventType names the payload `<kind>Event`: another kind is ignored.
    return Object.keys(json).some((k) => k.endsWith('Event'))
      ? accept(null)
      : reject('schema', 'not an Impinj event: no eventType and no …Event member');
  }
  if (!isRecord(tag)) return reject('schema', 'tagInventoryEvent must be an object');

  let epc: string | undefined;
  const hex = normalizeEpcHex(tag.epcHex);
  if (hex.ok) epc = hex.value;
  else if (typeof tag.epc === 'string') epc = base64ToHex(tag.epc);
  if (epc === undefined) return reject('schema', 'tagInventoryEvent has no usable epcHex or base64 epc');

  const antennaPort = numberOf(tag.antennaPort);
  if (antennaPort === undefined || !Number.isInteger(antennaPort) || antennaPort < 1 || antennaPort > 64) {
    return reject('schema', `antennaPort must be an integer 1–64: ${JSON.stringify(tag.antennaPort) ?? 'missing'}`);
  }
  const cdbm = numberOf(tag.peakRssiCdbm);
  if (cdbm === undefined) return reject('schema', 'tagInventoryEvent has no peakRssiCdbm');
  const rssiDbm = cdbm / 100;
  if (rssiDbm < -128 || rssiDbm > 20) return reject('schema', `peakRssiCdbm ${cdbm} is out of range`);
  // The event time is always present; lastSeenTime only when enabled in the eventConfig.
  const ts = parseImpinjTimestamp(json.timestamp) ?? parseImpinjTimestamp(tag.lastSeenTime);
  if (ts === undefined) return reject('schema', 'Impinj event has no valid timestamp');
  return accept({ epc, antennaPort, rssiDbm, ts });
}

/** Decodes a parsed JSON value: one event, or an array of events (the webhook form). */
function collect(value: unknown, out: { reads: ImpinjTagRead[]; rejected: Rejection[] }, maxEvents: number): void {
  const events = Array.isArray(value) ? value : [value];
  if (events.length > maxEvents) {
    out.rejected.push(reject('too-large', `${events.length} Impinj events in one payload, at most ${maxEvents}`));
    return;
  }
  for (const [i, ev] of events.entries()) {
    const d = decodeImpinjEvent(ev);
    if (!d.ok) out.rejected.push(Array.isArray(value) ? reject(d.code, `[${i}]: ${d.reason}`) : d);
    else if (d.value !== null) out.reads.push(d.value);
  }
}

function parseJson(text: string): Decoded<unknown> {
  try {
    return accept(JSON.parse(text) as unknown);
  } catch (err) {
    return reject('malformed-json', `not JSON: ${(err as Error).message}`);
  }
}

export interface ImpinjPayloadOptions {
  /** Events accepted in one payload; a bigger payload is rejected whole. Default 10 000. */
  readonly maxEvents?: number;
}

/**
 * An MQTT message or webhook body: one event object or a JSON array of events. A body that
 * is not one JSON document but has several lines is read as newline-delimited JSON (a
 * relay forwarding a piece of the HTTP stream).
 */
export function decodeImpinjPayload(payload: Uint8Array | string, options: ImpinjPayloadOptions = {}): ImpinjBatch {
  const maxEvents = options.maxEvents ?? 10_000;
  const out: { reads: ImpinjTagRead[]; rejected: Rejection[] } = { reads: [], rejected: [] };
  const text = typeof payload === 'string' ? payload : utf8Text(payload);
  const whole = parseJson(text);
  if (whole.ok) {
    collect(whole.value, out, maxEvents);
    return out;
  }
  if (!text.includes('\n')) {
    out.rejected.push(whole);
    return out;
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length > maxEvents) {
    out.rejected.push(reject('too-large', `${lines.length} Impinj lines in one payload, at most ${maxEvents}`));
    return out;
  }
  for (const line of lines) {
    const d = parseJson(line);
    if (d.ok) collect(d.value, out, maxEvents);
    else out.rejected.push(d);
  }
  return out;
}

export interface ImpinjStreamOptions {
  /** Longest line kept, in bytes; longer lines are dropped whole. Default 64 KiB. */
  readonly maxLineBytes?: number;
}

/**
 * The HTTP stream form: newline-delimited JSON events, LF or CR LF, blank lines as
 * keep-alives. Lines may be torn across chunks (split on the LF byte, so a UTF-8 character
 * is never cut). Memory is bounded by maxLineBytes: a longer line is rejected `too-large`
 * and skipped up to its LF.
 */
export class ImpinjStreamParser {
  readonly #max: number;
  #buf: Uint8Array = new Uint8Array(0);
  /** Skipping the rest of a line that was too long. */
  #discarding = false;

  constructor(options: ImpinjStreamOptions = {}) {
    this.#max = options.maxLineBytes ?? 64 * 1024;
  }

  get pendingBytes(): number {
    return this.#buf.length;
  }

  reset(): void {
    this.#buf = new Uint8Array(0);
    this.#discarding = false;
  }

  push(chunk: Uint8Array): ImpinjBatch {
    const out: { reads: ImpinjTagRead[]; rejected: Rejection[] } = { reads: [], rejected: [] };
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.#discarding) {
        this.#discarding = false;
        continue;
      }
      if (this.#buf.length + piece.length > this.#max) {
        this.#buf = new Uint8Array(0);
        out.rejected.push(reject('too-large', `Impinj stream line longer than ${this.#max} bytes dropped`));
        continue;
      }
      const line = utf8Text(this.#buf.length === 0 ? piece : concat(this.#buf, piece)).trim();
      this.#buf = new Uint8Array(0);
      if (line === '') continue; // keep-alive
      const d = parseJson(line);
      if (d.ok) collect(d.value, out, 10_000);
      else out.rejected.push(d);
    }
    const rest = chunk.subarray(start);
    if (!this.#discarding && rest.length > 0) {
      if (this.#buf.length + rest.length > this.#max) {
        this.#buf = new Uint8Array(0);
        this.#discarding = true;
        out.rejected.push(reject('too-large', `Impinj stream line longer than ${this.#max} bytes dropped`));
      } else {
        this.#buf = concat(this.#buf, rest);
      }
    }
    return out;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
