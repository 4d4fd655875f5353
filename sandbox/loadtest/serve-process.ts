/**
 * `wslab serve` as a child process, the way an instructor runs it, for the load test and the
 * balancer test: a free loopback port, wait for "the tutorial is at", stop with SIGTERM. Plus the
 * memory of a process tree (the server and its sandbox children), read from /proc.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = join(ROOT, 'dist');
const BIN = join(ROOT, 'sandbox', 'cli', 'bin.mjs');

/** A port nothing listens on right now (on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when dist/ holds the site and the sandbox bundle `wslab serve` needs. */
export function distReady(): boolean {
  return existsSync(join(DIST, 'index.html')) && existsSync(join(DIST, 'sandbox', 'sandbox.mjs'));
}

/** `npm run build` when dist/ is missing (site or sandbox bundle). Throws when the build fails. */
export function ensureBuilt(log: (line: string) => void = (line) => console.error(line)): void {
  if (distReady()) return;
  log('wslab loadtest: dist/ is missing or incomplete; running `npm run build` (a minute or two)...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const env = { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
  const result = spawnSync(npm, ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env });
  if (result.status !== 0 || !distReady()) throw new Error('`npm run build` failed; the load test needs dist/ (the site and dist/sandbox/sandbox.mjs)');
}

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  base: string;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Start `wslab serve --host 127.0.0.1 --port P --max-sessions N` and wait until it serves.
 * `siteDir`: a built site other than dist/ (--root), whose sandbox bundle the sandboxes then run.
 */
export async function startServe(options: { maxSessions: number; port?: number; siteDir?: string; extraArgs?: string[]; timeoutMs?: number; env?: Record<string, string> }): Promise<ServeProcess> {
  const port = options.port ?? (await freePort());
  const siteArgs = options.siteDir ? ['--root', options.siteDir] : [];
  const bundle = options.siteDir ? join(options.siteDir, 'sandbox', 'sandbox.mjs') : undefined;
  const siteEnv: Record<string, string> = bundle && existsSync(bundle) ? { WSLAB_SANDBOX_BUNDLE: bundle } : {};
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--max-sessions', String(options.maxSessions), ...siteArgs, ...(options.extraArgs ?? [])],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...siteEnv, ...options.env } },
  );
  let output = '';
  const take = (chunk: Buffer) => {
    if (output.length < 1_000_000) output += chunk.toString('utf8');
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wslab serve did not start within ${options.timeoutMs ?? 20_000} ms:\n${output}`)), options.timeoutMs ?? 20_000);
    const check = () => {
      if (output.includes('the tutorial is at')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`wslab serve exited (${code}) before serving:\n${output}`));
    });
  });
  return {
    child,
    pid: child.pid as number,
    port,
    base: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The pids of a process and all its descendants (Linux /proc; just the pid elsewhere). */
export function processTree(pid: number): number[] {
  if (process.platform !== 'linux') return [pid];
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(parent) ?? [];
      list.push(Number(entry));
      children.set(parent, list);
    } catch {
      // gone meanwhile
    }
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

/** RSS of one process in bytes (0 when gone or unknown). */
export function rssOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** RSS of the server and of its sandbox children, and how many children there are. */
export function treeMemory(pid: number): { serverBytes: number; sandboxBytes: number; sandboxes: number; totalBytes: number } {
  const [server, ...rest] = processTree(pid);
  const serverBytes = rssOf(server);
  const sandboxBytes = rest.reduce((sum, child) => sum + rssOf(child), 0);
  return { serverBytes, sandboxBytes, sandboxes: rest.length, totalBytes: serverBytes + sandboxBytes };
}
