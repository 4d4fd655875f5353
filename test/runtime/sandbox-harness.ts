/**
 * Drives a sandbox process over stdio for the runtime tests: spawn it, send requests, wait for
 * replies and events. Not a test file itself.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxMessage } from '../../sandbox/runtime/protocol.ts';
import { decodeLines, encodeLine } from '../../sandbox/runtime/protocol.ts';

export const REPO = join(import.meta.dirname, '..', '..');
export const SANDBOX_ENTRY = join(REPO, 'sandbox', 'runtime', 'sandbox-process.ts');

/** A lesson's exercise file. */
export function exerciseFile(lesson: string, name: string): string {
  return readFileSync(join(REPO, 'lessons', lesson, 'exercise', name), 'utf8');
}

export function exerciseChecks(lesson: string) {
  return JSON.parse(exerciseFile(lesson, 'exercise.json')).checks as Array<Record<string, unknown>>;
}

export type Reply = Extract<SandboxMessage, { type: 'reply' }>;
type RequestBody = { type: string; [key: string]: unknown };

export interface SandboxDriver {
  child: ChildProcessWithoutNullStreams;
  messages: SandboxMessage[];
  stderr: () => string;
  request(body: RequestBody, timeoutMs?: number): Promise<Reply>;
  /** Resolve with the first message (from `from` on) matching `predicate`. */
  waitFor<T extends SandboxMessage>(predicate: (message: SandboxMessage) => message is T, timeoutMs?: number, from?: number): Promise<T>;
  waitFor(predicate: (message: SandboxMessage) => boolean, timeoutMs?: number, from?: number): Promise<SandboxMessage>;
  writeRaw(text: string): void;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Spawn `command args` (default: Node 22 on the TS entry) and wait for `ready`. */
export async function spawnSandbox(options: { command?: string; args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<SandboxDriver> {
  const child = spawn(options.command ?? process.execPath, options.args ?? [SANDBOX_ENTRY], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: options.env ?? { ...process.env, WSLAB_RUNTIME: 'local' },
  });
  const messages: SandboxMessage[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const decoded = decodeLines(buffer + chunk);
    buffer = decoded.rest;
    for (const entry of decoded.messages) {
      if (entry.ok) messages.push(entry.value as SandboxMessage);
      else messages.push({ type: 'notice', level: 'error', message: `NOT JSON ON STDOUT: ${entry.line}` });
    }
    for (const waiter of [...waiters]) waiter();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let nextId = 1;

  function waitFor(predicate: (message: SandboxMessage) => boolean, timeoutMs = 10_000, from = 0): Promise<SandboxMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = messages.slice(from).find(predicate);
        if (!found) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for a message; got:\n${messages.slice(from).map((message) => JSON.stringify(message).slice(0, 300)).join('\n')}\nstderr: ${stderr}`));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });
  }

  const driver: SandboxDriver = {
    child,
    messages,
    stderr: () => stderr,
    async request(body, timeoutMs = 15_000) {
      const id = nextId++;
      const from = messages.length;
      child.stdin.write(encodeLine({ ...body, id } as never));
      return (await waitFor((message) => message.type === 'reply' && message.id === id, timeoutMs, from)) as Reply;
    },
    waitFor: waitFor as SandboxDriver['waitFor'],
    writeRaw: (text) => child.stdin.write(text),
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
  await waitFor((message) => message.type === 'ready', 20_000);
  return driver;
}

/** Open a test client and wait for its first decisive event (open, rejected, or error). */
export async function openClient(driver: SandboxDriver, client: string, options: Record<string, unknown>) {
  const from = driver.messages.length;
  const reply = await driver.request({ type: 'client-open', client, options });
  if (!reply.ok) throw new Error(reply.error);
  const event = await driver.waitFor(
    (message) => message.type === 'client-event' && message.client === client && ['open', 'rejected', 'error'].includes(message.event.kind),
    10_000,
    from,
  );
  return (event as Extract<SandboxMessage, { type: 'client-event' }>).event;
}

/** Send text on a client and wait for the next incoming message. */
export async function roundTrip(driver: SandboxDriver, client: string, text: string): Promise<string | undefined> {
  const from = driver.messages.length;
  const reply = await driver.request({ type: 'client-send', client, text });
  if (!reply.ok) throw new Error(reply.error);
  const event = (await driver.waitFor(
    (message) => message.type === 'client-event' && message.client === client && message.event.kind === 'message' && message.event.direction === 'in',
    5_000,
    from,
  )) as Extract<SandboxMessage, { type: 'client-event' }>;
  return event.event.kind === 'message' ? event.event.text : undefined;
}

export function errorLogLines(driver: SandboxDriver, from = 0): string[] {
  return driver.messages
    .slice(from)
    .flatMap((message) => (message.type === 'tap' && message.event.type === 'error-log' ? [message.event.line] : []));
}

/** Close a client and wait until it is gone. */
export async function closeClient(driver: SandboxDriver, client: string): Promise<void> {
  const from = driver.messages.length;
  const reply = await driver.request({ type: 'client-close', client });
  if (!reply.ok) throw new Error(reply.error);
  await driver.waitFor((message) => message.type === 'client-event' && message.client === client && message.event.kind === 'closed', 10_000, from);
}
