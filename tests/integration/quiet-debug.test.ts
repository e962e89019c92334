/**
 * gateway/infra/quiet-debug.ts: with the gateway loaded, mqtt-packet's per-packet debug calls
 * go to a logger that does nothing, unless DEBUG asks for them, and then they still print.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL('../support/quiet-debug-probe.ts', import.meta.url));

async function probe(debug: string | undefined) {
  const env = { ...process.env };
  delete env.DEBUG;
  if (debug !== undefined) env.DEBUG = debug;
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', PROBE], { env, timeout: 30_000 });
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    parsed: number;
    quiet: boolean;
    enabled: boolean;
    name: string;
  };
  return { result, stderr };
}

describe('quiet debug loggers for mqtt-packet', () => {
  it('hands mqtt-packet a logger that does nothing when DEBUG does not name it', async () => {
    const { result, stderr } = await probe(undefined);
    expect(result).toEqual({ parsed: 1, quiet: true, enabled: false, name: 'silent' });
    expect(stderr).not.toContain('mqtt-packet:parser');
  });

  it('still prints mqtt-packet debug lines when DEBUG names it', async () => {
    const { result, stderr } = await probe('mqtt-packet:*');
    expect(result).toMatchObject({ parsed: 1, quiet: true, enabled: true });
    expect(stderr).toContain('mqtt-packet:parser');
  });
});
