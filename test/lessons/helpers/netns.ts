/**
 * A private network namespace for tests that need the article's fixed ports (80, 443, 8080, 3000):
 * inside it only loopback exists and nothing else listens. Created with a unique name, deleted
 * afterwards even when a test fails or the test process dies; every process in it was started by
 * the test, so whatever is left there at the end is killed by pid.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../../helpers/conditions.ts';

export const APACHE_BINARY = process.env.WSLAB_APACHE_BINARY ?? '/usr/sbin/apache2';
const IP_CANDIDATES = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];

/** The `ip` binary (iproute2), or null. */
export function ipBinary(): string | null {
  return IP_CANDIDATES.find((path) => existsSync(path)) ?? null;
}

/** What this machine lacks for netns tests with real httpd; empty when everything is there. */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (!existsSync(APACHE_BINARY)) missing.push(`${APACHE_BINARY} (Debian package apache2)`);
  if (ipBinary() === null) missing.push('ip (Debian package iproute2)');
  if (process.getuid?.() !== 0) missing.push('root (ip netns add needs CAP_SYS_ADMIN)');
  return missing;
}

const created = new Set<string>();
const janitors = new Map<string, ChildProcess>();

// Last resort when the test process ends without afterAll: a crash, or vitest stopping its worker.
process.once('exit', () => {
  for (const name of created) deleteNetnsSync(name);
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  const onSignal = () => {
    for (const name of created) deleteNetnsSync(name);
    process.off(signal, onSignal);
    process.kill(process.pid, signal);
  };
  process.on(signal, onSignal);
}

/**
 * Create a namespace with loopback up; the name is unique to this process. Namespaces this helper
 * made for a process that no longer exists (killed before it could clean up) are deleted first.
 */
export function createNetns(prefix = 'wslab-test'): string {
  const ip = requireIp();
  deleteOrphans(prefix);
  const name = `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
  execFileSync(ip, ['netns', 'add', name], { stdio: 'pipe' });
  created.add(name);
  mkdirSync(netnsScratchDir(name), { mode: 0o755 });
  // httpd's children run as www-data and reopen Mutex files below here.
  chmodSync(netnsScratchDir(name), 0o755);
  startJanitor(name);
  try {
    execFileSync(ip, ['-n', name, 'link', 'set', 'lo', 'up'], { stdio: 'pipe' });
  } catch (error) {
    deleteNetnsSync(name);
    throw error;
  }
  return name;
}

/**
 * A directory that lives and dies with the namespace (configs, logs, certificates of the runs in
 * it): removed with the namespace, also by the janitor.
 */
export function netnsScratchDir(name: string): string {
  return join(tmpdir(), name);
}

/** The argv that runs a command inside the namespace. */
export function netnsCommand(name: string, command: string, args: readonly string[]): { command: string; args: string[] } {
  return { command: requireIp(), args: ['netns', 'exec', name, command, ...args] };
}

/** Pids of the processes living in the namespace (all started by this test). */
export function netnsPids(name: string): number[] {
  const result = spawnSync(requireIp(), ['netns', 'pids', name], { encoding: 'utf8' });
  if (result.status !== 0) return [];
  return result.stdout
    .split(/\s+/)
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0 && pid !== process.pid);
}

/** SIGKILL every process still in the namespace, by pid; returns how many there were. */
export function killNetnsProcesses(name: string): number {
  const pids = netnsPids(name);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited in between.
    }
  }
  return pids.length;
}

/** Kill what is left inside and delete the namespace. Safe to call twice. */
export function deleteNetnsSync(name: string): void {
  if (!created.has(name)) return;
  killNetnsProcesses(name);
  spawnSync(requireIp(), ['netns', 'del', name], { stdio: 'ignore' });
  if (process.env.WSLAB_KEEP_WORKDIR !== '1') rmSync(netnsScratchDir(name), { recursive: true, force: true });
  created.delete(name);
  // Its work is done: closing its stdin lets it run its (now empty) cleanup and exit.
  janitors.get(name)?.stdin?.end();
  janitors.delete(name);
}

/**
 * vitest's watchdog SIGKILLs a worker whose main process went away (Ctrl-C), and a SIGKILLed
 * process runs no exit handler. So each namespace gets a small shell, detached, whose stdin is a
 * pipe from this process: when this process dies for whatever reason the pipe closes, and the
 * shell kills what is left in the namespace and deletes it.
 */
function startJanitor(name: string): void {
  const ip = requireIp();
  const script = 'cat >/dev/null; for pid in $("$0" netns pids "$1" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done; "$0" netns del "$1" 2>/dev/null; [ "$3" = 1 ] || rm -rf -- "$2"; exit 0';
  const keep = process.env.WSLAB_KEEP_WORKDIR === '1' ? '1' : '0';
  const janitor = spawn('/bin/sh', ['-c', script, ip, name, netnsScratchDir(name), keep], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  janitor.on('error', () => undefined);
  janitor.stdin?.on('error', () => undefined);
  janitor.unref();
  (janitor.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  janitors.set(name, janitor);
}

/** `PREFIX-PID-HEX` namespaces whose creating process is gone. */
function deleteOrphans(prefix: string): void {
  const listed = spawnSync(requireIp(), ['netns', 'list'], { encoding: 'utf8' });
  if (listed.status !== 0) return;
  if (!/^[a-z0-9-]+$/.test(prefix)) return;
  const pattern = new RegExp(`^${prefix}-(\\d+)-[0-9a-f]{6}$`);
  for (const line of listed.stdout.split('\n')) {
    const name = line.trim().split(/\s+/)[0] ?? '';
    const match = pattern.exec(name);
    if (!match || processAlive(Number(match[1]))) continue;
    created.add(name);
    deleteNetnsSync(name);
  }
}

function requireIp(): string {
  const ip = ipBinary();
  if (ip === null) throw new Error('ip (iproute2) not found');
  return ip;
}
