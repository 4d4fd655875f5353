/**
 * The sandbox in a real browser (Debian's chromium through playwright-core) against the built site
 * and the local runtime, as `wslab serve` runs them: a learner fixes lesson 04's config, runs it,
 * connects, sees 101 and the echo, and the checks pass; a broken config shows configtest's message
 * and a marker on its line; a stopped echo backend gives 503 with AH00957; a reload keeps the
 * edit; HTML sent as a message or a header stays text. Screenshots go to test/ui/screenshots/
 * (git-ignored).
 *
 * Without chromium the tests are skipped, except in CI (CI=true), where that is a failure.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSiteServer } from '../../sandbox/server/site-server.ts';
import {
  browserAvailability,
  buildSite,
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  openSandbox,
  REPO_ROOT,
  runConfig,
  screenshotPath,
  serveWithLocalRuntime,
  setEditorText,
  visibleEditorText,
  type E2EServer,
} from './e2e-harness.ts';

const availability = browserAvailability();
const LESSON = '/en/lessons/basic-vhost/?runtime=local';
const startConfig = readFileSync(join(REPO_ROOT, 'lessons/04-basic-vhost/exercise/start.conf'), 'utf8');
const XSS = '<img src=x onerror=alert(1)>';

/** The learner's fix: move the /ws/ rule above the catch-all. */
function fixedConfig(): string {
  const wsRule = '    ProxyPass /ws/ ws://localhost:8080/\n';
  const withoutWs = startConfig.replace(wsRule, '');
  const fixed = withoutWs.replace('    ProxyPass / http://localhost:3000/\n', `${wsRule}    ProxyPass / http://localhost:3000/\n`);
  if (fixed === startConfig || !fixed.includes(wsRule)) throw new Error('start.conf changed; update fixedConfig()');
  return fixed;
}

let server: E2EServer;
let browser: Browser;
let siteRoot: string;
let removeSite: () => void = () => undefined;

