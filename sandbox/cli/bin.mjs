#!/usr/bin/env -S node --single-threaded-gc
// The wslab command. The CLI is TypeScript run by Node's own type stripping (Node >= 22.18), so an
// older node — the system Node 20 on many machines — hands over to the Node 22 that `npm install`
// put in node_modules (devDependency "node"), keeping `npx wslab` working with no build step.
// The flags on the first line are explained in node-flags.ts; the hand-over passes them on.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [major, minor] = process.versions.node.split('.').map(Number);
const stripsTypes = major > 22 || (major === 22 && minor >= 18);

if (stripsTypes) {
  const { main } = await import('./main.ts');
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  // A command that has finished must not linger because some socket or timer is still referenced
  // (httpd exits when it says it does); the grace period lets piped output drain first.
  setTimeout(() => process.exit(code), 250).unref();
} else {
  const bundledNode = join(here, '..', '..', 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bundledNode)) {
    console.error(`wslab needs Node 22.18 or later (this is ${process.version}). Run \`npm install\` in the project, which installs one.`);
    process.exit(1);
  }
  const child = spawn(bundledNode, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
}
