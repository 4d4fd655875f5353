/**
 * What the sandbox's browser tests need: the site built with the real sandbox entry, served the
 * way `wslab serve` serves it (the site server with its COOP/COEP headers plus the local runtime's
 * session endpoints), Debian's chromium, and small helpers to drive Monaco like a learner.
 * Not a test file itself.
 *
 * WSLAB_UI_E2E_DIST=<dir> reuses an existing build instead of building one (saves ~20 s while
 * iterating); the default builds into a temporary folder so dist/ is never touched.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../site/scripts/chromium.ts';

export { CHROMIUM_ARGS, CHROMIUM_PATH };

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const SCREENSHOT_DIR = join(import.meta.dirname, 'screenshots');

/**
 * Whether the browser tests run: always when chromium exists; in CI a missing chromium is a
 * failure (the caller throws), elsewhere the tests are skipped with a note.
 */
export function browserAvailability(): { run: boolean; failBecause?: string } {
  if (existsSync(CHROMIUM_PATH)) return { run: true };
  const reason = `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium package or set CHROMIUM_PATH.`;
  return process.env.CI === 'true' || process.env.CI === '1' ? { run: true, failBecause: reason } : { run: false, failBecause: reason };
}


/** Build the site (with sandbox/ui/entry.ts) into a fresh folder; `remove` deletes it again. */
export function buildSite(): { root: string; remove(): void } {
  const reuse = process.env.WSLAB_UI_E2E_DIST;
  if (reuse) {
    if (!existsSync(join(reuse, 'index.html'))) throw new Error(`WSLAB_UI_E2E_DIST=${reuse} has no built site`);
    return { root: reuse, remove: () => undefined };
  }
  const outDir = mkdtempSync(join(tmpdir(), 'wslab-ui-e2e-'));
  // This Node (Astro 7 needs Node 22; the PATH may have an older one), as test/site does.
  const astro = join(REPO_ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs');
  const result = spawnSync(process.execPath, [astro, 'build', '--root', 'site'], {
    cwd: REPO_ROOT,
    env: { ...process.env, WSLAB_OUT_DIR: outDir, ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (result.status !== 0) throw new Error(`astro build failed:\n${result.stdout}\n${result.stderr}`);
  return { root: outDir, remove: () => rmSync(outDir, { recursive: true, force: true }) };
}

export interface E2EServer {
  origin: string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

/** `wslab serve --root <site>`: the built site and the local runtime, as a learner runs it. */
export async function serveWithLocalRuntime(root: string): Promise<E2EServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(REPO_ROOT, 'sandbox', 'cli', 'bin.mjs'), 'serve', '--root', root, '--port', String(port), '--max-sessions', '8'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`wslab serve did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('the tutorial is at')) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`wslab serve exited (${code}):\n${output}`));
    });
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}

/** Open a lesson page and its sandbox; waits for the editor and a ready runtime. */
export async function openSandbox(page: Page, origin: string, lessonPath: string): Promise<void> {
  await page.goto(`${origin}${lessonPath}`);
  await page.locator('[data-open-sandbox]').click();
  await page.locator('[data-testid=sandbox-editor][data-ready=true]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid=runtime-status][data-state=ready]').waitFor({ timeout: 60_000 });
}

/**
 * Replace the editor's text the way a learner would: click into it, select all, paste. (Typing
 * would be re-indented line by line by the editor; a paste is taken as it is.) The page's context
 * needs the clipboard permissions.
 */
export async function setEditorText(page: Page, text: string): Promise<void> {
  await page.locator('[data-testid=sandbox-editor] .view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.keyboard.press('ControlOrMeta+V');
}

/** The text of the editor's visible lines (Monaco renders spaces as U+00A0). */
export async function visibleEditorText(page: Page): Promise<string> {
  const lines = await page.locator('[data-testid=sandbox-editor] .view-lines .view-line').evaluateAll((elements) =>
    elements
      .map((element) => ({ top: parseFloat((element as HTMLElement).style.top || '0'), text: element.textContent ?? '' }))
      .sort((a, b) => a.top - b.top)
      .map((line) => line.text.replace(/\u00a0/g, ' ')),
  );
  return lines.join('\n');
}

/** Press Run and wait for the reply (the run state or the refusal message). */
export async function runConfig(page: Page): Promise<'applied' | 'refused' | 'error'> {
  const message = page.locator('[data-testid=run-message]');
  await page.evaluate(() => document.querySelector('[data-testid=run-message]')?.removeAttribute('data-state'));
  await page.locator('[data-testid=run-button]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=run-message]')?.hasAttribute('data-state'), undefined, { timeout: 30_000 });
  return (await message.getAttribute('data-state')) as 'applied' | 'refused' | 'error';
}
