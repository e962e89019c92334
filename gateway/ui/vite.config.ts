/**
 * Builds the manager dashboard (/) and the staff app (/staff/) into dist/ui, which the
 * gateway serves. Everything is bundled: no CDN, no web fonts (stores are often offline).
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  publicDir: resolve(root, 'public'),
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(root, '../../dist/ui'),
    emptyOutDir: true,
    target: 'es2022',
    // No inline data: URLs, so the gateway's CSP can stay strict.
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { manager: resolve(root, 'index.html'), staff: resolve(root, 'staff/index.html') },
    },
  },
});
