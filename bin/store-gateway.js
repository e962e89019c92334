#!/usr/bin/env -S node --max-semi-space-size=8
// Runs the compiled CLI when built (dist/), else the TypeScript source through tsx.
// --max-semi-space-size=8: V8's young generation at 2 x 8 MB instead of 2 x 16 MB. Under a
// burst that is 15-20 MB less RSS for 5-15 % more CPU (docs/benchmarks.md); a store PC's
// memory is the scarcer resource. Anything that starts node itself (npm scripts, a service
// unit, the benchmarks) passes the same flags: tests/support/launcher.ts reads them here.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'gateway', 'cli.js');
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'gateway', 'cli.ts')).href);
}
