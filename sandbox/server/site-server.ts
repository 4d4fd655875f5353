/**
 * Serves the built tutorial (dist/) over HTTP with the headers the sandbox needs: WebContainer
 * requires cross-origin isolation (COOP + COEP), so every response carries them, and assets get
 * CORP so they load under COEP. Hashed build assets are cached for a year; pages are revalidated.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.pf_fragment': 'application/octet-stream',
  '.pf_index': 'application/octet-stream',
  '.pf_meta': 'application/octet-stream',
  '.pagefind': 'application/octet-stream',
};

/** Headers every response gets: cross-origin isolation for WebContainer, and basic hardening. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Cache policy: build assets have content hashes in their names; everything else is revalidated. */
export function cacheControlFor(urlPath: string): string {
  if (urlPath.startsWith('/_astro/') || urlPath.startsWith('/monaco/') || urlPath.startsWith('/pagefind/fragment/')) {
    return 'public, max-age=31536000, immutable';
  }
  return 'no-cache';
}

/** Map a URL path to a file under root, or null when it escapes root or is malformed. */
export function resolveSitePath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const candidate = normalize(join(root, decoded));
  const rootWithSep = root.endsWith(sep) ? root : root + sep;
  if (candidate !== root && !candidate.startsWith(rootWithSep)) return null;
  return candidate;
}

async function findFile(path: string): Promise<{ path: string; size: number; mtime: Date } | null> {
  for (const candidate of [path, join(path, 'index.html'), `${path}.html`]) {
    try {
      const info = await stat(candidate);
      if (info.isFile()) return { path: candidate, size: info.size, mtime: info.mtime };
    } catch {
      // Try the next candidate.
    }
  }
  return null;
}

/** Build the request handler for a static site rooted at `root`. */
export function createSiteHandler(root: string): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) response.setHeader(name, value);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Method Not Allowed\n');
      return;
    }
    const urlPath = (request.url ?? '/').split('?')[0];
    const filePath = resolveSitePath(root, urlPath);
    if (filePath === null) {
      response.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Bad Request\n');
      return;
    }
    void findFile(filePath).then(async (file) => {
      if (file === null) {
        const notFound = await findFile(join(root, '404.html'));
        response.writeHead(404, { 'Content-Type': CONTENT_TYPES['.html'], 'Cache-Control': 'no-cache' });
        if (notFound && request.method === 'GET') createReadStream(notFound.path).pipe(response);
        else response.end(request.method === 'GET' ? 'Not Found\n' : undefined);
        return;
      }
      // A directory URL without its trailing slash would break relative links; redirect like httpd's mod_dir.
      if (file.path.endsWith(`${sep}index.html`) && !urlPath.endsWith('/') && !urlPath.endsWith('.html')) {
        response.writeHead(301, { Location: `${urlPath}/`, 'Cache-Control': 'no-cache' });
        response.end();
        return;
      }
      const etag = `W/"${file.size.toString(16)}-${file.mtime.getTime().toString(16)}"`;
      if (request.headers['if-none-match'] === etag) {
        response.writeHead(304, { ETag: etag, 'Cache-Control': cacheControlFor(urlPath) });
        response.end();
        return;
      }
      response.writeHead(200, {
        'Content-Type': CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': file.size,
        'Cache-Control': cacheControlFor(urlPath),
        ETag: etag,
      });
      if (request.method === 'HEAD') response.end();
      else createReadStream(file.path).on('error', () => response.destroy()).pipe(response);
    });
  };
}

/** Start an HTTP server for the static site; resolves once listening. */
export function startSiteServer(options: { root: string; host: string; port: number }): Promise<http.Server> {
  const server = http.createServer(createSiteHandler(options.root));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
