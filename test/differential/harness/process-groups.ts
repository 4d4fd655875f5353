/**
 * Child processes that each lead their own process group, so one kill reaches httpd's forked
 * children too, and that are all killed when the test process exits, whatever failed. Used by
 * the differential harness and the lesson-exercise runner.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();

/** Signal a child's whole process group; a group that is already gone is fine. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** SIGKILL every group still running (the last resort of a test process that is going away). */
export function killAllGroups(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
}

process.once('exit', killAllGroups);

/** spawn() in a new process group (detached), tracked until it closes. */
export function spawnInOwnGroup(command: string, args: string[], options: Omit<SpawnOptions, 'detached'>): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  live.add(child);
  child.on('close', () => live.delete(child));
  child.on('error', () => live.delete(child));
  return child;
}
