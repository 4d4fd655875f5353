/**
 * The shipped server configs, for real: the built site served by Debian's Apache httpd with
 * site/deploy/apache-wslab.conf and by nginx with site/deploy/nginx.conf, each on a loopback port.
 * For each: the headers on a page, a hashed /_astro/ asset, a redirect and a 404; the MIME types of
 * .mjs and .wasm; then chromium opens a page and must find it cross-origin isolated with
 * SharedArrayBuffer, and the pre-flight page must pass.
 *
 * The configs are used as shipped; only the listen address and the document root are replaced (and
 * the test fails if those lines change shape). A few lines of preamble load the modules (Apache)
 * or wrap the file in an http block (nginx), as the distribution's main config would.
 *
 * Needs apache2, nginx and chromium (Debian packages apache2, nginx, chromium). Missing ones are
 * skipped with a warning locally; with CI=true they fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheControlFor, ISOLATION_HEADERS } from '../../sandbox/server/site-server.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../site/scripts/chromium.ts';
import { attribute, startTags } from './helpers/built-site.ts';
import { builtSite } from './helpers/test-site-build.ts';

const repoRoot = join(import.meta.dirname, '../..');
const APACHE_BINARY = process.env.WSLAB_APACHE_BINARY ?? '/usr/sbin/apache2';
const APACHE_MODULES = process.env.WSLAB_APACHE_MODULES ?? '/usr/lib/apache2/modules';
const NGINX_BINARY = process.env.WSLAB_NGINX_BINARY ?? '/usr/sbin/nginx';
const IN_CI = process.env.CI === 'true';
const READY_TIMEOUT_MS = 15_000;

/** A server that is listening, and how to stop it. */
interface RunningServer {
  origin: string;
  output: () => string;
  stop: () => Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) if (child.pid) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Spawn a server in its own process group and wait until it answers HTTP on the port. */
async function startServer(command: string, args: string[], port: number, logFile: string): Promise<RunningServer> {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), children.delete(child), resolve())));
  const origin = `http://127.0.0.1:${port}`;
  const logText = () => `${output}${existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}`;
  const stop = async () => {
    if (exited || !child.pid) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, 5_000);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`${command} exited before it served anything:\n${logText()}`);
    try {
      const response = await fetch(`${origin}/`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      return { origin, output: logText, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${command} did not answer on ${origin} within ${READY_TIMEOUT_MS / 1000} s:\n${logText()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
}

/** Replace `pattern` in a shipped config, failing if the line it relies on is not there. */
function replaceOrFail(text: string, pattern: RegExp, replacement: string, file: string): string {
  if (!pattern.test(text)) throw new Error(`${file} no longer has ${pattern}; update deploy-servers.test.ts to match the new file.`);
  return text.replace(pattern, replacement);
}

/** A private copy of the build (with .mjs and .wasm probes) readable by the servers' workers. */
function prepareSite(site: string, workdir: string): string {
  const root = join(workdir, 'site');
  cpSync(site, root, { recursive: true });
  writeFileSync(join(root, 'probe.mjs'), 'export const probe = 1;\n');
  // The smallest valid WebAssembly module: magic and version.
  writeFileSync(join(root, 'probe.wasm'), Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  return root;
}

function makeWorkdir(name: string): string {
  const workdir = mkdtempSync(join(tmpdir(), `wslab-deploy-${name}-`));
  // Worker processes (www-data, nobody) reopen files here.
  chmodSync(workdir, 0o755);
  return workdir;
}

async function startApache(site: string): Promise<{ server: RunningServer; workdir: string }> {
  const workdir = makeWorkdir('apache');
  const root = prepareSite(site, workdir);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const file = 'site/deploy/apache-wslab.conf';
    let vhost = readFileSync(join(repoRoot, file), 'utf8');
    vhost = replaceOrFail(vhost, /<VirtualHost \*:80>/, `<VirtualHost 127.0.0.1:${port}>`, file);
    vhost = replaceOrFail(vhost, /\/srv\/wslab\/dist/g, root, file);
    writeFileSync(join(workdir, 'wslab.conf'), vhost);
    // Debian's default set for a static site (deflate and filter are enabled out of the box).
    const modules = ['mpm_event', 'authz_core', 'headers', 'mime', 'dir', 'filter', 'deflate'];
    writeFileSync(
      join(workdir, 'httpd.conf'),
      [
        '# What Debian\'s apache2.conf and mods-enabled/ would provide, and the shipped vhost.',
        ...modules.map((module) => `LoadModule ${module}_module ${APACHE_MODULES}/mod_${module}.so`),
        'TypesConfig /etc/mime.types',
        'ServerName localhost',
        `Listen 127.0.0.1:${port}`,
        ...(process.getuid?.() === 0 ? ['User www-data', 'Group www-data'] : []),
        `PidFile ${workdir}/httpd.pid`,
        `DefaultRuntimeDir ${workdir}`,
        `Mutex file:${workdir} default`,
        `ErrorLog ${workdir}/error.log`,
        'LogLevel warn',
        `Include ${workdir}/wslab.conf`,
        '',
      ].join('\n'),
    );
    try {
      const server = await startServer(APACHE_BINARY, ['-f', join(workdir, 'httpd.conf'), '-DFOREGROUND'], port, join(workdir, 'error.log'));
      return { server, workdir };
    } catch (error) {
      if (attempt >= 3 || !/AH00072|Address already in use/.test(String(error))) throw error;
    }
  }
}

async function startNginx(site: string): Promise<{ server: RunningServer; workdir: string }> {
  const workdir = makeWorkdir('nginx');
  const root = prepareSite(site, workdir);
  mkdirSync(join(workdir, 'temp'), { mode: 0o755 });
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const file = 'site/deploy/nginx.conf';
    let conf = readFileSync(join(repoRoot, file), 'utf8');
    conf = replaceOrFail(conf, /^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${port};`, file);
    conf = replaceOrFail(conf, /^\s*listen \[::\]:80;\n/m, '', file);
    conf = replaceOrFail(conf, /\/srv\/wslab\/dist/g, root, file);
    writeFileSync(join(workdir, 'wslab.conf'), conf);
    writeFileSync(
      join(workdir, 'nginx.conf'),
      [
        '# What Debian\'s /etc/nginx/nginx.conf would provide around conf.d/*.conf.',
        'worker_processes 1;',
        `pid ${workdir}/nginx.pid;`,
        `error_log ${workdir}/error.log warn;`,
        'events { worker_connections 256; }',
        'http {',
        '  include /etc/nginx/mime.types;',
        '  default_type application/octet-stream;',
        '  access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${workdir}/temp/${kind};`),
        `  include ${workdir}/wslab.conf;`,
        '}',
        '',
      ].join('\n'),
    );
    try {
      const args = ['-e', join(workdir, 'error.log'), '-p', workdir, '-c', join(workdir, 'nginx.conf'), '-g', 'daemon off;'];
      const server = await startServer(NGINX_BINARY, args, port, join(workdir, 'error.log'));
      return { server, workdir };
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/.test(String(error))) throw error;
    }
  }
}

