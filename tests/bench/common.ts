/**
 * Shared pieces of the benchmark harness: result rows, the table, child processes that are
 * always killed, CPU of other processes, percentiles.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BenchOptions {
  /** Small sizes, no pass/fail. */
  readonly smoke: boolean;
}

/** One row of the table. `pass` is null when there is no threshold (smoke, or informational). */
export interface BenchRow {
  readonly bench: string;
  readonly name: string;
  readonly measured: number;
  readonly unit: string;
  readonly reference?: { readonly name: string; readonly value: number } | undefined;
  readonly target?: { readonly op: '>=' | '<'; readonly value: number; readonly of: 'value' | 'ratio' } | undefined;
  readonly note?: string | undefined;
}

export interface JudgedRow extends BenchRow {
  readonly ratio: number | null;
  readonly pass: boolean | null;
}

export function judge(row: BenchRow, smoke: boolean): JudgedRow {
  const ratio = row.reference && row.reference.value > 0 ? row.measured / row.reference.value : null;
  let pass: boolean | null = null;
  if (!smoke && row.target) {
    const subject = row.target.of === 'ratio' ? ratio : row.measured;
    if (subject === null || !Number.isFinite(subject)) pass = false;
    else pass = row.target.op === '>=' ? subject >= row.target.value : subject < row.target.value;
  }
  return { ...row, ratio, pass };
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i !== 1 && i !== 3 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): { p50: number; p99: number; max: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    n: sorted.length,
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    return ticks / 100; // CLK_TCK is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** A child process that the harness owns: collected output, line waiting, and a kill that always runs. */
export class Child {
  private out = '';
  private err = '';
  private readonly waiters: { re: RegExp; resolve: (m: string) => void }[] = [];
  readonly exited: Promise<number | null>;
  private done = false;

  private constructor(readonly proc: ChildProcess) {
    proc.stdout?.on('data', (d: Buffer) => {
      this.out += d.toString();
      this.check();
    });
    proc.stderr?.on('data', (d: Buffer) => {
      this.err += d.toString();
    });
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code) => {
        this.done = true;
        resolve(code);
      });
      proc.on('error', () => {
        this.done = true;
        resolve(-1);
      });
    });
  }

  static spawn(command: string, args: readonly string[], env: Record<string, string> = {}): Child {
    return new Child(
      spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
  }

  /** A TypeScript script under tests/bench run with `node --import tsx`. */
  static script(file: string, args: readonly string[]): Child {
    return Child.spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(file, import.meta.url)), ...args]);
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  stdout(): string {
    return this.out;
  }

  stderr(): string {
    return this.err;
  }

  private check(): void {
    for (const w of [...this.waiters]) {
      const m = this.out.match(w.re);
      if (m) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m[0]);
      }
    }
  }

  /** Waits until stdout matches `re`; fails on exit or timeout. */
  waitFor(re: RegExp, what: string, timeoutMs = 30_000): Promise<string> {
    const now = this.out.match(re);
    if (now) return Promise.resolve(now[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}\n${this.err}`)), timeoutMs);
      const waiter = {
        re,
        resolve: (m: string) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      this.waiters.push(waiter);
      void this.exited.then((code) => {
        const m = this.out.match(re);
        clearTimeout(timer);
        if (m) resolve(m[0]);
        else reject(new Error(`${what}: child exited (${code}) first\n${this.err}`));
      });
    });
  }

  /** Reads the last JSON line of stdout once the child has exited. */
  async json<T>(what: string, timeoutMs = 120_000): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      this.exited,
      new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (code === 'timeout') throw new Error(`${what}: timed out\n${this.err}`);
    const line = this.out
      .trim()
      .split('\n')
      .reverse()
      .find((l) => l.startsWith('{'));
    if (code !== 0 || !line) throw new Error(`${what}: exit ${code}\n${this.out}\n${this.err}`);
    return JSON.parse(line) as T;
  }

  async kill(): Promise<void> {
    if (this.done) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
