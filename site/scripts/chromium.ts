/**
 * How the site's scripts and tests start a browser: Debian's chromium through playwright-core,
 * never a downloaded one (no `npx playwright install`; the machines have no internet).
 */

/** Set CHROMIUM_PATH to use another binary. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
