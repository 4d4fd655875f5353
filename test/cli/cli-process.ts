/**
 * Running `wslab` (sandbox/cli/bin.mjs) as a real child process for the CLI tests: to completion
 * with its output and exit code, or in the background until a signal stops it. Every child is
 * killed when the test process exits, whatever failed. Not a test file itself.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { format } from 'node:util';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', '..', 'sandbox', 'cli', 'bin.mjs');
export const FIXTURES = join(import.meta.dirname, 'fixtures');

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** The node that runs bin.mjs; default this process's (Node 22). */
  node?: string;
  /**
   * Run bin.mjs itself, as `npx wslab` does (its first line picks `node` from PATH), with this
   * directory first in PATH; `node` is then not used.
   */
  executableWithPathFirst?: string;
}

function spawnCli(args: string[], options: CliOptions): ChildProcess {
  const env = { ...process.env, ...options.env };
  const asExecutable = options.executableWithPathFirst;
  if (asExecutable !== undefined) env.PATH = `${asExecutable}:${env.PATH ?? ''}`;
  const [file, fileArgs] = asExecutable !== undefined ? [BIN, args] : [options.node ?? process.execPath, [BIN, ...args]];
  const child = spawn(file, fileArgs, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Run `wslab ARGS` to completion (SIGKILL after timeoutMs). */
export function runCli(args: string[], options: CliOptions = {}, timeoutMs = 15_000): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawnCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A `wslab` process running in the background. */
export class RunningCli {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Finished>;

  constructor(args: string[], options: CliOptions = {}) {
    this.child = spawnCli(args, options);
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }));
    });
  }

  /** Resolve with the first match of `pattern` in stdout or stderr; throws after timeoutMs or if the process exits first. */
  async waitForOutput(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const match = this.stdout.match(pattern) ?? this.stderr.match(pattern);
      if (match) return match;
      if (exited || Date.now() > deadline) {
        throw new Error(`no ${pattern} in the output${exited ? ' (the process exited)' : ''}:\n${this.stdout}\n${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Send a signal and wait for the exit; null when it did not exit within timeoutMs (then it is killed). */
  async stop(signal: NodeJS.Signals, timeoutMs = 5_000): Promise<Finished | null> {
    this.child.kill(signal);
    const finished = await Promise.race([this.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs))]);
    if (finished === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    return finished;
  }

  /** Make sure the process is gone (after a failed test). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** The machine's own nodes (Debian's is older than the bundled Node 22 here), with their major versions. */
export const SYSTEM_NODES: ReadonlyArray<{ path: string; major: number }> = ['/usr/bin/node', '/usr/local/bin/node']
  .filter((candidate) => existsSync(candidate))
  .map((path) => ({ path, major: nodeMajor(path) }))
  .filter(({ major }) => Number.isInteger(major));

function nodeMajor(binary: string): number {
  try {
    return Number(execFileSync(binary, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim());
  } catch {
    return Number.NaN;
  }
}

/** A port that was free a moment ago (the CLI needs a real number in its Listen line). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A fresh temporary directory for one test's config and logs. */
export function workDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'wslab-cli-'));
}

/**
 * Run `main(args)` in this process with console and stdout/stderr captured: the same code as
 * bin.mjs runs, without the cost of a process per case (bin.mjs's own exit path is covered by the
 * spawned tests). `env` is set on process.env for the call.
 */
export async function runMain(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../sandbox/cli/main.ts');
  let stdout = '';
  let stderr = '';
  const saved = { log: console.log, error: console.error, warn: console.warn, out: process.stdout.write, err: process.stderr.write };
  const previousEnv = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  console.log = (...parts: unknown[]) => void (stdout += `${format(...parts)}\n`);
  console.error = (...parts: unknown[]) => void (stderr += `${format(...parts)}\n`);
  console.warn = console.error;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  Object.assign(process.env, env);
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    console.warn = saved.warn;
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    for (const [name, value] of Object.entries(previousEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
