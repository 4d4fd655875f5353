/**
 * The learner's test WebSockets, opened from inside the sandbox with the `ws` package so they can
 * carry any header, Origin or subprotocol (a browser's own WebSocket cannot). Each client reports
 * what happened as ClientEvents: `open` (101, headers, protocol), `rejected` (any other answer,
 * with its body), `message` in and out, `error`, and `closed`. `rejected` and `closed` are final;
 * `error` is always followed by `closed` (code 1006).
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import type { RawData } from 'ws';
import { rawHeaderPairs, readBodyPrefix } from '../server/response-body.ts';
import type { ClientEvent, ClientOpenOptions } from './protocol.ts';
import type { ClientTarget } from './client-target.ts';
import { LIMITS } from './request-validation.ts';

/** What the clients need from the rest of the sandbox. */
export interface ClientEnvironment {
  /** Resolve options to a target and the real address to connect to, or say why not. */
  connectTo(options: ClientOpenOptions): { target: ClientTarget; port: number } | { error: string };
  /** CA that signed the sandbox's certificate, for wss://. */
  tlsCa(): string | undefined;
  emit(client: string, event: ClientEvent): void;
}

/** A rejected handshake's body is kept up to this size. */
const BODY_LIMIT = 64 * 1024;
/** How long a refused handshake's body is read before it is shown as it is. */
const REJECTED_BODY_TIMEOUT_MS = 5_000;
/** A handshake waiting for a worker (MaxRequestWorkers) may wait this long. */
const HANDSHAKE_TIMEOUT_MS = 60_000;

interface Client {
  socket: WebSocket;
  opened: boolean;
  finished: boolean;
}

export class TestClients {
  private readonly clients = new Map<string, Client>();
  private readonly environment: ClientEnvironment;

  constructor(environment: ClientEnvironment) {
    this.environment = environment;
  }

  count(): number {
    return this.clients.size;
  }

  /** Open one client; returns an error text when it cannot even start. */
  open(id: string, options: ClientOpenOptions): string | null {
    if (this.clients.has(id)) return `client ${id} already exists; close it first or use another id`;
    if (this.clients.size >= LIMITS.clients) return `too many test clients (${LIMITS.clients} at most); close some first`;
    const route = this.environment.connectTo(options);
    if ('error' in route) {
      // As the browser would see it: the connection fails, then the socket is closed.
      this.environment.emit(id, { kind: 'error', message: route.error });
      this.environment.emit(id, { kind: 'closed', code: 1006, reason: '' });
      return null;
    }
    this.start(id, options, route.target, route.port);
    return null;
  }

  /** Open `count` clients named `${prefix}-1` ... `${prefix}-count`. */
  openMany(prefix: string, count: number, options: ClientOpenOptions): string | null {
    const ids = Array.from({ length: count }, (_, index) => `${prefix}-${index + 1}`);
    const taken = ids.find((id) => this.clients.has(id));
    if (taken) return `client ${taken} already exists; close it first or use another prefix`;
    if (this.clients.size + count > LIMITS.clients) return `too many test clients: ${this.clients.size} open, ${count} more would pass the limit of ${LIMITS.clients}`;
    for (const id of ids) this.open(id, options);
    return null;
  }

  send(id: string, message: { text?: string; binaryHex?: string }): string | null {
    const client = this.clients.get(id);
    if (!client) return `no client ${id}`;
    if (client.socket.readyState !== WebSocket.OPEN) return `client ${id} is not open`;
    const isText = message.text !== undefined;
    const data = isText ? (message.text as string) : Buffer.from(message.binaryHex as string, 'hex');
    client.socket.send(data, { binary: !isText }, (error) => {
      if (error) return;
      this.environment.emit(id, isText ? { kind: 'message', direction: 'out', text: message.text } : { kind: 'message', direction: 'out', binaryHex: (message.binaryHex as string).toLowerCase() });
    });
    return null;
  }

  close(id: string, code?: number, reason?: string): string | null {
    const client = this.clients.get(id);
    if (!client) return `no client ${id}`;
    if (client.socket.readyState === WebSocket.CONNECTING) {
      client.socket.terminate();
      return null;
    }
    try {
      client.socket.close(code ?? 1000, reason);
    } catch (error) {
      return `cannot close with code ${code}: ${(error as Error).message}`;
    }
    // A peer that never answers the close frame is cut, as a browser would after a while.
    setTimeout(() => client.socket.terminate(), 5_000).unref();
    return null;
  }

  closeAll(): void {
    for (const client of this.clients.values()) client.socket.terminate();
  }

  private start(id: string, options: ClientOpenOptions, target: ClientTarget, port: number): void {
    const url = `${target.tls ? 'wss' : 'ws'}://127.0.0.1:${port}${target.path}`;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, options.protocols ?? [], {
        perMessageDeflate: false,
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
        maxPayload: LIMITS.clientMessageBytes,
        origin: options.origin,
        ...(target.tls ? { ca: this.environment.tlsCa(), servername: net.isIP(target.hostname) ? undefined : target.hostname } : {}),
        finishRequest: (request: ClientRequest) => {
          request.setHeader('Host', target.host);
          for (const [name, value] of Object.entries(options.headers ?? {})) request.setHeader(name, value);
          request.end();
        },
      });
    } catch (error) {
      this.environment.emit(id, { kind: 'error', message: (error as Error).message });
      this.environment.emit(id, { kind: 'closed', code: 1006, reason: '' });
      return;
    }
    const client: Client = { socket, opened: false, finished: false };
    this.clients.set(id, client);
    const emit = (event: ClientEvent) => {
      if (!client.finished) this.environment.emit(id, event);
    };
    const finish = () => {
      client.finished = true;
      if (this.clients.get(id) === client) this.clients.delete(id);
    };
    let upgradeHeaders: Array<[string, string]> = [];

    socket.on('upgrade', (response: IncomingMessage) => {
      upgradeHeaders = rawHeaderPairs(response.rawHeaders);
    });
    socket.on('open', () => {
      client.opened = true;
      emit({ kind: 'open', status: 101, headers: upgradeHeaders, protocol: socket.protocol });
    });
    socket.on('unexpected-response', (request: ClientRequest, response: IncomingMessage) => {
      readBodyPrefix(response, BODY_LIMIT, REJECTED_BODY_TIMEOUT_MS).then((body) => {
        emit({ kind: 'rejected', status: response.statusCode ?? 0, headers: rawHeaderPairs(response.rawHeaders), body });
        finish();
        request.destroy();
        socket.terminate();
      });
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = toBuffer(data);
      emit(isBinary ? { kind: 'message', direction: 'in', binaryHex: bytes.toString('hex') } : { kind: 'message', direction: 'in', text: bytes.toString('utf8') });
    });
    socket.on('error', (error: Error) => emit({ kind: 'error', message: describeError(error) }));
    socket.on('close', (code: number, reason: Buffer) => {
      emit({ kind: 'closed', code, reason: reason.toString('utf8') });
      finish();
    });
  }
}


function toBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return data;
}

/** Node's connect errors name the real port; say it in the learner's terms. */
function describeError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset by the server';
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    return `the server sent a message larger than ${LIMITS.clientMessageBytes} bytes (512 KiB), the most a sandbox test client accepts; the client closed the connection (1009)`;
  }
  return error.message;
}