/** The isolation and cache headers the Node site server sends for this path. */
function expectedHeaders(urlPath: string): Record<string, string> {
  const expected: Record<string, string> = {};
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) expected[name.toLowerCase()] = value;
  expected['cache-control'] = cacheControlFor(urlPath);
  return expected;
}

function headersOf(response: Response, names: string[]): Record<string, string | null> {
  return Object.fromEntries(names.map((name) => [name, response.headers.get(name)]));
}

let browser: Browser | undefined;
const chromiumInstalled = existsSync(CHROMIUM_PATH);
const measured: string[] = [];

beforeAll(async () => {
  if (chromiumInstalled) browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (measured.length > 0) console.info(`Deploy configs served for real:\n  ${measured.join('\n  ')}`);
});

function describeServer(name: string, binary: string, debianPackage: string, start: (site: string) => Promise<{ server: RunningServer; workdir: string }>) {
  if (!existsSync(binary)) {
    const message = `${binary} not found: serving dist/ with the shipped ${name} config needs it (Debian package ${debianPackage})`;
    if (IN_CI) {
      describe(`${name} serving dist/`, () => {
        it(`needs ${name} in CI`, () => {
          throw new Error(`${message}. CI must install it: apt-get install ${debianPackage}`);
        });
      });
    } else {
      console.warn(`\n[deploy-servers] SKIPPED: ${message}.\n`);
      describe.skip(`${name} serving dist/ (skipped: ${message})`, () => {
        it('needs the server', () => undefined);
      });
    }
    return;
  }

  describe(`${name} serving dist/ with the shipped config`, () => {
    let server: RunningServer;
    let workdir: string;
    let site: string;

    beforeAll(async () => {
      site = await builtSite();
      ({ server, workdir } = await start(site));
    }, 11 * 60_000);

    afterAll(async () => {
      await server?.stop();
      if (workdir && process.env.WSLAB_KEEP_WORKDIR !== '1') rmSync(workdir, { recursive: true, force: true });
    });

    const headerNames = Object.keys(expectedHeaders('/'));

    it('sends the isolation headers and no-cache with an HTML page', async () => {
      const response = await fetch(`${server.origin}/en/`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(headersOf(response, headerNames)).toEqual(expectedHeaders('/en/'));
      measured.push(`${name} /en/: ${headerNames.map((header) => `${header}: ${response.headers.get(header)}`).join(' | ')}`);
      await response.arrayBuffer();
    });

    it('caches a hashed /_astro/ asset for a year, with the isolation headers', async () => {
      const html = readFileSync(join(site, 'en/index.html'), 'utf8');
      const asset = startTags(html, ['script', 'link'])
        .map((tag) => attribute(tag, 'src') ?? attribute(tag, 'href'))
        .find((url) => url?.startsWith('/_astro/'));
      expect(asset, 'the page loads something from /_astro/').toBeDefined();
      const response = await fetch(`${server.origin}${asset}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(asset!.endsWith('.css') ? /^text\/css/ : /^(?:text|application)\/javascript/);
      expect(headersOf(response, headerNames)).toEqual(expectedHeaders(asset!));
      // Node's fetch asks for gzip and br; both servers' configs compress text.
      expect(response.headers.get('content-encoding'), 'compressed').toMatch(/^(?:gzip|br)$/);
      measured.push(`${name} ${asset}: cache-control: ${response.headers.get('cache-control')}`);
      await response.arrayBuffer();
    });

    it('redirects a folder without its slash, isolated and uncached', async () => {
      const response = await fetch(`${server.origin}/en`, { redirect: 'manual' });
      expect(response.status).toBe(301);
      expect(new URL(response.headers.get('location')!, server.origin).pathname).toBe('/en/');
      expect(headersOf(response, headerNames)).toEqual(expectedHeaders('/en'));
      await response.arrayBuffer();
    });

    it('answers an unknown path with 404.html, isolated and uncached, even under /_astro/', async () => {
      const notFoundPage = readFileSync(join(site, '404.html'), 'utf8');
      for (const path of ['/no-such-page/', '/_astro/no-such-asset.js']) {
        const response = await fetch(`${server.origin}${path}`);
        expect(response.status, path).toBe(404);
        expect(await response.text(), path).toBe(notFoundPage);
        expect(headersOf(response, headerNames), path).toEqual(expectedHeaders('/404.html'));
      }
    });

    it('serves .mjs as JavaScript and .wasm as application/wasm', async () => {
      // The sandbox bundle WebContainer fetches, when the build made one, and a probe file.
      const modules = existsSync(join(site, 'sandbox/sandbox.mjs')) ? ['/sandbox/sandbox.mjs', '/probe.mjs'] : ['/probe.mjs'];
      for (const path of modules) {
        const mjs = await fetch(`${server.origin}${path}`);
        expect(mjs.status, path).toBe(200);
        expect(mjs.headers.get('content-type'), path).toMatch(/^text\/javascript\b/);
        expect(headersOf(mjs, headerNames), path).toEqual(expectedHeaders(path));
        await mjs.arrayBuffer();
      }
      const wasm = await fetch(`${server.origin}/probe.wasm`);
      expect(wasm.headers.get('content-type')).toBe('application/wasm');
      await wasm.arrayBuffer();
    });

    it('gives chromium a cross-origin isolated page with SharedArrayBuffer, and a passing pre-flight', async () => {
      if (!browser) {
        const message = `Chromium not found at ${CHROMIUM_PATH} (Debian package chromium)`;
        if (IN_CI) throw new Error(`${message}; CI must install it.`);
        console.warn(`[deploy-servers] browser check skipped: ${message}`);
        return;
      }
      const page = await browser.newPage();
      try {
        const response = await page.goto(`${server.origin}/en/`);
        expect(response?.status()).toBe(200);
        const isolation = await page.evaluate(() => ({
          crossOriginIsolated: globalThis.crossOriginIsolated,
          sharedArrayBuffer: typeof SharedArrayBuffer,
        }));
        expect(isolation).toEqual({ crossOriginIsolated: true, sharedArrayBuffer: 'function' });
        measured.push(`${name}: crossOriginIsolated=${isolation.crossOriginIsolated}, typeof SharedArrayBuffer=${isolation.sharedArrayBuffer}`);

        await page.goto(`${server.origin}/en/preflight/`);
        await page.locator('[data-preflight][data-preflight-done]').waitFor({ state: 'attached', timeout: 20_000 });
        const states = await page.$$eval('[data-check]', (items) => Object.fromEntries(items.map((item) => [item.getAttribute('data-check'), item.getAttribute('data-state')])));
        expect(states).toMatchObject({ 'secure-context': 'pass', headers: 'pass', isolation: 'pass', 'shared-array-buffer': 'pass', webassembly: 'pass' });
        expect(await page.getAttribute('[data-summary]', 'data-state')).toBe('pass');
      } finally {
        await page.close();
      }
    });

    it('logged no errors while serving', () => {
      expect(server.output()).not.toMatch(/\[(?:error|crit|alert|emerg)\]|\[[a-z_]+:(?:error|crit|alert|emerg)\]/);
    });
  });
}

describe('the build output for Netlify and Cloudflare Pages', () => {
  it('has _headers at its root, exactly as site/public/_headers', async () => {
    const site = await builtSite();
    expect(readFileSync(join(site, '_headers'), 'utf8')).toBe(readFileSync(join(repoRoot, 'site/public/_headers'), 'utf8'));
  }, 11 * 60_000);
});

describeServer('Apache httpd', APACHE_BINARY, 'apache2', startApache);
describeServer('nginx', NGINX_BINARY, 'nginx', startNginx);

if (!chromiumInstalled && IN_CI) {
  describe('chromium for the deploy checks', () => {
    it('is installed in CI', () => {
      throw new Error(`Chromium not found at ${CHROMIUM_PATH}: CI must install Debian's chromium package.`);
    });
  });
}