describe.skipIf(!availability.run)('the sandbox in a browser, on the local runtime', () => {
  beforeAll(async () => {
    if (availability.failBecause) throw new Error(availability.failBecause);
    const site = buildSite();
    siteRoot = site.root;
    removeSite = site.remove;
    server = await serveWithLocalRuntime(siteRoot);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    removeSite();
  });

  interface Session {
    context: BrowserContext;
    page: Page;
    dialogs: string[];
    errors: string[];
  }

  /** A fresh browser context (own storage) for one test; closed afterwards even when it fails. */
  async function withPage(test: (session: Session) => Promise<void>, options: Parameters<Browser['newContext']>[0] = {}): Promise<void> {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, ...options });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    const page = await context.newPage();
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await test({ context, page, dialogs, errors });
    } finally {
      await context.close();
    }
  }

  it('lets a learner fix the config, run it, connect, see 101 and the echo, and pass the checks', () =>
    withPage(async ({ page, errors }) => {
    await openSandbox(page, server.origin, LESSON);
    await page.screenshot({ path: screenshotPath('01-opened') });
    expect(await page.locator('[data-testid=runtime-status]').textContent()).toContain('ready (local)');

    // The start config routes /ws/ to the app: 200 instead of 101.
    expect(await runConfig(page)).toBe('applied');
    await page.locator('[data-testid=client-connect]').click();
    await page.locator('[data-testid=client-event][data-kind=rejected]').waitFor();
    expect(await page.locator('[data-testid=client-event][data-kind=rejected]').textContent()).toContain('rejected with 200');

    await setEditorText(page, fixedConfig());
    await page.waitForTimeout(400);
    expect(await runConfig(page)).toBe('applied');
    expect(await page.locator('[data-testid=configtest-output]').textContent()).toContain('Syntax OK');

    await page.locator('[data-testid=client-connect]').click();
    await page.locator('[data-testid=client-event][data-kind=open]').waitFor();
    await page.locator('[data-testid=client-message]').fill('hello');
    await page.locator('[data-testid=client-send-text]').click();
    await expect.poll(() => page.locator('[data-testid=client-event][data-kind=message]').allTextContents()).toContain('c2 ← received: Echo: hello');

    // The traffic view: a 101 arrow, the route to line 8, the accept verified, the frames.
    const upgraded = page.locator('[data-testid=traffic-entry][data-kind=head][data-from=apache][data-to=client]', { hasText: '101' });
    await upgraded.first().click();
    const connection = page.locator('[data-testid=traffic-connection][data-status="101"]').first();
    await expect.poll(() => connection.getAttribute('open')).toBe('');
    expect(await connection.locator('[data-testid=route-explanation]').textContent()).toContain('ws://localhost:8080/');
    expect(await connection.locator('[data-testid=accept-check]').getAttribute('data-verdict')).toBe('match');
    expect(await connection.locator('[data-testid=response-explanation]').textContent()).toMatch(/^101: the upgrade went through/);
    await expect.poll(() => connection.locator('[data-testid=frame-row]').count()).toBeGreaterThanOrEqual(2);
    expect(await connection.locator('[data-testid=header-diff] [data-header=x-forwarded-for]').getAttribute('data-kind')).toBe('added');
    await connection.locator('[data-testid=route-show-line]').click();
    expect(await page.locator('[data-testid=sandbox-editor] .wsb-route-line').count()).toBeGreaterThan(0);
    await page.locator('.wsb-root').screenshot({ path: screenshotPath('02-traffic-101') });

    await page.locator('[data-testid=check-button]').click();
    await page.locator('[data-testid=checks-all-passed]').waitFor({ timeout: 60_000 });
    const results = await page.locator('[data-testid=check-result]').evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.passed));
    expect(results).toEqual(['true', 'true', 'true']);
    const progress = JSON.parse((await page.evaluate(() => localStorage.getItem('wslab:progress'))) ?? '{}');
    expect(progress['basic-vhost']?.done).toBe(true);
    await page.locator('[data-testid=check-results]').screenshot({ path: screenshotPath('03-checks-passed') });
    expect(errors).toEqual([]);
    }), 180_000);

  it('shows configtest’s message for a broken config and a marker on the right line', () =>
    withPage(async ({ page }) => {
    await openSandbox(page, server.origin, LESSON);
    expect(await runConfig(page)).toBe('applied');
    const broken = startConfig.replace('    ProxyPass / http://localhost:3000/', '    ProxyPas / http://localhost:3000/');
    const brokenLine = broken.split('\n').findIndex((line) => line.includes('ProxyPas /')) + 1;
    await setEditorText(page, broken);
    // Live configtest in the page, as the learner types.
    await expect.poll(() => page.locator('[data-testid=configtest-output]').textContent()).toContain("Invalid command 'ProxyPas'");
    const squiggle = page.locator('[data-testid=sandbox-editor] .squiggly-error').first();
    await squiggle.waitFor();
    const lineNumber = page.locator('[data-testid=sandbox-editor] .line-numbers', { hasText: new RegExp(`^${brokenLine}$`) });
    const [squiggleBox, lineBox] = [await squiggle.boundingBox(), await lineNumber.boundingBox()];
    expect(Math.abs((squiggleBox?.y ?? 0) - (lineBox?.y ?? -100))).toBeLessThan(4);

    // Run: the runtime's configtest refuses it, and the previous config keeps running.
    expect(await runConfig(page)).toBe('refused');
    expect(await page.locator('[data-testid=configtest-output]').textContent()).toContain(`AH00526: Syntax error on line ${brokenLine} of /etc/apache2/sites-enabled/000-default.conf`);
    expect(await page.locator('[data-testid=run-message]').textContent()).toContain('The previous config keeps running');
    await page.locator('.wsb-editor-section').screenshot({ path: screenshotPath('04-broken-config') });
    }), 120_000);

  it('answers 503 with AH00957 in the error log when the echo backend is stopped', () =>
    withPage(async ({ page }) => {
    await openSandbox(page, server.origin, LESSON);
    await setEditorText(page, fixedConfig());
    expect(await runConfig(page)).toBe('applied');
    const echo = page.locator('[data-testid=backend-echo]');
    await echo.locator('text=running').waitFor();
    await echo.click();
    await page.locator('[data-testid=backend-echo][data-state=stopped]').waitFor();
    await page.locator('[data-testid=client-connect]').click();
    await page.locator('[data-testid=client-event][data-kind=rejected]').waitFor();
    expect(await page.locator('[data-testid=client-event][data-kind=rejected]').textContent()).toContain('rejected with 503');
    await expect.poll(() => page.locator('[data-testid=error-log]').textContent()).toContain('AH00957');
    const connection = page.locator('[data-testid=traffic-connection][data-status="503"]').first();
    await connection.locator('summary').click();
    expect(await connection.locator('[data-testid=response-explanation]').textContent()).toBe('503: the backend refused the connection (AH00957)');
    await page.locator('.wsb-root').screenshot({ path: screenshotPath('05-echo-stopped-503') });
    }), 120_000);

  it('keeps the edit across a reload', () =>
    withPage(async ({ page }) => {
    await openSandbox(page, server.origin, LESSON);
    const edited = `# my note, kept across reloads\n${startConfig}`;
    await setEditorText(page, edited);
    await expect.poll(() => page.evaluate(() => localStorage.getItem('wslab:sandbox:basic-vhost'))).toContain('my note, kept across reloads');
    await page.reload();
    await page.locator('[data-open-sandbox]').click();
    await page.locator('[data-testid=sandbox-editor][data-ready=true]').waitFor();
    await expect.poll(() => visibleEditorText(page)).toContain('# my note, kept across reloads\nListen 80');
    }), 120_000);

  it('shows HTML sent as a message or a header as text, never as markup', () =>
    withPage(async ({ page, dialogs }) => {
    await openSandbox(page, server.origin, LESSON);
    await setEditorText(page, fixedConfig());
    expect(await runConfig(page)).toBe('applied');
    await page.locator('[data-testid=client-headers]').fill(`X-Evil: ${XSS}`);
    await page.locator('[data-testid=client-connect]').click();
    await page.locator('[data-testid=client-event][data-kind=open]').waitFor();
    await page.locator('[data-testid=client-message]').fill(XSS);
    await page.locator('[data-testid=client-send-text]').click();
    await expect.poll(() => page.locator('[data-testid=client-event][data-kind=message]').allTextContents()).toContain(`c1 ← received: Echo: ${XSS}`);
    await page.locator('[data-testid=traffic-connection][data-status="101"] summary').first().click();
    const requestHead = await page.locator('[data-testid=head-client-request]').first().textContent();
    expect(requestHead).toContain(`X-Evil: ${XSS}`);
    await expect.poll(() => page.locator('[data-testid=frame-row]').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(XSS)]));
    await page.waitForTimeout(500);
    expect(await page.locator('.wsb-root img').count()).toBe(0);
    expect(await page.evaluate(() => document.querySelectorAll('img[src="x"]').length)).toBe(0);
    expect(dialogs).toEqual([]);
    await page.locator('.wsb-root').screenshot({ path: screenshotPath('06-inert-html') });
    }), 120_000);

  it('sends binary, closes with a code, opens several sockets at once and sends a plain GET', () =>
    withPage(async ({ page }) => {
      await openSandbox(page, server.origin, LESSON);
      await setEditorText(page, fixedConfig());
      expect(await runConfig(page)).toBe('applied');
      await page.locator('[data-testid=client-connect]').click();
      await page.locator('[data-testid=client-event][data-kind=open]').waitFor();
      await page.locator('[data-testid=client-message]').fill('48 69 00 ff');
      await page.locator('[data-testid=client-send-binary]').click();
      await expect.poll(() => page.locator('[data-testid=client-event][data-kind=message]').allTextContents()).toContain('c1 ← received: hex 48 69 00 ff');
      await page.locator('[data-testid=client-message]').fill('not hex');
      await page.locator('[data-testid=client-send-binary]').click();
      expect(await page.locator('[data-testid=client-error]').textContent()).toContain('hex');
      await page.locator('[data-testid=client-close-code]').fill('4001');
      await page.locator('[data-testid=client-close-reason]').fill('bye');
      await page.locator('[data-testid=client-close]').click();
      await page.locator('[data-testid=client-event][data-kind=closed]').waitFor();
      expect(await page.locator('[data-testid=client-event][data-kind=closed]').textContent()).toContain('closed 4001 bye');
      const connection = page.locator('[data-testid=traffic-connection][data-status="101"]').first();
      await connection.locator('summary').click();
      await expect.poll(() => connection.locator('[data-testid=frame-row][data-opcode="8"]').first().textContent()).toContain('close 4001 (application-defined) "bye"');
      expect(await connection.locator('[data-testid=frame-row][data-opcode="2"]').first().textContent()).toContain('48 69 00 ff');

      await page.locator('[data-testid=client-count]').fill('3');
      await page.locator('[data-testid=client-open-many]').click();
      await expect.poll(() => page.locator('[data-testid=client-event][data-kind=open]').count()).toBe(4);
      expect(await page.locator('[data-testid=client-select] option').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('m1-3')]));

      await page.locator('[data-testid=client-path]').fill('/');
      await page.locator('[data-testid=client-http-get]').click();
      await page.locator('[data-testid=client-event][data-kind=http]').waitFor();
      expect(await page.locator('[data-testid=client-event][data-kind=http] summary').textContent()).toBe('GET / → HTTP 200');
      await page.locator('.wsb-client').screenshot({ path: screenshotPath('07-client-panel') });
    }), 120_000);

  it('explains directives on hover in the page’s language and completes ProxyPass parameters', () =>
    withPage(async ({ page }) => {
      await openSandbox(page, server.origin, '/ja/lessons/basic-vhost/?runtime=local');
      expect(await page.locator('[data-testid=runtime-status]').textContent()).toContain('準備完了');
      const proxyPass = page.locator('[data-testid=sandbox-editor] .view-line span', { hasText: /^ProxyPass$/ }).first();
      await proxyPass.hover();
      const hover = page.locator('.monaco-hover-content').first();
      await expect.poll(() => hover.textContent(), { timeout: 10_000 }).toContain('URL パスをバックエンドの URL に対応づける');
      const hoverText = (await hover.textContent()) ?? '';
      expect(hoverText).toContain('proxy_module');
      expect(hoverText).toContain('シミュレート対象');
      expect(await hover.locator('a[href="https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass"]').count()).toBe(1);
      await page.screenshot({ path: screenshotPath('08-hover-ja'), clip: { x: 800, y: 150, width: 800, height: 520 } });

      // Completion after the backend URL offers key=value parameters.
      await page.locator('[data-testid=sandbox-editor] .view-line', { hasText: 'ProxyPass /ws/ ws://localhost:8080/' }).click();
      await page.keyboard.press('End');
      await page.keyboard.type(' up');
      await page.keyboard.press('Control+Space');
      const suggestions = page.locator('.suggest-widget .monaco-list-row');
      await expect.poll(() => suggestions.allTextContents(), { timeout: 10_000 }).toEqual(expect.arrayContaining([expect.stringContaining('upgrade=')]));
      await page.screenshot({ path: screenshotPath('09-completion'), clip: { x: 800, y: 150, width: 800, height: 520 } });
      await page.keyboard.press('Enter');
      await page.keyboard.press('Control+Space');
      await expect.poll(() => suggestions.allTextContents(), { timeout: 10_000 }).toEqual(expect.arrayContaining([expect.stringContaining('websocket')]));
      await page.keyboard.press('Escape');
    }), 120_000);

  it('shows the solution as a diff without discarding the attempt; Reset and restore', () =>
    withPage(async ({ page }) => {
      await openSandbox(page, server.origin, LESSON);
      const attempt = `# attempt\n${startConfig}`;
      await setEditorText(page, attempt);
      await page.locator('[data-testid=solution-button]').click();
      await page.locator('[data-testid=solution-diff] .monaco-diff-editor').waitFor();
      await expect.poll(() => page.locator('[data-testid=solution-diff] .line-insert, [data-testid=solution-diff] .char-insert').count()).toBeGreaterThan(0);
      await page.locator('.wsb-editor-section').screenshot({ path: screenshotPath('10-solution-diff') });
      await page.locator('[data-testid=solution-button]').click();
      await expect.poll(() => visibleEditorText(page)).toContain('# attempt\nListen 80');

      await page.locator('[data-testid=reset-button]').click();
      await expect.poll(() => visibleEditorText(page)).toMatch(/^Listen 80/);
      await page.locator('[data-testid=restore-previous]').click();
      await expect.poll(() => visibleEditorText(page)).toContain('# attempt\nListen 80');
    }), 120_000);

  it('loads a shared config from the link, asking first when there is saved work', () =>
    withPage(async ({ page, context }) => {
      await openSandbox(page, server.origin, LESSON);
      const shared = `# shared with a friend\n${fixedConfig()}`;
      await setEditorText(page, shared);
      await page.locator('[data-testid=share-button]').click();
      const link = await page.locator('[data-testid=share-link]').inputValue();
      expect(link).toMatch(/#wslab-config=[A-Za-z0-9_-]+$/);
      await setEditorText(page, `# my own work\n${startConfig}`);
      await expect.poll(() => page.evaluate(() => localStorage.getItem('wslab:sandbox:basic-vhost'))).toContain('my own work');

      const other = await context.newPage();
      await other.goto(link);
      await other.locator('[data-open-sandbox]').click();
      await other.locator('[data-testid=load-shared]').waitFor();
      await other.locator('[data-testid=banner]').screenshot({ path: screenshotPath('11-share-prompt') });
      await expect.poll(() => visibleEditorText(other)).toContain('# my own work');
      await other.locator('[data-testid=load-shared]').click();
      await expect.poll(() => visibleEditorText(other)).toContain('# shared with a friend');
      expect(new URL(other.url()).hash).toBe('');
      await other.locator('[data-testid=restore-previous]').click();
      await expect.poll(() => visibleEditorText(other)).toContain('# my own work');
    }), 120_000);

  it('follows the dark theme and fits a phone-sized screen', () =>
    withPage(
      async ({ page }) => {
        await openSandbox(page, server.origin, '/ja/lessons/basic-vhost/?runtime=local');
        await setEditorText(page, fixedConfig());
        expect(await runConfig(page)).toBe('applied');
        await page.locator('[data-testid=client-connect]').click();
        await page.locator('[data-testid=client-event][data-kind=open]').waitFor();
        await page.locator('[data-testid=client-send-text]').click();
        await page.locator('[data-testid=traffic-entry][data-kind=frame]').nth(1).waitFor();
        expect(await page.locator('.monaco-editor').first().getAttribute('class')).toContain('vs-dark');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        await page.locator('.wsb-root').screenshot({ path: screenshotPath('12-dark-phone-ja') });
      },
      { colorScheme: 'dark', viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 },
    ), 120_000);

  it('downloads nothing of the sandbox before it opens, and Monaco only from this site', () =>
    withPage(async ({ page }) => {
      const requests: Array<{ url: string; bytes: number; when: 'before' | 'after' }> = [];
      let opened = false;
      page.on('response', async (response) => {
        const url = response.url();
        if (!url.endsWith('.js') && !url.endsWith('.css') && !url.endsWith('.ttf')) return;
        const body = await response.body().catch(() => Buffer.alloc(0));
        requests.push({ url, bytes: body.length, when: opened ? 'after' : 'before' });
      });
      await page.goto(`${server.origin}${LESSON}`);
      await page.waitForLoadState('networkidle');
      opened = true;
      await page.locator('[data-open-sandbox]').click();
      await page.locator('[data-testid=sandbox-editor][data-ready=true]').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid=runtime-status][data-state=ready]').waitFor({ timeout: 60_000 });
      const before = requests.filter((request) => request.when === 'before');
      const after = requests.filter((request) => request.when === 'after');
      expect(before.map((request) => request.url).filter((url) => /config-editor|editor\.worker|app\.|entry\.|codicon/.test(url))).toEqual([]);
      expect(after.some((request) => /config-editor/.test(request.url))).toBe(true);
      expect(requests.every((request) => request.url.startsWith(server.origin))).toBe(true);
      const kb = (list: typeof requests) => (list.reduce((sum, request) => sum + request.bytes, 0) / 1024).toFixed(0);
      console.info(`lesson page: ${kb(before)} KB of JS/CSS before the sandbox opens; the sandbox adds ${kb(after)} KB (uncompressed) in ${after.length} files`);
    }), 120_000);

  it('says why when no runtime can start, and keeps the editor and configtest working', async () => {
    // The built site on a plain static server (no local runtime), with ?runtime=local forced.
    const staticServer = await startSiteServer({ root: siteRoot, host: '127.0.0.1', port: 0 });
    const origin = `http://127.0.0.1:${(staticServer.address() as AddressInfo).port}`;
    try {
      await withPage(async ({ page }) => {
        await page.goto(`${origin}${LESSON}`);
        await page.locator('[data-open-sandbox]').click();
        await page.locator('[data-testid=runtime-status][data-state=failed]').waitFor({ timeout: 30_000 });
        expect(await page.locator('[data-testid=runtime-status]').textContent()).toContain('the local runtime (forced by ?runtime=local) did not start');
        expect(await page.locator('[data-testid=runtime-advice]').textContent()).toContain('wslab serve');
        await page.locator('[data-testid=sandbox-editor][data-ready=true]').waitFor();
        await setEditorText(page, `${startConfig}\nProxyPass <img src=x onerror=alert(1)>\n`);
        await expect.poll(() => page.locator('[data-testid=configtest-output]').textContent()).toContain('ProxyPass');
        expect(await runConfig(page)).toBe('error');
        expect(await page.locator('[data-testid=run-message]').textContent()).toContain('did not start');
        expect(await page.locator('.wsb-root img').count()).toBe(0);
        await page.locator('.wsb-root').screenshot({ path: screenshotPath('13-no-runtime') });
      });
    } finally {
      await new Promise((done) => staticServer.close(done));
    }
  }, 120_000);

  it('exports all progress as a JSON file and imports it in another browser', async () => {
    let exported = '';
    await withPage(async ({ page }) => {
      await openSandbox(page, server.origin, LESSON);
      await setEditorText(page, `# exported work\n${fixedConfig()}`);
      await page.locator('[data-testid=check-button]').click();
      await page.locator('[data-testid=checks-all-passed]').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid=progress-menu]').click();
      const download = page.waitForEvent('download');
      await page.locator('[data-testid=export-button]').click();
      const file = await (await download).path();
      exported = readFileSync(file, 'utf8');
    });
    const data = JSON.parse(exported);
    expect(data).toMatchObject({ format: 'wslab-progress', version: 1, progress: { 'basic-vhost': { done: true } } });
    expect(data.configs['basic-vhost'].config).toContain('# exported work');

    await withPage(async ({ page }) => {
      await openSandbox(page, server.origin, LESSON);
      await page.locator('[data-testid=progress-menu]').click();
      await page.locator('[data-testid=import-input]').setInputFiles({ name: 'wslab-progress.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
      await expect.poll(() => page.locator('[data-testid=import-result]').textContent()).toBe('Imported 1 config and 1 finished lesson.');
      await expect.poll(() => visibleEditorText(page)).toContain('# exported work');
      const progress = JSON.parse((await page.evaluate(() => localStorage.getItem('wslab:progress'))) ?? '{}');
      expect(progress['basic-vhost']?.done).toBe(true);
      await page.locator('[data-testid=import-input]').setInputFiles({ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from('{"hello":1}') });
      await expect.poll(() => page.locator('[data-testid=import-result]').textContent()).toBe('That file is not a wslab progress export.');
    });
  }, 120_000);
});
