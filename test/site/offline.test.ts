/**
 * Offline audit of the built site: nothing a page loads comes from another origin. Fonts, icons,
 * Monaco and its workers must all be in dist/, so the tutorial works in a room without internet
 * (with the local runtime, `npm start`). Links out (<a href>, the httpd manual) are fine: the reader
 * follows them, the page does not fetch them.
 *
 * Scanned: every HTML file (src/srcset/poster/data attributes, <link> loads, inline SVG hrefs,
 * <meta refresh>, <style> blocks, style="" attributes, inline scripts), every CSS file (url(),
 * @import) and every JS file (import(), static imports, fetch(), importScripts(), workers, service
 * worker registration, and any mention of a well-known CDN).
 *
 * The one deliberate exception is WebContainer itself: @webcontainer/api boots a frame from
 * stackblitz.com. That must stay in a chunk no page loads up front (only when the sandbox picks
 * the WebContainer runtime), which the last test checks.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { attribute, readBuiltPages, scriptCostOf, startTags } from './helpers/built-site.ts';
import { builtSite } from './helpers/test-site-build.ts';

let site = '';

beforeAll(async () => {
  site = await builtSite();
}, 11 * 60_000);

function listFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

const filesWith = (...extensions: string[]) => listFiles(site).filter((file) => extensions.includes(extname(file).toLowerCase()));
const where = (file: string) => relative(site, file).split(sep).join('/');

/** A URL that leaves the page's origin: a scheme with an authority, or protocol-relative. */
const isOtherOrigin = (url: string) => /^\s*(?:[a-z][a-z0-9+.-]*:)?\/\//i.test(url) && !/^\s*(?:data|blob):/i.test(url);

/** Hosts that serve fonts, icons and libraries to pages; any mention in shipped code is suspect. */
const CDN_HOSTS = [
  'fonts.googleapis.com',
  'fonts.gstatic.com',
  'cdn.jsdelivr.net',
  'unpkg.com',
  'cdnjs.cloudflare.com',
  'esm.sh',
  'esm.run',
  'cdn.skypack.dev',
  'ga.jspm.io',
  'use.fontawesome.com',
  'kit.fontawesome.com',
  'api.iconify.design',
  'code.iconify.design',
  'use.typekit.net',
  'rsms.me',
];

/** url(...) and @import in CSS text. */
function cssReferences(css: string): string[] {
  const withoutComments = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const urls = [...withoutComments.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*?))\s*\)/gi)].map((match) => match[1] ?? match[2] ?? match[3]);
  const imports = [...withoutComments.matchAll(/@import\s+(?:"([^"]*)"|'([^']*)')/gi)].map((match) => match[1] ?? match[2]);
  return [...urls, ...imports];
}

/** URLs a script loads or fetches by literal: import(), import ... from, fetch(), workers, importScripts(). */
function scriptLoads(js: string): string[] {
  const literal = String.raw`\s*(?:"([^"]*)"|'([^']*)'|\x60([^\x60$]*)\x60)`;
  const patterns = [
    new RegExp(String.raw`\bimport\s*\(${literal}`, 'g'),
    new RegExp(String.raw`\bimport\s*(?:[\w$*{},\s]+?\s*from\s*)?${literal}`, 'g'),
    new RegExp(String.raw`\bfrom${literal}`, 'g'),
    new RegExp(String.raw`\bfetch\s*\(${literal}`, 'g'),
    new RegExp(String.raw`\bimportScripts\s*\(${literal}`, 'g'),
    new RegExp(String.raw`\bnew\s+(?:Shared)?Worker\s*\(${literal}`, 'g'),
    new RegExp(String.raw`\bserviceWorker\s*\.\s*register\s*\(${literal}`, 'g'),
    new RegExp(String.raw`\bnew\s+EventSource\s*\(${literal}`, 'g'),
  ];
  return patterns.flatMap((pattern) => [...js.matchAll(pattern)].map((match) => match[1] ?? match[2] ?? match[3]));
}

/** srcset="a.png 1x, https://x/b.png 2x" → the URLs. */
const srcsetUrls = (value: string) => value.split(',').map((candidate) => candidate.trim().split(/\s+/)[0]).filter(Boolean);

