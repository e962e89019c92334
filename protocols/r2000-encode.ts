/**
 * The reader side of the R2000 serial protocol (r2000.ts): the answers a reader sends, for
 * the firmware simulator that emulates one and for tests. The gateway never encodes these,
 * so they are not part of protocols/index.ts: import this file directly.
 */
import { normalizeEpcHex } from './epc.js';
import { assertR2000Byte, encodeR2000Frame, R2000Cmd, R2000Status } from './r2000.js';

/** Inverse of r2000RssiToDbm, clamped to 0–127; −40 dBm (not in the table) maps to −39. */
export function r2000DbmToRssi(dbm: number): number {
  const d = Math.round(dbm);
  const raw = d + 129 > 89 ? d + 129 : d + 130;
  return Math.min(0x7f, Math.max(0, raw));
}

/** One real-time inventory tag frame. Throws RangeError on out-of-range fields. */
export function encodeR2000Tag(tag: {
  addr: number;
  cmd?: number;
  /** 1–8 (5–8 set the RSSI byte's high bit, as 8-port readers do). */
  antenna: number;
  /** Frequency point 0–63. */
  freq: number;
  /** Defaults to the EPC length in words in the top 5 bits (0x3000 for 96 bits). */
  pc?: number;
  epc: string;
  rssiDbm: number;
}): Uint8Array {
  const epc = normalizeEpcHex(tag.epc);
  if (!epc.ok) throw new RangeError(`bad EPC: ${epc.reason}`);
  const epcBytes = Buffer.from(epc.value, 'hex');
  if (epcBytes.length % 2 !== 0) throw new RangeError('EPC must be whole 16-bit words');
  if (!Number.isInteger(tag.antenna) || tag.antenna < 1 || tag.antenna > 8) {
    throw new RangeError(`antenna must be 1–8: ${tag.antenna}`);
  }
  if (!Number.isInteger(tag.freq) || tag.freq < 0 || tag.freq > 63)
    throw new RangeError(`freq must be 0–63: ${tag.freq}`);
  const pc = tag.pc ?? (epcBytes.length / 2) << 11;
  if (!Number.isInteger(pc) || pc < 0 || pc > 0xffff) throw new RangeError(`pc must be 16 bits: ${pc}`);
  if (!Number.isFinite(tag.rssiDbm)) throw new RangeError(`rssiDbm must be a number: ${tag.rssiDbm}`);
  const ant = tag.antenna - 1;
  const data = [
    (tag.freq << 2) | (ant & 0x03),
    pc >> 8,
    pc & 0xff,
    ...epcBytes,
    r2000DbmToRssi(tag.rssiDbm) | (ant & 0x04 ? 0x80 : 0),
  ];
  return encodeR2000Frame({ addr: tag.addr, cmd: tag.cmd ?? R2000Cmd.realTimeInventory, data });
}

/** The summary frame that ends a real-time inventory round. */
export function encodeR2000InventoryEnd(end: {
  addr: number;
  cmd?: number;
  /** 1-based; sent as AntID = antenna − 1. */
  antenna: number;
  readRate: number;
  totalRead: number;
}): Uint8Array {
  if (!Number.isInteger(end.antenna) || end.antenna < 1 || end.antenna > 256) {
    throw new RangeError(`antenna must be 1–256: ${end.antenna}`);
  }
  if (!Number.isInteger(end.readRate) || end.readRate < 0 || end.readRate > 0xffff) {
    throw new RangeError(`readRate must be 0–65535: ${end.readRate}`);
  }
  if (!Number.isInteger(end.totalRead) || end.totalRead < 0 || end.totalRead > 0xffffffff) {
    throw new RangeError(`totalRead must be 0–2^32−1: ${end.totalRead}`);
  }
  const t = end.totalRead;
  const data = [
    end.antenna - 1,
    end.readRate >> 8,
    end.readRate & 0xff,
    Math.floor(t / 0x1000000) & 0xff,
    (t >>> 16) & 0xff,
    (t >>> 8) & 0xff,
    t & 0xff,
  ];
  return encodeR2000Frame({ addr: end.addr, cmd: end.cmd ?? R2000Cmd.realTimeInventory, data });
}

/** A one-byte ErrorCode answer (Len = 4). */
export function encodeR2000Error(err: { addr: number; cmd: number; code: number }): Uint8Array {
  assertR2000Byte('code', err.code);
  return encodeR2000Frame({ addr: err.addr, cmd: err.cmd, data: [err.code] });
}

/** A one-byte status answer to a set command (success unless `status` says otherwise). */
export function encodeR2000Status(ans: { addr: number; cmd: number; status?: number }): Uint8Array {
  const status = ans.status ?? R2000Status.success;
  assertR2000Byte('status', status);
  return encodeR2000Frame({ addr: ans.addr, cmd: ans.cmd, data: [status] });
}
