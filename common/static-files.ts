/**
 * A built web app (the store dashboard, the HQ dashboard) read once into memory: the files
 * are few and small, and only paths that exist in the build can ever be answered, whatever
 * a URL holds. Both servers (gateway/read/api/static.ts, cloud-sink/static.ts) use it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

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

export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly cacheControl: string;
}

/** URL path ('/assets/x.js') → file, for every file under `dir` (none when `dir` is undefined). */
export function loadStaticFiles(dir: string | undefined): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (dir === undefined) return files;
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
