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
import { serveStatic } from './serve-static.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const distDir = join(repoRoot, 'dist');
const outputDir = join(repoRoot, 'site', 'screenshots');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

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
          if (!response?.ok()) throw new Error(`${url} answered ${response?.status()}`);
          const file = join(outputDir, `${slug}-${locale}-${theme}-${viewport.name}.png`);
          await page.screenshot({ path: file, fullPage: true });
          console.log(file);
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
