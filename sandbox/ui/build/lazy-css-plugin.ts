/**
 * A Vite plugin for the site build (to be registered in site/astro.config.mjs, next to
 * sandboxEntryPlugin): Monaco's ESM modules import their CSS files as side effects, and Astro
 * links every stylesheet reachable from a page's scripts, dynamic imports included, into that
 * page's <head>. So without this plugin each lesson page would load Monaco's ~140 KB of CSS before
 * anyone opens the sandbox.
 *
 * With it, a CSS file imported by monaco-editor (or by sandbox/ui) becomes a small JS module that
 * adds the CSS, processed by Vite as `?inline` (url() assets such as the codicon font still
 * emitted and rewritten), as a <style> element when the module runs, i.e. when the sandbox's lazy
 * chunk loads. Nothing changes for any other CSS.
 */
import { resolve, sep } from 'node:path';
import type { Plugin } from 'vite';

const PREFIX = '\0wslab-lazy-css:';
/** The virtual module's id must not end in ".css", or Vite's CSS plugin would claim it. */
const SUFFIX = '.lazy-css.js';

export interface LazyCssOptions {
  /** Folders whose CSS imports are made lazy. Default: monaco-editor and sandbox/ui of this repository. */
  roots?: string[];
}

const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
const STYLE_INJECTOR = resolve(import.meta.dirname, '..', 'styles.ts');

export function lazyCssPlugin(options: LazyCssOptions = {}): Plugin {
  const roots = (options.roots ?? [resolve(REPO_ROOT, 'node_modules', 'monaco-editor'), resolve(REPO_ROOT, 'sandbox', 'ui')]).map((root) => (root.endsWith(sep) ? root : root + sep));
  const normalize = (id: string) => id.split('?')[0].replace(/\//g, sep);
  return {
    name: 'wslab:lazy-css',
    enforce: 'pre',
    async resolveId(source, importer, resolveOptions) {
      if (!importer || source.includes('?') || !source.endsWith('.css') || importer.startsWith(PREFIX)) return null;
      if (!roots.some((root) => normalize(importer).startsWith(root))) return null;
      const resolved = await this.resolve(source, importer, { ...resolveOptions, skipSelf: true });
      if (!resolved || resolved.external) return null;
      return `${PREFIX}${resolved.id}${SUFFIX}`;
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const path = id.slice(PREFIX.length, -SUFFIX.length);
      return [
        `import css from ${JSON.stringify(`${path}?inline`)};`,
        `import { addStyle } from ${JSON.stringify(STYLE_INJECTOR)};`,
        `addStyle(${JSON.stringify(path.slice(REPO_ROOT.length))}, css);`,
      ].join('\n');
    },
  };
}
