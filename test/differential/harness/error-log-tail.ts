/**
 * Reads the error log a proxy appends to, a probe's worth at a time. Both httpd and wslab write
 * `ErrorLog ${WORKDIR}/error.log`, so the same tail serves both sides.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';

/** AH codes in order of first appearance, each once. */
export function ahCodesIn(text: string): string[] {
  return [...new Set(text.match(/\bAH\d{5}\b/g) ?? [])];
}

/**
 * Notices httpd writes at every start and stop, whatever the config. The port answers a moment
 * before the startup notices reach the log, so they can land in the first probe's slice; they say
 * nothing about the probe.
 */
export const LIFECYCLE_CODES: ReadonlySet<string> = new Set([
  'AH00489', // configured -- resuming normal operations
  'AH00490', // Server built: ... (info)
  'AH00094', // Command line: ...
  'AH00491', // caught SIGTERM, shutting down
]);

/** AH codes a probe caused: every code in the slice except the start/stop notices. */
export function probeCodesIn(text: string): string[] {
  return ahCodesIn(text).filter((code) => !LIFECYCLE_CODES.has(code));
}

export class ErrorLogTail {
  private offset = 0;
  private readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** Skip everything written so far. */
  markEnd(): void {
    this.offset = existsSync(this.path) ? statSync(this.path).size : 0;
  }

  /** Text appended since the last mark or read, and advance past it. */
  readNew(): string {
    if (!existsSync(this.path)) return '';
    const bytes = readFileSync(this.path);
    // A log that shrank was rotated or recreated: read it from the start.
    const start = bytes.length < this.offset ? 0 : this.offset;
    this.offset = bytes.length;
    return bytes.subarray(start).toString('utf8');
  }

  /** The whole log, for failure reports. */
  readAll(): string {
    return existsSync(this.path) ? readFileSync(this.path, 'utf8') : '';
  }
}
