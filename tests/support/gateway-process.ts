/**
 * Runs the real `store-gateway` CLI as a child process (the way an installer runs it), for
 * crash, signal and CLI tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = fileURLToPath(new URL('../../gateway/cli.ts', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to completion. */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, GW_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI ${args.join(' ')} timed out\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly mqttPort: number;
  readonly httpPort: number;
  readonly output: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/**
 * Starts `store-gateway start` (or `command`, e.g. `demo --speed 2000`) with the built-in
 * config on free ports and waits until /readyz.
 */
export async function startGatewayProcess(
  dataDir: string,
  env: Record<string, string> = {},
  command: readonly string[] = ['start'],
): Promise<GatewayProcess> {
  const mqttPort = await freePort();
  const httpPort = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...command], {
    cwd: ROOT,
    env: {
      ...process.env,
      GW_MQTT_PORT: String(mqttPort),
      GW_HTTP_PORT: String(httpPort),
      GW_DATA_DIR: dataDir,
      GW_LOG_LEVEL: 'warn',
      // `start` tests read the API without signing in (the demo signs in with its demo users);
      // a caller may pass GW_HTTP_AUTH to override.
      ...(command[0] === 'start' ? { GW_HTTP_AUTH: 'off' } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  await waitFor(
    async () => {
      if (gone) return true;
      const res = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
      return res.status === 200;
    },
    'gateway /readyz',
    30_000,
    50,
  );
  if (gone) throw new Error(`gateway exited during start:\n${output}`);
  return { child, mqttPort, httpPort, output: () => output, exited };
}
