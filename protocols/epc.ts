/**
 * EPC helpers and the SGTIN-96 codec of the GS1 EPC Tag Data Standard (TDS), section
 * "SGTIN-96": header 0x30 (8 bits) | filter (3) | partition (3) | company prefix + item
 * reference (44, split by the partition table) | serial (38).
 *
 * EPCs are compared as upper-case hex everywhere (DESIGN "Tags"); a tag that is not an
 * SGTIN-96 is kept by its raw EPC, so every decoder here answers with a Decoded value and
 * never throws. Encoders are for simulators and tests: bad arguments there are programming
 * errors and throw a RangeError.
 */
import { accept, type Decoded, reject } from './result.js';

/** EPC memory holds at most 31 words after PC (496 bits): 124 hex digits. */
const MAX_EPC_HEX = 124;
const HEX = /^[0-9A-Fa-f]*$/;

/**
 * Upper-cases and validates an EPC given as hex: surrounding whitespace is ignored, the rest
 * must be a non-empty, even number of hex digits (whole bytes) and at most 124 digits.
 */
export function normalizeEpcHex(hex: unknown): Decoded<string> {
  if (typeof hex !== 'string') return reject('bad-frame', 'EPC must be a hex string');
  const s = hex.trim();
  if (s.length === 0) return reject('bad-frame', 'EPC is empty');
  if (s.length > MAX_EPC_HEX) return reject('too-large', `EPC has ${s.length} hex digits, at most ${MAX_EPC_HEX}`);
  if (!HEX.test(s)) return reject('bad-frame', 'EPC is not hex');
  if (s.length % 2 !== 0) return reject('bad-frame', 'EPC hex has an odd number of digits');
  return accept(s.toUpperCase());
}

export function isEpcHex(hex: unknown): hex is string {
  return normalizeEpcHex(hex).ok;
}

/** Bytes → upper-case hex. */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}

/** Hex (already validated: even length, hex digits) → bytes. */
export function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

// ---------------------------------------------------------------------------------------
// GTIN check digit (GS1 General Specifications, "Check digit calculation")

const DIGITS = /^[0-9]+$/;

/**
 * GS1 mod-10 check digit of a GTIN body (the digits without the check digit, any length):
 * weights 3,1,3,1,… from the right-most body digit, check = (10 − sum mod 10) mod 10.
 */
export function gtinCheckDigit(body: string): number {
  if (!DIGITS.test(body)) throw new RangeError(`GTIN body must be digits: ${JSON.stringify(body)}`);
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return (10 - (sum % 10)) % 10;
}

/** True for a GTIN-8, -12, -13 or -14 whose check digit is right. Never throws. */
export function isValidGtin(gtin: unknown): boolean {
  if (typeof gtin !== 'string' || !DIGITS.test(gtin)) return false;
  if (gtin.length !== 8 && gtin.length !== 12 && gtin.length !== 13 && gtin.length !== 14) return false;
  return gtinCheckDigit(gtin.slice(0, -1)) === gtin.charCodeAt(gtin.length - 1) - 48;
}

// ---------------------------------------------------------------------------------------
// SGTIN-96

export const SGTIN96_HEADER = 0x30;

/** TDS table "SGTIN Partition Table": partition → company prefix / item reference widths. */
export const SGTIN_PARTITIONS: readonly {
  readonly cpBits: number;
  readonly cpDigits: number;
  readonly irBits: number;
  readonly irDigits: number;
}[] = [
  { cpBits: 40, cpDigits: 12, irBits: 4, irDigits: 1 },
  { cpBits: 37, cpDigits: 11, irBits: 7, irDigits: 2 },
  { cpBits: 34, cpDigits: 10, irBits: 10, irDigits: 3 },
  { cpBits: 30, cpDigits: 9, irBits: 14, irDigits: 4 },
  { cpBits: 27, cpDigits: 8, irBits: 17, irDigits: 5 },
  { cpBits: 24, cpDigits: 7, irBits: 20, irDigits: 6 },
  { cpBits: 20, cpDigits: 6, irBits: 24, irDigits: 7 },
];

const SERIAL_BITS = 38n;
const SERIAL_MAX = (1n << SERIAL_BITS) - 1n;

export interface Sgtin96 {
  /** 0–7; 1 = point-of-sale trade item (TDS "SGTIN Filter Values"). */
  readonly filter: number;
  /** 0–6: selects the company prefix length, 12 − partition digits. */
  readonly partition: number;
  /** GS1 company prefix with its leading zeros (6–12 digits). */
  readonly companyPrefix: string;
  /** Indicator/pad digit followed by the item reference (13 − company prefix digits). */
  readonly itemReference: string;
  /** Decimal, no leading zeros (SGTIN-96 serials are integers below 2^38). */
  readonly serial: string;
  readonly gtin14: string;
  /** Pure identity URI: `urn:epc:id:sgtin:CP.IR.SERIAL`. */
  readonly uri: string;
  /** Tag URI: `urn:epc:tag:sgtin-96:F.CP.IR.SERIAL`. */
  readonly tagUri: string;
}

function mask(bits: number): bigint {
  return (1n << BigInt(bits)) - 1n;
}

/**
 * Decodes a 96-bit SGTIN EPC. Other headers and other lengths are `unsupported` (the caller
 * keeps the raw EPC); an SGTIN-96 header with fields the TDS forbids (partition 7, a company
 * prefix or item reference too large for its digits) is `bad-frame`.
 */
