/**
 * An R2000-family UHF reader on a serial port (protocols/r2000.ts): answers the host's
 * setWorkAntenna (0x74) and real-time inventory (0x89) with one tag frame per tag "in front
 * of" the selected antenna and the summary frame, as the real reader does. Which tags each
 * antenna sees is set by the test or scenario. Other commands get an ErrorCode answer.
 */
import { decodeR2000Frame, R2000_HEAD, R2000Cmd, R2000Status } from '../../protocols/index.js';
import {
  encodeR2000Error,
  encodeR2000InventoryEnd,
  encodeR2000Status,
  encodeR2000Tag,
} from '../../protocols/r2000-encode.js';
import { DevicePort } from './device-port.js';

export interface EmulatedTag {
  readonly epc: string;
  readonly rssiDbm: number;
}

export interface R2000EmulatorOptions {
  readonly path: string;
  /** Default 115200. */
  readonly baudRate?: number;
  /** The reader's own address; it also answers the public address 0xFF. Default 1. */
  readonly address?: number;
  /** Antenna ports, 4 or 8. Default 4. */
  readonly ports?: number;
  /** Pause before answering an inventory (the RF round). Default 0. */
  readonly roundMs?: number;
  /** Random bytes (never 0xA0) written between answer frames, every N frames; 0 = none. */
  readonly garbageEvery?: number;
}

export class R2000Emulator {
  readonly #opts: R2000EmulatorOptions;
  #port: DevicePort | undefined;
  #buf: Uint8Array = new Uint8Array(0);
  readonly #tags = new Map<number, readonly EmulatedTag[]>();
  readonly #missing = new Set<number>();
  #antenna = 1;
  #silent = false;
  #rounds = 0;
  #frames = 0;
  /** Tag frames written per `${antenna}|${epc}`. */
  readonly #sent = new Map<string, number>();
  #queue: Promise<void> = Promise.resolve();

  private constructor(options: R2000EmulatorOptions) {
    this.#opts = options;
  }

  static async open(options: R2000EmulatorOptions): Promise<R2000Emulator> {
    const emu = new R2000Emulator(options);
    emu.#port = await DevicePort.open({
      path: options.path,
      baudRate: options.baudRate ?? 115_200,
      onData: (chunk) => emu.#onData(chunk),
    });
    return emu;
  }

  /** The tags antenna `port` (1-based) sees from now on. */
  setTags(port: number, tags: readonly EmulatedTag[]): void {
    this.#tags.set(port, [...tags]);
  }

  /** An antenna without its cable answers inventories with antennaMissingError. */
  setMissing(port: number, missing: boolean): void {
    if (missing) this.#missing.add(port);
    else this.#missing.delete(port);
  }

  /** A silent reader ignores every command (a hung reader or a cut RX wire). */
  set silent(value: boolean) {
    this.#silent = value;
  }

  get rounds(): number {
    return this.#rounds;
  }

  /** Tag frames written, per antenna and EPC (upper-case). */
  sentReads(): ReadonlyMap<string, number> {
    return new Map(this.#sent);
  }

  /** Resolves once every command received so far has been answered. */
  idle(): Promise<void> {
    return this.#queue;
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.#port?.close();
  }

  #onData(chunk: Buffer): void {
    const buf = new Uint8Array(this.#buf.length + chunk.length);
    buf.set(this.#buf, 0);
    buf.set(chunk, this.#buf.length);
    let i = 0;
    while (i < buf.length) {
      if (buf[i] !== R2000_HEAD) {
        i++;
        continue;
      }
      if (i + 1 >= buf.length) break;
      const end = i + (buf[i + 1] ?? 0) + 2;
      if (end > buf.length) break;
      const frame = decodeR2000Frame(buf.subarray(i, end));
      if (!frame.ok) {
        i++;
        continue;
      }
      i = end;
      const { addr, cmd, data } = frame.value;
      const own = this.#opts.address ?? 1;
      if (this.#silent || (addr !== own && addr !== 0xff)) continue;
      // Answers go out in order, one command at a time, as the reader's single UART does.
      this.#queue = this.#queue.then(() => this.#answer(own, cmd, data));
    }
    this.#buf = buf.slice(i);
  }

  async #answer(addr: number, cmd: number, data: Uint8Array): Promise<void> {
    const ports = this.#opts.ports ?? 4;
    if (cmd === R2000Cmd.setWorkAntenna) {
      const id = data[0] ?? 0xff;
      if (data.length !== 1 || id >= ports) {
        await this.#write(encodeR2000Status({ addr, cmd, status: R2000Status.parameterInvalidAntennaIdOutOfRange }));
        return;
      }
      this.#antenna = id + 1;
      await this.#write(encodeR2000Status({ addr, cmd }));
      return;
    }
    if (cmd === R2000Cmd.realTimeInventory) {
      if (this.#opts.roundMs) await new Promise((r) => setTimeout(r, this.#opts.roundMs));
      const antenna = this.#antenna;
      if (this.#missing.has(antenna)) {
        await this.#write(encodeR2000Error({ addr, cmd, code: R2000Status.antennaMissingError }));
        return;
      }
      const repeat = data[0] === undefined || data[0] === 0xff ? 1 : Math.max(1, data[0]);
      const tags = this.#tags.get(antenna) ?? [];
      const frames: Uint8Array[] = [];
      const keys: string[] = [];
      for (let r = 0; r < repeat; r++) {
        for (const tag of tags) {
          const freq = 7 + Math.floor(Math.random() * 53);
          frames.push(encodeR2000Tag({ addr, antenna, freq, epc: tag.epc, rssiDbm: tag.rssiDbm }));
          keys.push(`${antenna}|${tag.epc.toUpperCase()}`);
        }
      }
      const readRate = Math.min(0xffff, frames.length * 20);
      frames.push(encodeR2000InventoryEnd({ addr, antenna, readRate, totalRead: keys.length }));
      // One write per round: the frames leave back to back, as the reader streams them.
      if (await this.#write(...frames)) {
        for (const key of keys) this.#sent.set(key, (this.#sent.get(key) ?? 0) + 1);
      }
      this.#rounds++;
      return;
    }
    await this.#write(encodeR2000Error({ addr, cmd, code: R2000Status.fail }));
  }

  async #write(...frames: Uint8Array[]): Promise<boolean> {
    const port = this.#port;
    if (!port) return false;
    const every = this.#opts.garbageEvery ?? 0;
    const parts: Uint8Array[] = [];
    for (const frame of frames) {
      this.#frames++;
      if (every > 0 && this.#frames % every === 0) {
        // Never 0xA0: a false head could pass its 1-in-256 checksum and swallow a real frame.
        const junk = new Uint8Array(1 + Math.floor(Math.random() * 8)).map(() => Math.floor(Math.random() * 256));
        for (let i = 0; i < junk.length; i++) if (junk[i] === R2000_HEAD) junk[i] = 0x5a;
        parts.push(junk);
      }
      parts.push(frame);
    }
    return port.write(Buffer.concat(parts));
  }
}
