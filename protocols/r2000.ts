/**
 * Serial protocol of the Impinj-R2000-based UHF readers sold under many names (the "UHF RFID
 * Reader Serial Interface Protocol" family: Invelion/INNOD YR9010/YR905, Rodinbell D100,
 * CF-RU5102-like modules), 115200 8N1:
 *
 *   Head 0xA0 | Len | Addr | Cmd | Data… | Check
 *
 * Len counts the bytes after itself (Addr + Cmd + Data + Check); Check is the two's
 * complement of the 8-bit sum of every byte from Head through the last Data byte, so the
 * sum of a whole frame is 0 mod 256.
 *
 * Sources this file was checked against, byte for byte:
 * - russss/rust-invelion `src/protocol.rs` (command and error code tables, checksum test
 *   vectors from the datasheet's C code, `InventoryItem` / `InventoryResult` layouts, the
 *   RSSI table and the frequency table);
 * - hex-in/pyImpinj `pyImpinj/__init__.py` (0x89 answers: Len 0x04 = error code, Len 0x0A =
 *   AntID(1) ReadRate(2) TotalRead(4), else FreqAnt(1) PC(2) EPC RSSI(1));
 * - the vendor's C# reader demo (`ProcessInventoryReal` in the R2000 UHF demo sources):
 *   0x89 and 0x8B share one answer format; antenna = (FreqAnt & 0x03) + 1, plus 4 when the
 *   RSSI byte's high bit is set (8-port readers); RSSI value = RSSI & 0x7F.
 *
 * This file is the host side (what the gateway sends and decodes); the reader's answers are
 * encoded in r2000-encode.ts, for the firmware simulator and tests.
 *
 * Not supported: the phase mode of some firmware (enabled through 0x8B), which appends two
 * phase bytes after RSSI; such tag frames would read the wrong byte as RSSI.
 */
import { bytesToHex } from './epc.js';
import { accept, type Decoded, type Rejection, reject } from './result.js';

export const R2000_HEAD = 0xa0;
/** Smallest Len: Addr + Cmd + Check, no data. */
const MIN_LEN = 3;
/** Largest whole frame: Head + Len + 255. */
export const R2000_MAX_FRAME = 257;

export const R2000Cmd = {
  reset: 0x70,
  setUartBaudrate: 0x71,
  getFirmwareVersion: 0x72,
  setReaderAddress: 0x73,
  setWorkAntenna: 0x74,
  getWorkAntenna: 0x75,
  setOutputPower: 0x76,
  getOutputPower: 0x77,
  setFrequencyRegion: 0x78,
  getFrequencyRegion: 0x79,
  setBeeperMode: 0x7a,
  getReaderTemperature: 0x7b,
  writeGpioValue: 0x61,
  setAntConnectionDetector: 0x62,
  setTemporaryOutputPower: 0x66,
  setReaderIdentifier: 0x67,
  setRfLinkProfile: 0x69,
  inventory: 0x80,
  realTimeInventory: 0x89,
  fastSwitchAntInventory: 0x8a,
  customizedSessionTargetInventory: 0x8b,
} as const;

/** ErrorCode values (rust-invelion `ResponseCode`, from the protocol datasheet). */
export const R2000Status = {
  success: 0x10,
  fail: 0x11,
  mcuResetError: 0x20,
  cwOnError: 0x21,
  antennaMissingError: 0x22,
  writeFlashError: 0x23,
  readFlashError: 0x24,
  setOutputPowerError: 0x25,
  tagInventoryError: 0x31,
  tagReadError: 0x32,
  tagWriteError: 0x33,
  tagLockError: 0x34,
  tagKillError: 0x35,
  noTagError: 0x36,
  inventoryOkButAccessFailError: 0x37,
  bufferIsEmptyError: 0x38,
  accessOrPasswordError: 0x40,
  parameterInvalid: 0x41,
  parameterInvalidWordCntTooLong: 0x42,
  parameterInvalidMembankOutOfRange: 0x43,
  parameterInvalidLockRegionOutOfRange: 0x44,
  parameterInvalidLockActionOutOfRange: 0x45,
  parameterReaderAddressInvalid: 0x46,
  parameterInvalidAntennaIdOutOfRange: 0x47,
  parameterInvalidOutputPowerOutOfRange: 0x48,
  parameterInvalidFrequencyRegionOutOfRange: 0x49,
  parameterInvalidBaudrateOutOfRange: 0x4a,
  parameterBeeperModeOutOfRange: 0x4b,
  parameterEpcMatchLenTooLong: 0x4c,
  parameterEpcMatchLenError: 0x4d,
  parameterInvalidEpcMatchMode: 0x4e,
  parameterInvalidFrequencyRange: 0x4f,
  failToGetRn16FromTag: 0x50,
  parameterInvalidDrmMode: 0x51,
  pllLockFail: 0x52,
  rfChipFailToResponse: 0x53,
  failToAchieveDesiredOutputPower: 0x54,
  copyrightAuthenticationFail: 0x55,
  spectrumRegulationError: 0x56,
  outputPowerTooLow: 0x57,
} as const;

