/**
 * Builds the sandbox program into ONE file, dist/sandbox/sandbox.mjs, that runs on Node 18+ with
 * no node_modules: WebContainer mounts it and runs `node sandbox.mjs` without `npm install`, and
 * `wslab serve` spawns it for the local runtime. `ws` and node-forge are bundled in; Node's
 * built-ins stay imports.
 *
 *   node sandbox/runtime/build-bundle.ts [--outfile PATH] [--no-minify]
 *
 * Run it after `astro build` (which empties dist/): the site then serves the bundle at
 * /sandbox/sandbox.mjs, where WebContainerSandboxConnection fetches it.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SANDBOX_ENTRY = join(ROOT, 'sandbox', 'runtime', 'sandbox-process.ts');
export const DEFAULT_BUNDLE_PATH = join(ROOT, 'dist', 'sandbox', 'sandbox.mjs');

export interface BundleOptions {
  outfile?: string;
  minify?: boolean;
}

/** Build the bundle; resolves with its path, size and the modules it still imports at run time. */
export async function buildSandboxBundle(options: BundleOptions = {}): Promise<{ outfile: string; bytes: number; externalImports: string[] }> {
  const outfile = resolve(options.outfile ?? DEFAULT_BUNDLE_PATH);
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await build({
    metafile: true,
    entryPoints: [SANDBOX_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'esm',
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'inline',
    logLevel: 'warning',
    // ws and node-forge are CommonJS and require() Node's built-ins; an ES module has no require,
    // so give the bundle one.
    banner: {
      js: "import { createRequire as __wslabCreateRequire } from 'node:module'; const require = __wslabCreateRequire(import.meta.url);",
    },
    // ws's optional native speed-ups: it falls back to JavaScript when they are missing.
    external: ['bufferutil', 'utf-8-validate'],
    define: { 'process.env.WS_NO_BUFFER_UTIL': '"1"', 'process.env.WS_NO_UTF_8_VALIDATE': '"1"' },
  });
  const output = Object.values(result.metafile.outputs)[0];
  const externalImports = [...new Set((output?.imports ?? []).filter((entry) => entry.external).map((entry) => entry.path))].sort();
  return { outfile, bytes: statSync(outfile).size, externalImports };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outfile: { type: 'string' }, 'no-minify': { type: 'boolean' } } });
  const { outfile, bytes } = await buildSandboxBundle({ outfile: values.outfile, minify: !values['no-minify'] });
  console.log(`wslab: sandbox bundle ${relative(process.cwd(), outfile) || outfile} (${(bytes / 1024).toFixed(0)} KiB)`);
}
