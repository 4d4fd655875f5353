/**
 * Shared plumbing for the benchmarks in sandbox/bench: free ports, child processes that always
 * die with the benchmark (each in its own process group, so httpd's forked children go too),
 * readiness by port, the config file both proxies run, and CPU/memory readings from /proc.
 *
 * Benchmarks are not tests: they print figures measured side by side in one run and never
 * decide pass/fail beyond saying whether a stated target was met.
 */
import { WSLAB_NODE_FLAGS } from '../cli/node-flags.ts';
import { allocateListenPort, portAnswers } from '../server/loopback-ports.ts';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, closeSync, constants, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WSLAB_BIN = join(REPO_ROOT, 'sandbox', 'cli', 'bin.mjs');
export const APACHE_BINARY = process.env.WSLAB_APACHE_BINARY ?? '/usr/sbin/apache2';
export const MODULE_DIR = process.env.WSLAB_APACHE_MODULES ?? '/usr/lib/apache2/modules';
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

// ---------------------------------------------------------------------------------------------
// Child processes

const live = new Set<ChildProcess>();
const cleanups: Array<() => void> = [];

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Kill every child still running and run the registered cleanups (temp dirs). Idempotent. */
export function cleanupAll(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
  live.clear();
  while (cleanups.length > 0) {
    try {
      cleanups.pop()?.();
    } catch {
      // best effort
    }
  }
}

let guardsInstalled = false;

/**
 * Make sure nothing outlives the benchmark: children are killed on normal exit, on an uncaught
 * error, on SIGINT/SIGTERM/SIGHUP, and when the whole run exceeds `deadlineMs`.
 */
