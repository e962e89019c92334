/**
 * A serial cable without hardware: socat joins two pseudo-terminals, reachable through two
 * symlinks (FIELD-NOTES "Serial and GPIO without hardware"). `kill()` pulls the cable out,
 * `restart()` plugs a new one in at the same paths (new /dev/pts numbers), as a USB adapter
 * does when it is replugged.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { lstat, unlink } from 'node:fs/promises';

export interface PtyPairOptions {
  /** Path of the first end's symlink (the device side, by convention). */
  readonly a: string;
  /** Path of the second end's symlink (the driver side). */
  readonly b: string;
  /** socat binary. Default `socat` on PATH. */
  readonly socat?: string;
  /** Longest wait for both links. Default 5 s. */
  readonly readyTimeoutMs?: number;
}

export class PtyPairError extends Error {
  override readonly name = 'PtyPairError';
  readonly code = 'pty-pair';
}

export class PtyPair {
  readonly a: string;
  readonly b: string;
  readonly #opts: PtyPairOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;

  private constructor(options: PtyPairOptions) {
    this.#opts = options;
    this.a = options.a;
    this.b = options.b;
  }

  /** Starts socat and resolves once both symlinks exist. */
  static async open(options: PtyPairOptions): Promise<PtyPair> {
    const pair = new PtyPair(options);
    await pair.#spawn();
    return pair;
  }

  /** The socat process id, while it runs. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Ends socat (SIGTERM by default; SIGKILL leaves the links dangling, like a yanked cable). */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    const exited = this.#exited;
    if (!child || !exited) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  /** A new socat at the same link paths. */
  async restart(): Promise<void> {
    await this.kill();
    await this.#spawn();
  }

  async close(): Promise<void> {
    await this.kill();
    await removeLink(this.a);
    await removeLink(this.b);
  }

  async #spawn(): Promise<void> {
    // Stale links from a killed socat would be opened before the new ones are made.
    await removeLink(this.a);
    await removeLink(this.b);
    const child = spawn(
      this.#opts.socat ?? 'socat',
      ['-d', '-d', `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      if (stderr.length < 4096) stderr += s;
    });
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => {
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
      child.once('error', () => {
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
    });
    const deadline = Date.now() + (this.#opts.readyTimeoutMs ?? 5000);
    for (;;) {
      if (this.#child !== child) throw new PtyPairError(`socat exited: ${stderr.trim() || 'no output'}`);
      if ((await exists(this.a)) && (await exists(this.b)) && stderr.includes('starting data transfer loop')) return;
      if (Date.now() > deadline) {
        await this.kill('SIGKILL');
        throw new PtyPairError(`socat did not make ${this.a} and ${this.b}: ${stderr.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function removeLink(path: string): Promise<void> {
  try {
    const st = await lstat(path);
    if (st.isSymbolicLink()) await unlink(path);
  } catch {
    // not there: nothing to do
  }
}
