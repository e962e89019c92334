/**
 * Serves the built HQ dashboard (cloud-sink/ui → dist/hq-ui, `npm run build:hq-ui`) at `/`.
 * The files are few and small: read once at start and served from memory, so only paths
 * that exist in the build can ever be answered, whatever the URL holds. The loading is
 * common/static-files.ts, shared with the store's gateway/read/api/static.ts.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { loadStaticFiles } from '../common/static-files.js';

/** The dashboard's CSP: everything from 'self', no inline script, nothing may frame it. */
export const HQ_UI_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const here = fileURLToPath(new URL('.', import.meta.url));

/** Where the build is: HQ_UI_DIR, else dist/hq-ui beside the sources or the compiled sink. */
export function findHqUiDir(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const candidates = [env.HQ_UI_DIR, resolve(here, '../dist/hq-ui'), resolve(here, '../hq-ui')];
  return candidates.find((dir): dir is string => dir !== undefined && existsSync(join(dir, 'index.html')));
}

/** GET / and the build's assets; anything else under / is a 404 (the API keeps /api, /healthz…). */
export function hqUiRoutes(app: FastifyInstance, dir: string | undefined): void {
  const files = loadStaticFiles(dir);
  app.get('/*', (request, reply) => {
    const raw = request.url.split('?')[0] ?? '/';
    if (raw.startsWith('/api/')) return reply.callNotFound();
    const path = raw.endsWith('/') ? `${raw}index.html` : raw;
    const file = files.get(path);
    for (const [name, value] of Object.entries(HQ_UI_HEADERS)) reply.header(name, value);
    if (!file) {
      if (files.size === 0 && raw === '/') {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The HQ dashboard is not built. Run `npm run build:hq-ui` (or `npm run build`) and restart.\n');
      }
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no page ${raw}` } });
    }
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply
      .header('content-type', file.type)
      .header('etag', file.etag)
      .header('cache-control', file.cacheControl)
      .send(file.body);
  });
}
