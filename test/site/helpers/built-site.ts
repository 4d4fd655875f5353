/**
 * Reading a built dist/ the way a browser and a static host would: pages by URL, the links and ids
 * in them, and the JavaScript a page makes the browser download.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface BuiltPage {
  /** URL path, e.g. "/en/lessons/tls/". */
  url: string;
  file: string;
  html: string;
}

function listFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Every HTML page in dist/, keyed by the URL a static host serves it at. */
export function readBuiltPages(distDir: string): BuiltPage[] {
  return listFiles(distDir)
    .filter((file) => file.endsWith('.html') && !file.includes(`${sep}pagefind${sep}`))
    .map((file) => {
      const path = relative(distDir, file).split(sep).join('/');
      const url = '/' + (path.endsWith('index.html') ? path.slice(0, -'index.html'.length) : path);
      return { url, file, html: readFileSync(file, 'utf8') };
    });
}

/** Value of one attribute in a start tag's text, HTML entities for quotes and ampersands decoded. */
export function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const raw = match?.[1] ?? match?.[2] ?? match?.[3];
  return raw?.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** Start tags of the given element names, as raw text. */
export function startTags(html: string, names: string[]): string[] {
  return [...html.matchAll(new RegExp(`<(?:${names.join('|')})\\b[^>]*>`, 'gi'))].map((match) => match[0]);
}

/** Every URL a page refers to: links, scripts, stylesheets, images, sources. */
export function referencedUrls(html: string): string[] {
  const urls: string[] = [];
  for (const tag of startTags(html, ['a', 'link', 'script', 'img', 'source', 'iframe'])) {
    for (const name of ['href', 'src']) {
      const value = attribute(tag, name);
      if (value !== undefined) urls.push(value);
    }
  }
  return urls;
}

/** Ids defined in a page, for checking #fragment links. */
export function idsIn(html: string): Set<string> {
  return new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]));
}

/** The file a static host would serve for a same-site URL path, or undefined if there is none. */
export function resolveInDist(distDir: string, urlPath: string): string | undefined {
  const path = decodeURIComponent(urlPath);
  const candidate = join(distDir, path);
  if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  const index = join(candidate, 'index.html');
  return existsSync(index) ? index : undefined;
}

export interface ScriptCost {
  /** What was counted: "inline #n" or a dist path. */
  source: string;
  bytes: number;
  gzipBytes: number;
}

const STATIC_IMPORT = /(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{},\s]+?\s*from\s*)?["']([^"']+\.m?js)["']/g;
const NON_SCRIPT_TYPES = new Set(['application/json', 'application/ld+json', 'importmap', 'text/template']);

/**
 * The JavaScript the browser downloads and runs when it opens a page, before any interaction:
 * inline scripts, module scripts, their static imports (recursively) and modulepreloads. Dynamic
 * import() targets are left out on purpose: they load only on use (search, the sandbox).
 */
export function scriptCostOf(page: BuiltPage, distDir: string): ScriptCost[] {
  const costs: ScriptCost[] = [];
  const measure = (source: string, text: string) => {
    const bytes = Buffer.byteLength(text);
    costs.push({ source, bytes, gzipBytes: gzipSync(text, { level: 9 }).length });
  };
  const seenFiles = new Set<string>();
  const visitFile = (file: string) => {
    if (seenFiles.has(file)) return;
    seenFiles.add(file);
    const text = readFileSync(file, 'utf8');
    measure(relative(distDir, file), text);
    for (const match of text.matchAll(STATIC_IMPORT)) {
      const target = match[1].startsWith('/') ? join(distDir, match[1]) : join(dirname(file), match[1]);
      if (!existsSync(target)) throw new Error(`${relative(distDir, file)} imports missing ${match[1]}`);
      visitFile(target);
    }
  };

  let inlineCount = 0;
  for (const match of page.html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const tag = `<script${match[1]}>`;
    const type = attribute(tag, 'type');
    if (type && NON_SCRIPT_TYPES.has(type)) continue;
    const src = attribute(tag, 'src');
    if (src) {
      const file = resolveInDist(distDir, new URL(src, `http://site${page.url}`).pathname);
      if (!file) throw new Error(`${page.url} loads missing script ${src}`);
      visitFile(file);
    } else {
      measure(`inline #${++inlineCount}`, match[2]);
    }
  }
  for (const tag of startTags(page.html, ['link'])) {
    if (attribute(tag, 'rel') !== 'modulepreload') continue;
    const file = resolveInDist(distDir, new URL(attribute(tag, 'href') ?? '', `http://site${page.url}`).pathname);
    if (file) visitFile(file);
  }
  return costs;
}
