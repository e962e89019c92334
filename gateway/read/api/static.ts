/**
 * Serves the built dashboard (/) and staff app (/staff/) from dist/ui (`npm run build:ui`).
 * The files are few and small, so they are read once at start and served from memory:
 * only paths that exist in the build can ever be answered, whatever the URL holds.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { loadStaticFiles } from '../../../common/static-files.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Where the build is: GW_UI_DIR, else dist/ui next to the sources or the compiled gateway. */
export function findUiDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.GW_UI_DIR, resolve(here, '../../../dist/ui'), resolve(here, '../../../ui')];
  return candidates.find((dir): dir is string => dir !== undefined && existsSync(join(dir, 'index.html')));
}

export function staticRoutes(dir: string | undefined) {
  return (app: FastifyInstance) => {
    const files = loadStaticFiles(dir);
    const page = (url: string) => (url.endsWith('/') ? `${url}index.html` : url);

    app.get('/staff', (_request, reply) => reply.redirect('/staff/', 301));
    app.get('/*', (request, reply) => {
      const path = decodeURIComponentSafe(request.url.split('?')[0] ?? '/');
      if (path.startsWith('/api/')) return reply.callNotFound();
      const file = files.get(page(path));
      if (!file) {
        if (files.size === 0 && (path === '/' || path.startsWith('/staff/'))) {
          return reply
            .code(503)
            .type('text/plain; charset=utf-8')
            .send('The dashboard is not built. Run `npm run build:ui` (or `npm run build`) and restart.\n');
        }
        return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no page ${path}` } });
      }
      if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
      reply.header('content-type', file.type).header('etag', file.etag).header('cache-control', file.cacheControl);
      // The service worker controls /staff/ although it is served from there too.
      if (path === '/staff/sw.js') reply.header('service-worker-allowed', '/staff/');
      return reply.send(file.body);
    });
  };
}

function decodeURIComponentSafe(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
