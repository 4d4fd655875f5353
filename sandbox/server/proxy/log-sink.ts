/**
 * Where the emulator's logs go. The CLI writes files like httpd (ErrorLog and CustomLog paths,
 * relative to ServerRoot); the sandbox sends lines to the page through the tap. BufferedLogs On
 * holds access-log lines in memory until 4 KiB collect or the server stops, as mod_log_config's
 * buffer does, so a learner can see why lines arrive late.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

/** Receives rendered log lines (no trailing newline). */
export interface LogSink {
  /** `target` is the ErrorLog of the server that logged (null: none configured). */
  errorLine(target: string | null, line: string): void;
  /** `target` is the CustomLog target as written, so several access logs stay apart. */
  accessLine(target: string, line: string): void;
  /** Flush buffers; called on graceful stop and restart. */
  flush(): void;
}

/** mod_log_config's LOG_BUFSIZE. */
const ACCESS_BUFFER_BYTES = 4096;

/** httpd resolves relative log paths against ServerRoot. */
export function resolveLogPath(serverRoot: string, target: string): string {
  return isAbsolute(target) ? target : join(serverRoot, target);
}

/** Log sink writing files the way httpd does; piped ("|cmd") and syslog targets go to stderr with a note. */
export class FileLogSink implements LogSink {
  private readonly serverRoot: string;
  private readonly buffered: boolean;
  private readonly pending = new Map<string, string[]>();
  private readonly pendingBytes = new Map<string, number>();

  constructor(options: { serverRoot: string; bufferedLogs: boolean }) {
    this.serverRoot = options.serverRoot;
    this.buffered = options.bufferedLogs;
  }

  /** No ErrorLog (or a piped/syslog one) goes to stderr, where a foreground httpd's early messages go. */
  errorLine(target: string | null, line: string): void {
    if (target === null || !isFileTarget(target)) {
      process.stderr.write(`${line}\n`);
      return;
    }
    appendLine(resolveLogPath(this.serverRoot, target), line);
  }

  accessLine(target: string, line: string): void {
    if (!isFileTarget(target)) {
      process.stdout.write(`${line}\n`);
      return;
    }
    const path = resolveLogPath(this.serverRoot, target);
    if (!this.buffered) {
      appendLine(path, line);
      return;
    }
    // mod_log_config's buffered_log_writer: when the new line would overflow the buffer, what is
    // already buffered is written and the new line starts the next buffer; a line larger than the
    // whole buffer is written straight through.
    const size = line.length + 1;
    if ((this.pendingBytes.get(path) ?? 0) + size > ACCESS_BUFFER_BYTES) this.flushPath(path);
    if (size > ACCESS_BUFFER_BYTES) {
      appendLine(path, line);
      return;
    }
    const lines = this.pending.get(path) ?? [];
    lines.push(line);
    this.pending.set(path, lines);
    this.pendingBytes.set(path, (this.pendingBytes.get(path) ?? 0) + size);
  }

  flush(): void {
    for (const path of [...this.pending.keys()]) this.flushPath(path);
  }

  private flushPath(path: string): void {
    const lines = this.pending.get(path);
    this.pending.delete(path);
    this.pendingBytes.delete(path);
    if (lines && lines.length > 0) appendFileSafely(path, `${lines.join('\n')}\n`);
  }
}

function isFileTarget(target: string): boolean {
  return !target.startsWith('|') && !target.startsWith('syslog');
}

function appendLine(path: string, line: string): void {
  appendFileSafely(path, `${line}\n`);
}

// A log write must never take the proxy down (a learner may point ErrorLog at an odd place);
// httpd would have refused to start, which the CLI checks before it gets here.
function appendFileSafely(path: string, text: string): void {
  try {
    appendFileSync(path, text);
  } catch (error) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      appendFileSync(path, text);
    } catch {
      process.stderr.write(`wslab: cannot write log ${path}: ${(error as Error).message}\n${text}`);
    }
  }
}

/** A sink that keeps lines in memory and forwards them to a callback (the sandbox, tests). */
export class MemoryLogSink implements LogSink {
  readonly errorLines: string[] = [];
  readonly accessLines: Array<{ target: string; line: string }> = [];

  errorLine(_target: string | null, line: string): void {
    this.errorLines.push(line);
  }

  accessLine(target: string, line: string): void {
    this.accessLines.push({ target, line });
  }

  flush(): void {}
}
