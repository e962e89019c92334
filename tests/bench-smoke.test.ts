/**
 * Keeps the benchmark harness from rotting: `tsx tests/bench/run.ts --smoke` (small sizes,
 * no pass/fail thresholds) must exit 0 and print a table row for every benchmark.
 * No timing is asserted here; the numbers are only printed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNNER = fileURLToPath(new URL('./bench/run.ts', import.meta.url));
const NAMES = ['ingest', 'alert latency', 'replay', 'api', 'upstream', 'resources'];

describe('benchmark harness (smoke)', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  it('runs every benchmark at small sizes and prints one table', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', RUNNER, '--smoke'], {
      cwd: ROOT,
      env: { ...process.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
    if (code !== 0) console.log(stdout, stderr);
    expect(code).toBe(0);
    const tableRows = stdout.split('\n').filter((l) => l.startsWith('| '));
    expect(tableRows[0]).toMatch(/benchmark .*measured .*reference .*ratio .*target .*result/);
    for (const name of NAMES) expect(tableRows.some((l) => l.startsWith(`| ${name}`))).toBe(true);
    expect(stdout).not.toMatch(/ERROR/);
  }, 90_000);
});
