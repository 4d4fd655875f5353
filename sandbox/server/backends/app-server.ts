import { createHash } from 'node:crypto';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ObservationRecorder } from './observation-recorder.ts';
import { replyWithObservation, sendJson } from './plain-http-reply.ts';
import { closeServer, formatHost, listenOn, trackConnections } from './server-lifecycle.ts';
import type { RunningBackend } from './server-lifecycle.ts';

export type { RunningBackend };

export interface AppServerOptions {
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Port to bind; default 0. The article's app listens on 3000. */
  port?: number;
}

/** The HTML the app serves at "/": small enough to compare exactly in tests. */
export const APP_HOME_PAGE = '<!DOCTYPE html>\n<html><head><title>App backend</title></head><body><h1>App backend</h1></body></html>\n';

/**
 * Start the article's plain HTTP app: "/" is an HTML page, "/redirect" answers 302 to
 * http://<Host it received>/elsewhere (for ProxyPassReverse), every other path answers 200 JSON
 * describing the request. It does not speak WebSocket: an Upgrade request gets a normal 200.
 * For misbehaving-backend checks, a path ending in "/status/<code>" answers that status (200-599),
 * one ending in "/delay/<ms>" answers after that long, and one ending in "/close" hangs up without
 * answering; "/reset" resets the connection (RST) without answering, "/garbage" answers a line
 * that is not HTTP, "/switch-then-close" answers 101 and hangs up, "/http10-switch" answers
 * "HTTP/1.0 101" and then a WebSocket close frame (code 4000), "/bogus-header-line" answers 200
 * with a second status line among its fields, "/length-and-chunked" sends both Content-Length and
 * Transfer-Encoding: chunked; each still records the request first.
 * A path ending in "/respond" answers with whatever the query string asks: "status=<code>" (3xx
 * too; default 200) and every other "<name>=<value>" pair as a response header, in order and
 * repeatable (".../respond?status=302&Location=http://x/&Set-Cookie=a=1&Set-Cookie=b=2"), for
 * checking what a proxy does to Location, Set-Cookie and the like. A path ending in "/raw-respond"
 * takes the same query plus "body=<text>" (any status, 101 too) and writes the answer raw, then
 * hangs up: a 101 gets the Sec-WebSocket-Accept its key asks for and, unless "body=" says otherwise,
 * a WebSocket close frame with code 4000.
 */
export async function startAppServer(options: AppServerOptions = {}): Promise<RunningBackend> {
  const host = options.host ?? '127.0.0.1';
  const observations = new ObservationRecorder('app');
  // No 'upgrade' listener: Node then delivers an Upgrade request as an ordinary request, which is
  // what an app that knows nothing of WebSocket does.
  const server = http.createServer((request, response) => route(request, response, observations));
  const connections = trackConnections(server);
  server.on('clientError', (_error, socket) => socket.destroy());

  const port = await listenOn(server, host, options.port ?? 0);
  return {
    port,
    url: `http://${formatHost(host)}:${port}`,
    observations,
    close: () => closeServer(server, connections),
  };
}

function route(request: IncomingMessage, response: ServerResponse, observations: ObservationRecorder): void {
  const observation = observations.record(request);
  const path = (request.url ?? '').split('?')[0];
  if (path === '/redirect') {
    // Built from the Host the app received, so with ProxyPreserveHost Off it names the backend
    // (localhost:3000) and ProxyPassReverse has something to rewrite.
    drainThen(request, () => {
      const location = `http://${request.headers.host ?? ''}/elsewhere`;
      const body = Buffer.from(`Redirecting to ${location}\n`, 'utf8');
      response.writeHead(302, { Location: location, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(body.length) });
      response.end(body);
    });
    return;
  }
  if (path.endsWith('/respond')) {
    drainThen(request, () => respondAsAsked(response, request.url ?? '', observation));
    return;
  }
  const status = /\/status\/(\d{3})$/.exec(path);
  if (status && Number(status[1]) >= 200 && Number(status[1]) <= 599) {
    drainThen(request, () => sendJson(response, Number(status[1]), observation));
    return;
  }
  const delay = /\/delay\/(\d{1,6})$/.exec(path);
  if (delay) {
    const timer = setTimeout(() => replyWithObservation(request, response, observation), Number(delay[1]));
    request.socket.once('close', () => clearTimeout(timer));
    return;
  }
  if (path.endsWith('/close')) {
    request.socket.destroy();
    return;
  }
  if (path.endsWith('/raw-respond')) {
    // Past Node's HTTP layer, like the broken answers below, so a 101 can carry any header.
    drainThen(request, () => {
      request.socket.write(rawRespond(request.url ?? '', request.headers['sec-websocket-key']), 'latin1');
      request.socket.end();
    });
    return;
  }
  const raw = rawAnswer(path, request.headers['sec-websocket-key']);
  if (raw) {
    // Written past Node's HTTP layer: these answers are what a broken backend sends.
    if (raw.text !== null) request.socket.write(raw.text, 'latin1');
    if (raw.ending === 'reset') request.socket.resetAndDestroy();
    else request.socket.end();
    return;
  }
  if (path === '/') {
    drainThen(request, () => {
      const body = Buffer.from(APP_HOME_PAGE, 'utf8');
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(body.length) });
      response.end(body);
    });
    return;
  }
  replyWithObservation(request, response, observation);
}

