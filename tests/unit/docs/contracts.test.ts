/**
 * docs/contracts.md is the contract readers get with the repository. Its tables are
 * generated from the schemas (scripts/contracts.ts); these tests fail when the file no longer
 * matches the code, when an API route is missing from it, or when a document points outside
 * the repository.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { CONTRACTS_FILE, fieldRows, fieldTable, renderContracts, type Schema } from '../../../scripts/contracts.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const contracts = readFileSync(CONTRACTS_FILE, 'utf8');

function walk(dir: string, skip: ReadonlySet<string>, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, skip, out);
    else out.push(path);
  }
  return out;
}

describe('docs/contracts.md', () => {
  it('holds exactly what `npm run docs:contracts` generates from the schemas', () => {
    expect(renderContracts(contracts), 'docs/contracts.md is out of date: run `npm run docs:contracts`').toBe(
      contracts,
    );
  });

  it('the generator refuses a field nobody described, and a description of a field that is gone', () => {
    const schema = Type.Object({ door: Type.String(), added: Type.Optional(Type.Integer({ minimum: 0 })) }) as Schema;
    const rows = fieldRows(schema);
    expect(() => fieldTable('t', rows, { door: 'door name' })).toThrow(/no description for added/);
    expect(() => fieldTable('t', rows, { door: 'd', added: 'a', removed: 'r' })).toThrow(/describes unknown removed/);
    expect(fieldTable('t', rows, { door: 'door name', added: 'a count' })).toContain(
      '| `added` | integer ≥ 0 | no | a count |',
    );
  });

  it('lists every HTTP route the gateway registers', () => {
    const api = contracts.slice(contracts.indexOf('## HTTP API'), contracts.indexOf('## Upstream'));
    // The dashboard's static routes (/, /staff/) are described in prose, not as API routes.
    const sources = walk(join(ROOT, 'gateway'), new Set(['ui', 'static.ts'])).filter((f) => f.endsWith('.ts'));
    const routes: string[] = [];
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\.(get|post|put|delete|patch)\(\s*'(\/[^']*)'/g)) {
        routes.push(`${m[1]?.toUpperCase()} ${m[2]}`);
      }
      // Route plugins given their path by the caller, e.g. sseRoutes(feed, '/stream').
      for (const m of text.matchAll(/[a-z]+Routes\([^)']*'(\/[^']*)'/gi)) routes.push(`GET ${m[1]}`);
    }
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes
      .map((r) => r.replace(/:(\w+)/g, '{$1}'))
      .filter((r) => !new RegExp(`${r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w/.-])`).test(api));
    expect(missing).toEqual([]);
  });

  it('no file in the repository links to documents outside it', () => {
    const outside = ['..', 'shared', ''].join('/');
    const files = walk(ROOT, new Set(['node_modules', 'dist', '.git', 'artifacts', 'bench-results', 'coverage']));
    const offenders = files
      .filter((f) => /\.(md|ts|tsx|js|json|ya?ml|sh|html|css)$|Dockerfile$|run$/.test(f))
      .filter((f) => readFileSync(f, 'utf8').includes(outside))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});