const STATUS_NAMES = new Map<number, string>(Object.entries(R2000Status).map(([k, v]) => [v, k]));

/** Name of an ErrorCode for logs, e.g. 0x22 → "antennaMissingError". */
export function r2000StatusName(code: number): string {
  return STATUS_NAMES.get(code) ?? `0x${code.toString(16).padStart(2, '0')}`;
}

/** Commands whose only answer is one status byte (0x10 = success, else an ErrorCode). */
const STATUS_ANSWER = new Set<number>([
  R2000Cmd.setUartBaudrate,
  R2000Cmd.setReaderAddress,
  R2000Cmd.setWorkAntenna,
  R2000Cmd.setOutputPower,
  R2000Cmd.setFrequencyRegion,
  R2000Cmd.setBeeperMode,
  R2000Cmd.writeGpioValue,
  R2000Cmd.setAntConnectionDetector,
  R2000Cmd.setTemporaryOutputPower,
  R2000Cmd.setReaderIdentifier,
  R2000Cmd.setRfLinkProfile,
]);

/** Inventory commands answered by tag frames and a summary frame (C# demo: 0x89 and 0x8B). */
const REALTIME_INVENTORY = new Set<number>([R2000Cmd.realTimeInventory, R2000Cmd.customizedSessionTargetInventory]);

export interface R2000Frame {
  readonly addr: number;
  readonly cmd: number;
  readonly data: Uint8Array;
}

/** Two's complement of the 8-bit sum of bytes[0, end). */
export function r2000Checksum(bytes: Uint8Array, end: number = bytes.length): number {
  let sum = 0;
  for (let i = 0; i < end; i++) sum = (sum + (bytes[i] ?? 0)) & 0xff;
  return (~sum + 1) & 0xff;
}

/** Throws RangeError unless v is 0–255 (for encoders of fields that are one byte). */
export function assertR2000Byte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`${name} must be a byte: ${v}`);
}

/** Frames a command or answer. Throws RangeError on bytes out of range or data > 252 bytes. */
export function encodeR2000Frame(frame: { addr: number; cmd: number; data?: ArrayLike<number> }): Uint8Array {
  const data = frame.data ?? [];
  assertR2000Byte('addr', frame.addr);
  assertR2000Byte('cmd', frame.cmd);
  if (data.length > 0xff - MIN_LEN) throw new RangeError(`data of ${data.length} bytes does not fit one frame`);
  const out = new Uint8Array(data.length + 5);
  out[0] = R2000_HEAD;
  out[1] = data.length + MIN_LEN;
  out[2] = frame.addr;
  out[3] = frame.cmd;
  for (let i = 0; i < data.length; i++) {
    const b = data[i] ?? 0;
    assertR2000Byte(`data[${i}]`, b);
    out[4 + i] = b;
  }
  out[out.length - 1] = r2000Checksum(out, out.length - 1);
  return out;
}

// ---------------------------------------------------------------------------------------
// Host commands

/** cmd_real_time_inventory: Data = Repeat (0xFF lets the reader pick; 1 = one round). */
export function realtimeInventory(addr: number, repeat: number): Uint8Array {
  assertR2000Byte('repeat', repeat);
  return encodeR2000Frame({ addr, cmd: R2000Cmd.realTimeInventory, data: [repeat] });
}

/** cmd_set_work_antenna: Data = AntennaID 0–3 (pyImpinj and the datasheet: 0x00–0x03). */
export function setWorkAntenna(addr: number, antennaId: number): Uint8Array {
  if (!Number.isInteger(antennaId) || antennaId < 0 || antennaId > 3) {
    throw new RangeError(`antenna id must be 0–3: ${antennaId}`);
  }
  return encodeR2000Frame({ addr, cmd: R2000Cmd.setWorkAntenna, data: [antennaId] });
}

// ---------------------------------------------------------------------------------------
// RSSI and frequency

