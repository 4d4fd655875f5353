/**
 * The sandbox program: `node sandbox.mjs` (the bundle) or `node sandbox/runtime/sandbox-process.ts`.
 * Reads protocol requests on stdin, one JSON object per line, and writes protocol messages on
 * stdout, one per line (sandbox/runtime/protocol.ts). Nothing else is written to stdout; faults
 * go to stderr and, where the page should know, as `notice` messages.
 *
 * Environment: WSLAB_RUNTIME=local|webcontainer names the runtime in the `ready` message (default
 * local). Exits when stdin ends (the page or the local server went away) or on SIGTERM/SIGINT.
 *
 * Under WebContainer, stdin and stdout are a terminal: raw mode is switched on before `ready` so
 * the terminal neither echoes requests back nor limits line length, and the page strips the "\r"
 * the terminal adds to each line.
 */
import { encodeLine } from './protocol.ts';
import type { SandboxMessage } from './protocol.ts';
import { LineSplitter } from './line-splitter.ts';
import { LIMITS } from './request-validation.ts';
import { Sandbox } from './sandbox.ts';

function write(message: SandboxMessage): void {
  process.stdout.write(encodeLine(message));
}

async function main(): Promise<void> {
  const runtime = process.env.WSLAB_RUNTIME === 'webcontainer' ? 'webcontainer' : 'local';
  const stdin = process.stdin as NodeJS.ReadStream;
  if (stdin.isTTY && typeof stdin.setRawMode === 'function') {
    try {
      stdin.setRawMode(true);
    } catch {
      // Echoed lines are not messages the page knows; it ignores them.
    }
  }
  // A closed stdout (the reader went away) must end the process quietly, not crash it.
  process.stdout.on('error', () => process.exit(0));

  let sandbox: Sandbox | null = null;
  const early: string[] = [];
  const splitter = new LineSplitter({
    maxLineBytes: LIMITS.lineBytes,
    onLine: (line) => (sandbox ? sandbox.handleLine(line) : early.push(line)),
    onOversize: (bytes) =>
      write({ type: 'notice', level: 'error', message: `ignored a message of ${bytes} bytes: messages are limited to ${LIMITS.lineBytes} bytes (1 MiB)` }),
  });
  stdin.on('data', (chunk: Buffer) => splitter.push(chunk));

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(code), 2_000);
    timer.unref();
    await sandbox?.close();
    process.exit(code);
  };
  stdin.on('end', () => {
    splitter.end();
    void stop(0);
  });
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  // Last line of defence: report and keep serving. Every part of the sandbox already turns its
  // own failures into replies; this is for the fault nobody foresaw.
  process.on('uncaughtException', (error) => {
    process.stderr.write(`wslab sandbox: uncaught ${error.stack ?? error.message}\n`);
    write({ type: 'notice', level: 'error', message: `internal error (the sandbox keeps running): ${error.message}` });
  });
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`wslab sandbox: unhandled rejection ${String((reason as Error)?.stack ?? reason)}\n`);
  });

  try {
    sandbox = await Sandbox.start({ runtime, send: write });
  } catch (error) {
    write({ type: 'notice', level: 'error', message: `the sandbox could not start: ${(error as Error).message}` });
    process.exit(1);
  }
  for (const line of early.splice(0)) sandbox.handleLine(line);
}

void main();