/** ".../respond?status=…&<name>=<value>…": the status and headers the query names, a JSON body. */
function respondAsAsked(response: ServerResponse, url: string, observation: object): void {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  let status = 200;
  const headers: string[] = [];
  for (const [name, value] of new URLSearchParams(query)) {
    if (name.toLowerCase() === 'status' && /^[1-5]\d\d$/.test(value) && Number(value) >= 200) status = Number(value);
    else if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && !/[\r\n\0]/.test(value)) headers.push(name, value);
  }
  const body = Buffer.from(`${JSON.stringify(observation)}\n`, 'utf8');
  headers.push('Content-Type', 'application/json', 'Content-Length', String(body.length));
  response.writeHead(status, headers);
  response.end(body);
}

/**
 * ".../raw-respond?status=…&<name>=<value>…&body=…": the head written byte for byte, then the body
 * and a hang-up (no Content-Length unless the query gives one). A 101 also gets the
 * Sec-WebSocket-Accept the key asks for, after the query's headers, and its body is sent as a
 * WebSocket close frame with code 4000 unless the query says "body=".
 */
function rawRespond(url: string, key: string | string[] | undefined): string {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  let status = 200;
  let body: string | null = null;
  const lines: string[] = [];
  for (const [name, value] of new URLSearchParams(query)) {
    if (name.toLowerCase() === 'status' && /^[1-5]\d\d$/.test(value)) status = Number(value);
    else if (name.toLowerCase() === 'body') body = value;
    else if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && !/[\r\n\0]/.test(value)) lines.push(`${name}: ${value}\r\n`);
  }
  if (status === 101 && typeof key === 'string') {
    lines.push(`Sec-WebSocket-Accept: ${createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')}\r\n`);
  }
  const reason = status === 101 ? 'Switching Protocols' : status === 200 ? 'OK' : 'Answer';
  // Close frame, code 4000 (0x0fa0), unmasked as a server sends it.
  return `HTTP/1.1 ${status} ${reason}\r\n${lines.join('')}\r\n${body ?? (status === 101 ? '\x88\x02\x0f\xa0' : '')}`;
}

function drainThen(request: IncomingMessage, respond: () => void): void {
  request.on('error', () => request.socket.destroy());
  request.on('end', respond);
  request.resume();
}

/** The raw answers of a misbehaving backend, by path suffix, or null for the normal routes. */
function rawAnswer(path: string, key: string | string[] | undefined): { text: string | null; ending: 'end' | 'reset' } | null {
  const switching = (version: string) =>
    `${version} 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    (typeof key === 'string' ? `Sec-WebSocket-Accept: ${createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')}\r\n` : '') +
    '\r\n';
  if (path.endsWith('/reset')) return { text: null, ending: 'reset' };
  if (path.endsWith('/garbage')) return { text: 'this is not HTTP at all\r\n\r\n', ending: 'end' };
  if (path.endsWith('/switch-then-close')) return { text: switching('HTTP/1.1'), ending: 'end' };
  // Close frame, code 4000 (0x0fa0), unmasked as a server sends it.
  if (path.endsWith('/http10-switch')) return { text: switching('HTTP/1.0') + '\x88\x02\x0f\xa0', ending: 'end' };
  // A second status line among the header fields: httpd skips it with AH01100.
  if (path.endsWith('/bogus-header-line')) return { text: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nHTTP/1.0 200 OK\r\nX-After: 1\r\n\r\nhi', ending: 'end' };
  // Both framings: httpd drops Content-Length (AH01107 at debug) and reads the chunks.
  if (path.endsWith('/length-and-chunked')) return { text: 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n', ending: 'end' };
  return null;
}
