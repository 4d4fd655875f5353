/**
 * The local runtime of `wslab serve`: one sandbox process per browser session, bridged to the
 * page over a WebSocket. Each protocol line is one WebSocket text message, both ways.
 *
 *   GET  /__wslab/session            {available, runtime, protocolVersion, maxSessions, activeSessions}
 *                                    (the page's probe: "is there a local runtime here?")
 *   POST /__wslab/session            201 {token, socketPath, expiresInMs}: a one-time token, valid
 *                                    for 30 s, for one sandbox; 503 when --max-sessions are in use
 *   GET  /__wslab/sandbox?token=T    WebSocket upgrade: spawns the sandbox and bridges it
 *
 * Who may start a sandbox: a page served by this server. The token can only be read by a
 * same-origin script (the site sends no CORS headers), the Origin of the POST and of the upgrade
 * must be this server's, and the Host must be a loopback name or the address the server listens
 * on (which also stops DNS-rebinding pages, whose Host is their own name). Every rejection says
 * why in its body.
 *
 * A session ends when its socket closes, after `idleTimeoutMs` without a message from the page
 * (close code 4000), when its process used more CPU than its budget (close code 4001, after a
 * notice; 60 CPU-seconds per 10 minutes by default, measured from outside the process), or when
 * its process exits (close code 1011, after a notice). The process is killed (SIGTERM, then
 * SIGKILL) whenever the socket goes.
 *
 * Limits on what the page sends: one message is one protocol line of at most LIMITS.lineBytes
 * (1 MiB); a bigger one is dropped with a reply `ok: false` (when its id can be read) or a
 * notice, and the session goes on. A message over 4 MiB closes the socket (1009) unread.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { getPriority, setPriority } from 'node:os';
import { existsSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { LineSplitter } from './line-splitter.ts';
import { encodeLine, PROTOCOL_VERSION } from './protocol.ts';
import { CpuWindow, DEFAULT_CPU_BUDGET, readProcessUsage } from './process-usage.ts';
import type { CpuBudgetOptions } from './process-usage.ts';
import { LIMITS } from './request-validation.ts';

export const SESSION_PATH = '/__wslab/session';
export const SOCKET_PATH = '/__wslab/sandbox';

/** Close codes the page can act on. */
export const CLOSE_CODES = { idle: 4000, cpuLimit: 4001, processExited: 1011, serverClosing: 1001 } as const;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEFAULT_BUNDLE = join(ROOT, 'dist', 'sandbox', 'sandbox.mjs');
const TS_ENTRY = join(ROOT, 'sandbox', 'runtime', 'sandbox-process.ts');

export interface LocalSandboxOptions {
  /** Sandboxes running (or with an unused token) at once. Default 4. */
  maxSessions?: number;
  /** Close a session after this long without a message from the page. Default 30 min. */
  idleTimeoutMs?: number;
  /** How long an issued token may wait for its WebSocket. Default 30 s. */
  tokenTtlMs?: number;
  /**
   * The program to run per session. Default: this Node on dist/sandbox/sandbox.mjs, or on the
   * TypeScript entry when the bundle has not been built.
   */
  command?: { file: string; args: string[] };
  /**
   * Extra host names the page may be served under (besides loopback names and the bound address).
   * The environment variable WSLAB_ALLOWED_HOSTS (comma-separated) adds more: the public name of a
   * reverse proxy (site/deploy/workshop-balancer.conf) in front of instances on loopback.
   */
  allowedHosts?: string[];
  /** Where session starts, ends and sandbox stderr go. Default: console.error. */
  log?: (message: string) => void;
  /**
   * CPU time one sandbox may use in a sliding window; past it the session ends with a notice
   * (close code 4001). Default 60 CPU-seconds per 10 minutes; false: no limit.
   */
  cpuBudget?: CpuBudgetOptions | false;
  /** How often each sandbox's CPU time is read. Default 5 s. */
  cpuSampleMs?: number;
  /**
   * How much lower the sandboxes' scheduling priority is than the server's (nice increment):
   * with a room of learners booting sandboxes at once, pages and the bridge stay responsive.
   * Default 5; 0 leaves it alone.
   */
  sandboxNiceness?: number;
}

