/**
 * A private network namespace for tests that need the article's fixed ports (80, 443, 8080, 3000):
 * inside it only loopback exists and nothing else listens. Created with a unique name, deleted
 * afterwards even when a test fails or the test process dies; every process in it was started by
 * the test, so whatever is left there at the end is killed by pid.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';

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

// Last resort when the test process exits without afterAll (a crash, vitest killed by a timeout).
process.once('exit', () => {
  for (const name of created) deleteNetnsSync(name);
});

/** Create a namespace with loopback up; the name is unique to this process. */
export function createNetns(prefix = 'wslab-test'): string {
  const ip = requireIp();
  const name = `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
  execFileSync(ip, ['netns', 'add', name], { stdio: 'pipe' });
  created.add(name);
  try {
    execFileSync(ip, ['-n', name, 'link', 'set', 'lo', 'up'], { stdio: 'pipe' });
  } catch (error) {
    deleteNetnsSync(name);
    throw error;
  }
  return name;
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
  created.delete(name);
}

function requireIp(): string {
  const ip = ipBinary();
  if (ip === null) throw new Error('ip (iproute2) not found');
  return ip;
}
