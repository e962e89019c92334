#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=50
// Runs the compiled CLI when built (dist/), else the TypeScript source through tsx.
// V8 memory flags (docs/benchmarks.md, 16): a young generation of 2 x 8 MB instead of
// 2 x 16 MB, and a major GC once old space has grown by half of what was live after the last
// one, instead of letting it reach up to 4 times that. Under a 100k-message burst the RSS
// peak is 131-136 MB instead of 141-152 MB (206 MB in one run), for 1.6-1.7 -> 2.2-2.5
// CPU-s per 100k messages (Mosquitto relay: 3.0-3.2); a store PC's memory is the scarcer
// resource, and the gateway still needs less CPU than the bare relay. Anything that starts
// node itself (npm scripts, a service unit, the benchmarks) passes the same flags:
// tests/support/launcher.ts reads them here.
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