export interface LocalSandboxes {
  readonly maxSessions: number;
  /** Sandboxes running now. */
  sessionCount(): number;
  /** Process ids of the sandboxes running now (for monitoring: memory, CPU). */
  sandboxPids(): number[];
  /** End every session and detach from the server (which keeps serving the site). */
  close(): Promise<void>;
}

interface Session {
  id: number;
  socket: WebSocket;
  child: ChildProcessWithoutNullStreams;
  idleTimer: NodeJS.Timeout | undefined;
  ended: boolean;
  cpu: CpuWindow;
}

/** Output of one sandbox line is capped here (a reply carrying a large echo, say). */
const MAX_OUTPUT_LINE = 4 * LIMITS.lineBytes;
/** Pause the sandbox's stdout while this much is waiting to go to a slow page. */
const SOCKET_HIGH_WATER = 8 * 1024 * 1024;
/** Keep this much of a session's stderr for the server log. */
const STDERR_LIMIT = 64 * 1024;
/** A page message bigger than this closes the socket unread (ws answers 1009); up to it, a clear refusal. */
const MAX_SOCKET_PAYLOAD = 4 * LIMITS.lineBytes;

/** Add the local runtime's endpoints to the site's HTTP server. */
export function attachLocalSandboxes(server: Server, options: LocalSandboxOptions = {}): LocalSandboxes {
  const maxSessions = options.maxSessions ?? 4;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30 * 60 * 1000;
  const tokenTtlMs = options.tokenTtlMs ?? 30_000;
  const log = options.log ?? ((message: string) => console.error(message));
  const command = options.command ?? defaultCommand();
  const tokens = new Map<string, number>();
  const sessions = new Set<Session>();
  const extraHosts = [...(options.allowedHosts ?? []), ...(process.env.WSLAB_ALLOWED_HOSTS ?? '').split(',')]
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const cpuBudget = options.cpuBudget === undefined ? DEFAULT_CPU_BUDGET : options.cpuBudget;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_SOCKET_PAYLOAD, perMessageDeflate: false });
  let nextSessionId = 1;
  let closed = false;

  // One timer reads every sandbox's CPU time from outside (a looping sandbox cannot answer).
  let sampling = false;
  const cpuTimer = cpuBudget
    ? setInterval(() => {
        if (sampling) return;
        sampling = true;
        void sampleCpu(cpuBudget).finally(() => (sampling = false));
      }, options.cpuSampleMs ?? 5_000)
    : undefined;
  cpuTimer?.unref();

  async function sampleCpu(budget: CpuBudgetOptions): Promise<void> {
    await Promise.all(
      [...sessions].map(async (session) => {
        const pid = session.child.pid;
        if (pid === undefined || session.ended) return;
        const usage = await readProcessUsage(pid);
        if (!usage || session.ended) return;
        const used = session.cpu.add(Date.now(), usage.cpuSeconds);
        if (used <= budget.cpuSeconds) return;
        const minutes = Math.round(budget.windowMs / 60_000);
        const window = minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${Math.round(budget.windowMs / 1000)} s`;
        log(`wslab serve: sandbox session ${session.id} (pid ${pid}) used ${used.toFixed(1)} CPU-seconds in ${window}; stopping it`);
        sendNotice(
          session,
          'error',
          `the sandbox was stopped: it used ${used.toFixed(1)} seconds of CPU time in ${window}, more than the ${budget.cpuSeconds} s this server allows each learner. Reconnect to start a new one (a config or client that loops forever would do this).`,
        );
        endSession(session, CLOSE_CODES.cpuLimit, 'cpu limit');
      }),
    );
  }

  const pruneTokens = () => {
    const now = Date.now();
    for (const [token, expires] of tokens) if (expires <= now) tokens.delete(token);
  };
  const inUse = () => {
    pruneTokens();
    return sessions.size + tokens.size;
  };
  const tooMany = () =>
    `too many sandboxes: this wslab serve already runs ${maxSessions} (the --max-sessions limit). Close the sandbox in another tab, or restart wslab serve with a higher --max-sessions.`;

  // The site handler answers every request itself; put the session endpoint in front of it.
  const siteHandlers = server.listeners('request') as Array<(request: IncomingMessage, response: ServerResponse) => void>;
  server.removeAllListeners('request');
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    if (pathOf(request) === SESSION_PATH) {
      handleSessionRequest(request, response);
      return;
    }
    for (const handler of siteHandlers) handler.call(server, request, response);
  };
  server.on('request', onRequest);

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (pathOf(request) !== SOCKET_PATH) {
      // Nobody else on this server takes upgrades: say so instead of hanging up silently.
      if (server.listenerCount('upgrade') === 1) refuseUpgrade(socket, 404, 'no WebSocket endpoint here');
      return;
    }
    const denied = originProblem(request);
    if (denied) return refuseUpgrade(socket, 403, denied);
    const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? '';
    const expires = tokens.get(token);
    if (expires === undefined || expires <= Date.now()) {
      tokens.delete(token);
      return refuseUpgrade(socket, 403, `missing, used or expired session token: ask ${SESSION_PATH} (POST) for a new one`);
    }
    tokens.delete(token);
    if (sessions.size >= maxSessions) return refuseUpgrade(socket, 503, tooMany());
    sockets.handleUpgrade(request, socket, head, (webSocket) => startSession(webSocket));
  };
  server.on('upgrade', onUpgrade);

  const onServerClose = () => void api.close();
  server.once('close', onServerClose);

  function handleSessionRequest(request: IncomingMessage, response: ServerResponse): void {
    const hostProblem = hostProblemOf(request);
    if (hostProblem) return sendJson(response, 403, { error: 'host', message: hostProblem });
    if (request.method === 'GET' || request.method === 'HEAD') {
      return sendJson(response, 200, { available: true, runtime: 'local', protocolVersion: PROTOCOL_VERSION, maxSessions, activeSessions: sessions.size });
    }
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'GET, HEAD, POST');
      return sendJson(response, 405, { error: 'method', message: `${request.method} is not allowed here; POST for a session token` });
    }
    request.resume();
    const denied = originProblem(request);
    if (denied) return sendJson(response, 403, { error: 'origin', message: denied });
    if (inUse() >= maxSessions) return sendJson(response, 503, { error: 'too-many-sessions', message: tooMany(), maxSessions });
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, Date.now() + tokenTtlMs);
    sendJson(response, 201, { token, socketPath: SOCKET_PATH, expiresInMs: tokenTtlMs, protocolVersion: PROTOCOL_VERSION });
  }

  /** Host must be one this server answers to; Origin must be this server. null when both are fine. */
  function originProblem(request: IncomingMessage): string | null {
    const hostProblem = hostProblemOf(request);
    if (hostProblem) return hostProblem;
    const host = request.headers.host ?? '';
    const origin = request.headers.origin;
    if (origin === undefined) return 'no Origin header: only the tutorial page served by this wslab serve can start a sandbox';
    if (origin !== `http://${host}` && origin !== `https://${host}`) {
      return `Origin ${origin} is not this server (http://${host}): only the tutorial page served by this wslab serve can start a sandbox`;
    }
    return null;
  }

  function hostProblemOf(request: IncomingMessage): string | null {
    const host = request.headers.host;
    if (!host) return 'no Host header';
    const hostname = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
    const bound = (server.address() as AddressInfo | null)?.address;
    const allowed = new Set(['localhost', '127.0.0.1', '::1', ...(bound && bound !== '0.0.0.0' && bound !== '::' ? [bound] : []), ...extraHosts]);
    if (allowed.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname)) return null;
    return `Host ${host} is not an address of this wslab serve; open the tutorial at http://localhost:${(server.address() as AddressInfo | null)?.port ?? ''}/ (or pass its name to wslab serve)`;
  }

  function startSession(socket: WebSocket): void {
    const id = nextSessionId++;
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(command.file, command.args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, WSLAB_RUNTIME: 'local' },
      });
    } catch (error) {
      socket.send(encodeLine({ type: 'notice', level: 'error', message: `could not start the sandbox process: ${(error as Error).message}` }).trimEnd());
      socket.close(CLOSE_CODES.processExited, 'sandbox did not start');
      return;
    }
    lowerPriority(child.pid, options.sandboxNiceness ?? 5);
    const session: Session = { id, socket, child, idleTimer: undefined, ended: false, cpu: new CpuWindow(cpuBudget ? cpuBudget.windowMs : 0, Date.now()) };
    sessions.add(session);
    log(`wslab serve: sandbox session ${id} started (pid ${child.pid}; ${sessions.size} of ${maxSessions})`);

    const touch = () => {
      clearTimeout(session.idleTimer);
      session.idleTimer = setTimeout(() => {
        sendToPage(session, encodeLine({ type: 'notice', level: 'warn', message: `the sandbox was stopped after ${Math.round(idleTimeoutMs / 60000)} minutes without use; reconnect to start a new one` }).trimEnd());
        endSession(session, CLOSE_CODES.idle, 'idle timeout');
      }, idleTimeoutMs);
      session.idleTimer.unref();
    };
    touch();

    const splitter = new LineSplitter({
      maxLineBytes: MAX_OUTPUT_LINE,
      onLine: (line) => {
        sendToPage(session, line);
        if (socket.bufferedAmount > SOCKET_HIGH_WATER) child.stdout.pause();
      },
      onOversize: (bytes) => sendToPage(session, encodeLine({ type: 'notice', level: 'error', message: `dropped a sandbox message of ${bytes} bytes` }).trimEnd()),
    });
    child.stdout.on('data', (chunk: Buffer) => splitter.push(chunk));
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk.slice(0, STDERR_LIMIT - stderr.length);
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      sendToPage(session, encodeLine({ type: 'notice', level: 'error', message: `the sandbox process failed: ${error.message}` }).trimEnd());
      endSession(session, CLOSE_CODES.processExited, 'sandbox failed');
    });
    child.on('exit', (code, signal) => {
      if (stderr.trim()) log(`wslab serve: sandbox session ${id} stderr:\n${stderr.trimEnd()}`);
      if (!session.ended) {
        const how = signal ? `signal ${signal}` : `code ${code}`;
        sendToPage(session, encodeLine({ type: 'notice', level: 'error', message: `the sandbox process exited (${how})${stderr.trim() ? `: ${lastLine(stderr)}` : ''}` }).trimEnd());
        endSession(session, CLOSE_CODES.processExited, 'sandbox exited');
      }
    });

    socket.on('message', (data: RawData, isBinary: boolean) => {
      touch();
      if (isBinary) {
        sendToPage(session, encodeLine({ type: 'notice', level: 'warn', message: 'ignored a binary WebSocket message: send protocol lines as text' }).trimEnd());
        return;
      }
      const text = rawText(data);
      const bytes = Buffer.byteLength(text);
      if (bytes > LIMITS.lineBytes) {
        // Answer the request it carried, if its id can be read, so the page does not wait for it.
        const error = `ignored a message of ${bytes} bytes: one message to the sandbox (a config, a text to send) is limited to ${LIMITS.lineBytes} bytes (1 MiB)`;
        const id = requestIdOf(text);
        if (id !== undefined) sendToPage(session, encodeLine({ type: 'reply', id: Number(id), ok: false, error }).trimEnd());
        else sendNotice(session, 'error', error);
        return;
      }
      if (!child.stdin.write(text.endsWith('\n') ? text : `${text}\n`)) {
        // Page faster than the sandbox: stop reading the socket until the pipe drains.
        socket.pause();
        child.stdin.once('drain', () => socket.resume());
      }
    });
    socket.on('close', () => endSession(session, null, ''));
    socket.on('error', () => endSession(session, null, ''));
  }

  function sendNotice(session: Session, level: 'info' | 'warn' | 'error', message: string): void {
    sendToPage(session, encodeLine({ type: 'notice', level, message }).trimEnd());
  }

  function sendToPage(session: Session, line: string): void {
    if (session.socket.readyState !== session.socket.OPEN) return;
    session.socket.send(line, () => {
      if (session.socket.bufferedAmount <= SOCKET_HIGH_WATER / 2 && session.child.stdout.isPaused()) session.child.stdout.resume();
    });
  }

  function endSession(session: Session, code: number | null, reason: string): void {
    if (session.ended) return;
    session.ended = true;
    clearTimeout(session.idleTimer);
    sessions.delete(session);
    if (code !== null && session.socket.readyState === session.socket.OPEN) session.socket.close(code, reason);
    else if (session.socket.readyState !== session.socket.CLOSED) session.socket.terminate();
    const child = session.child;
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin.end();
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      killer.unref();
      child.once('exit', () => clearTimeout(killer));
    }
    log(`wslab serve: sandbox session ${session.id} ended${reason ? ` (${reason})` : ''}`);
  }

  const api: LocalSandboxes = {
    maxSessions,
    sessionCount: () => sessions.size,
    sandboxPids: () => [...sessions].flatMap((session) => (session.child.pid === undefined ? [] : [session.child.pid])),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(cpuTimer);
      tokens.clear();
      // Give the server back as it was: the site alone, no upgrade handling.
      server.off('request', onRequest);
      for (const handler of siteHandlers) server.on('request', handler);
      server.off('upgrade', onUpgrade);
      server.off('close', onServerClose);
      const exits = [...sessions].map((session) => new Promise<void>((resolve) => {
        if (session.child.exitCode !== null || session.child.signalCode !== null) resolve();
        else session.child.once('exit', () => resolve());
      }));
      for (const session of [...sessions]) endSession(session, CLOSE_CODES.serverClosing, 'server closing');
      sockets.close();
      await Promise.all(exits);
    },
  };
  return api;
}

