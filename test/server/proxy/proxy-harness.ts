/**
 * Shared pieces for the proxy's integration tests: check a config the way `wslab proxy` does,
 * start the emulator in-process on free loopback ports, open real `ws` clients, and read the
 * MemoryLogSink without its time stamps. Not a test file itself.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import { configtest } from '../../../sandbox/engine/config/configtest.ts';
import type { HttpdConfig } from '../../../sandbox/engine/config/model.ts';
import type { TapEvent } from '../../../sandbox/engine/tap-events.ts';
import { MemoryLogSink } from '../../../sandbox/server/proxy/log-sink.ts';
import { startProxyServer } from '../../../sandbox/server/proxy/proxy-server.ts';
import type { RunningProxy } from '../../../sandbox/server/proxy/proxy-server.ts';
export { eventually } from '../../helpers/conditions.ts';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

/** Raw bytes written as hex with optional spaces, the way frames are spelled in these tests. */
export const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** Check config text as `wslab proxy` does before starting; throws with httpd's output if it would refuse. */
export function checkedConfig(text: string, env: Record<string, string> = {}, file = '/wslab-test/httpd.conf'): HttpdConfig {
  const result = configtest(text, { file, env });
  if (result.exitCode !== 0 || result.config === null || !result.startup.ok) {
    throw new Error(`config refused:\n${result.stderr}\n${JSON.stringify(result.startup)}`);
  }
  return result.config;
}

/** A fixture's text (test/server/proxy/fixtures/NAME.conf). */
export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES, `${name}.conf`), 'utf8');
}

/** A fixture checked with ${VAR} values, as the sandbox fills in backend ports. */
export function fixtureConfig(name: string, env: Record<string, string>): HttpdConfig {
  return checkedConfig(fixtureText(name), env, join(FIXTURES, `${name}.conf`));
}

export interface TestProxy {
  proxy: RunningProxy;
  /** Port of the first listener. */
  port: number;
  sink: MemoryLogSink;
  events: TapEvent[];
  /** Error-log lines without time, pid and client port, so they compare exactly. */
  errorLines(): string[];
  close(): Promise<void>;
}

/** Start the emulator in-process with every Listen bound to a free loopback port. */
export async function startTestProxy(config: HttpdConfig): Promise<TestProxy> {
  const sink = new MemoryLogSink();
  const events: TapEvent[] = [];
  const proxy = await startProxyServer({
    config,
    sink,
    tap: (event) => events.push(event),
    bindAddress: () => ({ host: '127.0.0.1', port: 0 }),
  });
  let closed = false;
  return {
    proxy,
    port: proxy.listeners[0].port,
    sink,
    events,
    errorLines: () => sink.errorLines.map(normalizeErrorLine),
    async close() {
      if (closed) return;
      closed = true;
      await proxy.close();
    },
  };
}

/** Drop the parts of an error-log line that change from run to run: time, pid/tid, client port. */
export function normalizeErrorLine(line: string): string {
  return line
    .replace(/^\[[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] /, '')
    .replace(/ \[pid \d+:tid \d+\]/, '')
    .replace(/\[client 127\.0\.0\.1:\d+\]/, '[client 127.0.0.1]');
}

/** What a WebSocket handshake through the proxy came to. */
export type HandshakeResult =
  | { ok: true; socket: WebSocket; response: IncomingMessage }
  | { ok: false; status: number | null; body: string; error?: string };

/** Open a `ws` client; resolves with the open socket or the HTTP answer that refused it. */
export function openWebSocket(url: string, protocols: string[] = [], timeoutMs = 5_000): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, protocols, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    let response: IncomingMessage | undefined;
    socket.once('upgrade', (answer) => (response = answer));
    socket.once('open', () => resolve({ ok: true, socket, response: response as IncomingMessage }));
    socket.once('unexpected-response', (_request, answer: IncomingMessage) => {
      let body = '';
      answer.setEncoding('latin1');
      answer.on('data', (chunk: string) => (body += chunk));
      answer.on('end', () => {
        resolve({ ok: false, status: answer.statusCode ?? null, body });
        socket.terminate();
      });
      answer.on('error', () => resolve({ ok: false, status: answer.statusCode ?? null, body }));
    });
    socket.once('error', (error) => resolve({ ok: false, status: null, body: '', error: error.message }));
  });
}

/** Open a WebSocket that must succeed. */
export async function mustOpen(url: string, protocols: string[] = []): Promise<WebSocket> {
  const result = await openWebSocket(url, protocols);
  if (!result.ok) throw new Error(`handshake failed: ${result.status} ${result.error ?? result.body}`);
  return result.socket;
}

/** The next message on a socket, as text or (binary) a Buffer. */
export function nextMessage(socket: WebSocket, timeoutMs = 3_000): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message in time')), timeoutMs);
    socket.once('message', (data: WebSocket.RawData, isBinary: boolean) => {
      clearTimeout(timer);
      resolve({ data: Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer), isBinary });
    });
  });
}

/** Send text and wait for the echo backend's reply. */
export async function echoRoundTrip(socket: WebSocket, text: string): Promise<string> {
  const reply = nextMessage(socket);
  socket.send(text);
  return (await reply).data.toString('utf8');
}

/** Resolve with the close code once the socket closes. */
export function closed(socket: WebSocket, timeoutMs = 5_000): Promise<number> {
  return new Promise((resolve, reject) => {
    if (socket.readyState === WebSocket.CLOSED) {
      resolve(-1);
      return;
    }
    const timer = setTimeout(() => reject(new Error('socket did not close in time')), timeoutMs);
    socket.once('close', (code: number) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A raw TCP client that can also half-close and reset, for the request-path edge cases: write
 * bytes, then wait until what came back satisfies a condition, the peer closes, or time runs out.
 */
export class RawClient {
  readonly socket: net.Socket;
  /** The client side's port, which the tap reports as "127.0.0.1:<port>" (kept after the socket closes). */
  readonly localPort: number;
  received = Buffer.alloc(0);
  /** The peer ended its side (FIN). */
  ended = false;
  closed = false;
  private waiters: Array<() => boolean> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.localPort = socket.localPort ?? 0;
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, allowHalfOpen: true }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  write(data: string | Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Half-close: send FIN, keep reading. */
  end(): void {
    this.socket.end();
  }

  /** Close at once (FIN); `reset` sends an RST instead. */
  destroy(reset = false): void {
    if (reset && !this.socket.destroyed) this.socket.resetAndDestroy();
    else this.socket.destroy();
  }

  /** True once `done(received)` holds or the peer has ended; false when timeoutMs passes first. */
  waitFor(done: (received: Buffer) => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (done(this.received) || this.ended || this.closed) {
          clearTimeout(timer);
          resolve(done(this.received));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
        resolve(done(this.received));
      }, timeoutMs);
      if (!check()) this.waiters.push(check);
    });
  }

  /** True when the peer ends or closes the connection within timeoutMs. */
  async waitEnded(timeoutMs: number): Promise<boolean> {
    await this.waitFor(() => false, timeoutMs);
    return this.ended || this.closed;
  }

  /** The status line received so far ('' when none). */
  statusLine(): string {
    const text = this.received.toString('latin1');
    const end = text.indexOf('\r\n');
    return end < 0 ? '' : text.slice(0, end);
  }

  private wake(): void {
    this.waiters = this.waiters.filter((waiter) => !waiter());
  }
}
