/**
 * Screenshots of a built lesson for visual review: each locale, light and dark, desktop (1280 px)
 * and phone (390 px). Run after `npm run build`:
 *
 *   node site/scripts/screenshots.ts [lesson-slug]
 *
 * Writes PNGs to site/screenshots/ (git-ignored). Uses Debian's chromium (/usr/bin/chromium, or
 * CHROMIUM_PATH) through playwright-core; it never downloads a browser.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';
import { serveStatic } from './serve-static.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const distDir = join(repoRoot, 'dist');
const outputDir = join(repoRoot, 'site', 'screenshots');
const executablePath = CHROMIUM_PATH;

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const THEMES = ['light', 'dark'] as const;
const LOCALES = ['en', 'ja'] as const;

async function main(): Promise<void> {
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new Error(`No built site in ${distDir}. Run "npm run build" first.`);
  }
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}. Install Debian's chromium package or set CHROMIUM_PATH.`);
  }
  const slug = process.argv[2] ?? 'websocket-basics';
  mkdirSync(outputDir, { recursive: true });
  const server = await serveStatic(distDir);
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    for (const locale of LOCALES) {
      for (const theme of THEMES) {
        for (const viewport of VIEWPORTS) {
          const page = await browser.newPage({
            viewport: { width: viewport.width, height: viewport.height },
            colorScheme: theme,
            deviceScaleFactor: 1,
          });
          const url = `${server.origin}/${locale}/lessons/${slug}/`;
          const response = await page.goto(url, { waitUntil: 'networkidle' });
          if (response?.status() === 404) {
            // Lessons land one locale at a time; shoot what exists.
            console.warn(`skipped ${url}: not built`);
            await page.close();
            continue;
          }
          if (!response?.ok()) throw new Error(`${url} answered ${response?.status()}`);
          const name = `${slug}-${locale}-${theme}-${viewport.name}`;
          await page.screenshot({ path: join(outputDir, `${name}.png`), fullPage: true });
          // A long lesson is too tall to review as one image; also cut it into screen-sized parts.
          const height = await page.evaluate(() => document.documentElement.scrollHeight);
          const partHeight = viewport.height * 1.5;
          for (let top = 0, part = 1; top < height; top += partHeight, part++) {
            await page.screenshot({
              path: join(outputDir, `${name}-part${String(part).padStart(2, '0')}.png`),
              fullPage: true,
              clip: { x: 0, y: top, width: viewport.width, height: Math.min(partHeight, height - top) },
            });
          }
          console.log(`${name}: ${Math.ceil(height / partHeight)} parts`);
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