/**
 * RSSI value (the low 7 bits of the RSSI byte) → dBm, per the datasheet's RSSI table as
 * transcribed by rust-invelion `convert_rssi` ("table 5"): 98 → −31 dBm … 90 → −39 dBm, and
 * 89 → −41 dBm … 31 → −99 dBm (the table skips −40). pyImpinj uses plain raw − 129, which
 * agrees above 89. Values outside the table follow the same two lines.
 */
export function r2000RssiToDbm(raw: number): number {
  const v = raw & 0x7f;
  return v > 89 ? v - 129 : v - 130;
}

/**
 * Frequency point → MHz for the built-in regions (rust-invelion `convert_to_frequency`,
 * datasheet "table 4"): 0–6 = 865.0–868.0 MHz, 7–59 = 902.0–928.0 MHz in 0.5 MHz steps.
 * Undefined for points outside the table (a user-defined region has its own plan).
 */
export function r2000FrequencyMHz(point: number): number | undefined {
  if (!Number.isInteger(point) || point < 0 || point > 59) return undefined;
  return point < 7 ? 865 + 0.5 * point : 902 + 0.5 * (point - 7);
}

// ---------------------------------------------------------------------------------------
// Reader answers

export interface R2000TagAnswer {
  readonly kind: 'tag';
  readonly addr: number;
  readonly cmd: number;
  /** 1-based antenna port (1–4, or 1–8 on 8-port readers). */
  readonly antenna: number;
  /** Frequency point 0–63 (see r2000FrequencyMHz). */
  readonly freq: number;
  /** Protocol Control word (EPC length in its top 5 bits). */
  readonly pc: number;
  /** Upper-case hex. */
  readonly epc: string;
  readonly rssiDbm: number;
}

export interface R2000InventoryEnd {
  readonly kind: 'inventory-end';
  readonly addr: number;
  readonly cmd: number;
  /** 1-based antenna port the round ran on. */
  readonly antenna: number;
  /** Tags per second over the round. */
  readonly readRate: number;
  /** Tag reads in the round. */
  readonly totalRead: number;
}

export interface R2000Error {
  readonly kind: 'error';
  readonly addr: number;
  readonly cmd: number;
  /** ErrorCode (see R2000Status, r2000StatusName). */
  readonly code: number;
}

export interface R2000Ack {
  readonly kind: 'ack';
  readonly addr: number;
  readonly cmd: number;
  /** Always R2000Status.success: a failed status decodes as kind 'error'. */
  readonly status: number;
}

export interface R2000Unknown {
  readonly kind: 'unknown';
  readonly addr: number;
  readonly cmd: number;
  readonly data: Uint8Array;
}

export type R2000Answer = R2000TagAnswer | R2000InventoryEnd | R2000Error | R2000Ack | R2000Unknown;

/** Validates one whole frame: head, Len against the byte count, checksum. */
export function decodeR2000Frame(bytes: Uint8Array): Decoded<R2000Frame> {
  if (!(bytes instanceof Uint8Array)) return reject('bad-frame', 'frame must be bytes');
  if (bytes.length < MIN_LEN + 2) return reject('bad-frame', `frame of ${bytes.length} bytes is too short`);
  if (bytes[0] !== R2000_HEAD) return reject('bad-frame', `head 0x${hexByte(bytes[0] ?? 0)} is not 0xA0`);
  const len = bytes[1] ?? 0;
  if (len < MIN_LEN) return reject('bad-frame', `Len ${len} is below ${MIN_LEN}`);
  if (len + 2 !== bytes.length) return reject('bad-frame', `Len ${len} but ${bytes.length - 2} bytes follow it`);
  const want = r2000Checksum(bytes, bytes.length - 1);
  const got = bytes[bytes.length - 1] ?? 0;
  if (want !== got) return reject('bad-checksum', `check 0x${hexByte(got)} but the frame sums to 0x${hexByte(want)}`);
  return accept({ addr: bytes[2] ?? 0, cmd: bytes[3] ?? 0, data: bytes.slice(4, bytes.length - 1) });
}

/** Validates and interprets one whole reader answer. */
export function decodeR2000Answer(bytes: Uint8Array): Decoded<R2000Answer> {
  const frame = decodeR2000Frame(bytes);
  return frame.ok ? interpretR2000Answer(frame.value) : frame;
}

/**
 * Gives a checked frame its meaning as a reader answer. Frames of commands this gateway does
 * not use come back as kind 'unknown' with their data, not as rejections.
 */
