/**
 * A learner's browser, reduced to what the sandbox page does against `wslab serve`: POST
 * /__wslab/session with the page's Origin (and its cookies), open /__wslab/sandbox?token=… over
 * WebSocket, then one protocol line per message both ways. Used by the workshop load test, the
 * balancer test and the limit tests.
 */
import http from 'node:http';
import WebSocket from 'ws';
import type { SandboxMessage } from '../runtime/protocol.ts';

export type Reply = Extract<SandboxMessage, { type: 'reply' }>;
export type ClientEventMessage = Extract<SandboxMessage, { type: 'client-event' }>;

/** Cookies as a browser keeps them for one site (name=value only; enough for ROUTEID). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Take the Set-Cookie headers of a response. */
  store(setCookie: string | string[] | undefined): void {
    for (const header of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const pair = header.split(';')[0];
      const equals = pair.indexOf('=');
      if (equals > 0) this.cookies.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim());
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string | undefined {
    return this.cookies.size === 0 ? undefined : [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request with node:http (so Host, Origin and Cookie are exactly what we say). */
export function httpRequest(url: string, options: { method?: string; headers?: Record<string, string>; jar?: CookieJar; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    const cookie = options.jar?.header();
    if (cookie) headers.Cookie = cookie;
    const request = http.request(url, { method: options.method ?? 'GET', headers, agent: false }, (response) => {
      options.jar?.store(response.headers['set-cookie']);
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.setTimeout(options.timeoutMs ?? 30_000, () => request.destroy(new Error(`no answer from ${url} within ${options.timeoutMs ?? 30_000} ms`)));
    request.on('error', reject);
    request.end();
  });
}

export interface SessionOptions {
  /** Origin header of the page (default: `base`, or http://<host> with `host`, as the served page would send). */
  origin?: string;
  /** Host header, when the name learners use is not the address connected to (a proxy's public name). */
  host?: string;
  jar?: CookieJar;
  /** Wait this long for `ready`. Default 60 s (50 learners booting at once on 2 cores). */
  readyTimeoutMs?: number;
}

/** Why a session could not start: the HTTP status and body of the refusal. */
export class SessionRefused extends Error {
  readonly status: number;
  readonly body: string;
  readonly stage: 'token' | 'socket';

  constructor(stage: 'token' | 'socket', status: number, body: string) {
    super(`${stage} refused: HTTP ${status} ${body.trim()}`);
    this.stage = stage;
    this.status = status;
    this.body = body;
  }
}

/** POST for a token as the page does. */
export async function requestToken(base: string, options: SessionOptions = {}): Promise<string> {
  const answer = await httpRequest(`${base}/__wslab/session`, { method: 'POST', headers: { Origin: originOf(base, options), ...(options.host ? { Host: options.host } : {}) }, jar: options.jar });
  if (answer.status !== 201) throw new SessionRefused('token', answer.status, answer.body);
  return (JSON.parse(answer.body) as { token: string }).token;
}

function originOf(base: string, options: SessionOptions): string {
  return options.origin ?? (options.host ? `http://${options.host}` : base);
}

export class LearnerSession {
  readonly socket: WebSocket;
  readonly messages: SandboxMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<() => void>();
  private nextId = 1;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const waiter of [...this.waiters]) waiter();
    }));
    socket.on('message', (data) => {
      try {
        this.messages.push(JSON.parse(data.toString()) as SandboxMessage);
      } catch {
        this.messages.push({ type: 'notice', level: 'error', message: `NOT JSON: ${data.toString().slice(0, 200)}` });
      }
      for (const waiter of [...this.waiters]) waiter();
    });
    socket.on('error', () => undefined);
  }

  /** Token, then WebSocket; resolves once the sandbox said `ready`. */
  static async open(base: string, options: SessionOptions = {}): Promise<LearnerSession> {
    const token = await requestToken(base, options);
    return LearnerSession.connect(base, token, options);
  }

  /** Open the sandbox socket with a token already obtained. */
  static connect(base: string, token: string, options: SessionOptions = {}): Promise<LearnerSession> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = options.host ? { Host: options.host } : {};
      const cookie = options.jar?.header();
      if (cookie) headers.Cookie = cookie;
      const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/__wslab/sandbox?token=${encodeURIComponent(token)}`, {
        origin: originOf(base, options),
        headers,
        perMessageDeflate: false,
        handshakeTimeout: 30_000,
      });
      socket.on('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => reject(new SessionRefused('socket', response.statusCode ?? 0, body)));
      });
      socket.once('error', (error) => {
        if (!String(error.message).includes('Unexpected server response')) reject(error);
      });
      const session = new LearnerSession(socket);
      session
        .waitFor((message) => message.type === 'ready', options.readyTimeoutMs ?? 60_000)
        .then(() => resolve(session), (error: Error) => {
          socket.terminate();
          reject(error);
        });
    });
  }

  /** Resolve with the first message (from index `from` on) matching `predicate`. */
  waitFor(predicate: (message: SandboxMessage) => boolean, timeoutMs = 15_000, from = 0): Promise<SandboxMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.slice(from).find(predicate);
        if (found) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        } else if (this.socket.readyState === WebSocket.CLOSED) {
          this.waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`the sandbox socket closed; last messages: ${this.lastMessages()}`));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms; last messages: ${this.lastMessages()}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Send a request (the page's encoding: id last) and wait for its reply. */
  async request(body: Record<string, unknown>, timeoutMs = 30_000): Promise<Reply> {
    const id = this.nextId++;
    const from = this.messages.length;
    this.socket.send(JSON.stringify({ ...body, id }));
    return (await this.waitFor((message) => message.type === 'reply' && message.id === id, timeoutMs, from)) as Reply;
  }

  /** Open a test client and wait for open, rejected or error. */
  async openClient(client: string, options: Record<string, unknown>, timeoutMs = 30_000): Promise<ClientEventMessage['event']> {
    const from = this.messages.length;
    const reply = await this.request({ type: 'client-open', client, options }, timeoutMs);
    if (!reply.ok) throw new Error(`client-open: ${reply.error}`);
    const event = (await this.waitFor(
      (message) => message.type === 'client-event' && message.client === client && ['open', 'rejected', 'error'].includes(message.event.kind),
      timeoutMs,
      from,
    )) as ClientEventMessage;
    return event.event;
  }

  /** Send a text on a client; resolves with the next text it receives. */
  async roundTrip(client: string, text: string, timeoutMs = 15_000): Promise<string | undefined> {
    const from = this.messages.length;
    const reply = await this.request({ type: 'client-send', client, text }, timeoutMs);
    if (!reply.ok) throw new Error(`client-send: ${reply.error}`);
    const event = (await this.waitFor(
      (message) => message.type === 'client-event' && message.client === client && message.event.kind === 'message' && message.event.direction === 'in',
      timeoutMs,
      from,
    )) as ClientEventMessage;
    return event.event.kind === 'message' ? event.event.text : undefined;
  }

  notices(): string[] {
    return this.messages.flatMap((message) => (message.type === 'notice' ? [message.message] : []));
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000, 'done');
    else if (this.socket.readyState !== WebSocket.CLOSED) this.socket.terminate();
    return this.closed;
  }

  private lastMessages(): string {
    return this.messages.slice(-5).map((message) => JSON.stringify(message).slice(0, 300)).join(' | ');
  }
}
