/**
 * The shipped host configs send exactly the headers `wslab serve` sends: every config is read by
 * its host's own matching and merging rules (helpers/deploy-configs.ts) and compared, path by path,
 * with ISOLATION_HEADERS and cacheControlFor from sandbox/server/site-server.ts. Change one side
 * without the other and this fails. No build and no server needed; deploy-servers.test.ts then
 * serves dist/ with the nginx and Apache files for real.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheControlFor, ISOLATION_HEADERS } from '../../sandbox/server/site-server.ts';
import {
  apacheAddTypes,
  apacheHeaders,
  apacheVirtualHost,
  cloudflareHeaders,
  netlifyHeaders,
  nginxHeaders,
  parseHeadersFile,
  parseNginx,
  vercelHeaders,
  type HeaderMap,
} from './helpers/deploy-configs.ts';

const repoRoot = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

const HEADERS_FILE = read('site/public/_headers');
const VERCEL_JSON = read('site/deploy/vercel.json');
const NGINX_CONF = read('site/deploy/nginx.conf');
const APACHE_CONF = read('site/deploy/apache-wslab.conf');

/** What Netlify and Cloudflare send before _headers applies; ours must replace it. */
const HOST_DEFAULT_CACHE = { 'Cache-Control': 'public, max-age=0, must-revalidate' };

/** The path prefixes cacheControlFor treats as immutable, read from its source so new ones are sampled too. */
function immutablePrefixes(): string[] {
  const source = read('sandbox/server/site-server.ts');
  const body = /export function cacheControlFor\([\s\S]*?\n\}/.exec(source)?.[0] ?? '';
  return [...body.matchAll(/startsWith\(\s*'([^']+)'\s*\)/g)].map((match) => match[1]);
}

/** URL paths a browser asks for: pages, assets under every cached prefix, and near misses. */
function samplePaths(): string[] {
  const prefixes = immutablePrefixes();
  return [
    '/',
    '/index.html',
    '/404.html',
    '/en/',
    '/ja/',
    '/en/lessons/websocket-basics/',
    '/ja/preflight/',
    '/favicon.svg',
    '/pagefind/pagefind.js',
    '/pagefind/pagefind-entry.json',
    '/pagefind/index/en_0123abcd.pf_index',
    '/sandbox/sandbox.mjs',
    '/no-such-page/',
    // Only at the start of the path. (Netlify's own matcher would also take "/_astronaut/": its
    // "/_astro/*" compiles to ^/_astro/?(.*) — harmless, as no such path exists in dist/.)
    '/en/_astro/not-an-asset.js',
    ...prefixes.flatMap((prefix) => [`${prefix}index.D3adB33f.js`, `${prefix}nested/dir/style.C0ffee00.css`, `${prefix}font.woff2`]),
  ];
}

function expectedHeaders(urlPath: string): Record<string, string> {
  const expected: Record<string, string> = {};
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) expected[name.toLowerCase()] = value;
  expected['cache-control'] = cacheControlFor(urlPath);
  return expected;
}

