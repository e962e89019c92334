/**
 * Serves the built dashboard (/) and staff app (/staff/) from dist/ui (`npm run build:ui`).
 * The files are few and small, so they are read once at start and served from memory:
 * only paths that exist in the build can ever be answered, whatever the URL holds.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly cacheControl: string;
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** Where the build is: GW_UI_DIR, else dist/ui next to the sources or the compiled gateway. */
export function findUiDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.GW_UI_DIR, resolve(here, '../../../dist/ui'), resolve(here, '../../../ui')];
  return candidates.find((dir): dir is string => dir !== undefined && existsSync(join(dir, 'index.html')));
}

function loadFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const url = `/${relative(dir, path).split(sep).join('/')}`;
      const body = readFileSync(path);
      files.set(url, {
        body,
        type: TYPES[extname(name)] ?? 'application/octet-stream',
        etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
        // Hashed asset names change with their content; pages and the worker must revalidate.
        cacheControl: url.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
  };
  walk(dir);
  return files;
}

export function staticRoutes(dir: string | undefined) {
  return (app: FastifyInstance) => {
    const files = dir ? loadFiles(dir) : new Map<string, StaticFile>();
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
