/**
 * Firmware of a serial door counter (DESIGN "Serial contract"): keeps cumulative in/out
 * totals and writes a `$PCNT` line after every count and as a heartbeat. Faults a real line
 * shows can be injected: garbage bytes, lines cut short, bad checksums, lines torn across
 * writes, and a restart with a new bootId (totals from zero).
 */
import { randomBytes } from 'node:crypto';
import { encodeDoorLine } from '../../protocols/index.js';
import { DevicePort } from './device-port.js';

export interface DoorCounterFirmwareOptions {
  readonly path: string;
  /** Default 9600. */
  readonly baudRate?: number;
  /** The `<device>` field. */
  readonly device: string;
  /** The `<door>` field. */
  readonly door: string;
  /** Default: 8 random hex digits. */
  readonly bootId?: string;
  /** Totals to start from (a counter that has been running). */
  readonly totalIn?: number;
  readonly totalOut?: number;
  /** Repeat the current totals this often (a new seq each time); 0 = only on counts. Default 0. */
  readonly heartbeatMs?: number;
}

export type LineFault = 'bad-checksum' | 'truncated' | 'split';

export interface DoorCounterState {
  readonly bootId: string;
  readonly seq: number;
  readonly totalIn: number;
  readonly totalOut: number;
}

export class DoorCounterFirmware {
  readonly #opts: DoorCounterFirmwareOptions;
  readonly #port: DevicePort;
  #bootId: string;
  #seq = 0;
  #in: number;
  #out: number;
  #heartbeat: NodeJS.Timeout | undefined;
  #linesSent = 0;
  #linesLost = 0;

  private constructor(options: DoorCounterFirmwareOptions, port: DevicePort) {
    this.#opts = options;
    this.#port = port;
    this.#bootId = options.bootId ?? newBootId();
    this.#in = options.totalIn ?? 0;
    this.#out = options.totalOut ?? 0;
  }

  static async open(options: DoorCounterFirmwareOptions): Promise<DoorCounterFirmware> {
    const port = await DevicePort.open({ path: options.path, baudRate: options.baudRate ?? 9600 });
    const fw = new DoorCounterFirmware(options, port);
    const every = options.heartbeatMs ?? 0;
    if (every > 0) fw.#heartbeat = setInterval(() => void fw.sendLine(), every);
    return fw;
  }

  get state(): DoorCounterState {
    return { bootId: this.#bootId, seq: this.#seq, totalIn: this.#in, totalOut: this.#out };
  }

  /** Lines written to the port, and lines lost because the port was down. */
  get lines(): { readonly sent: number; readonly lost: number } {
    return { sent: this.#linesSent, lost: this.#linesLost };
  }

  get connected(): boolean {
    return this.#port.isOpen;
  }

  /** Counts people and sends the new totals. */
  async cross(dir: 'in' | 'out', n = 1): Promise<boolean> {
    this.count(dir, n);
    return this.sendLine();
  }

  /** Counts without sending (the line for it is lost; the next line's totals cover it). */
  count(dir: 'in' | 'out', n = 1): void {
    if (dir === 'in') this.#in += n;
    else this.#out += n;
  }

  /** Sends the current totals with the next seq, optionally damaged. */
  async sendLine(fault?: LineFault): Promise<boolean> {
    this.#seq++;
    const line = this.#line();
    return this.#send(line, fault);
  }

  /** Sends the last line again, unchanged (same seq). */
  async repeatLine(): Promise<boolean> {
    return this.#send(this.#line());
  }

  /** Writes noise: the given bytes, or n random bytes (never `$`, so no false line starts). */
  async sendGarbage(bytesOrCount: Uint8Array | number): Promise<boolean> {
    const bytes = typeof bytesOrCount === 'number' ? noise(bytesOrCount) : bytesOrCount;
    return this.#port.write(bytes);
  }

  /** A power cycle: new bootId, totals and seq from zero. */
  restart(bootId: string = newBootId()): void {
    this.#bootId = bootId;
    this.#seq = 0;
    this.#in = 0;
    this.#out = 0;
  }

  drain(): Promise<void> {
    return this.#port.drain();
  }

  async close(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    await this.#port.close();
  }

  #line(): string {
    return encodeDoorLine({
      device: this.#opts.device,
      seq: this.#seq,
      door: this.#opts.door,
      totalIn: this.#in,
      totalOut: this.#out,
      bootId: this.#bootId,
    });
  }

  async #send(line: string, fault?: LineFault): Promise<boolean> {
    let ok: boolean;
    switch (fault) {
      case 'bad-checksum': {
        const star = line.lastIndexOf('*');
        const sum = Number.parseInt(line.slice(star + 1, star + 3), 16);
        const wrong = ((sum + 1 + Math.floor(Math.random() * 254)) & 0xff).toString(16).toUpperCase().padStart(2, '0');
        ok = await this.#port.write(`${line.slice(0, star + 1)}${wrong}\r\n`);
        break;
      }
      case 'truncated':
        // The rest never comes: the next line's `$` cuts it short.
        ok = await this.#port.write(line.slice(0, 1 + Math.floor(Math.random() * (line.length - 4))));
        break;
      case 'split': {
        // One good line in two writes: the reader must join them.
        const cut = 1 + Math.floor(Math.random() * (line.length - 2));
        ok = (await this.#port.write(line.slice(0, cut))) && (await this.#port.write(line.slice(cut)));
        break;
      }
      default:
        ok = await this.#port.write(line);
    }
    if (ok) this.#linesSent++;
    else this.#linesLost++;
    return ok;
  }
}

function newBootId(): string {
  return randomBytes(4).toString('hex').toUpperCase();
}

/** Random bytes other than `$` (0x24). */
function noise(n: number): Uint8Array {
  const out = randomBytes(n);
  for (let i = 0; i < out.length; i++) if (out[i] === 0x24) out[i] = 0x23;
  return out;
}
