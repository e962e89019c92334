#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=50 --no-lazy-feedback-allocation
// Runs the compiled CLI when built (dist/), else the TypeScript source through tsx.
// V8 memory flags (docs/benchmarks.md, 16 and 18): a young generation of 2 x 8 MB instead
// of 2 x 16 MB, and a major GC once old space has grown by half of what was live after the
// last one, instead of letting it reach up to 4 times that: the RSS peak under a
// 100k-message burst stays under the 150 MB target in every run; larger semi-spaces save
// CPU but take that margin. --no-lazy-feedback-allocation (docs/benchmarks.md 20): a
// function records the types it sees from its first call instead of after V8's allocation
// budget, which cut the gateway's CPU per message by about a tenth, warm and cold, at the
// same memory. Anything that starts node itself (npm scripts, a service unit, the
// benchmarks) passes the same flags: tests/support/launcher.ts reads them here.
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
