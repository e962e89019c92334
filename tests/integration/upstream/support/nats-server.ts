/**
 * A real nats-server with JetStream for one test file:
 * `nats-server -a 127.0.0.1 -p <free port> -js -sd <tmpdir>`. stop()/start() keep the port
 * and the store directory, so a restart finds its streams (NATS "down for a while").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../support/ports.js';

export class NatsServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly storeDir: string,
    /** A server config file (`-c`), e.g. the identities from `cloud-sink nats-config`. */
    readonly configFile?: string,
  ) {}

  static async start(options: { configFile?: string } = {}): Promise<NatsServer> {
    const server = await NatsServer.create(options);
    await server.start();
    return server;
  }

  /** A server with its port and directory chosen, not started yet (NATS down at boot). */
  static async create(options: { configFile?: string } = {}): Promise<NatsServer> {
    return new NatsServer(await freePort(), mkdtempSync(join(tmpdir(), 'nats-js-')), options.configFile);
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const config = this.configFile !== undefined ? ['-c', this.configFile] : [];
    const args = [...config, '-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir];
    const child = spawn('nats-server', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${log}`)), 10_000);
      child.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}:\n${log}`));
      });
    });
    child.stderr?.removeAllListeners('data');
    child.stderr?.resume();
  }

  /** Stops the server (SIGKILL with `hard`, like a crash or a cable pulled). */
  async stop(hard = false): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop(true);
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
