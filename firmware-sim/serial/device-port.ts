/**
 * The device's end of a serial cable: a real device keeps running when the cable is out,
 * and talks again once it is back. Writes while unplugged are lost (returned as false), as
 * bytes sent into an unplugged UART are.
 */
import { SerialPort } from 'serialport';

export interface DevicePortOptions {
  readonly path: string;
  readonly baudRate: number;
  /** How often to try the port again while it is gone. Default 100 ms. */
  readonly retryMs?: number;
  readonly onData?: (chunk: Buffer) => void;
  /** A write not done after this long means the other end is gone. Default 1 s. */
  readonly writeTimeoutMs?: number;
}

export class DevicePort {
  readonly #opts: DevicePortOptions;
  #port: SerialPort | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  #opens = 0;

  private constructor(options: DevicePortOptions) {
    this.#opts = options;
  }

  /** Opens the port (retrying in the background if it is not there yet). */
  static async open(options: DevicePortOptions): Promise<DevicePort> {
    const p = new DevicePort(options);
    await p.#connect();
    return p;
  }

  get isOpen(): boolean {
    return this.#port !== undefined;
  }

  /** Times the port was opened (1 + reconnects). */
  get opens(): number {
    return this.#opens;
  }

  /** Resolves true once written to the OS, false if the port is not open or the write failed. */
  write(bytes: Uint8Array | string): Promise<boolean> {
    const port = this.#port;
    if (!port) return Promise.resolve(false);
    return new Promise((resolve) => {
      // A write into a pty whose other end is gone can hang (or fail with EIO), sometimes
      // without a close event: either way the cable is out, so reopen.
      const timer = setTimeout(() => {
        this.#lost(port);
        resolve(false);
      }, this.#opts.writeTimeoutMs ?? 1000);
      port.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes), (err) => {
        clearTimeout(timer);
        if (err) this.#lost(port);
        resolve(!err);
      });
    });
  }

  /** Waits until everything written has left (tcdrain). */
  drain(): Promise<void> {
    const port = this.#port;
    if (!port) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.#opts.writeTimeoutMs ?? 1000);
      port.drain(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    const port = this.#port;
    this.#port = undefined;
    if (port) await closeQuietly(port);
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const port = new SerialPort({ path: this.#opts.path, baudRate: this.#opts.baudRate, autoOpen: false });
    port.on('error', () => this.#lost(port));
    const err = await new Promise<Error | null>((resolve) => port.open(resolve));
    if (this.#closed) {
      if (!err) await closeQuietly(port);
      return;
    }
    if (err) {
      this.#schedule();
      return;
    }
    this.#port = port;
    this.#opens++;
    port.on('close', () => this.#lost(port));
    port.on('data', (chunk: Buffer) => this.#opts.onData?.(chunk));
  }

  #lost(port: SerialPort): void {
    if (this.#port !== port) return;
    this.#port = undefined;
    void closeQuietly(port);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#connect();
    }, this.#opts.retryMs ?? 100);
  }
}

async function closeQuietly(port: SerialPort): Promise<void> {
  port.removeAllListeners('data');
  port.removeAllListeners('close');
  port.on('error', () => {});
  if (!port.isOpen) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    port.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
