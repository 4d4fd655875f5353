/**
 * A minimal static file server for dist/, on loopback only: what any static host does (directory
 * index.html, 404.html for unknown paths), so screenshots and browser tests see the site exactly as
 * it will be deployed, with no dependency on the sandbox's Node server.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  /** Origin without trailing slash, e.g. http://127.0.0.1:41234 */
  origin: string;
  close: () => Promise<void>;
}

function resolveFile(root: string, urlPath: string): string | undefined {
  const decoded = decodeURIComponent(urlPath.split('?')[0]);
  const candidate = normalize(join(root, decoded));
  if (candidate !== root && !candidate.startsWith(root + sep)) return undefined; // Path traversal.
  if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  const index = join(candidate, 'index.html');
  if (existsSync(index)) return index;
  return undefined;
}

/** Serves `root` on 127.0.0.1 at a free port. */
export async function serveStatic(root: string): Promise<StaticServer> {
  const normalizedRoot = normalize(root);
  const server: Server = createServer((request, response) => {
    const file = resolveFile(normalizedRoot, request.url ?? '/');
    const notFound = join(normalizedRoot, '404.html');
    const served = file ?? (existsSync(notFound) ? notFound : undefined);
    if (!served) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    response.writeHead(file ? 200 : 404, {
      'content-type': CONTENT_TYPES[extname(served)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    createReadStream(served).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
