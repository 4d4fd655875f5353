/**
 * The pre-flight page (/en/preflight/, /ja/preflight/) in chromium, on servers that do and do not
 * isolate it: served by the site server `wslab serve` uses (all browser checks pass), by a plain
 * static server without the headers (the header check names what is missing, isolation and
 * SharedArrayBuffer fail), over plain http on a non-local host name (not a secure context), with a
 * local runtime answering, with other browsers' user agents, and without JavaScript (it still says
 * what it would check and how to fix each thing). Plus the strings and constants it shares with
 * the sandbox and the site server.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SESSION_PATH as RUNTIME_SESSION_PATH } from '../../sandbox/runtime/browser/local-connection.ts';
import { cacheControlFor, createSiteHandler, ISOLATION_HEADERS } from '../../sandbox/server/site-server.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../site/scripts/chromium.ts';
import { serveStatic, type StaticServer } from '../../site/scripts/serve-static.ts';
import { HASHED_PATHS, LOCAL_SESSION_PATH, PREFLIGHT, PREFLIGHT_CHECKS, preflightHref } from '../../site/src/i18n/preflight.ts';
import { attribute, startTags } from './helpers/built-site.ts';
import { builtSite } from './helpers/test-site-build.ts';

const repoRoot = join(import.meta.dirname, '../..');
const IN_CI = process.env.CI === 'true';

describe('pre-flight strings and constants', () => {
  it('lives at /{locale}/preflight/', () => {
    expect(preflightHref('en')).toBe('/en/preflight/');
    expect(preflightHref('ja')).toBe('/ja/preflight/');
  });

  it('probes the session endpoint the local runtime really uses', () => {
    expect(LOCAL_SESSION_PATH).toBe(RUNTIME_SESSION_PATH);
  });

  it('lists exactly the paths the site server caches for a year', () => {
    const source = readFileSync(join(repoRoot, 'sandbox/server/site-server.ts'), 'utf8');
    const body = /export function cacheControlFor\([\s\S]*?\n\}/.exec(source)?.[0] ?? '';
    const prefixes = [...body.matchAll(/startsWith\(\s*'([^']+)'\s*\)/g)].map((match) => match[1]);
    expect([...HASHED_PATHS].sort()).toEqual(prefixes.sort());
    for (const path of HASHED_PATHS) expect(cacheControlFor(`${path}x.js`)).toMatch(/immutable/);
  });

  it('explains every header the site sends, in both languages', () => {
    for (const locale of ['en', 'ja'] as const) {
      expect(Object.keys(PREFLIGHT[locale].headerWhy).sort(), locale).toEqual([...Object.keys(ISOLATION_HEADERS), 'Cache-Control'].sort());
    }
  });

  it('has the same result templates and placeholders in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    for (const id of PREFLIGHT_CHECKS) {
      const en = PREFLIGHT.en.checks[id].results;
      const ja = PREFLIGHT.ja.checks[id].results;
      expect(Object.keys(ja).sort(), id).toEqual(Object.keys(en).sort());
      for (const key of Object.keys(en)) expect(placeholders(ja[key]), `${id}.${key}`).toEqual(placeholders(en[key]));
    }
    for (const key of Object.keys(PREFLIGHT.en.summary) as (keyof typeof PREFLIGHT.en.summary)[]) {
      expect(placeholders(PREFLIGHT.ja.summary[key]), key).toEqual(placeholders(PREFLIGHT.en.summary[key]));
    }
  });

  it('points each host at a configuration file that exists', () => {
    const files = new Set<string>();
    for (const locale of ['en', 'ja'] as const) {
      const text = JSON.stringify(PREFLIGHT[locale]);
      for (const match of text.matchAll(/`(site\/(?:deploy|public)\/[\w./-]+)`/g)) files.add(match[1]);
    }
    expect([...files].sort()).toEqual(['site/deploy/apache-wslab.conf', 'site/deploy/nginx.conf', 'site/deploy/vercel.json', 'site/public/_headers']);
    for (const file of files) expect(existsSync(join(repoRoot, file)), file).toBe(true);
  });
});

describe('the pre-flight page in chromium', () => {
  let site: string;
  let browser: Browser | undefined;
  let isolated: Server;
  let isolatedOrigin: string;
  let withLocalRuntime: Server;
  let withLocalRuntimeOrigin: string;
  let plain: StaticServer;

  const listen = async (server: Server) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  beforeAll(async () => {
    site = await builtSite();
    if (!existsSync(CHROMIUM_PATH)) {
      if (IN_CI) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: CI must install Debian's chromium package.`);
      console.warn(`[preflight] browser checks skipped: chromium not found at ${CHROMIUM_PATH}`);
      return;
    }
    // The handler `wslab serve` uses, alone (a static host with the right headers) and with a
    // stand-in for the local runtime's session endpoint.
    const handler = createSiteHandler(site);
    isolated = createServer(handler);
    isolatedOrigin = await listen(isolated);
    withLocalRuntime = createServer((request, response) => {
      if (request.url === LOCAL_SESSION_PATH) {
        for (const [name, value] of Object.entries(ISOLATION_HEADERS)) response.setHeader(name, value);
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ available: true }));
        return;
      }
      handler(request, response);
    });
    withLocalRuntimeOrigin = await listen(withLocalRuntime);
    plain = await serveStatic(site);
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      // wslab.test is this machine under a name that is not "localhost": plain http to it is not a
      // secure context, like a workshop server reached by its LAN address.
      args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP wslab.test 127.0.0.1'],
    });
  }, 11 * 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (isolated ? isolated.close(resolve) : resolve(undefined)));
    await new Promise((resolve) => (withLocalRuntime ? withLocalRuntime.close(resolve) : resolve(undefined)));
    await plain?.close();
  });

  interface Report {
    summary: string | null;
    summaryText: string;
    checks: Record<string, { state: string | null; status: string; result: string; fixOpen: boolean }>;
  }

  async function runPreflight(url: string, options: BrowserContextOptions = {}): Promise<{ report: Report; page: Page }> {
    const context = await browser!.newContext(options);
    const page = await context.newPage();
    const response = await page.goto(url);
    expect(response?.status(), url).toBe(200);
    await page.locator('[data-preflight][data-preflight-done]').waitFor({ state: 'attached', timeout: 20_000 });
    const report = await page.evaluate(() => ({
      summary: document.querySelector('[data-summary]')!.getAttribute('data-state'),
      summaryText: document.querySelector('[data-summary-text]')!.textContent!.trim(),
      checks: Object.fromEntries(
        [...document.querySelectorAll('[data-check]')].map((item) => [
          item.getAttribute('data-check')!,
          {
            state: item.getAttribute('data-state'),
            status: item.querySelector('[data-check-status]')!.textContent!.trim(),
            result: item.querySelector('[data-check-result]')!.textContent!.trim(),
            fixOpen: (item.querySelector('[data-check-fix]') as HTMLDetailsElement).open,
          },
        ]),
      ),
    }));
    return { report, page };
  }

  const states = (report: Report) => Object.fromEntries(Object.entries(report.checks).map(([id, check]) => [id, check.state]));
  const skipWithoutBrowser = () => {
    if (!browser) console.warn('[preflight] skipped: no chromium');
    return !browser;
  };

  it('passes every browser check on a server that sends the isolation headers, in both languages', async () => {
    if (skipWithoutBrowser()) return;
    for (const locale of ['en', 'ja'] as const) {
      const { report, page } = await runPreflight(`${isolatedOrigin}${preflightHref(locale)}`);
      expect(states(report), locale).toEqual({
        'secure-context': 'pass',
        headers: 'pass',
        isolation: 'pass',
        'shared-array-buffer': 'pass',
        webassembly: 'pass',
        'service-worker': 'pass',
        storage: 'pass',
        browser: 'pass',
        'local-runtime': 'info',
      });
      expect(report.summary).toBe('pass');
      expect(report.summaryText).toBe(PREFLIGHT[locale].summary.webContainer);
      expect(report.checks.isolation.status).toBe(PREFLIGHT[locale].status.pass);
      expect(Object.values(report.checks).some((check) => check.fixOpen), 'no fix is opened when nothing fails').toBe(false);
      await page.context().close();
    }
  });

  it('names the missing headers and fails isolation on a host that does not send them', async () => {
    if (skipWithoutBrowser()) return;
    const { report, page } = await runPreflight(`${plain.origin}/en/preflight/`);
    expect(states(report)).toMatchObject({ 'secure-context': 'pass', headers: 'fail', isolation: 'fail', 'shared-array-buffer': 'fail', webassembly: 'pass' });
    expect(report.checks.headers.result).toContain('Cross-Origin-Opener-Policy is missing (needs “same-origin”)');
    expect(report.checks.headers.result).toContain('Cross-Origin-Embedder-Policy is missing (needs “require-corp”)');
    expect(report.checks.headers.fixOpen).toBe(true);
    expect(report.checks.isolation.fixOpen).toBe(true);
    expect(report.summary).toBe('fail');
    expect(report.summaryText).toBe(PREFLIGHT.en.summary.none.replace(/`/g, ''));
    // The open fix names the file for each host.
    const fix = await page.locator('[data-check="headers"] [data-check-fix]').innerText();
    for (const file of ['site/public/_headers', 'site/deploy/vercel.json', 'site/deploy/nginx.conf', 'site/deploy/apache-wslab.conf']) expect(fix).toContain(file);
    await page.context().close();
  });

  it('fails the secure-context check over plain http to a host name that is not local', async () => {
    if (skipWithoutBrowser()) return;
    const port = new URL(isolatedOrigin).port;
    const { report, page } = await runPreflight(`http://wslab.test:${port}/en/preflight/`);
    // The headers arrive, but the browser ignores them: no isolation and no service workers.
    expect(states(report)).toMatchObject({ 'secure-context': 'fail', headers: 'pass', isolation: 'fail', 'shared-array-buffer': 'fail', 'service-worker': 'fail' });
    expect(report.checks['secure-context'].result).toBe(`http://wslab.test:${port} is not a secure context, so the browser ignores the isolation headers here.`);
    expect(report.summary).toBe('fail');
    await page.context().close();
  });

  it('says the sandbox also works offline when the local runtime answers', async () => {
    if (skipWithoutBrowser()) return;
    const { report, page } = await runPreflight(`${withLocalRuntimeOrigin}/ja/preflight/`);
    expect(report.checks['local-runtime'].state).toBe('pass');
    expect(report.summaryText).toBe(PREFLIGHT.ja.summary.webContainerAndLocal);
    await page.context().close();
  });

  it('says the local runtime carries the sandbox when the page is not isolated', async () => {
    if (skipWithoutBrowser()) return;
    // A server with the session endpoint but without the isolation headers.
    const server = createServer((request, response) => {
      if (request.url === LOCAL_SESSION_PATH) {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"available":true}');
        return;
      }
      const file = join(site, request.url === '/en/preflight/' ? 'en/preflight/index.html' : request.url!.split('?')[0]);
      if (!existsSync(file)) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html' : file.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(readFileSync(file));
    });
    const origin = await listen(server);
    try {
      const { report, page } = await runPreflight(`${origin}/en/preflight/`);
      expect(states(report)).toMatchObject({ isolation: 'fail', 'local-runtime': 'pass' });
      expect(report.summary).toBe('warn');
      expect(report.summaryText).toBe(PREFLIGHT.en.summary.localOnly);
      await page.context().close();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('warns about Safari’s third-party storage and beta support, and fails a Firefox too old for isolation', async () => {
    if (skipWithoutBrowser()) return;
    const safari = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
    let { report, page } = await runPreflight(`${isolatedOrigin}/en/preflight/`, { userAgent: safari });
    expect(states(report)).toMatchObject({ storage: 'warn', browser: 'warn' });
    expect(report.checks.browser.result).toBe('Safari 17.4: WebContainer support is beta here; a browser built on Chromium is the safe choice.');
    expect(report.checks.storage.fixOpen).toBe(true);
    expect(report.summary).toBe('warn');
    await page.context().close();

    const oldFirefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:78.0) Gecko/20100101 Firefox/78.0';
    ({ report, page } = await runPreflight(`${isolatedOrigin}/ja/preflight/`, { userAgent: oldFirefox }));
    expect(report.checks.browser.state).toBe('fail');
    expect(report.checks.browser.result).toBe('Firefox 78.0 は古すぎます。分離されたページで SharedArrayBuffer を使うには、バージョン 79 以降が必要です。');
    await page.context().close();
  });

  it('runs the checks again on request', async () => {
    if (skipWithoutBrowser()) return;
    const { page } = await runPreflight(`${isolatedOrigin}/en/preflight/`);
    // Scribble over one result; a second run must put it back.
    await page.evaluate(() => {
      const item = document.querySelector('[data-check="isolation"]')!;
      item.setAttribute('data-state', 'tampered');
      item.querySelector('[data-check-result]')!.textContent = 'tampered';
    });
    await page.locator('[data-preflight-rerun]').click();
    await page.locator('[data-preflight][data-preflight-done]').waitFor({ state: 'attached' });
    expect(await page.getAttribute('[data-check="isolation"]', 'data-state')).toBe('pass');
    expect(await page.locator('[data-check="isolation"] [data-check-result]').innerText()).toBe('crossOriginIsolated is true.');
    expect(await page.getAttribute('[data-summary]', 'data-state')).toBe('pass');
    await page.context().close();
  });

  it('explains every check and its fix without JavaScript', async () => {
    if (skipWithoutBrowser()) return;
    for (const locale of ['en', 'ja'] as const) {
      const t = PREFLIGHT[locale];
      const context = await browser!.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(`${plain.origin}${preflightHref(locale)}`);
      expect(await page.locator('.summary .no-js-only').innerText()).toBe(t.noScript);
      expect(await page.locator('[data-preflight-rerun]').isVisible()).toBe(false);
      const items = page.locator('[data-check]');
      expect(await items.count()).toBe(PREFLIGHT_CHECKS.length);
      for (const [index, id] of PREFLIGHT_CHECKS.entries()) {
        const item = items.nth(index);
        expect(await item.getAttribute('data-check')).toBe(id);
        expect(await item.locator('h3').innerText()).toBe(t.checks[id].name);
        expect(await item.locator('[data-check-status]').innerText()).toBe(t.status.notRun);
        await item.locator('summary').click();
        expect(await item.locator('[data-check-fix]').innerText()).toContain(t.checks[id].fix.flat()[0].replace(/`/g, '').slice(0, 20));
      }
      await context.close();
    }
  });

  it('is a page of the site: linked to its other language, headed once, not in the search index', async () => {
    for (const locale of ['en', 'ja'] as const) {
      const html = readFileSync(join(site, `${locale}/preflight/index.html`), 'utf8');
      expect(html).toMatch(new RegExp(`<html[^>]*lang="${locale}"`));
      expect(html.match(/<h1\b/g)).toHaveLength(1);
      const other = locale === 'en' ? 'ja' : 'en';
      const switcher = startTags(html, ['a']).find((tag) => attribute(tag, 'class') === 'language-switch');
      expect(attribute(switcher ?? '', 'href')).toBe(`/${other}/preflight/`);
      expect(html).not.toContain('data-pagefind-body');
    }
  });
});
