/**
 * Serves the built tutorial (dist/) over HTTP with the headers the sandbox needs: WebContainer
 * requires cross-origin isolation (COOP + COEP), so every response carries them, and assets get
 * CORP so they load under COEP. Hashed build assets are cached for a year; pages are revalidated.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
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

const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml|manifest\+json)|image\/svg\+xml)/;

/** Pick the encoding for a response from Accept-Encoding: brotli, then gzip, else none. */
export function chooseEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | null {
  const accepted = (acceptEncoding ?? '')
    .split(',')
    .map((part) => part.trim().split(';'))
    .filter(([, quality]) => quality === undefined || !/^\s*q=0(\.0*)?\s*$/.test(quality))
    .map(([name]) => name.toLowerCase());
  if (accepted.includes('br')) return 'br';
  if (accepted.includes('gzip')) return 'gzip';
  return null;
}

/**
 * Compressed copies of static files, made once per file version: the site is static, so
 * compressing on every request would spend CPU a workshop server needs for its sandboxes.
 */
const compressedCache = new Map<string, Buffer>();

async function compressedBody(path: string, etag: string, encoding: 'br' | 'gzip'): Promise<Buffer> {
  const key = `${encoding}:${path}:${etag}`;
  const cached = compressedCache.get(key);
  if (cached) return cached;
  const raw = await readFile(path);
  const body = encoding === 'br' ? brotliCompressSync(raw, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 } }) : gzipSync(raw, { level: 9 });
  compressedCache.set(key, body);
  return body;
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
      const contentType = CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream';
      const encoding = COMPRESSIBLE.test(contentType) ? chooseEncoding(request.headers['accept-encoding']) : null;
      const headers: Record<string, string | number> = {
        'Content-Type': contentType,
        'Cache-Control': cacheControlFor(urlPath),
        ETag: etag,
      };
      if (COMPRESSIBLE.test(contentType)) headers.Vary = 'Accept-Encoding';
      if (encoding) {
        const body = await compressedBody(file.path, etag, encoding);
        response.writeHead(200, { ...headers, 'Content-Encoding': encoding, 'Content-Length': body.length });
        response.end(request.method === 'HEAD' ? undefined : body);
        return;
      }
      response.writeHead(200, { ...headers, 'Content-Length': file.size });
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
