/**
 * A built site for the tests that need one but not dist/ itself (deploy servers, pre-flight,
 * offline audit): what `npm run build` makes (`astro build`, then the sandbox bundle), written to a
 * folder under the system temp directory and reused while its inputs are unchanged.
 *
 * Why not dist/: site.test.ts rebuilds dist/ at the start of every run, and Astro empties its output
 * folder first, so a test reading dist/ at the same time (vitest runs files in parallel) could see
 * it half-written. Why one shared copy: several test files need a build, and two of them building
 * at once would cost twice the time; a lock directory makes the first one build and the others (in
 * this run, or a later run with the same inputs) reuse it. The lessons are copied first, which gives
 * the build its own Astro content cache (astro.config.mjs keys it by lessons folder), so it does not
 * share one with a dist/ build running alongside.
 *
 * Set WSLAB_TEST_SITE_DIR to test an existing build instead (for instance dist/ after `npm run build`).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { processAlive } from '../../helpers/conditions.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const BUILD_TIMEOUT_MS = 10 * 60_000;
const STALE_LOCK_MS = 15 * 60_000;
/** Builds for other inputs: how many to keep, and ages below which one is kept / above which it goes. */
const KEPT_BUILDS = 3;
const YOUNG_BUILD_MS = 5 * 60_000;
const OLD_BUILD_MS = 60 * 60_000;
const SKIPPED = new Set(['node_modules', '.astro', 'screenshots', 'readme', '.git']);

function listFiles(directory: string, into: string[] = []): string[] {
  if (!existsSync(directory)) return into;
  for (const name of readdirSync(directory)) {
    if (SKIPPED.has(name)) continue;
    const path = join(directory, name);
    const info = statSync(path);
    if (info.isDirectory()) listFiles(path, into);
    else into.push(path);
  }
  return into;
}

function lessonsSource(): string {
  return process.env.WSLAB_LESSONS_DIR ? resolve(process.env.WSLAB_LESSONS_DIR) : join(repoRoot, 'lessons');
}

/** A hash of everything the build reads: site sources, lessons, the sandbox UI and runtime, package files. */
export function buildInputsKey(): string {
  const hash = createHash('sha256');
  // This file too: a change in how the build is made must not reuse a build made the old way.
  const roots = [join(repoRoot, 'site'), lessonsSource(), join(repoRoot, 'sandbox'), join(repoRoot, 'package.json'), join(repoRoot, 'package-lock.json'), import.meta.filename];
  for (const root of roots) {
    const files = existsSync(root) && statSync(root).isFile() ? [root] : listFiles(root);
    for (const file of files.sort()) {
      const info = statSync(file);
      hash.update(`${relative(repoRoot, file)}\0${info.size}\0${info.mtimeMs}\n`);
    }
  }
  hash.update(`${process.env.WSLAB_SANDBOX_ENTRY ?? ''}\n`);
  return hash.digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + BUILD_TIMEOUT_MS + 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let pid = 0;
      let age = 0;
      try {
        pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8')) || 0;
      } catch {
        // Not written yet, or the lock was just released.
      }
      try {
        age = Date.now() - statSync(lockDir).mtimeMs;
      } catch {
        continue; // Released between our mkdir and now: try again at once.
      }
      // A holder that died (or never wrote its pid within a few seconds) leaves the lock behind.
      if ((pid > 0 && !processAlive(pid)) || (pid === 0 && age > 5_000) || age > STALE_LOCK_MS) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Gave up waiting for the site build lock ${lockDir} (held by pid ${pid}).`);
      await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

/** Directories 0755 and files 0644, so httpd's and nginx's unprivileged workers can read the site. */
function makeWorldReadable(path: string): void {
  const info = statSync(path);
  if (info.isDirectory()) {
    chmodSync(path, 0o755);
    for (const name of readdirSync(path)) makeWorldReadable(join(path, name));
  } else {
    chmodSync(path, 0o644);
  }
}

let cached: Promise<string> | undefined;

/** The folder of a complete build of the current sources (built on first use, then reused). */
export function builtSite(): Promise<string> {
  cached ??= findOrBuild();
  return cached;
}

async function findOrBuild(): Promise<string> {
  if (process.env.WSLAB_TEST_SITE_DIR) {
    const dir = resolve(process.env.WSLAB_TEST_SITE_DIR);
    if (!existsSync(join(dir, 'index.html'))) throw new Error(`WSLAB_TEST_SITE_DIR=${dir} has no index.html: build the site first.`);
    return dir;
  }
  const key = buildInputsKey();
  const siteDir = join(tmpdir(), `wslab-test-site-${key}`);
  const complete = join(siteDir, '.wslab-test-build-complete');
  if (existsSync(complete)) return siteDir;
  return withLock(join(tmpdir(), 'wslab-test-site.lock'), async () => {
    if (existsSync(complete)) return siteDir;
    removeOldBuilds(key);
    const staging = mkdtempSync(join(tmpdir(), `wslab-test-site-${key}-staging-`));
    // Always the same folder (only the lock holder uses it), so Astro's content cache for it, which
    // astro.config.mjs keys by the lessons path, is reused from one build to the next.
    const lessons = join(tmpdir(), 'wslab-test-site-lessons');
    try {
      rmSync(lessons, { recursive: true, force: true });
      cpSync(lessonsSource(), lessons, { recursive: true });
      const build = await run(process.execPath, [join(repoRoot, 'node_modules/astro/bin/astro.mjs'), 'build', '--root', 'site'], {
        ASTRO_TELEMETRY_DISABLED: '1',
        WSLAB_OUT_DIR: staging,
        WSLAB_LESSONS_DIR: lessons,
      });
      if (build.code !== 0) throw new Error(`astro build failed (exit ${build.code}):\n${build.output}`);
      // `npm run build` then bundles the sandbox program into dist/sandbox/sandbox.mjs (WebContainer
      // fetches it from there); do the same into this folder.
      if (/build-bundle\.ts/.test(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts?.build ?? '')) {
        const bundle = await run(process.execPath, [join(repoRoot, 'sandbox/runtime/build-bundle.ts'), '--outfile', join(staging, 'sandbox', 'sandbox.mjs')], {});
        if (bundle.code !== 0) throw new Error(`the sandbox bundle failed (exit ${bundle.code}):\n${bundle.output}`);
      }
      makeWorldReadable(staging);
      rmSync(siteDir, { recursive: true, force: true });
      renameSync(staging, siteDir);
      writeFileSync(complete, `${new Date().toISOString()}\n`);
      return siteDir;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
}

function removeOldBuilds(currentKey: string): void {
  // Sources change often while people work, and each change means a new build: keep the newest
  // few (another test run may still be serving one) and anything younger than a few minutes.
  const builds = readdirSync(tmpdir())
    .filter((name) => name.startsWith('wslab-test-site-') && name !== `wslab-test-site-${currentKey}` && name !== 'wslab-test-site-lessons')
    .map((name) => {
      const path = join(tmpdir(), name);
      try {
        return { path, mtimeMs: statSync(path).mtimeMs };
      } catch {
        return undefined;
      }
    })
    .filter((build) => build !== undefined)
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const [index, build] of builds.entries()) {
    const age = Date.now() - build.mtimeMs;
    if ((index >= KEPT_BUILDS && age > YOUNG_BUILD_MS) || age > OLD_BUILD_MS) rmSync(build.path, { recursive: true, force: true });
  }
}