/** Every URL an HTML document makes the browser load, with where it was found. */
function htmlLoads(html: string): { url: string; what: string }[] {
  const loads: { url: string; what: string }[] = [];
  // Lesson text shows config and code in <pre>/<code>; those are text, not markup the browser loads.
  const markup = html.replace(/<(pre|code|textarea|template)\b[\s\S]*?<\/\1>/gi, '');
  for (const tag of startTags(markup, ['[a-z][a-z0-9-]*'])) {
    const name = /^<([a-z][a-z0-9-]*)/i.exec(tag)![1].toLowerCase();
    if (name === 'a' || name === 'area' || name === 'form' || name === 'base') continue; // Navigation, not loading.
    for (const attr of ['src', 'poster', 'data', 'background']) {
      if (attr === 'data' && name !== 'object') continue;
      const value = attribute(tag, attr);
      if (value !== undefined) loads.push({ url: value, what: `<${name} ${attr}>` });
    }
    const srcset = attribute(tag, 'srcset') ?? attribute(tag, 'imagesrcset');
    if (srcset) for (const url of srcsetUrls(srcset)) loads.push({ url, what: `<${name} srcset>` });
    if (name === 'link') {
      const rel = (attribute(tag, 'rel') ?? '').toLowerCase().split(/\s+/);
      const navigational = rel.every((value) => ['alternate', 'canonical', 'author', 'license', 'help', 'next', 'prev', 'search', 'me'].includes(value));
      const href = attribute(tag, 'href');
      if (href !== undefined && !navigational) loads.push({ url: href, what: `<link rel="${rel.join(' ')}">` });
    }
    if (['image', 'use', 'feimage', 'script'].includes(name)) {
      const href = attribute(tag, 'href') ?? attribute(tag, 'xlink:href');
      if (href !== undefined) loads.push({ url: href, what: `<${name} href>` });
    }
    if (name === 'meta' && /refresh/i.test(attribute(tag, 'http-equiv') ?? '')) {
      const url = /url\s*=\s*['"]?([^'";]+)/i.exec(attribute(tag, 'content') ?? '')?.[1];
      if (url) loads.push({ url, what: '<meta http-equiv=refresh>' });
    }
    const style = attribute(tag, 'style');
    if (style) for (const url of cssReferences(style)) loads.push({ url, what: `<${name} style>` });
  }
  for (const block of markup.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) {
    for (const url of cssReferences(block[1])) loads.push({ url, what: '<style>' });
  }
  for (const block of markup.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const type = attribute(`<script${block[1]}>`, 'type') ?? '';
    if (type && !/module|javascript/i.test(type)) continue; // JSON data blocks.
    for (const url of scriptLoads(block[2])) loads.push({ url, what: 'inline <script>' });
  }
  return loads;
}

describe('the built site works without internet access', () => {
  it('has pages, stylesheets and scripts to audit', () => {
    expect(filesWith('.html').length).toBeGreaterThan(3);
    expect(filesWith('.css').length).toBeGreaterThan(0);
    expect(filesWith('.js', '.mjs').length).toBeGreaterThan(0);
  });

  it('loads nothing from another origin in any HTML page', () => {
    const external: string[] = [];
    for (const file of filesWith('.html', '.svg')) {
      for (const load of htmlLoads(readFileSync(file, 'utf8'))) {
        if (isOtherOrigin(load.url)) external.push(`${where(file)}: ${load.what} ${load.url}`);
      }
    }
    expect(external).toEqual([]);
  });

  it('loads no font, image or stylesheet from another origin in any CSS file', () => {
    const external: string[] = [];
    for (const file of filesWith('.css')) {
      for (const url of cssReferences(readFileSync(file, 'utf8'))) {
        if (isOtherOrigin(url)) external.push(`${where(file)}: ${url}`);
      }
    }
    expect(external).toEqual([]);
  });

  it('ships every font and image the CSS refers to (self-hosted, not just same-origin)', () => {
    const missing: string[] = [];
    for (const file of filesWith('.css')) {
      for (const url of cssReferences(readFileSync(file, 'utf8'))) {
        if (isOtherOrigin(url) || /^(?:data|blob):|^#|^\s*$/i.test(url)) continue;
        const path = decodeURIComponent(url.split(/[?#]/)[0]);
        const target = path.startsWith('/') ? join(site, path) : resolve(dirname(file), path);
        try {
          if (!statSync(target).isFile()) missing.push(`${where(file)}: ${url}`);
        } catch {
          missing.push(`${where(file)}: ${url}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('imports, fetches and starts workers from no other origin in any script', () => {
    const external: string[] = [];
    for (const file of filesWith('.js', '.mjs')) {
      for (const url of scriptLoads(readFileSync(file, 'utf8'))) {
        if (isOtherOrigin(url)) external.push(`${where(file)}: ${url}`);
      }
    }
    expect(external).toEqual([]);
  });

  it('names no font, icon or library CDN anywhere in the site', () => {
    const found: string[] = [];
    for (const file of filesWith('.html', '.css', '.js', '.mjs', '.json', '.webmanifest', '.svg')) {
      const text = readFileSync(file, 'utf8');
      for (const host of CDN_HOSTS) if (text.includes(host)) found.push(`${where(file)}: ${host}`);
    }
    expect(found).toEqual([]);
  });

  it('keeps WebContainer’s StackBlitz frame out of every script a page loads up front', () => {
    const upFront: string[] = [];
    for (const page of readBuiltPages(site)) {
      for (const cost of scriptCostOf(page, site)) {
        if (cost.source.startsWith('inline')) continue;
        const text = readFileSync(join(site, cost.source), 'utf8');
        if (/stackblitz\.com|webcontainer-api\.io/.test(text)) upFront.push(`${page.url}: ${cost.source}`);
      }
    }
    expect(upFront).toEqual([]);
  });
});
