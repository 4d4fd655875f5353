// @ts-check
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mdx from '@astrojs/mdx';
import { defineConfig } from 'astro/config';
import { CODE_THEMES } from './src/code-themes.ts';
import { pagefindIndex } from './src/integrations/pagefind-index.ts';
import { findSandboxEntry, sandboxEntryPlugin } from './src/integrations/sandbox-entry.ts';
import { lazyCssPlugin } from '../sandbox/ui/build/lazy-css-plugin.ts';

const siteRoot = fileURLToPath(new URL('.', import.meta.url));

// Lessons live outside site/ (lessons/ at the repo root) so their authors never touch site code.
// WSLAB_LESSONS_DIR points the build at another folder, which the tests use for malformed fixtures.
// Content loaders and components read the resolved path back from the environment, because they run
// in this same build process but are bundled away from this file.
const lessonsDir = process.env.WSLAB_LESSONS_DIR
  ? resolve(process.cwd(), process.env.WSLAB_LESSONS_DIR)
  : resolve(siteRoot, '../lessons');
if (!existsSync(lessonsDir)) {
  throw new Error(
    `Lessons folder not found at ${lessonsDir}. Run the build from the repository (npm run build), ` +
      `or set WSLAB_LESSONS_DIR to a folder of NN-slug lesson folders${process.env.WSLAB_LESSONS_DIR && !isAbsolute(process.env.WSLAB_LESSONS_DIR) ? ' (relative paths are resolved from the current directory)' : ''}.`,
  );
}
process.env.WSLAB_LESSONS_DIR = lessonsDir;
// Astro caches content entries by id ("01-websocket-basics/en"); a build from another lessons folder
// gets its own cache so it neither reads nor leaves entries that clash with the real lessons'.
// The cache stores each entry's file relative to the site root, so the key includes the checkout
// too: two clones building the same fixture folder must not share one (a clone at another depth
// would resolve the other's "../../../tmp/…" paths to files that do not exist).
const isDefaultLessonsDir = lessonsDir === resolve(siteRoot, '../lessons');
const cacheKey = createHash('sha256').update(`${siteRoot}\0${lessonsDir}`).digest('hex').slice(0, 12);
const cacheDir = isDefaultLessonsDir ? undefined : join(tmpdir(), `wslab-astro-cache-${cacheKey}`);

// The sandbox UI is built outside site/; whether this build has it decides the "Open sandbox" button.
const sandboxEntry = findSandboxEntry(resolve(siteRoot, '..'));
process.env.WSLAB_SANDBOX_BUILT = String(sandboxEntry.exists);

export default defineConfig({
  srcDir: './src',
  ...(cacheDir ? { cacheDir } : {}),
  // WSLAB_OUT_DIR lets the site tests build a variant without overwriting dist/.
  outDir: process.env.WSLAB_OUT_DIR ? resolve(process.cwd(), process.env.WSLAB_OUT_DIR) : '../dist',
  // Every page is a folder with index.html, so links end in "/" and work on any static host.
  trailingSlash: 'always',
  build: { format: 'directory' },
  integrations: [mdx(), pagefindIndex()],
  markdown: {
    shikiConfig: {
      themes: CODE_THEMES,
      defaultColor: false,
      langAlias: { apacheconf: 'apache', httpd: 'apache', sh: 'bash', shell: 'bash' },
    },
  },
  vite: {
    // lazyCssPlugin: Monaco's stylesheets load with the sandbox, not in every lesson page's <head>.
    plugins: [sandboxEntryPlugin(sandboxEntry), lazyCssPlugin()],
    define: { __WSLAB_SANDBOX_BUILT__: JSON.stringify(sandboxEntry.exists) },
    build: {
      rolldownOptions: {
        // Astro marks every MDX module with this directive for its own head handling; the bundler
        // warns about each lesson. Keep the build output readable for lesson authors.
        onwarn(warning, defaultHandler) {
          if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('astro:head-inject')) return;
          defaultHandler(warning);
        },
      },
    },
    server: {
      // Dev server reads lesson files from outside site/.
      fs: { allow: [resolve(siteRoot, '..')] },
    },
  },
  devToolbar: { enabled: false },
});
