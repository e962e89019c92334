/** The version the gateway reports upstream is package.json's (one place to bump it). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATEWAY_VERSION } from '../../../gateway/version.js';

describe('gateway version', () => {
  it('is the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(GATEWAY_VERSION).toBe(pkg.version);
    expect(GATEWAY_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});