export function interpretR2000Answer(frame: R2000Frame): Decoded<R2000Answer> {
  const { addr, cmd, data } = frame;
  if (REALTIME_INVENTORY.has(cmd)) {
    // Distinguished by length, as every source does: 1 = ErrorCode, 7 = summary,
    // ≥ 6 and even = tag (EPCs are whole 16-bit words, so a tag frame is never 7 bytes).
    if (data.length === 1) return accept({ kind: 'error', addr, cmd, code: data[0] ?? 0 });
    if (data.length === 7) {
      return accept({
        kind: 'inventory-end',
        addr,
        cmd,
        antenna: (data[0] ?? 0) + 1,
        readRate: ((data[1] ?? 0) << 8) | (data[2] ?? 0),
        totalRead: (((data[3] ?? 0) << 24) | ((data[4] ?? 0) << 16) | ((data[5] ?? 0) << 8) | (data[6] ?? 0)) >>> 0,
      });
    }
    if (data.length < 6 || data.length % 2 !== 0) {
      return reject('bad-frame', `inventory answer with ${data.length} data bytes is neither tag, summary nor error`);
    }
    const freqAnt = data[0] ?? 0;
    const rssiByte = data[data.length - 1] ?? 0;
    return accept({
      kind: 'tag',
      addr,
      cmd,
      antenna: (freqAnt & 0x03) + 1 + (rssiByte & 0x80 ? 4 : 0),
      freq: freqAnt >> 2,
      pc: ((data[1] ?? 0) << 8) | (data[2] ?? 0),
      epc: bytesToHex(data.subarray(3, data.length - 1)),
      rssiDbm: r2000RssiToDbm(rssiByte),
    });
  }
  if (STATUS_ANSWER.has(cmd)) {
    if (data.length !== 1) return reject('bad-frame', `status answer with ${data.length} data bytes`);
    const status = data[0] ?? 0;
    if (status === R2000Status.success) return accept({ kind: 'ack', addr, cmd, status });
    return accept({ kind: 'error', addr, cmd, code: status });
  }
  return accept({ kind: 'unknown', addr, cmd, data });
}

// ---------------------------------------------------------------------------------------
// Stream parser

export interface R2000Batch {
  readonly frames: R2000Answer[];
  readonly rejected: Rejection[];
}

/**
 * Splits a serial byte stream into reader answers. Scans for 0xA0, takes Len (≥ 3), waits for
 * the rest of a torn frame, checks the sum. A bad checksum or an uninterpretable frame
 * rejects that candidate only: scanning resumes at the byte after its head, so a false 0xA0
 * in garbage never swallows the real frame behind it. Bytes skipped outside frames are
 * reported once per push as `bad-frame` (not counting the body of a frame already
 * rejected). At most one frame (257 bytes) is held between pushes.
 */
export class R2000Parser {
  #buf: Uint8Array = new Uint8Array(0);
  /** Bytes still to skip silently because they belong to a frame already rejected. */
  #quiet = 0;

  get pendingBytes(): number {
    return this.#buf.length;
  }

  /** Forgets a half-received frame (e.g. after a read timeout or a port reopen). */
  reset(): void {
    this.#buf = new Uint8Array(0);
    this.#quiet = 0;
  }

  push(chunk: Uint8Array): R2000Batch {
    const frames: R2000Answer[] = [];
    const rejected: Rejection[] = [];
    const buf = concat(this.#buf, chunk);
    let garbage = 0;
    let i = 0;
    while (i < buf.length) {
      if (buf[i] !== R2000_HEAD) {
        if (this.#quiet > 0) this.#quiet--;
        else garbage++;
        i++;
        continue;
      }
      if (i + 1 >= buf.length) break; // need Len
      const len = buf[i + 1] ?? 0;
      if (len < MIN_LEN) {
        rejected.push(reject('bad-frame', `Len ${len} after 0xA0 is below ${MIN_LEN}`));
        if (this.#quiet > 0) this.#quiet--;
        i++;
        continue;
      }
      const end = i + len + 2;
      if (end > buf.length) break; // torn: wait for the rest
      const decoded = decodeR2000Answer(buf.subarray(i, end));
      if (decoded.ok) {
        frames.push(decoded.value);
        this.#quiet = 0;
        i = end;
      } else {
        rejected.push(decoded);
        this.#quiet = len + 1; // the rest of this candidate is not fresh garbage
        i++;
      }
    }
    if (garbage > 0) rejected.push(reject('bad-frame', `skipped ${garbage} bytes outside R2000 frames`));
    this.#buf = buf.slice(i);
    return { frames, rejected };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function hexByte(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}
