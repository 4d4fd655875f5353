/**
 * How much CPU time and memory a process (a sandbox child of `wslab serve`) has used, read from
 * outside the process so a sandbox stuck in a loop cannot lie or stay silent about it:
 *
 *  - Linux: /proc/<pid>/stat (utime + stime, in clock ticks) and /proc/<pid>/status (VmRSS);
 *  - elsewhere (macOS): `ps -o time=,rss= -p <pid>`.
 *
 * And the budget: CPU seconds allowed in a sliding window (60 CPU-seconds per 10 minutes by
 * default), so a learner's long session is fine but a sandbox spinning a core is stopped.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Linux's USER_HZ: /proc times are in 1/100 s on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  /** User + system CPU time since the process started, in seconds. */
  cpuSeconds: number;
  /** Resident set size in bytes (0 when unknown). */
  rssBytes: number;
}

/** CPU time and RSS of `pid`, or null when the process is gone (or cannot be read). */
export async function readProcessUsage(pid: number): Promise<ProcessUsage | null> {
  if (process.platform === 'linux') return readProcUsage(pid);
  return readPsUsage(pid);
}

async function readProcUsage(pid: number): Promise<ProcessUsage | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: split after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    let rssBytes = 0;
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      if (match) rssBytes = Number(match[1]) * 1024;
    } catch {
      // A zombie has no VmRSS; its CPU time still counts.
    }
    return Number.isFinite(ticks) ? { cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, rssBytes } : null;
  } catch {
    return null;
  }
}

function readPsUsage(pid: number): Promise<ProcessUsage | null> {
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'time=,rss=', '-p', String(pid)], { timeout: 5_000 }, (error, stdout) => {
      if (error) return resolve(null);
      const [time, rss] = stdout.trim().split(/\s+/);
      const cpuSeconds = parseCpuTime(time ?? '');
      resolve(cpuSeconds === null ? null : { cpuSeconds, rssBytes: Number(rss ?? 0) * 1024 });
    });
  });
}

/** `ps` time: [[DD-]HH:]MM:SS[.ss]. */
export function parseCpuTime(text: string): number | null {
  const match = /^(?:(?:(\d+)-)?(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(text);
  if (!match) return null;
  const [, days, hours, minutes, seconds] = match;
  return Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes) * 60 + Number(seconds);
}

export interface CpuBudgetOptions {
  /** CPU seconds a sandbox may use within any window. Default 60. */
  cpuSeconds: number;
  /** The sliding window. Default 10 minutes. */
  windowMs: number;
}

export const DEFAULT_CPU_BUDGET: CpuBudgetOptions = { cpuSeconds: 60, windowMs: 10 * 60 * 1000 };

/**
 * Samples of one process's cumulative CPU time; says how much it used within the last window.
 * Samples older than the window are dropped except the newest of them, the window's baseline.
 */
export class CpuWindow {
  private readonly samples: Array<{ at: number; cpuSeconds: number }> = [];
  private readonly windowMs: number;

  constructor(windowMs: number, startedAt: number) {
    this.windowMs = windowMs;
    // The process used nothing before it started.
    this.samples.push({ at: startedAt, cpuSeconds: 0 });
  }

  /** Record a sample; returns CPU seconds used in the window ending now. */
  add(at: number, cpuSeconds: number): number {
    this.samples.push({ at, cpuSeconds });
    const windowStart = at - this.windowMs;
    while (this.samples.length > 2 && this.samples[1].at <= windowStart) this.samples.shift();
    return cpuSeconds - this.samples[0].cpuSeconds;
  }
}
