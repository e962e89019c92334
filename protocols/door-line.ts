/**
 * Door counter serial line (DESIGN "Serial contract"), NMEA 0183 style:
 *
 *   $PCNT,<device>,<seq>,<door>,<totalIn>,<totalOut>,<bootId>*<checksum>\r\n
 *
 * The checksum is the XOR of every byte between `$` and `*`, as two hex digits (upper-case
 * on encode, either case on decode), as in NMEA 0183. Lines are ASCII; the stream parser
 * reads bytes as latin1 so that the checksum covers exactly the bytes on the wire.
 */
import { accept, type Decoded, type Rejection, reject } from './result.js';

export const DOOR_SENTENCE = 'PCNT';

export interface DoorLine {
  readonly device: string;
  /** Sender's line counter: lets a driver see lost lines (totals make them harmless). */
  readonly seq: number;
  readonly door: string;
  readonly totalIn: number;
  readonly totalOut: number;
  /** Changes when the counter restarts (DESIGN: count from the new base). */
  readonly bootId: string;
}

/** A text field: 1–64 printable ASCII characters other than the framing `$ , *`. */
const TOKEN = /^[\x21-\x23\x25-\x29\x2B\x2D-\x7E]{1,64}$/;
/** Unsigned decimal; no sign, so a negative total is a framing error, not a number. */
const UINT = /^[0-9]{1,16}$/;

/** XOR of the char codes of `body` (the text between `$` and `*`). */
export function nmeaChecksum(body: string): number {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i) & 0xff;
  return x;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