export function decodeSgtin96(hex: unknown): Decoded<Sgtin96> {
  const norm = normalizeEpcHex(hex);
  if (!norm.ok) return norm;
  const epc = norm.value;
  if (epc.length !== 24) return reject('unsupported', `not SGTIN-96: ${epc.length * 4}-bit EPC`);
  if (!epc.startsWith('30')) return reject('unsupported', `not SGTIN-96: header 0x${epc.slice(0, 2)}`);
  const v = BigInt(`0x${epc}`);
  const filter = Number((v >> 85n) & 7n);
  const partition = Number((v >> 82n) & 7n);
  const p = SGTIN_PARTITIONS[partition];
  if (!p) return reject('bad-frame', `SGTIN-96 partition ${partition} is reserved`);
  const cp = (v >> (SERIAL_BITS + BigInt(p.irBits))) & mask(p.cpBits);
  const ir = (v >> SERIAL_BITS) & mask(p.irBits);
  const serial = v & SERIAL_MAX;
  if (cp >= 10n ** BigInt(p.cpDigits)) {
    return reject('bad-frame', `SGTIN-96 company prefix ${cp} exceeds ${p.cpDigits} digits`);
  }
  if (ir >= 10n ** BigInt(p.irDigits)) {
    return reject('bad-frame', `SGTIN-96 item reference ${ir} exceeds ${p.irDigits} digits`);
  }
  const companyPrefix = cp.toString().padStart(p.cpDigits, '0');
  const itemReference = ir.toString().padStart(p.irDigits, '0');
  const serialText = serial.toString();
  return accept({
    filter,
    partition,
    companyPrefix,
    itemReference,
    serial: serialText,
    gtin14: gtinOf(companyPrefix, itemReference),
    uri: `urn:epc:id:sgtin:${companyPrefix}.${itemReference}.${serialText}`,
    tagUri: `urn:epc:tag:sgtin-96:${filter}.${companyPrefix}.${itemReference}.${serialText}`,
  });
}

/** GTIN-14 = indicator digit + company prefix + item reference without indicator + check. */
function gtinOf(companyPrefix: string, itemReference: string): string {
  const body = itemReference.slice(0, 1) + companyPrefix + itemReference.slice(1);
  return body + String(gtinCheckDigit(body));
}

export interface Sgtin96Fields {
  readonly filter: number;
  /** 6–12 digits; its length picks the partition. */
  readonly companyPrefix: string;
  /** 13 − companyPrefix.length digits, indicator digit first. */
  readonly itemReference: string;
  readonly serial: bigint | number | string;
}

/** Encodes SGTIN-96 fields to 24 upper-case hex digits. Throws RangeError on bad fields. */
export function encodeSgtin96(fields: Sgtin96Fields): string {
  const { filter, companyPrefix, itemReference } = fields;
  if (!Number.isInteger(filter) || filter < 0 || filter > 7) throw new RangeError(`filter must be 0–7: ${filter}`);
  if (!DIGITS.test(companyPrefix) || companyPrefix.length < 6 || companyPrefix.length > 12) {
    throw new RangeError(`company prefix must be 6–12 digits: ${JSON.stringify(companyPrefix)}`);
  }
  const partition = 12 - companyPrefix.length;
  const p = SGTIN_PARTITIONS[partition];
  if (!p) throw new RangeError(`no partition for a ${companyPrefix.length}-digit company prefix`);
  if (!DIGITS.test(itemReference) || itemReference.length !== p.irDigits) {
    throw new RangeError(`item reference must be ${p.irDigits} digits: ${JSON.stringify(itemReference)}`);
  }
  const serial = toSerial(fields.serial);
  const v =
    (BigInt(SGTIN96_HEADER) << 88n) |
    (BigInt(filter) << 85n) |
    (BigInt(partition) << 82n) |
    (BigInt(companyPrefix) << (SERIAL_BITS + BigInt(p.irBits))) |
    (BigInt(itemReference) << SERIAL_BITS) |
    serial;
  return v.toString(16).toUpperCase().padStart(24, '0');
}

function toSerial(serial: bigint | number | string): bigint {
  let s: bigint;
  if (typeof serial === 'bigint') s = serial;
  else if (typeof serial === 'number' && Number.isSafeInteger(serial)) s = BigInt(serial);
  else if (typeof serial === 'string' && DIGITS.test(serial)) s = BigInt(serial);
  else throw new RangeError(`serial must be a non-negative integer: ${String(serial)}`);
  if (s < 0n || s > SERIAL_MAX) throw new RangeError(`SGTIN-96 serial must be 0–${SERIAL_MAX}: ${s}`);
  return s;
}

/**
 * Builds an SGTIN-96 from a GTIN (8, 12, 13 or 14 digits, zero-padded to 14) and the length
 * of its company prefix, which a GTIN alone does not tell. Throws RangeError on bad input.
 */
export function sgtin96FromGtin(args: {
  gtin: string;
  companyPrefixLength: number;
  serial: bigint | number | string;
  filter?: number;
}): string {
  if (!isValidGtin(args.gtin)) throw new RangeError(`not a valid GTIN: ${JSON.stringify(args.gtin)}`);
  const g = args.gtin.padStart(14, '0');
  const n = args.companyPrefixLength;
  if (!Number.isInteger(n) || n < 6 || n > 12) throw new RangeError(`company prefix length must be 6–12: ${n}`);
  return encodeSgtin96({
    filter: args.filter ?? 1,
    companyPrefix: g.slice(1, 1 + n),
    itemReference: g.slice(0, 1) + g.slice(1 + n, 13),
    serial: args.serial,
  });
}

/** The GTIN-14 of an SGTIN-96 EPC, else undefined (any other or malformed EPC). */
export function gtinFromEpc(hex: unknown): string | undefined {
  const d = decodeSgtin96(hex);
  return d.ok ? d.value.gtin14 : undefined;
}
