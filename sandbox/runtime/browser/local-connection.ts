/**
 * The local runtime from the page: when the tutorial is served by `wslab serve`, the sandbox is a
 * Node process on that server. Ask the session endpoint for a one-time token, open the WebSocket,
 * then one protocol line per WebSocket message, both ways.
 */
import { LineProtocolConnection, withDeadline } from './connection.ts';
import type { RuntimeName } from './connection.ts';

export const LOCAL_SESSION_PATH = '/__wslab/session';

/** What the session endpoint hands out (POST). */
export interface SessionGrant {
  token: string;
  socketPath: string;
  expiresInMs: number;
}

/** The small part of the WebSocket API the connection uses (tests pass a Node client here). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface LocalConnectionOptions {
  /** Origin of the server; default: the page's own (location.origin). */
  origin?: string;
  sessionPath?: string;
  /** A token already obtained (chooseRuntime probes with one). */
  grant?: SessionGrant;
  /** Give up booting after this long. Default 20 s. */
  bootTimeoutMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  createWebSocket?: (url: string) => WebSocketLike;
}

/** Ask the server for a session token; throws an Error with the server's explanation. */
export async function requestSessionGrant(origin: string, options: { sessionPath?: string; fetch?: typeof fetch; signal?: AbortSignal } = {}): Promise<SessionGrant> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let response: Response;
  try {
    response = await doFetch(new URL(options.sessionPath ?? LOCAL_SESSION_PATH, origin).toString(), {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (error) {
    throw new Error(`the local sandbox runtime did not answer (${(error as Error).message})`);
  }
  const body = (await response.json().catch(() => null)) as { token?: string; socketPath?: string; expiresInMs?: number; message?: string } | null;
  if (!response.ok || !body?.token || !body.socketPath) {
    if (response.status === 404) throw new Error('this page is not served by `wslab serve`, so there is no local sandbox runtime');
    throw new Error(body?.message ?? `the local sandbox runtime refused a session (HTTP ${response.status})`);
  }
  return { token: body.token, socketPath: body.socketPath, expiresInMs: body.expiresInMs ?? 30_000 };
}

const CLOSE_REASONS: Record<number, string> = {
  4000: 'the sandbox was stopped after a long time without use; reopen it to start a new one',
  4001: 'the sandbox used more processor time than this server allows each learner (see the last notice); reopen it to start a new one',
  1009: 'a message to the sandbox was too large (over 4 MiB); reopen it to start a new one',
  1011: 'the sandbox process stopped (see the last notice); reopen it to start a new one',
  1001: '`wslab serve` is shutting down',
};

export class LocalSandboxConnection extends LineProtocolConnection {
  readonly runtime: RuntimeName = 'local';
  private socket: WebSocketLike | null = null;

  constructor(options: LocalConnectionOptions = {}) {
    super();
    const origin = options.origin ?? globalThis.location.origin;
    const boot = async () => {
      const grant = options.grant ?? (await requestSessionGrant(origin, options));
      const url = new URL(`${grant.socketPath}?token=${encodeURIComponent(grant.token)}`, origin);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      const socket = (options.createWebSocket ?? ((address: string) => new WebSocket(address) as unknown as WebSocketLike))(url.toString());
      this.socket = socket;
      socket.onmessage = (event) => {
        if (typeof event.data === 'string') this.receiveText(`${event.data}\n`);
      };
      socket.onclose = (event) => {
        const booting = this.status === 'booting';
        const known = CLOSE_REASONS[event.code];
        if (booting) this.fail(known ?? 'the local sandbox runtime refused the connection (was the page reloaded, or is `wslab serve` at its --max-sessions?)');
        else this.fail(known ?? (event.code === 1006 ? 'the connection to `wslab serve` was lost; is it still running?' : `the sandbox connection closed (${event.code} ${event.reason})`));
      };
      socket.onerror = () => undefined;
      await this.ready;
    };
    withDeadline(boot(), options.bootTimeoutMs ?? 20_000, 'the local sandbox did not start within 20 s', options.signal).catch((error: Error) => this.fail(error.message));
  }

  protected sendLine(line: string): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== 1) throw new Error('the connection to the local sandbox is not open');
    socket.send(line);
  }

  protected shutdown(): void {
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= 1) socket.close(1000, 'closed by the page');
  }
}
