/**
 * The page-side API in a real browser (Debian's chromium through playwright-core): the page is
 * served with the site server's COOP/COEP headers, so it is cross-origin isolated and
 * chooseRuntime tries WebContainer first; StackBlitz is unreachable here, so it falls back to
 * the local runtime, and the browser's own fetch and WebSocket (with the Origin it adds) drive a
 * sandbox through attachLocalSandboxes.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachLocalSandboxes } from '../../sandbox/runtime/local-sessions.ts';
import type { LocalSandboxes } from '../../sandbox/runtime/local-sessions.ts';
import { startSiteServer } from '../../sandbox/server/site-server.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../site/scripts/chromium.ts';
import { exerciseFile } from './sandbox-harness.ts';

// Without Chromium the suite is skipped on a developer machine, but in CI it must fail: the
// launch in beforeAll then throws, naming the missing browser.
const haveChromium = existsSync(CHROMIUM_PATH) || process.env.CI === 'true';
const root = mkdtempSync(join(tmpdir(), 'wslab-browser-e2e-'));

let server: Server;
let sandboxes: LocalSandboxes;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  if (!haveChromium) return;
  await build({
    entryPoints: [join(import.meta.dirname, 'fixtures', 'browser-entry.ts')],
    outfile: join(root, 'page.js'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    logLevel: 'warning',
  });
  writeFileSync(join(root, 'index.html'), '<!doctype html><meta charset="utf-8"><title>e2e</title><script type="module" src="/page.js"></script>\n');
  server = await startSiteServer({ root, host: '127.0.0.1', port: 0 });
  sandboxes = attachLocalSandboxes(server, { log: () => undefined });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sandboxes?.close();
  if (server) await new Promise((resolve) => server.close(resolve));
});

describe.skipIf(!haveChromium)('the sandbox from a real browser page', () => {
  const run = async (path: string) => {
    const page = await browser.newPage();
    await page.goto(`${origin}${path}`);
    await page.waitForFunction(() => typeof window.wslabRun === 'function');
    const result = await page.evaluate((config) => window.wslabRun(config), exerciseFile('04-basic-vhost', 'solution.conf'));
    await page.close();
    return result;
  };

  it('is isolated, tries WebContainer, falls back to the local runtime, and echoes', async () => {
    const result = await run('/');
    console.log(`WebContainer here: ${JSON.stringify((result as { attempts?: unknown }).attempts)}`);
    expect(result).toMatchObject({ ok: true, isolated: true, tried: ['webcontainer', 'local'], runtime: 'local', applied: true, echoed: 'Echo: from the browser' });
  }, 60_000);

  it('goes straight to the local runtime with ?runtime=local', async () => {
    const result = await run('/?runtime=local');
    expect(result).toMatchObject({ ok: true, tried: ['local'], runtime: 'local', echoed: 'Echo: from the browser' });
  }, 60_000);
});