const asRecord = (headers: HeaderMap) => Object.fromEntries([...headers].sort(([a], [b]) => a.localeCompare(b)));
const sorted = (record: Record<string, string>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/** Every sample path where the config's headers differ from the Node server's. */
function driftOf(headersFor: (urlPath: string) => HeaderMap): { path: string; config: Record<string, string>; server: Record<string, string> }[] {
  return samplePaths()
    .map((path) => ({ path, config: asRecord(headersFor(path)), server: sorted(expectedHeaders(path)) }))
    .filter(({ config, server }) => JSON.stringify(config) !== JSON.stringify(server));
}

describe('the site server the configs are compared with', () => {
  it('has immutable prefixes to sample and isolates every response', () => {
    expect(immutablePrefixes()).toContain('/_astro/');
    for (const prefix of immutablePrefixes()) expect(cacheControlFor(`${prefix}x.js`), prefix).toMatch(/immutable/);
    expect(ISOLATION_HEADERS['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(ISOLATION_HEADERS['Cross-Origin-Embedder-Policy']).toBe('require-corp');
  });
});

describe('site/public/_headers (copied to dist/_headers)', () => {
  const rules = parseHeadersFile(HEADERS_FILE);

  it('gives Cloudflare Pages the same headers as wslab serve for every path', () => {
    expect(driftOf((path) => cloudflareHeaders(rules, path, HOST_DEFAULT_CACHE))).toEqual([]);
  });

  it('gives Netlify the same headers as wslab serve for every path', () => {
    expect(driftOf((path) => netlifyHeaders(rules, path, HOST_DEFAULT_CACHE))).toEqual([]);
  });

  it('is what the model says: without the detach line Cloudflare would join both Cache-Control values', () => {
    // Guards the model itself: the reason for "! Cache-Control" must show up when it is removed.
    const withoutDetach = parseHeadersFile(HEADERS_FILE.replace(/^\s+!\s*Cache-Control\s*$/gm, ''));
    expect(cloudflareHeaders(withoutDetach, '/_astro/a.js').get('cache-control')).toBe('no-cache, public, max-age=31536000, immutable');
    expect(netlifyHeaders(withoutDetach, '/_astro/a.js').get('cache-control')).toBe('public, max-age=31536000, immutable');
  });
});

describe('site/deploy/vercel.json', () => {
  it('gives Vercel the same headers as wslab serve for every path', () => {
    expect(driftOf((path) => vercelHeaders(VERCEL_JSON, path))).toEqual([]);
  });

  it('builds with npm run build and publishes dist/ (it belongs at the repository root)', () => {
    const config = JSON.parse(VERCEL_JSON);
    expect(config.buildCommand).toBe('npm run build');
    expect(config.outputDirectory).toBe('dist');
    expect(JSON.parse(read('package.json')).scripts.build).toMatch(/^astro build --root site\b/);
    expect(read('site/astro.config.mjs')).toContain("'../dist'");
  });
});

describe('site/deploy/nginx.conf', () => {
  it('gives nginx the same headers as wslab serve for every path', () => {
    expect(driftOf((path) => nginxHeaders(NGINX_CONF, path).headers)).toEqual([]);
  });

  it('adds every header with "always", so 404 pages and redirects are isolated too', () => {
    for (const path of samplePaths()) expect(nginxHeaders(NGINX_CONF, path).missingAlways, path).toEqual([]);
  });

  it('serves .mjs as JavaScript and .wasm as application/wasm, and 404.html for unknown paths', () => {
    const server = parseNginx(NGINX_CONF).find((directive) => directive.name === 'server')!;
    const types = server.block!.flatMap((directive) => directive.block ?? []).find((directive) => directive.name === 'types');
    const mapping = Object.fromEntries((types?.block ?? []).map((entry) => [entry.args[0], entry.name]));
    expect(mapping).toEqual({ mjs: 'text/javascript', wasm: 'application/wasm' });
    expect(server.block!.find((directive) => directive.name === 'error_page')?.args).toEqual(['404', '/404.html']);
  });
});

describe('site/deploy/apache-wslab.conf', () => {
  it('gives Apache httpd the same headers as wslab serve for every path', () => {
    expect(driftOf((path) => apacheHeaders(APACHE_CONF, path).headers)).toEqual([]);
  });

  it('sets every header with "always", so 404 pages and redirects are isolated too', () => {
    for (const path of samplePaths()) expect(apacheHeaders(APACHE_CONF, path).notAlways, path).toEqual([]);
  });

  it('serves dist/ with .mjs as JavaScript, .wasm as application/wasm and 404.html for unknown paths', () => {
    const types = apacheAddTypes(APACHE_CONF);
    expect(types.get('.mjs')).toBe('text/javascript');
    expect(types.get('.wasm')).toBe('application/wasm');
    const vhost = apacheVirtualHost(APACHE_CONF).children!;
    const argsOf = (name: string) => vhost.find((directive) => directive.name.toLowerCase() === name.toLowerCase())?.args;
    expect(argsOf('ErrorDocument')).toEqual(['404', '/404.html']);
    expect(argsOf('DirectoryIndex')).toEqual(['index.html']);
    const documentRoot = argsOf('DocumentRoot')![0];
    expect(argsOf('Directory')).toEqual([documentRoot]);
  });
});
