/**
 * Builds the HQ dashboard into dist/hq-ui, which cloud-sink serves from memory
 * (cloud-sink/static.ts). Everything is bundled: no CDN, no web fonts, no inline data: URLs
 * (the CSP is 'self' only).
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(root, '../../dist/hq-ui'),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
  },
});