/** Nice a sandbox below the server (best effort: not every platform or user may). */
function lowerPriority(pid: number | undefined, increment: number): void {
  if (pid === undefined || increment <= 0) return;
  try {
    setPriority(pid, Math.min(19, getPriority() + increment));
  } catch {
    // Not permitted here; the sandbox runs at the server's priority.
  }
}

/**
 * The bundle when it was built, else the TypeScript entry (Node 22.18+ strips the types).
 * WSLAB_SANDBOX_BUNDLE names another bundle (a site built elsewhere, served with --root).
 */
function defaultCommand(): { file: string; args: string[] } {
  const chosen = process.env.WSLAB_SANDBOX_BUNDLE;
  if (chosen && existsSync(chosen)) return { file: process.execPath, args: [resolve(chosen)] };
  return { file: process.execPath, args: [existsSync(DEFAULT_BUNDLE) ? DEFAULT_BUNDLE : TS_ENTRY] };
}

function pathOf(request: IncomingMessage): string {
  return (request.url ?? '/').split('?')[0];
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const payload = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-store',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(response.req?.method === 'HEAD' ? undefined : payload);
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const reasons: Record<number, string> = { 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' };
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reasons[status] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/** The id of a request line too big to parse: the page writes it last, hand-typed lines often first. */
function requestIdOf(text: string): string | undefined {
  return (/[{,]\s*"id"\s*:\s*(\d{1,15})\s*\}\s*$/.exec(text.slice(-64)) ?? /^\s*\{\s*"id"\s*:\s*(\d{1,15})\s*,/.exec(text.slice(0, 64)))?.[1];
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1)?.slice(0, 300) ?? '';
}