/** Builds one line, terminated by CR LF. Throws RangeError on fields that cannot be framed. */
export function encodeDoorLine(fields: DoorLine): string {
  for (const key of ['device', 'door', 'bootId'] as const) {
    if (!TOKEN.test(fields[key]))
      throw new RangeError(`${key} cannot go on a door line: ${JSON.stringify(fields[key])}`);
  }
  for (const key of ['seq', 'totalIn', 'totalOut'] as const) {
    const v = fields[key];
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${key} must be a non-negative integer: ${v}`);
  }
  const body = [
    DOOR_SENTENCE,
    fields.device,
    fields.seq,
    fields.door,
    fields.totalIn,
    fields.totalOut,
    fields.bootId,
  ].join(',');
  return `$${body}*${hex2(nmeaChecksum(body))}\r\n`;
}

/**
 * Decodes one line, with or without its CR LF. A checksum mismatch is `bad-checksum`; a
 * well-formed NMEA sentence of another kind is `unsupported`; anything else that is not a
 * valid PCNT line (field count, non-integers, negatives, bad characters) is `bad-frame`.
 */
export function decodeDoorLine(line: unknown): Decoded<DoorLine> {
  if (typeof line !== 'string') return reject('bad-frame', 'door line must be a string');
  const s = line.replace(/\r?\n$|\r$/, '');
  if (s.length > 1024) return reject('too-large', `door line of ${s.length} characters`);
  if (!s.startsWith('$')) return reject('bad-frame', 'door line must start with $');
  const star = s.lastIndexOf('*');
  if (star < 0) return reject('bad-frame', 'door line has no *checksum');
  const body = s.slice(1, star);
  const sum = s.slice(star + 1);
  if (!/^[0-9A-Fa-f]{2}$/.test(sum)) return reject('bad-frame', `bad checksum field ${JSON.stringify(sum)}`);
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    // `$` or `*` inside the body means two lines ran together; control or non-ASCII is noise.
    if (c < 0x20 || c > 0x7e || c === 0x24 || c === 0x2a) {
      return reject('bad-frame', `unexpected character 0x${hex2(c & 0xff)} at ${i + 1}`);
    }
  }
  const want = nmeaChecksum(body);
  if (Number.parseInt(sum, 16) !== want) {
    return reject('bad-checksum', `checksum ${sum.toUpperCase()} but the line sums to ${hex2(want)}`);
  }
  const f = body.split(',');
  if (f[0] !== DOOR_SENTENCE) return reject('unsupported', `not a ${DOOR_SENTENCE} sentence: ${f[0] ?? ''}`);
  if (f.length !== 7) return reject('bad-frame', `${DOOR_SENTENCE} needs 6 fields, got ${f.length - 1}`);
  const [, device = '', seq = '', door = '', totalIn = '', totalOut = '', bootId = ''] = f;
  if (!TOKEN.test(device)) return reject('bad-frame', `bad device field ${JSON.stringify(device)}`);
  if (!TOKEN.test(door)) return reject('bad-frame', `bad door field ${JSON.stringify(door)}`);
  if (!TOKEN.test(bootId)) return reject('bad-frame', `bad bootId field ${JSON.stringify(bootId)}`);
  for (const [name, v] of [
    ['seq', seq],
    ['totalIn', totalIn],
    ['totalOut', totalOut],
  ] as const) {
    if (!UINT.test(v) || !Number.isSafeInteger(Number(v))) {
      return reject('bad-frame', `${name} must be a non-negative integer: ${JSON.stringify(v)}`);
    }
  }
  return accept({
    device,
    seq: Number(seq),
    door,
    totalIn: Number(totalIn),
    totalOut: Number(totalOut),
    bootId,
  });
}

export interface DoorLineBatch {
  readonly lines: DoorLine[];
  readonly rejected: Rejection[];
}

export interface DoorLineParserOptions {
  /** Longest line kept, from `$` to before the LF; longer ones are dropped. Default 256. */
  readonly maxLineLength?: number;
}

/**
 * Splits a serial byte stream into door lines. Lines may be torn across chunks and end in
 * LF or CR LF; bytes outside a `$…LF` line are skipped (CR/LF silently, anything else
 * reported once per chunk as `bad-frame`); a `$` inside a line restarts the line there (the
 * torn one is reported). Memory is bounded by maxLineLength: a line that grows past it is
 * dropped (`too-large`) and the parser waits for the next `$`.
 */
export class DoorLineParser {
  readonly #max: number;
  /** The current line from its `$`, or undefined while looking for a `$`. */
  #line: string | undefined;
  /** Skipping the rest of a line that was too long, until the next `$`. */
  #discarding = false;

  constructor(options: DoorLineParserOptions = {}) {
    this.#max = options.maxLineLength ?? 256;
  }

  /** Bytes held for an unfinished line. */
  get pendingBytes(): number {
    return this.#line?.length ?? 0;
  }

  /** Forgets a half-received line (e.g. after the port was reopened). */
  reset(): void {
    this.#line = undefined;
    this.#discarding = false;
  }

  push(chunk: Uint8Array): DoorLineBatch {
    const lines: DoorLine[] = [];
    const rejected: Rejection[] = [];
    const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    let garbage = 0;
    let i = 0;
    while (i < text.length) {
      if (this.#line === undefined) {
        const dollar = text.indexOf('$', i);
        const end = dollar < 0 ? text.length : dollar;
        if (!this.#discarding) garbage += countNoise(text, i, end);
        if (dollar < 0) break;
        this.#discarding = false;
        this.#line = '';
        i = dollar;
        continue;
      }
      // Inside a line: it ends at LF, or is cut short by a new `$` (resync there).
      let j = i + (this.#line === '' ? 1 : 0);
      let stop = -1;
      for (; j < text.length; j++) {
        const c = text.charCodeAt(j);
        if (c === 0x0a || c === 0x24) {
          stop = j;
          break;
        }
      }
      const piece = text.slice(i, stop < 0 ? text.length : stop);
      if (this.#line.length + piece.length > this.#max) {
        rejected.push(reject('too-large', `door line longer than ${this.#max} bytes dropped`));
        this.#line = undefined;
        // With no end in sight, the rest of this line is still to come: skip it quietly.
        this.#discarding = stop < 0;
        i = stop < 0 ? text.length : stop;
        if (stop >= 0 && text.charCodeAt(stop) === 0x0a) i = stop + 1;
        continue;
      }
      this.#line += piece;
      if (stop < 0) break;
      if (text.charCodeAt(stop) === 0x24) {
        rejected.push(reject('bad-frame', `line cut short by a new $: ${preview(this.#line)}`));
        this.#line = undefined;
        i = stop;
        continue;
      }
      const decoded = decodeDoorLine(this.#line.endsWith('\r') ? this.#line.slice(0, -1) : this.#line);
      if (decoded.ok) lines.push(decoded.value);
      else rejected.push(decoded);
      this.#line = undefined;
      i = stop + 1;
    }
    if (garbage > 0) rejected.push(reject('bad-frame', `skipped ${garbage} bytes outside door lines`));
    return { lines, rejected };
  }
}

/** Bytes in text[from, to) other than CR and LF (blank line ends are not noise). */
function countNoise(text: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c !== 0x0a && c !== 0x0d) n++;
  }
  return n;
}

function preview(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}
