/**
 * The node flags production runs the gateway with: those on bin/store-gateway.js's #! line
 * (`#!/usr/bin/env -S node --flag …`). The benchmarks start the gateway with them, and a test
 * holds the npm scripts to them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './gateway-process.js';

export function launcherNodeFlags(): string[] {
  const first = readFileSync(join(ROOT, 'bin', 'store-gateway.js'), 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  if (!match) throw new Error(`bin/store-gateway.js: unexpected #! line: ${first}`);
  return (match[1] ?? '').split(' ').filter((flag) => flag !== '');
}