export function installGuards(deadlineMs: number, name: string): void {
  if (guardsInstalled) return;
  guardsInstalled = true;
  process.once('exit', cleanupAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\n${name}: ${signal}, stopping children`);
      cleanupAll();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    console.error(`${name}: ${error.stack ?? error}`);
    cleanupAll();
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    console.error(`${name}: ${(error as Error)?.stack ?? error}`);
    cleanupAll();
    process.exit(1);
  });
  setTimeout(() => {
    console.error(`${name}: gave up after ${Math.round(deadlineMs / 1000)} s (time bound); stopping children`);
    cleanupAll();
    process.exit(2);
  }, deadlineMs).unref();
}

export interface Spawned {
  child: ChildProcess;
  pid: number;
  name: string;
  /** stderr collected so far (for error messages). */
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** SIGTERM (or `signal`), wait up to `graceMs`, then SIGKILL the whole group. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  /** Where the child's stdout goes: 'null' (/dev/null, e.g. the tap's JSON lines) or 'inherit'. */
  stdout?: 'null' | 'inherit';
  argv0?: string;
}

/** Start a child in its own process group; stdout to /dev/null by default, stderr kept. */
export function spawnChild(name: string, command: string, args: string[], options: SpawnOptions = {}): Spawned {
  const stdout = options.stdout === 'inherit' ? 'inherit' : openSync('/dev/null', 'w');
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    argv0: options.argv0,
    stdio: ['ignore', stdout, 'pipe'],
    detached: true,
  });
  if (typeof stdout === 'number') closeSync(stdout); // the child has its own copy
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  live.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += chunk.toString('utf8');
  });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  child.once('error', () => (done = true));
  void exited.then(() => {
    // the group may still hold children (httpd's); they go with it
    killGroup(child, 'SIGKILL');
    live.delete(child);
  });
  return {
    child,
    pid: child.pid,
    name,
    stderr: () => stderr,
    exited,
    hasExited: () => done,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000) {
      if (!done) {
        child.kill(signal);
        const graceful = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
        if (!graceful) killGroup(child, 'SIGKILL');
        await Promise.race([exited, sleep(2_000)]);
      }
      killGroup(child, 'SIGKILL');
      live.delete(child);
    },
  };
}

/** Wait until `port` on 127.0.0.1 accepts a connection, or fail if the child exits or time runs out. */
export async function waitForPort(port: number, child: Spawned, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.hasExited()) throw new Error(`${child.name} exited before listening on ${port}:\n${child.stderr().trim()}`);
    if (await portAnswers(port)) {
      // Someone else may hold the port (then our child fails to bind and exits): make sure it lives.
      await sleep(150);
      if (child.hasExited()) throw new Error(`${child.name} exited before listening on ${port}:\n${child.stderr().trim()}`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`${child.name} did not listen on ${port} within ${timeoutMs} ms:\n${child.stderr().trim()}`);
    await sleep(30);
  }
}

/** Start something on a fresh port, again on another one if the port was taken meanwhile. */
export async function onFreshPort<T>(start: (port: number) => Promise<T>, attempts = 3): Promise<{ value: T; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await allocateListenPort();
    try {
      return { value: await start(port), port };
    } catch (error) {
      const lost = /AH00072|Address already in use|EADDRINUSE|exited before listening/.test((error as Error).message);
      if (!lost || attempt >= attempts) throw error;
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// The processes under test

/** `wslab echo`: the article's ws echo server, in its own process. */
export async function startEchoServer(port: number): Promise<Spawned> {
  const echo = spawnChild('wslab echo', process.execPath, [...WSLAB_NODE_FLAGS, WSLAB_BIN, 'echo', '--port', String(port)]);
  await waitForPort(port, echo);
  return echo;
}

/** A fresh temp dir for pid files, logs and mutexes; httpd's www-data children must read it. */
export function makeWorkdir(prefix: string): string {
  const workdir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  chmodSync(workdir, 0o755);
  cleanups.push(() => {
    if (process.env.WSLAB_KEEP_WORKDIR !== '1') rmSync(workdir, { recursive: true, force: true });
  });
  return workdir;
}

/**
 * One standalone config for both proxies (the differential suite's convention: everything
 * machine-specific is an environment variable). Event MPM sized for 1,000 tunnels with 10%
 * headroom, since each upgraded WebSocket holds a worker: with exactly 40 x 25 = 1000, real httpd
 * held only 997-999 of 1,000 (AH00484 logged; the last handshakes timed out while a few children
 * still had a free thread). The article's ws:// ProxyPass inside a Location.
 */
export const BENCH_HTTPD_CONF = `# wslab benchmark config: the same file runs on real httpd and on wslab proxy.
LoadModule mpm_event_module \${MODDIR}/mod_mpm_event.so
LoadModule authz_core_module \${MODDIR}/mod_authz_core.so
LoadModule proxy_module \${MODDIR}/mod_proxy.so
LoadModule proxy_http_module \${MODDIR}/mod_proxy_http.so
LoadModule proxy_wstunnel_module \${MODDIR}/mod_proxy_wstunnel.so

ServerName localhost
Listen 127.0.0.1:\${PROXY_PORT}
User www-data
Group www-data
PidFile \${WORKDIR}/httpd.pid
DefaultRuntimeDir \${WORKDIR}
Mutex file:\${WORKDIR} default
ErrorLog \${WORKDIR}/error.log
LogLevel warn

ServerLimit 44
StartServers 2
ThreadLimit 64
ThreadsPerChild 25
MaxRequestWorkers 1100

<Location /ws/>
    ProxyPass ws://127.0.0.1:\${ECHO_PORT}/
</Location>
`;

export interface ProxyConfig {
  path: string;
  env: Record<string, string>;
}

/** Write the config into `workdir` and return it with the environment it expands. */
export function writeProxyConfig(workdir: string, proxyPort: number, echoPort: number): ProxyConfig {
  const path = join(workdir, 'httpd.conf');
  writeFileSync(path, BENCH_HTTPD_CONF, { mode: 0o644 });
  return { path, env: { PROXY_PORT: String(proxyPort), ECHO_PORT: String(echoPort), WORKDIR: workdir, MODDIR: MODULE_DIR } };
}

/** `wslab proxy --tap FILE` with the tap's JSON lines going to /dev/null (so their cost counts). */
export async function startWslabProxy(config: ProxyConfig, port: number, extraNodeArgs: string[] = [], tap = true): Promise<Spawned> {
  const args = [...WSLAB_NODE_FLAGS, ...extraNodeArgs, WSLAB_BIN, 'proxy', ...(tap ? ['--tap'] : []), config.path];
  const proxy = spawnChild(tap ? 'wslab proxy' : 'wslab proxy (no tap)', process.execPath, args, { env: config.env });
  await waitForPort(port, proxy);
  return proxy;
}

/** Whether real httpd can be run here; a reason when not. */
export function httpdAvailable(): { ok: true } | { ok: false; reason: string } {
  try {
    accessSync(APACHE_BINARY, constants.X_OK);
  } catch {
    return { ok: false, reason: `${APACHE_BINARY} not found` };
  }
  try {
    accessSync(join(MODULE_DIR, 'mod_proxy_wstunnel.so'), constants.R_OK);
  } catch {
    return { ok: false, reason: `${MODULE_DIR}/mod_proxy_wstunnel.so not found` };
  }
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not running as root (the config says User/Group www-data)' };
  return { ok: true };
}

/** `apache2 -f FILE -DFOREGROUND` (event MPM), its forked children in the same process group. */
export async function startHttpd(config: ProxyConfig, port: number): Promise<Spawned> {
  const httpd = spawnChild('apache2', APACHE_BINARY, ['-f', config.path, '-DFOREGROUND'], { env: config.env, argv0: 'apache2' });
  await waitForPort(port, httpd);
  return httpd;
}

/**
 * `node sandbox/bench/tcp-pipe.ts`: a bare byte relay, the ceiling for any Node proxy. It runs
 * with wslab's node flags, so the ceiling is measured on the same runtime settings.
 */
export async function startTcpPipe(port: number, targetPort: number): Promise<Spawned> {
  const pipe = spawnChild('node pipe', process.execPath, [...WSLAB_NODE_FLAGS, join(REPO_ROOT, 'sandbox', 'bench', 'tcp-pipe.ts'), String(port), String(targetPort)]);
  await waitForPort(port, pipe);
  return pipe;
}

// ---------------------------------------------------------------------------------------------
// /proc readings

/** Every live pid whose process group is `pgid` (httpd's parent and its forked children). */
export function pidsInGroup(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.pgrp === pgid) pids.push(Number(entry));
  }
  return pids;
}

function readStat(pid: number): { pgrp: number; utime: number; stime: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: fields start after the last ')'
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pgrp: Number(fields[2]), utime: Number(fields[11]), stime: Number(fields[12]) };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) used so far by these pids. */
export function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) ticks += stat.utime + stat.stime;
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds the whole machine has spent busy (all cores, everything but idle and iowait). */
export function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return (total - fields[3] - fields[4]) / CLOCK_TICKS_PER_SECOND;
}

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM), or null when the process is gone. */
export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Proportional set size in kB (shared pages divided among their users), from smaps_rollup. */
export function pssKb(pid: number): number | null {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Memory of a set of processes: summed RSS (counts shared pages once per process) and summed PSS. */
export function groupMemoryKb(pids: number[]): { rss: number; pss: number; processes: number } {
  let rss = 0;
  let pss = 0;
  let processes = 0;
  for (const pid of pids) {
    const r = statusKb(pid, 'VmRSS');
    if (r === null) continue;
    processes += 1;
    rss += r;
    pss += pssKb(pid) ?? r;
  }
  return { rss, pss, processes };
}

/** `ulimit -n` of this process (soft limit), read from /proc since Node has no getrlimit. */
export function openFileLimit(): { soft: number; hard: number } | null {
  try {
    const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!match) return null;
    const parse = (value: string) => (value === 'unlimited' ? Infinity : Number(value));
    return { soft: parse(match[1]), hard: parse(match[2]) };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A plain text table, columns right-aligned except the first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** Parse `--name value` / `--flag` options against defaults (numbers and booleans). */
export function parseOptions<T extends Record<string, number | boolean | string>>(argv: string[], defaults: T, usage: string): T {
  const options: Record<string, number | boolean | string> = { ...defaults };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === '--help' || argument === '-h') {
      console.log(usage);
      process.exit(0);
    }
    const name = argument.replace(/^--/, '');
    if (!argument.startsWith('--') || !(name in defaults)) {
      console.error(`unknown option ${argument}\n\n${usage}`);
      process.exit(64);
    }
    const current = defaults[name];
    if (typeof current === 'boolean') options[name] = true;
    else {
      const value = argv[++index];
      if (value === undefined) {
        console.error(`${argument} needs a value\n\n${usage}`);
        process.exit(64);
      }
      options[name] = typeof current === 'number' ? Number(value) : value;
      if (typeof current === 'number' && !Number.isFinite(options[name])) {
        console.error(`${argument}: not a number: ${value}`);
        process.exit(64);
      }
    }
  }
  return options as T;
}
