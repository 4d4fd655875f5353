/**
 * One client connection through the emulator, in httpd's order: wait for a worker, read the
 * request head (refusing what httpd refuses), ask the engine where it goes, connect to the
 * backend, forward the head as httpd writes it, relay the answer, and — after a 101 — tunnel the
 * bytes until either side closes or the idle timeout fires. The engine decides; this file only
 * does the I/O and reports every step to the tap.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { HttpdConfig } from '../../engine/config/model.ts';
import { BodyDecoder, requestBodyFraming, responseBodyFraming } from '../../engine/http/body-framing.ts';
import { chunkedBodyOverLimit, contentLengthOverLimit } from '../../engine/http/request-body-limit.ts';
import type { BodyFraming } from '../../engine/http/body-framing.ts';
import { buildErrorResponse, keepAliveHeaderValue, serializeResponse, statusDropsConnection, statusText } from '../../engine/http/error-page.ts';
import type { ConnectionDisposition } from '../../engine/http/error-page.ts';
import { chooseErrorDocument, proxyShouldOverride } from '../../engine/http/error-document.ts';
import { RequestHeadParser } from '../../engine/http/request-head.ts';
import type { HeadLogEntry, RequestHead, RequestHeadError } from '../../engine/http/request-head.ts';
import { ResponseHeadParser } from '../../engine/http/response-head.ts';
import { parseHostHeader } from '../../engine/routing/host-header.ts';
import type { HeaderPair } from '../../engine/routing/header-table.ts';
import type { ResponseHead } from '../../engine/http/response-head.ts';
import type { ErrorLogEntry } from '../../engine/logs/error-log.ts';
import { chooseMember, markMemberFailed, markMemberInErrorAfter500, memberRequestFinished, releaseMember } from '../../engine/routing/balancer-runtime.ts';
import type { BalancerMemberState } from '../../engine/routing/balancer-runtime.ts';
import { planBalancerMember } from '../../engine/routing/balancer-plan.ts';
import { routeRequest } from '../../engine/routing/route-request.ts';
import { buildClientResponseHead, responseHeaderOpContext } from '../../engine/routing/response-head.ts';
import { frameChunkedBody, PREFETCH_LIMIT_BYTES } from '../../engine/routing/backend-plan.ts';
import { connectFailureLog, dnsFailureLog, proxyFunctionOf, workerAddressReusable } from '../../engine/routing/connect-failure-log.ts';
import { acquireWorker, markWorkerFailed } from '../../engine/routing/worker-state.ts';
import {
  backendStatusLog,
  beforeConnectLog,
  connectedLog,
  proxyStepContext,
  releasedLog,
  requestSentLog,
  sendingRequestLog,
  tunnelEndLog,
  tunnelReadLog,
  tunnelStartLog,
} from '../../engine/routing/proxy-debug-log.ts';
import type { ProxyStepContext, TunnelSide } from '../../engine/routing/proxy-debug-log.ts';
import { applyHeaderOps } from '../../engine/routing/header-ops.ts';
import { HeaderTable } from '../../engine/routing/header-table.ts';
import type { BackendPlan, ProxyDecision, ResponseDecision, RouteDecision } from '../../engine/routing/types.ts';
import type { Hop, TapEvent } from '../../engine/tap-events.ts';
import { connectBackend, describeOsError } from './backend-connector.ts';
import type { ConnectFailure } from './backend-connector.ts';
import type { FinishedRequest, ProxyRuntime } from './proxy-runtime.ts';
import { SocketReader } from './socket-reader.ts';
import { renderServerStatus } from './status-page.ts';
import { headerTagReadings } from './header-tag-clock.ts';
import { startTunnel } from './tunnel.ts';
import type { TunnelSummary } from './tunnel.ts';

type EmittedEvent = TapEvent extends infer E ? (E extends unknown ? Omit<E, 'connection' | 'time'> : never) : never;


/** Serve one accepted client connection until it closes. Never throws. */
/** Both ends of the client's TCP connection (a TLS socket over a wrapped stream does not know them). */
export interface Endpoints {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

/** Read the endpoints of a plain TCP socket. */
export function endpointsOf(socket: Socket): Endpoints {
  return {
    remoteAddress: socket.remoteAddress ?? '',
    remotePort: socket.remotePort ?? 0,
    localAddress: socket.localAddress ?? '',
    localPort: socket.localPort ?? 0,
  };
}

export async function serveClientConnection(
  socket: Socket,
  runtime: ProxyRuntime,
  listener: { tls: boolean; plainOnTlsPort?: boolean; endpoints?: Endpoints; tlsServerName?: string | null },
): Promise<void> {
  const endpoints = listener.endpoints ?? endpointsOf(socket);
  const connection = runtime.nextConnectionId();
  const emit = (event: EmittedEvent) => runtime.tap({ ...event, connection, time: Date.now() } as TapEvent);
  const client = `${endpoints.remoteAddress}:${endpoints.remotePort}`;
  const local = `${endpoints.localAddress}:${endpoints.localPort}`;
  emit({ type: 'connection-open', client, local, tls: listener.tls });
  socket.on('error', () => {
    // Resets from the client are normal; the reader below sees the end of stream.
  });

  const abandoned = new AbortController();
  socket.once('close', () => abandoned.abort(new Error('client closed')));
  const reader = new SocketReader(socket);
  let keepalives = 0;
  let closeReason = 'client closed';
  try {
    for (;;) {
      if (runtime.pool.inUse >= runtime.pool.limit) emit({ type: 'worker-wait', busy: runtime.pool.inUse, limit: runtime.pool.limit });
      const lease = await runtime.pool.acquire(abandoned.signal);
      let outcome: 'keep-alive' | 'close' | 'tunnel';
      try {
        outcome = await serveOneRequest({ socket, endpoints, reader, runtime, emit, client, secure: listener.tls, tlsServerName: listener.tls ? (listener.tlsServerName ?? null) : undefined, plainOnTlsPort: listener.plainOnTlsPort ?? false, keepalives, connection });
      } finally {
        lease.release();
      }
      if (outcome !== 'keep-alive') {
        closeReason = outcome === 'tunnel' ? 'tunnel closed' : 'response closed the connection';
        break;
      }
      keepalives += 1;
    }
  } catch {
    closeReason = 'client went away while waiting for a worker';
  }
  if (!socket.destroyed) socket.end();
  runtime.connectionClosed(connection);
  emit({ type: 'connection-close', reason: closeReason });
}

interface RequestContext {
  socket: Socket;
  endpoints: Endpoints;
  reader: SocketReader;
  runtime: ProxyRuntime;
  emit: (event: EmittedEvent) => void;
  client: string;
  secure: boolean;
  /** The SNI name of a TLS connection (null: none sent); undefined on plain connections. */
  tlsServerName: string | null | undefined;
  /** Plain HTTP arrived on an SSLEngine port: every request gets mod_ssl's 400. */
  plainOnTlsPort: boolean;
  keepalives: number;
  connection: number;
}

async function serveOneRequest(context: RequestContext): Promise<'keep-alive' | 'close' | 'tunnel'> {
  const { reader, runtime, emit } = context;
  // The head is read with the address's default server's limits and HttpProtocolOptions (r->server before the Host is read).
  const reading = runtime.requestReadingFor(context.endpoints.localAddress, context.endpoints.localPort);
  const parser = new RequestHeadParser({
    scheme: context.secure ? 'https' : 'http',
    limits: reading.limits,
    rejectHttp09: reading.rejectHttp09,
    registeredMethodsOnly: reading.registeredMethodsOnly,
    registeredMethods: reading.registeredMethods,
  });
  runtime.setRequestHeaders(context.connection, null);
  // What the error log's %A and %k read of the connection.
  runtime.setConnectionInfo(context.connection, {
    local: `${context.endpoints.localAddress}:${context.endpoints.localPort}`,
    keepalives: context.keepalives,
    baseServer: addressDefaultServer(context).index,
  });
  let startMicros = 0;
  let pushedBefore = 0;
  for (;;) {
    // Before the first request httpd waits for the request-read timeout; between requests,
    // KeepAliveTimeout; once a byte of the next request came, the head is read under Timeout.
    const waitMs = context.keepalives === 0 || startMicros !== 0 ? runtime.requestHeaderTimeoutMs : runtime.keepAliveTimeoutMs;
    const chunk = await reader.read(waitMs);
    if (chunk === null) {
      if (startMicros === 0) return 'close';
      // End of stream part-way through a head: httpd treats it as a failed read and still answers
      // 400 on the open write side; a timeout is a 408 (timeout() tells which kind, or 'abandoned').
      const ending = reader.finished ? parser.finish() : parser.timeout();
      if (ending.state !== 'error') return 'close';
      if (ending.error.unanswered) return logUnansweredTimeout(context, ending.error, startMicros);
      return answerBadRequest(context, ending.error, startMicros, pushedBefore);
    }
    if (startMicros === 0) startMicros = runtime.nowMicros();
    const result = parser.push(chunk);
    if (result.state === 'incomplete') {
      pushedBefore += chunk.length;
      continue;
    }
    if (result.state === 'abandoned') return 'close';
    if (result.state === 'error') {
      // A head the connection survives (417): what follows it is its body, then the next request.
      if (!result.error.closeConnection) reader.unshift(chunk.subarray(result.error.consumed - pushedBefore));
      // mod_logio counts what the protocol layer read (line by line), not the whole socket read.
      return answerBadRequest(context, result.error, startMicros, result.error.consumed);
    }
    const head = result.head;
    // The parser took the head; what follows in this chunk is a body or the next request.
    reader.unshift(chunk.subarray(head.consumed - pushedBefore));
    emit({ type: 'head', hop: 'client->proxy', head: latin1(head.rawHead) });
    // Usually nothing: only the head's debug lines (AH02417), so no server lookup per request.
    if (head.log.length > 0) logReadingHead(context, head.log);
    if (context.plainOnTlsPort) return answerPlainOnTlsPort(context, head, startMicros);
    return handleRequest(context, head, startMicros);
  }
}

/**
 * A request line cut short by Timeout: httpd answers nothing and closes; the 408 reaches the
 * access log only on a connection's first request (ap_read_request skips keep-alive ones).
 */
function logUnansweredTimeout(context: RequestContext, error: RequestHeadError, startMicros: number): 'close' {
  const { runtime } = context;
  context.emit({ type: 'response', status: error.status, explanation: `${error.status}: the request line did not arrive within Timeout; httpd closes without answering` });
  if (context.keepalives > 0) return 'close';
  const server = addressDefaultServer(context);
  runtime.accessLog(
    {
      head: null,
      requestLine: error.theRequest ?? null,
      status: error.status,
      bodyBytes: 0,
      responseHeaders: [],
      bytesIn: error.consumed,
      bytesOut: 0,
      startMicros,
      serverIndex: server.index,
      aborted: false,
      keepAlive: false,
    },
    context,
  );
  return 'close';
}

/** What CustomLog env=/expr= conditions and %{VAR}e read of a routed request. */
function loggedEnvironment(decision: RouteDecision): Pick<FinishedRequest, 'env' | 'expr' | 'uri'> {
  return { env: decision.responseContext.env, expr: decision.responseContext.expr, ...(decision.uri !== null ? { uri: decision.uri } : {}) };
}

/**
 * What httpd logs while it reads a request head (AH02417 for a head it accepts, the reasons for
 * one it refuses). r->server is still the address's default server then, since the vhost is
 * chosen from the head afterwards: its ErrorLog and LogLevel apply.
 */
function logReadingHead(context: RequestContext, entries: readonly HeadLogEntry[], serverIndex = addressDefaultServer(context).index): void {
  for (const entry of entries) context.runtime.log({ ...entry, client: entry.serverScoped ? undefined : context.client }, serverIndex, context.connection);
}

/** The server a request belongs to before its Host is read: the first vhost of its address. */
function addressDefaultServer(context: RequestContext) {
  return context.runtime.defaultServerFor(context.endpoints.localAddress, context.endpoints.localPort);
}

async function answerBadRequest(context: RequestContext, error: RequestHeadError, startMicros: number, bytesIn: number): Promise<'keep-alive' | 'close'> {
  const { runtime } = context;
  // r->server is still the address's default server (no Host read yet): its ErrorLog, LogLevel and KeepAlive apply.
  const server = addressDefaultServer(context);
  logReadingHead(context, error.errorLog, server.index);
  // A head the connection may survive (417) keeps it as any answer would: by protocol, Connection and KeepAlive.
  const survivor = error.closeConnection ? null : { closeAfterResponse: false, headers: error.headers ?? [], versionNumber: error.versionNumber ?? 1001 };
  const keepAlive = survivor !== null && runtime.keepAliveAllowed(survivor, context.keepalives, server.index);
  const connection: ConnectionDisposition = !keepAlive
    ? { close: true }
    : clientSentKeepAlive(survivor)
      ? { close: false, keepAlive: { timeoutSeconds: runtime.keepAliveTimeoutMs / 1000, remaining: runtime.remainingKeepAlives(context.keepalives) } }
      : { close: false };
  const response = buildErrorResponse({
    status: error.status,
    serverName: error.hostname ?? server.serverName,
    port: error.hostPort ?? context.endpoints.localPort,
    method: error.method,
    errorNotes: error.errorNotes,
    expect: error.expect,
    connection,
    ...runtime.signatureOptions(server.index),
  });
  const bytes = serializeResponse(response);
  await write(context.socket, bytes);
  // A 417 leaves the connection usable: the unread body is discarded before the next request.
  const keepOpen = keepAlive && (await discardBody(context, error.bodyFraming ?? { kind: 'none' })).ok;
  context.emit({ type: 'head', hop: 'proxy->client', head: headText(response.statusLine, response.headers) });
  context.emit({ type: 'response', status: error.status, explanation: `${error.status} ${statusText(error.status).slice(4)}: ${error.errorLogMessage ?? error.reason}` });
  runtime.accessLog(
    {
      head: null,
      requestLine: error.theRequest ?? '',
      parsedMethod: error.method,
      parsedPath: error.path,
      status: error.status,
      bodyBytes: response.body.length,
      responseHeaders: response.headers,
      bytesIn,
      bytesOut: bytes.length,
      startMicros,
      serverIndex: server.index,
      aborted: false,
      keepAlive,
    },
    context,
  );
  return keepOpen ? 'keep-alive' : 'close';
}

/** mod_ssl's answer to plain HTTP on a TLS port: 400 with an explanation, no routing. */
async function answerPlainOnTlsPort(context: RequestContext, clientHead: RequestHead, startMicros: number): Promise<'close'> {
  const server = addressDefaultServer(context);
  // mod_ssl never reads the client's request: it feeds httpd the request line "GET / HTTP/1.0"
  // (NON_SSL_SEND_REQLINE) and fails that request with 400, so a HEAD still gets the page and the
  // access log shows "GET / HTTP/1.0".
  const head = fakeRequestHead(FAKE_PLAIN_ON_TLS_REQUEST, clientHead.consumed);
  const response = buildErrorResponse({
    status: 400,
    serverName: server.serverName,
    port: context.endpoints.localPort,
    method: head.method,
    errorNotes: "Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />\n Instead use the HTTPS scheme to access this URL, please.<br />\n",
    headOnly: false,
    connection: { close: true },
    ...context.runtime.signatureOptions(server.index),
  });
  const bytes = serializeResponse(response);
  await write(context.socket, bytes);
  context.emit({ type: 'head', hop: 'proxy->client', head: headText(response.statusLine, response.headers) });
  context.emit({ type: 'response', status: 400, explanation: '400: plain HTTP (ws://) sent to a port where SSLEngine is on; use https:// or wss://' });
  context.runtime.accessLog(
    { head, requestLine: requestLineOf(head), status: 400, bodyBytes: response.body.length, responseHeaders: response.headers, bytesIn: head.consumed, bytesOut: bytes.length, startMicros, serverIndex: server.index, aborted: false },
    context,
  );
  return 'close';
}

const FAKE_PLAIN_ON_TLS_REQUEST = 'GET / HTTP/1.0\r\n\r\n';

/** The head httpd works with when a module supplies the request itself; `consumed` stays the client's bytes. */
function fakeRequestHead(text: string, consumed: number): RequestHead {
  const parsed = new RequestHeadParser().push(latin1Bytes(text));
  if (parsed.state !== 'complete') throw new Error(`not a complete request head: ${JSON.stringify(text)}`);
  return { ...parsed.head, consumed };
}

/** mod_status answers (SetHandler server-status, not claimed by a ProxyPass). */
async function answerServerStatus(context: RequestContext, head: RequestHead, decision: RouteDecision, startMicros: number): Promise<'keep-alive' | 'close'> {
  const { runtime } = context;
  const serverIndex = decision.server?.virtualHostIndex ?? null;
  const page = renderServerStatus(
    {
      serverName: head.hostname ?? runtime.serverName(serverIndex),
      banner: runtime.serverBanner(),
      mpm: runtime.config.global.mpm.module ?? 'event',
      startedAtMs: runtime.startedAtMs,
      nowMs: Date.now(),
      totalAccesses: runtime.requestsServed + 1,
      busyWorkers: runtime.pool.inUse,
      workerLimit: runtime.pool.limit,
    },
    head.query !== undefined && /(^|&)auto(&|=|$)/.test(head.query),
  );
  const keepAlive = runtime.keepAliveAllowed(head, context.keepalives, serverIndex);
  const body = head.method === 'HEAD' ? '' : page.body;
  return sendLocal200(context, head, decision, startMicros, {
    leadingHeaders: [
      ['Vary', 'Accept-Encoding'],
      ['Content-Length', String(Buffer.byteLength(page.body, 'latin1'))],
    ],
    contentType: page.contentType,
    keepAlive,
    wireBody: body,
    loggedBodyBytes: body.length,
  });
}

/**
 * The tail every 200 httpd writes itself shares: Date and Server first, the connection headers
 * after the framing ones and before Content-Type (the order httpd's header filter emits them),
 * then the tap events and the access-log line.
 */
async function sendLocal200(
  context: RequestContext,
  head: RequestHead,
  decision: RouteDecision,
  startMicros: number,
  answer: { leadingHeaders: Array<[string, string]>; contentType: string; keepAlive: boolean; wireBody: string; loggedBodyBytes: number },
): Promise<'keep-alive' | 'close'> {
  const { runtime } = context;
  const serverIndex = decision.server?.virtualHostIndex ?? null;
  const { keepAlive } = answer;
  const headers: Array<[string, string]> = [['Date', new Date().toUTCString()], ['Server', runtime.serverBanner()], ...answer.leadingHeaders];
  if (!keepAlive) headers.push(['Connection', 'close']);
  else if (clientSentKeepAlive(head)) headers.push(['Keep-Alive', keepAliveHeaderValue(runtime.keepAliveTimeoutMs / 1000, runtime.remainingKeepAlives(context.keepalives))], ['Connection', 'Keep-Alive']);
  headers.push(['Content-Type', answer.contentType]);
  const text = headText('HTTP/1.1 200 OK', headers);
  await write(context.socket, latin1Bytes(text + answer.wireBody));
  context.emit({ type: 'head', hop: 'proxy->client', head: text });
  context.emit({ type: 'response', status: 200, explanation: decision.explanation });
  runtime.accessLog(
    { head, ...loggedEnvironment(decision), requestLine: requestLineOf(head), status: 200, bodyBytes: answer.loggedBodyBytes, responseHeaders: headers, bytesIn: head.consumed, bytesOut: text.length + answer.wireBody.length, startMicros, serverIndex, aborted: false, keepAlive },
    context,
  );
  return keepAlive ? 'keep-alive' : 'close';
}

/**
 * ap_send_http_trace: the request line and header fields as received, as a message/http body.
 * It has no length: chunked to an HTTP/1.1 client, until close to an HTTP/1.0 one.
 */
async function answerTrace(context: RequestContext, head: RequestHead, decision: RouteDecision, startMicros: number): Promise<'keep-alive' | 'close'> {
  const { runtime } = context;
  const serverIndex = decision.server?.virtualHostIndex ?? null;
  const echoed = `${requestLineOf(head)}\r\n${mergeRepeatedFields(head.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
  const chunked = head.versionNumber >= 1001;
  const keepAlive = chunked && runtime.keepAliveAllowed(head, context.keepalives, serverIndex);
  return sendLocal200(context, head, decision, startMicros, {
    leadingHeaders: chunked ? [['Transfer-Encoding', 'chunked']] : [],
    contentType: 'message/http',
    keepAlive,
    wireBody: chunked ? `${echoed.length.toString(16)}\r\n${echoed}\r\n0\r\n\r\n` : echoed,
    loggedBodyBytes: echoed.length,
  });
}

/** r->headers_in as ap_get_mime_headers leaves it: repeats of a name joined with ", " at the first one's place. */
function mergeRepeatedFields(fields: ReadonlyArray<[string, string]>): Array<[string, string]> {
  const merged: Array<[string, string]> = [];
  const at = new Map<string, number>();
  for (const [name, value] of fields) {
    const index = at.get(name.toLowerCase());
    if (index === undefined) {
      at.set(name.toLowerCase(), merged.length);
      merged.push([name, value]);
    } else {
      merged[index] = [merged[index][0], `${merged[index][1]}, ${value}`];
    }
  }
  return merged;
}

async function handleRequest(context: RequestContext, head: RequestHead, startMicros: number): Promise<'keep-alive' | 'close' | 'tunnel'> {
  // Request-scoped error-log lines read its headers (%{Referer}i, the default format's referer).
  context.runtime.setRequestHeaders(context.connection, head.headers);
  const { runtime, emit, socket } = context;
  const decision = routeRequest(runtime.config, {
    method: head.method,
    target: head.target,
    httpVersion: head.version,
    headers: head.headers,
    ...context.endpoints,
    secure: context.secure,
    tlsServerName: context.tlsServerName,
    tlsProtocol: context.secure ? ((socket as Partial<TLSSocket>).getProtocol?.() ?? null) : null,
  }, runtime.routeOptions);
  const serverIndex = decision.server?.virtualHostIndex ?? null;
  // r->log (a <Location>'s LogLevel), %V and %{VAR}e for the request's own lines from here on.
  runtime.setRequestRouting(context.connection, serverIndex, decision.responseContext);
  for (const entry of decision.log) runtime.log(entry, serverIndex, context.connection);
  emit({ type: 'route', routing: summarizeDecision(decision) });

  if (decision.kind === 'respond' && decision.reason === 'handler' && decision.handler === 'server-status') {
    return answerServerStatus(context, head, decision, startMicros);
  }
  if (decision.kind === 'respond' && decision.reason === 'trace') return answerTrace(context, head, decision, startMicros);
  if (decision.kind === 'respond' && decision.discardBodyFirst) return answerAfterDiscardingBody(context, head, decision, startMicros, decision.discardBodyFirst);
  if (decision.kind === 'respond') {
    return respondFromProxy(context, head, decision, startMicros, {
      status: decision.status,
      location: decision.headers.find(([name]) => name.toLowerCase() === 'location')?.[1],
      explanation: decision.explanation,
    });
  }
  return proxyRequest(context, head, decision, startMicros);
}

interface OwnResponse {
  status: number;
  location?: string;
  proxyErrorReason?: string;
  errorNotes?: string;
  explanation: string;
  /** r->err_headers_out a module set for the error page (WWW-Authenticate kept by ProxyErrorOverride). */
  errorHeaders?: HeaderPair[];
}

/** httpd answers by itself (error page or redirect). */
async function respondFromProxy(
  context: RequestContext,
  head: RequestHead,
  decision: RouteDecision,
  startMicros: number,
  answer: OwnResponse,
  /** `bytesInBody`: the request body was already read (relayed or discarded) and counted; nothing is left to discard. */
  extra: { filename?: string; bytesInBody?: number } = {},
): Promise<'keep-alive' | 'close'> {
  const { runtime, socket } = context;
  const serverIndex = decision.server?.virtualHostIndex ?? null;
  // ap_die_r decides the connection from the error's own status, before an ErrorDocument URL turns it into a 302.
  const close = statusDropsConnection(answer.status) || !runtime.keepAliveAllowed(head, context.keepalives, serverIndex);
  const document =
    answer.status >= 300 && answer.status !== 304
      ? chooseErrorDocument(answer.status, decision.responseContext.errorDocuments, decision.responseContext.expr)
      : { kind: 'canned' as const };
  let status = answer.status;
  let location = answer.location;
  let proxyErrorReason = answer.proxyErrorReason;
  let explanation = answer.explanation;
  let customMessage: string | undefined;
  let recursiveError: number | undefined;
  if (document.kind === 'message') {
    customMessage = document.text;
    explanation += '; ErrorDocument sends its text as the body';
  } else if (document.kind === 'redirect') {
    status = 302;
    location = document.location;
    proxyErrorReason = undefined;
    explanation += `; ErrorDocument redirects to ${document.location} (302)`;
  } else if (document.kind === 'local') {
    // The internal redirect's request inherits the status; the sandbox serves no file for it, and
    // httpd, failing to serve a missing ErrorDocument, reports the original error once more.
    recursiveError = answer.status;
    explanation += `; ErrorDocument ${document.path} is an internal redirect the sandbox cannot serve (no files), so httpd's page says so`;
  } else if (document.kind === 'invalid') {
    recursiveError = 500;
    runtime.log({ module: 'core', level: 'error', code: 'AH01580', message: `Invalid error redirection directive: ${document.value}`, client: context.client }, serverIndex, context.connection);
  }
  const disposition: ConnectionDisposition = close
    ? { close: true }
    : clientSentKeepAlive(head)
      ? { close: false, keepAlive: { timeoutSeconds: runtime.keepAliveTimeoutMs / 1000, remaining: runtime.remainingKeepAlives(context.keepalives) } }
      : { close: false };
  const response = buildErrorResponse({
    status,
    serverName: head.hostname ?? decision.server?.serverName ?? runtime.serverName(serverIndex),
    port: head.hostPort ?? context.endpoints.localPort,
    method: head.method,
    location,
    proxyErrorReason,
    errorNotes: answer.errorNotes,
    customMessage,
    recursiveError,
    headOnly: head.method === 'HEAD',
    connection: disposition,
    ...runtime.signatureOptions(serverIndex),
  });
  // What a module put in err_headers_out reaches the error page (mod_proxy_wstunnel's 426 sends
  // "Connection: Upgrade, close" and "Upgrade: WebSocket"); Location is already on it.
  if (decision.kind === 'respond') mergeErrorHeaders(response.headers, decision.headers);
  if (answer.errorHeaders) mergeErrorHeaders(response.headers, answer.errorHeaders);
  // "Header always" reaches httpd's own error pages and redirects too (err_headers_out); plain "Header set" does not.
  const table = new HeaderTable(response.headers);
  const opContext = responseHeaderOpContext(decision.responseContext, { requestTimeMicros: startMicros, ...headerTagReadings(runtime.nowMicros()) });
  applyHeaderOps(decision.responseContext.headerOps, 'Header', 'late', table, opContext, 'always');
  // A success a handler produced (the default handler's OPTIONS answer, a SetHandler page) is no
  // error response: the handler's insert_filter added mod_headers' filter, so plain "Header" applies too.
  const handlerSuccess = decision.kind === 'respond' && (decision.discardBodyFirst !== undefined || decision.reason === 'handler') && status >= 200 && status < 300;
  if (handlerSuccess) applyHeaderOps(decision.responseContext.headerOps, 'Header', 'late', table, opContext, 'onsuccess');
  // "Header always … early" is already in what ap_send_error_response sends.
  for (const [name, value] of decision.responseContext.earlyErrorHeaders ?? []) table.add(name, value);
  response.headers = table.toPairs().map(([name, value]) => [name, value]);
  const bytes = serializeResponse(response);
  await write(socket, bytes);
  context.emit({ type: 'head', hop: 'proxy->client', head: headText(response.statusLine, response.headers) });
  context.emit({ type: 'response', status, explanation });
  // httpd discards the unread request body of an error response on a connection that stays open
  // before the request is logged (ap_discard_request_body), so mod_logio's %I counts it. (The
  // default handler reads its body first thing: answerAfterDiscardingBody.)
  const bodyAlreadyRead = extra.bytesInBody !== undefined;
  const discard = !close && !bodyAlreadyRead ? await discardRequestBody(context, head) : { ok: true, bytes: 0 };
  runtime.accessLog(
    {
      head,
      ...loggedEnvironment(decision),
      requestLine: requestLineOf(head),
      status,
      bodyBytes: response.body.length,
      responseHeaders: response.headers,
      bytesIn: head.consumed + (extra.bytesInBody ?? 0) + discard.bytes,
      bytesOut: bytes.length,
      startMicros,
      serverIndex,
      // A request no proxy rule claimed went through core's translate_name.
      filename: extra.filename ?? (decision.kind === 'respond' ? decision.localFilename : undefined) ?? runtime.documentRootFilename(serverIndex, head.path),
      aborted: false,
      keepAlive: !close,
    },
    context,
  );
  if (close) return 'close';
  // A request body nobody read would be taken for the next request; it was discarded above.
  return discard.ok ? 'keep-alive' : 'close';
}

async function proxyRequest(context: RequestContext, head: RequestHead, decision: ProxyDecision, startMicros: number): Promise<'keep-alive' | 'close' | 'tunnel'> {
  const { runtime } = context;
  const serverIndex = decision.server?.virtualHostIndex ?? null;
  const cookie = head.headers.filter(([name]) => name.toLowerCase() === 'cookie').map(([, value]) => value).join(', ');
  const attempt = await connectToBackend(context, head, decision, cookie === '' ? null : cookie);
  if (!attempt.ok) {
    return respondFromProxy(context, head, decision, startMicros, attempt.answer, { filename: decision.canonicalFilename ?? decision.filename });
  }
  const { plan, backendSocket, member } = attempt;
  const traffic: BackendTraffic = { sent: 0, read: 0, status: null };
  try {
    if (plan.afterConnectFailure) {
      traffic.status = plan.afterConnectFailure.status;
      backendSocket.destroy();
      for (const entry of plan.afterConnectFailure.log) runtime.log(entry, serverIndex, context.connection);
      return respondFromProxy(context, head, decision, startMicros, {
        status: plan.afterConnectFailure.status,
        explanation: plan.afterConnectFailure.reason,
      }, { filename: decision.canonicalFilename ?? decision.filename });
    }
    return await exchangeWithBackend(context, head, decision, plan, backendSocket, startMicros, traffic);
  } finally {
    if (member) {
      releaseMember(member, traffic.sent, traffic.read);
      const state = decision.balancer ? runtime.balancerState(decision.balancer.name, serverIndex) : null;
      if (state && traffic.status !== null) {
        for (const entry of memberRequestFinished(state, member, traffic.status, microsecondClockMs(), context.client)) runtime.log(entry, serverIndex, context.connection);
      }
    }
  }
}

/**
 * What mod_proxy_http counts on the worker for lbmethod=bytraffic: the request as passed to the
 * backend (transferred) and the status line plus the response body (read). A tunnel's bytes are
 * not counted.
 */
interface BackendTraffic {
  sent: number;
  read: number;
  /** The request's final status as proxy_balancer_post_request sees it (failonstatus=). */
  status: number | null;
}

/** The status line's length without its line end, as ap_proxygetline() reports it. */
function statusLineLength(rawHead: Uint8Array): number {
  const end = Buffer.from(rawHead).indexOf('\n');
  if (end < 0) return rawHead.length;
  return end > 0 && rawHead[end - 1] === 13 ? end - 1 : end;
}

type ConnectAttempt =
  | { ok: true; plan: BackendPlan; backendSocket: Socket; member: BalancerMemberState | null }
  | { ok: false; answer: OwnResponse };

/** Connect to the single backend, or walk the balancer's members with failover as mod_proxy_balancer does. */
async function connectToBackend(context: RequestContext, head: RequestHead, decision: ProxyDecision, cookie: string | null = null): Promise<ConnectAttempt> {
  const { runtime } = context;
  const serverIndex = decision.server?.virtualHostIndex ?? null;
  const log = (entries: ErrorLogEntry[]) => {
    for (const entry of entries) runtime.log(entry, serverIndex, context.connection);
  };

  if (decision.balancer) {
    const state = runtime.balancerState(decision.balancer.name, serverIndex);
    if (!state) {
      return { ok: false, answer: { status: 500, explanation: `${decision.balancer.name} is not defined` } };
    }
    // The URL the balancer sees after proxy_balancer_canon, where a sticky session parameter is looked for.
    let lastTried: BalancerMemberState | null = null;
    const balancerUrl = `${decision.balancer.name}${decision.balancer.pathSuffix}${decision.args !== null ? `?${decision.args}` : ''}`;
    for (let attempt = 0; attempt <= state.maxAttempts; attempt++) {
      const choice = chooseMember(state, microsecondClockMs(), context.client, { url: balancerUrl, cookie });
      log(choice.log);
      if (!choice.ok) return { ok: false, answer: { status: choice.status, explanation: `503: ${choice.reason}` } };
      const planned = planBalancerMember(decision, choice.member, context.client);
      log(planned.log);
      if (!planned.ok) {
        releaseMember(choice.member);
        return { ok: false, answer: { status: planned.status, explanation: `${planned.status}: ${planned.reason}` } };
      }
      const plan = planned.plan;
      context.emit({ type: 'route', routing: { ...summarizeDecision(decision), targetUrl: plan.url, explanation: `${decision.balancer.name} chose ${choice.member.name} (lbmethod ${state.lbmethod})` } });
      await continueBeforeBodyRead(context, head, plan);
      const connected = await connectPlan(context, plan, serverIndex, decision);
      if (connected.ok) return { ok: true, plan, backendSocket: connected.socket, member: choice.member };
      if (connected.failure.kind === 'tls') {
        // The connect succeeded; the handshake failed inside proxy_http's handler, which answers
        // 500: proxy_handler marks the member in error without a line and does not fail over.
        const failure = describeConnectFailure(connected.failure, plan, context.client, decision.uri ?? '/');
        log(failure.log);
        markMemberInErrorAfter500(choice.member, microsecondClockMs());
        log(memberRequestFinished(state, choice.member, 500, microsecondClockMs(), context.client));
        releaseMember(choice.member);
        return { ok: false, answer: failure.answer };
      }
      const failure = describeConnectFailure(connected.failure, plan, context.client, decision.uri ?? '/');
      // ap_proxy_connect_backend() puts the member in error (AH00959) before the handler's line.
      failure.log.splice(failure.handlerAt, 0, ...markMemberFailed(choice.member, microsecondClockMs()));
      log(failure.log);
      releaseMember(choice.member);
      lastTried = choice.member;
    }
    // Every attempt already logged its own failure; post_request sees the 503 with the last member.
    if (lastTried) log(memberRequestFinished(state, lastTried, 503, microsecondClockMs(), context.client));
    return { ok: false, answer: { status: 503, explanation: `503: every member of ${state.name} that was tried refused the connection` } };
  }

  const plan = decision.backend;
  if (!plan) return { ok: false, answer: { status: 500, explanation: 'no backend planned' } };
  // ap_proxy_acquire_connection(): a worker in error (status=-I) or out of service answers 503
  // before any connect; the worker's state is shared by every route that uses it.
  const health = runtime.workerHealth(plan.worker);
  const target = { proxyFunction: proxyFunctionOf(plan), host: plan.host, port: plan.port };
  const refused = acquireWorker(plan.worker, health, target, Date.now());
  if (refused) {
    log(refused.log);
    return { ok: false, answer: { status: refused.status, explanation: `503: the worker ${plan.worker.name} is in error state or out of service (AH00940)` } };
  }
  await continueBeforeBodyRead(context, head, plan);
  const connected = await connectPlan(context, plan, serverIndex, decision);
  if (connected.ok) return { ok: true, plan, backendSocket: connected.socket, member: null };
  const failure = describeConnectFailure(connected.failure, plan, context.client, decision.uri ?? '/');
  if (connected.failure.kind === 'connect') {
    // ap_proxy_connect_backend() disables the worker (AH00959) before the handler's own line.
    const disabling = markWorkerFailed(plan.worker, health, target, Date.now());
    failure.log.splice(failure.handlerAt, 0, ...disabling);
  }
  log(failure.log);
  return { ok: false, answer: failure.answer };
}

/** Wall-clock milliseconds with microsecond precision, as apr_time_now() gives balancer retry checks. */
function microsecondClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Decisions whose handler-phase lines (core_upgrade_handler) were already written. */
const handlerPhaseLogged = new WeakSet<ProxyDecision>();

async function connectPlan(context: RequestContext, plan: BackendPlan, serverIndex: number | null, decision: ProxyDecision) {
  const target = context.runtime.resolveBackend(plan.host, plan.port);
  const sslProxy = context.runtime.sslProxySettings(decision.prepared.sslProxy);
  if ('blocked' in target) return { ok: false as const, failure: { kind: 'blocked', reason: target.blocked } satisfies ConnectFailure };
  const result = await connectBackend(
    {
      host: target.host,
      port: target.port,
      tls: plan.tls && plan.afterConnectFailure === null,
      // The name sent as SNI and checked against the certificate: the client's Host with
      // ProxyPreserveHost On, else the target's host (ap_proxy_determine_connection).
      servername: (decision.prepared.preserveHost ? preservedHostname(decision.prepared.headers) : null) ?? plan.host,
      verify: sslProxy.verify,
      peerCheck: sslProxy.peerCheck,
      checkPeerExpire: sslProxy.checkPeerExpire,
      ca: sslProxy.ca,
      versions: sslProxy.versions,
      receiveBufferSize: context.runtime.receiveBufferSize,
    },
    plan.timeouts.connect * 1000,
  );
  // mod_proxy's debug/trace story of the attempt (filtered by LogLevel like every line). The
  // handler phase starts once: a balancer's further attempts do not run core_upgrade_handler again.
  const step = proxyStep(context, plan, decision);
  if (handlerPhaseLogged.has(decision)) step.coreUpgrade = [];
  handlerPhaseLogged.add(decision);
  const address = result.ok ? result.address : 'address' in result.failure ? result.failure.address : plan.host;
  // A worker that caches its address resolves it on first use only (per child; wslab is one child).
  const resolves = workerAddressReusable(plan.worker) && context.runtime.firstAddressLookup(serverIndex, plan.worker.name);
  const entries = beforeConnectLog(step, address, resolves);
  if (result.ok) entries.push(...connectedLog(step, address));
  for (const entry of entries) context.runtime.log(entry, serverIndex, context.connection);
  return result;
}

/** r->hostname: the Host header's name without port or IPv6 brackets; null when there is none. */
function preservedHostname(headers: readonly HeaderPair[]): string | null {
  const host = headers.find(([name]) => name.toLowerCase() === 'host')?.[1];
  if (host === undefined) return null;
  const parsed = parseHostHeader(host);
  return parsed.ok && parsed.hostname !== '' ? parsed.hostname : null;
}

function proxyStep(context: RequestContext, plan: BackendPlan, decision: ProxyDecision): ProxyStepContext {
  return proxyStepContext(decision, plan, context.client);
}

/** The error-log lines and the client's answer for a failed connect, as mod_proxy words them. */
function describeConnectFailure(
  failure: ConnectFailure,
  plan: BackendPlan,
  client: string,
  uri: string,
): { log: ErrorLogEntry[]; answer: OwnResponse; handlerAt: number } {
  if (failure.kind === 'blocked') {
    return {
      log: [{ module: 'proxy', level: 'error', message: `wslab sandbox: connection to ${plan.host}:${plan.port} blocked: ${failure.reason}`, client }],
      answer: { status: 503, explanation: `503: blocked by the sandbox: ${failure.reason}` },
      handlerAt: 1,
    };
  }
  if (failure.kind === 'dns') {
    const dns = dnsFailureLog(plan, uri, client);
    return {
      log: [dns.entry],
      handlerAt: 1,
      answer: { status: dns.status, proxyErrorReason: `DNS lookup failure for: ${plan.host}`, explanation: `${dns.status}: the backend host name ${plan.host} does not resolve (AH00898)` },
    };
  }
  if (failure.kind === 'tls') {
    // httpd starts the handshake lazily while sending the request, so the failure surfaces as a
    // failed body pass (AH01084/AH01097) around the handshake error, and the client gets a 500.
    const where = `${failure.address}:${failure.port} (${plan.host})`;
    const verification: ErrorLogEntry[] = failure.verifyError
      ? [{ module: 'ssl', level: 'error', code: 'AH02039', message: `Certificate Verification: Error (${failure.verifyError.code}): ${failure.verifyError.text}`, remote: `${failure.address}:${failure.port}` }]
      : [];
    return {
      log: [
        ...verification,
        { module: 'proxy', level: 'error', code: 'AH01084', osError: '(20014)Internal error (specific information not available)', message: `pass request body failed to ${where}`, client },
        { module: 'proxy', level: 'error', code: 'AH00898', message: `Error during SSL Handshake with remote server returned by ${uri}`, client },
        { module: 'proxy_http', level: 'error', code: 'AH01097', message: `pass request body failed to ${where} from ${client.slice(0, client.lastIndexOf(':'))} ()`, client },
      ],
      handlerAt: verification.length + 1,
      answer: { status: 500, proxyErrorReason: 'Error during SSL Handshake with remote server', explanation: `500: the TLS handshake with ${plan.host}:${plan.port} failed (${failure.message}) (AH00898)` },
    };
  }
  const { attempt, recheck, handler } = connectFailureLog({ plan, resolvedAddress: failure.address, osError: failure.osError, client });
  // The scheme handler then gives the connection back (ap_proxy_release_connection).
  const released = handler ? releasedLog({ plan }) : [];
  return {
    log: [attempt, ...recheck, ...(handler ? [handler] : []), ...released],
    handlerAt: 1 + recheck.length,
    answer: { status: 503, explanation: `503: the backend ${plan.host}:${plan.port} refused the connection (${[attempt, handler].flatMap((entry) => (entry?.code ? [entry.code] : [])).join(', ')})` },
  };
}

/** Send the request, read the answer, relay it, and tunnel after a 101. */
async function exchangeWithBackend(
  context: RequestContext,
  head: RequestHead,
  decision: ProxyDecision,
  plan: BackendPlan,
  backendSocket: Socket,
  startMicros: number,
  traffic: BackendTraffic = { sent: 0, read: 0, status: null },
): Promise<'keep-alive' | 'close' | 'tunnel'> {
  const { runtime, socket, emit } = context;
  const serverIndex = decision.server?.virtualHostIndex ?? null;
  backendSocket.on('error', () => {
    // Reported through the reader's end of stream.
  });
  const step = proxyStep(context, plan, decision);
  const log = (entries: ErrorLogEntry[]) => {
    for (const entry of entries) runtime.log(entry, serverIndex, context.connection);
  };
  const prefetched = plan.request.bodyFraming === 'chunked' ? await prefetchChunkedBody(context, head) : null;
  const requestHeadText = backendRequestText(plan, head, prefetched);
  emit({ type: 'head', hop: 'proxy->backend', head: requestHeadText });
  log(sendingRequestLog(step));
  // What of a Content-Length body has already arrived goes out with the head in one write, as
  // httpd's brigade does; the backend (a WebSocket server, say) sees both in one read.
  const bodyStart = prefetched ? null : takeArrivedBody(context, head);
  await write(backendSocket, bodyStart ? Buffer.concat([latin1Bytes(requestHeadText), bodyStart.bytes]) : latin1Bytes(requestHeadText));
  log(requestSentLog(step));
  const bodyBytesIn = prefetched
    ? await sendPrefetchedBody(context, prefetched, backendSocket)
    : bodyStart
      ? bodyStart.bytes.length + (bodyStart.decoder.done ? 0 : await relayBodyRest(context, bodyStart.decoder, backendSocket))
      : 0;
  traffic.sent += requestHeadText.length + bodyBytesIn;

  const backendReader = new SocketReader(backendSocket);
  const newResponseParser = () =>
    new ResponseHeadParser({
      path: decision.uri ?? head.path,
      method: head.method,
      backendHost: plan.host,
      backendPort: plan.port,
      requestedUpgrade: plan.upgrade.forwarded ? (plan.upgrade.sentUpgrade ?? undefined) : undefined,
      clientKeepalives: context.keepalives,
    });
  let responseParser = newResponseParser();
  let response: ResponseHead;
  let leftover: Buffer = Buffer.alloc(0);
  let received = 0;
  let pending: Buffer | null = null;
  // mod_proxy_wstunnel (2.4.x) does not read the answer: once the request is sent it relays bytes
  // both ways, with no timeout, until a side closes. Only a 101 is taken further here (to run the
  // tunnel); any other answer reaches the client exactly as the backend wrote it.
  const rawTunnel = plan.module === 'proxy_wstunnel';
  const rawReceived: Buffer[] = [];
  // Its poll loop also wakes when the client goes away, which ends the wait for the backend.
  if (rawTunnel) context.socket.once('close', () => backendSocket.destroy());
  for (;;) {
    const chunk = pending ?? (await backendReader.read(rawTunnel ? 0 : plan.timeouts.backend * 1000));
    pending = null;
    if (rawTunnel && chunk) rawReceived.push(chunk);
    // null: the backend hung up, or (reader not finished) stayed silent for the backend timeout.
    // finish() and timeout() always settle the head (502 and AH01102 before the status line, as
    // httpd 2.4.71 answers a hang-up, a reset and a timeout alike), so only push() leaves it
    // incomplete and every way out of this loop has a response or has answered the client.
    const result = chunk !== null ? responseParser.push(chunk) : backendReader.finished ? responseParser.finish(resetCause(backendReader)) : responseParser.timeout();
    if (rawTunnel && (result.state === 'error' || result.state === 'http09' || (result.state === 'complete' && result.head.status !== 101) || (chunk === null && result.state !== 'complete'))) {
      return relayRawAnswer(context, head, backendReader, backendSocket, Buffer.concat(rawReceived), startMicros, serverIndex, decision);
    }
    if (chunk) received += chunk.length;
    if (result.state === 'incomplete') continue;
    if (result.state === 'complete') {
      response = result.head;
      // What httpd logs while reading a head it accepts (AH01100 for a bogus line, AH01107 at debug).
      for (const entry of response.log) runtime.log({ ...entry, client: context.client }, serverIndex, context.connection);
      if (chunk) leftover = chunk.subarray(chunk.length - (received - response.consumed));
      if (isInterimStatus(response.status)) {
        // mod_proxy_http forwards an interim answer (ap_send_interim_response) and reads the next one.
        if (interimReachesClient(head, response.status)) {
          await write(socket, latin1Bytes(`HTTP/1.1 ${response.statusLine}\r\n\r\n`));
          if (response.status === 100) continueSent.add(head);
        }
        responseParser = newResponseParser();
        pending = leftover.length > 0 ? leftover : null;
        leftover = Buffer.alloc(0);
        received = 0;
        continue;
      }
      break;
    }
    if (result.state === 'error') {
      for (const entry of result.error.log) runtime.log({ ...entry, client: context.client }, serverIndex, context.connection);
      backendSocket.destroy();
      traffic.status = 502;
      return respondFromProxy(context, head, decision, startMicros, {
        status: 502,
        proxyErrorReason: result.error.proxyErrorReason,
        explanation: `502: the backend's answer could not be read (${result.error.reason})`,
      }, { filename: decision.canonicalFilename ?? decision.filename, bytesInBody: bodyBytesIn });
    }
    // HTTP/0.9-style answer without a status line: httpd relays it as a 200 body that starts with
    // the line it could not parse.
    response = result.head;
    const rest = chunk ? chunk.subarray(chunk.length - (received - response.consumed)) : Buffer.alloc(0);
    leftover = Buffer.concat([result.bodyPrefix, rest]);
    break;
  }
  emit({ type: 'head', hop: 'backend->proxy', head: latin1(response.rawHead) });
  traffic.read += statusLineLength(response.rawHead);
  traffic.status = response.status;
  for (const entry of backendStatusLog(step, response.status)) runtime.log(entry, serverIndex, context.connection);

  // ProxyErrorOverride: the backend's error answer is dropped and httpd answers with its own page
  // (or the ErrorDocument) for that status; only a 401's WWW-Authenticate survives.
  if (proxyShouldOverride(decision.responseContext.proxyErrorOverride, response.status)) {
    backendSocket.destroy();
    const wwwAuthenticate = response.status === 401 ? response.headers.find(([name]) => name.toLowerCase() === 'www-authenticate') : undefined;
    return respondFromProxy(context, head, decision, startMicros, {
      status: response.status,
      explanation: `${response.status}: the backend answered ${response.status} and ProxyErrorOverride replaces its body with httpd's own error response`,
      errorHeaders: wwwAuthenticate ? [['WWW-Authenticate', wwwAuthenticate[1]]] : undefined,
    }, { filename: decision.canonicalFilename ?? decision.filename, bytesInBody: bodyBytesIn });
  }
  const clientHead = buildClientResponseHead(plan, decision.responseContext, {
    status: response.status,
    reason: response.statusLine.slice(4),
    headers: response.headers,
  }, {
    date: new Date().toUTCString(),
    serverBanner: runtime.serverBanner(),
    client: context.client,
    uri: decision.uri ?? head.path,
    requestTimeMicros: startMicros,
    ...headerTagReadings(runtime.nowMicros()),
  });
  if (clientHead.kind === 'error') {
    for (const entry of clientHead.log) runtime.log(entry, serverIndex, context.connection);
    backendSocket.destroy();
    return respondFromProxy(context, head, decision, startMicros, { status: clientHead.status, explanation: `${clientHead.status}: ${clientHead.reason}` }, { filename: decision.canonicalFilename ?? decision.filename });
  }

  if (clientHead.tunnel) {
    const text = `HTTP/1.1 ${clientHead.status} ${clientHead.reason}\r\n${clientHead.headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
    emit({ type: 'head', hop: 'proxy->client', head: text });
    emit({ type: 'response', status: 101, explanation: `101: upgraded; tunnelling to ${plan.url} until a side closes${plan.timeouts.tunnelIdle !== null ? ` or ${plan.timeouts.tunnelIdle}s pass without traffic` : ''} (${plan.timeouts.explanation})` });
    // ap_send_interim_response sends nothing to an HTTP/1.0 client, yet the tunnel still runs.
    const headSent = head.versionNumber >= 1001;
    if (headSent) await write(socket, latin1Bytes(text));
    const clientLeftover = context.reader.detach();
    const backendLeftover = Buffer.concat([leftover, backendReader.detach()]);
    const extensions = response.headers.find(([name]) => name.toLowerCase() === 'sec-websocket-extensions')?.[1] ?? '';
    const protocol = plan.upgrade.sentUpgrade ?? 'websocket';
    for (const entry of tunnelStartLog(step, protocol, plan.timeouts.tunnelIdle)) runtime.log(entry, serverIndex, context.connection);
    // mod_proxy_wstunnel logs each wakeup of its poll loop; the sockets are only watched for that
    // when those lines are written, so an unlogged tunnel costs nothing more.
    const readLog = { client: tunnelReadLog(step, 'client'), backend: tunnelReadLog(step, 'backend') };
    const logsReads = [...readLog.client, ...readLog.backend].some((entry) => runtime.wouldLog(entry, serverIndex, context.connection));
    let failedSide: TunnelSide | null = null;
    if (logsReads) {
      // Before the tunnel's own listeners, which end the tunnel at once.
      socket.once('error', () => (failedSide ??= 'client'));
      backendSocket.once('error', () => (failedSide ??= 'backend'));
    }
    await new Promise<void>((resolve) => {
      const tunnel = startTunnel({
        client: socket,
        backend: backendSocket,
        clientLeftover,
        backendLeftover,
        idleTimeoutMs: plan.timeouts.tunnelIdle === null ? Infinity : plan.timeouts.tunnelIdle * 1000,
        perMessageDeflate: /permessage-deflate/i.test(extensions),
        observeFrames: runtime.hasTapListeners(),
        emit,
        onRead: logsReads ? (direction) => log(direction === 'client->backend' ? readLog.client : readLog.backend) : undefined,
        onClose: (summary) => {
          runtime.untrackTunnel(tunnel);
          log([...tunnelEndLog(step, protocol, tunnelEndedBy(summary.reason, failedSide)), ...releasedLog(step, backendSocket.remoteAddress ?? plan.host)]);
          emit({ type: 'tunnel-close', ...summary, durationMs: Math.round(summary.durationMs) });
          runtime.accessLog(
            {
              head,
              ...loggedEnvironment(decision),
              requestLine: requestLineOf(head),
              status: 101,
              // The 101 went out through ap_send_interim_response, which counts no body bytes
              // and clears r->headers_out: %b is "-" and %{Upgrade}o "-" (%O still counts it all).
              bodyBytes: 0,
              responseHeaders: [],
              // The request body mod_proxy_http read and sent on before the 101 counts too.
              bytesIn: head.consumed + bodyBytesIn + summary.bytesFromClient,
              bytesOut: (headSent ? text.length : 0) + summary.bytesFromBackend,
              startMicros,
              serverIndex,
              filename: decision.canonicalFilename ?? decision.filename,
              aborted: false,
            },
            context,
          );
          resolve();
        },
      });
      runtime.trackTunnel(tunnel);
    });
    return 'tunnel';
  }

  // An ordinary response: head as httpd rewrote it, then the body bytes as the backend framed them.
  // ap_set_keepalive: a request still expecting a 100 that never went out (no body was read and
  // the backend sent none) closes the connection.
  const stillExpecting100 = interimReachesClient(head, 100) && !continueSent.has(head);
  const close = statusDropsConnection(response.status) || stillExpecting100 || !runtime.keepAliveAllowed(head, context.keepalives, serverIndex);
  // ap_set_keepalive() merges its token into a Connection header the response already has (the
  // "Upgrade" of a backend's 426, say) and appends one otherwise.
  const headers: Array<[string, string]> = clientHead.headers
    .filter(([name]) => name.toLowerCase() !== 'keep-alive')
    .map(([name, value]) => [name, value]);
  const connectionAt = headers.findIndex(([name]) => name.toLowerCase() === 'connection');
  const mergeConnection = (token: string) => {
    if (connectionAt === -1) headers.push(['Connection', token]);
    else headers[connectionAt] = [headers[connectionAt][0], `${headers[connectionAt][1]}, ${token}`];
  };
  const framing = responseBodyFraming({ status: response.status, headers: response.headers, requestMethod: head.method });
  // A body that runs until the backend closes has no length: for an HTTP/1.1 client httpd's
  // header filter chunks it (measured with an HTTP/0.9 answer); an older client can only learn
  // its end from the close. ap_set_keepalive() decides to chunk (r->chunked = 1) before it looks
  // at KeepAlive, the client's "Connection: close" or the status, so a response that closes the
  // connection is chunked all the same; only a connection already marked to close is not.
  const rechunk = !head.closeAfterResponse && framing.kind === 'until-close' && head.versionNumber >= 1001;
  const mustClose = close || (framing.kind === 'until-close' && !rechunk);
  if (mustClose) mergeConnection('close');
  else if (clientSentKeepAlive(head)) {
    headers.push(['Keep-Alive', keepAliveHeaderValue(runtime.keepAliveTimeoutMs / 1000, runtime.remainingKeepAlives(context.keepalives))]);
    mergeConnection('Keep-Alive');
  }
  // ap_http_header_filter adds Transfer-Encoding after ap_set_keepalive() wrote Connection.
  if (rechunk) headers.push(['Transfer-Encoding', 'chunked']);
  const text = `HTTP/1.1 ${clientHead.status} ${clientHead.reason}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  emit({ type: 'head', hop: 'proxy->client', head: text });
  emit({ type: 'response', status: response.status, explanation: `${response.status}: answered by the backend ${plan.url}` });
  await write(socket, latin1Bytes(text));
  const bodyBytes = await relayResponseBody(backendReader, socket, framing, leftover, plan.timeouts.backend * 1000, rechunk);
  traffic.read += bodyBytes.sent;
  backendSocket.destroy();
  for (const entry of releasedLog(step, backendSocket.remoteAddress ?? plan.host)) runtime.log(entry, serverIndex, context.connection);
  runtime.accessLog(
    {
      head,
      ...loggedEnvironment(decision),
      requestLine: requestLineOf(head),
      status: response.status,
      bodyBytes: bodyBytes.sent,
      responseHeaders: headers,
      bytesIn: head.consumed + bodyBytesIn,
      bytesOut: text.length + bodyBytes.sent,
      startMicros,
      serverIndex,
      filename: decision.canonicalFilename ?? decision.filename,
      aborted: !bodyBytes.complete,
      keepAlive: !mustClose && bodyBytes.complete,
    },
    context,
  );
  return mustClose || !bodyBytes.complete ? 'close' : 'keep-alive';
}

/**
 * mod_proxy_wstunnel's relay of an answer that is not a 101: the bytes as the backend sent them,
 * then everything until the backend closes; the client connection ends with it. A backend that
 * closes without a byte leaves the client with nothing at all (measured: no status line).
 */
async function relayRawAnswer(
  context: RequestContext,
  head: RequestHead,
  backendReader: SocketReader,
  backendSocket: Socket,
  already: Buffer,
  startMicros: number,
  serverIndex: number | null,
  decision: ProxyDecision,
): Promise<'close'> {
  const { socket, runtime } = context;
  let sent = 0;
  if (already.length > 0) {
    await write(socket, already);
    sent += already.length;
  }
  for (;;) {
    const chunk = await backendReader.read(0);
    if (chunk === null) break;
    await write(socket, chunk);
    sent += chunk.length;
  }
  backendSocket.destroy();
  context.emit({ type: 'response', status: sent > 0 ? 200 : 502, explanation: sent > 0 ? 'mod_proxy_wstunnel relayed the backend\'s answer as it came' : '502: the backend closed without answering; mod_proxy_wstunnel sends the client nothing' });
  runtime.accessLog(
    {
      head,
      ...loggedEnvironment(decision),
      requestLine: requestLineOf(head),
      status: sent > 0 ? 200 : 502,
      bodyBytes: sent,
      responseHeaders: [],
      bytesIn: head.consumed,
      bytesOut: sent,
      startMicros,
      serverIndex,
      filename: decision.canonicalFilename ?? decision.filename,
      aborted: false,
    },
    context,
  );
  return 'close';
}

/** The side whose end of stream or reset ended the tunnel; null when the proxy ended it. */
function tunnelEndedBy(reason: TunnelSummary['reason'], failedSide: TunnelSide | null): TunnelSide | null {
  if (reason === 'client-closed') return 'client';
  if (reason === 'backend-closed') return 'backend';
  return reason === 'error' ? failedSide : null;
}

function backendRequestText(plan: BackendPlan, head: RequestHead, prefetched: PrefetchedBody | null): string {
  const headers = prefetched ? frameChunkedBody(plan.request, { bytes: prefetched.payload.length, complete: prefetched.complete }) : [...plan.request.headers];
  const has = (name: string) => headers.some(([header]) => header.toLowerCase() === name);
  // The engine writes the body framing header where httpd puts it; add it only if it did not.
  if (plan.request.bodyFraming === 'content-length' && !has('content-length')) {
    const length = head.headers.find(([name]) => name.toLowerCase() === 'content-length')?.[1];
    if (length !== undefined) headers.push(['Content-Length', length]);
  } else if (plan.request.bodyFraming === 'chunked' && !prefetched && !has('transfer-encoding')) {
    headers.push(['Transfer-Encoding', 'chunked']);
  }
  return `${plan.request.requestLine}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
}

/** Requests whose "100 Continue" httpd's HTTP_IN filter already sent. */
const continueSent = new WeakSet<RequestHead>();

/**
 * mod_proxy_http reads the request body (ap_proxy_http_prefetch) before it connects. When it does
 * not forward Expect: 100-continue (Proxy100Continue Off, force-proxy-request-1.0), that blocking
 * read makes the HTTP_IN filter answer "100 Continue" itself: HTTP/1.1 clients that expect it and
 * sent a body (Content-Length > 0 or chunked) only. Once per request (a balancer may try again).
 */
async function continueBeforeBodyRead(context: RequestContext, head: RequestHead, plan: BackendPlan): Promise<void> {
  if (continueSent.has(head) || plan.module !== 'proxy_http' || !interimReachesClient(head, 100)) return;
  if (plan.request.headers.some(([name]) => name.toLowerCase() === 'expect')) return;
  if (requestBodyFraming(head.headers).kind === 'none') return;
  continueSent.add(head);
  await write(context.socket, latin1Bytes('HTTP/1.1 100 Continue\r\n\r\n'));
}

/** A 1xx answer other than 101, which ends the exchange by switching protocols. */
function isInterimStatus(status: number): boolean {
  return status >= 100 && status < 200 && status !== 101;
}

/** ap_send_interim_response: nothing to an HTTP/1.0 client, and 100 only to one that sent Expect: 100-continue. */
function interimReachesClient(head: RequestHead, status: number): boolean {
  if (head.versionNumber < 1001) return false;
  if (status !== 100) return true;
  return head.headers.some(([name, value]) => name.toLowerCase() === 'expect' && value.toLowerCase() === '100-continue');
}

/** How long the prefetch waits for more of a chunked body: httpd's read is non-blocking. */
const PREFETCH_WAIT_MS = 10;

interface PrefetchedBody {
  /** The chunked bytes as the client sent them. */
  raw: Buffer;
  /** The same body without chunk framing. */
  payload: Buffer;
  /** The whole body arrived within the prefetch: it goes out with Content-Length. */
  complete: boolean;
  decoder: BodyDecoder;
}

/**
 * ap_proxy_http_prefetch: read what has already arrived of a chunked client body, up to
 * MAX_MEM_SPOOL. A body that ends within it is sent with Content-Length, any other is streamed
 * chunked.
 */
async function prefetchChunkedBody(context: RequestContext, head: RequestHead): Promise<PrefetchedBody> {
  const payload: Buffer[] = [];
  const raw: Buffer[] = [];
  const decoder = new BodyDecoder(requestBodyFraming(head.headers), { onChunkData: (data) => payload.push(Buffer.from(data)) });
  let failed = false;
  while (decoder.payloadLength < PREFETCH_LIMIT_BYTES - 1) {
    const chunk = await context.reader.read(PREFETCH_WAIT_MS);
    if (chunk === null) break;
    const progress = decoder.push(chunk);
    raw.push(chunk.subarray(0, progress.consumed));
    if (progress.done || progress.error) {
      context.reader.unshift(chunk.subarray(progress.consumed));
      failed = progress.error !== undefined;
      break;
    }
  }
  return { raw: Buffer.concat(raw), payload: Buffer.concat(payload), complete: decoder.done && !failed, decoder };
}

/** Send a prefetched body (de-chunked when complete), then relay whatever of it is still to come. */
async function sendPrefetchedBody(context: RequestContext, prefetched: PrefetchedBody, backend: Socket): Promise<number> {
  if (prefetched.complete) {
    await write(backend, prefetched.payload);
    return prefetched.raw.length;
  }
  await write(backend, prefetched.raw);
  if (prefetched.decoder.done) return prefetched.raw.length;
  return prefetched.raw.length + (await relayBodyRest(context, prefetched.decoder, backend));
}

/** The part of the request body the client has already sent, taken from the reader; null without a body. */
function takeArrivedBody(context: RequestContext, head: RequestHead): { bytes: Buffer; decoder: BodyDecoder } | null {
  const framing = requestBodyFraming(head.headers);
  if (framing.kind === 'none') return null;
  const decoder = new BodyDecoder(framing);
  const arrived = context.reader.takePending();
  const progress = decoder.push(arrived);
  context.reader.unshift(arrived.subarray(progress.consumed));
  return { bytes: arrived.subarray(0, progress.consumed), decoder };
}

async function relayBodyRest(context: RequestContext, decoder: BodyDecoder, backend: Socket): Promise<number> {
  let total = 0;

  for (;;) {
    const chunk = await context.reader.read(context.runtime.timeoutMs);
    if (chunk === null) return total;
    const progress = decoder.push(chunk);
    const body = chunk.subarray(0, progress.consumed);
    total += body.length;
    await write(backend, body);
    if (progress.done || progress.error) {
      context.reader.unshift(chunk.subarray(progress.consumed));
      return total;
    }
  }
}

/**
 * core's default_handler: read and discard the request body under LimitRequestBody, then answer
 * as routed (404), or 413 when the body is over the limit. %I counts the body bytes read.
 */
async function answerAfterDiscardingBody(
  context: RequestContext,
  head: RequestHead,
  decision: ResponseDecision,
  startMicros: number,
  discard: { limitBytes: number; thenLog: ErrorLogEntry[] },
): Promise<'keep-alive' | 'close'> {
  const serverIndex = decision.server?.virtualHostIndex ?? null;
  const log = (entry: ErrorLogEntry) => context.runtime.log(entry, serverIndex, context.connection);
  const framing = requestBodyFraming(head.headers);
  const tooLong = framing.kind === 'content-length' ? contentLengthOverLimit(framing.length, discard.limitBytes, context.client) : null;
  const read = tooLong ? { ok: true as const, consumed: 0 } : await readBodyUnderLimit(context, framing, discard.limitBytes);
  if (!read.ok && read.overLimit === null) return 'close';
  const overLimit = tooLong ?? (read.ok ? null : read.overLimit);
  if (overLimit) {
    log(overLimit);
    const explanation = `the request body is larger than LimitRequestBody ${discard.limitBytes}: 413 (${overLimit.code})`;
    // The 413 is an error of its own: no Allow of the method answer it replaces.
    return respondFromProxy(context, head, { ...decision, headers: [] }, startMicros, { status: 413, explanation }, { bytesInBody: read.consumed });
  }
  discard.thenLog.forEach(log);
  return respondFromProxy(context, head, decision, startMicros, { status: decision.status, explanation: decision.explanation }, { bytesInBody: read.consumed });
}

/** Read a request body to its end; stops early (413) when chunk data passes `limitBytes`. */
async function readBodyUnderLimit(
  context: RequestContext,
  framing: BodyFraming,
  limitBytes: number,
): Promise<{ ok: true; consumed: number } | { ok: false; consumed: number; overLimit: ErrorLogEntry | null }> {
  if (framing.kind === 'none') return { ok: true, consumed: 0 };
  const decoder = new BodyDecoder(framing, { payloadLimit: limitBytes });
  let consumed = 0;
  for (;;) {
    const chunk = await context.reader.read(context.runtime.timeoutMs);
    if (chunk === null) return { ok: false, consumed, overLimit: null };
    const progress = decoder.push(chunk);
    consumed += progress.consumed;
    if (progress.consumed < chunk.length) context.reader.unshift(chunk.subarray(progress.consumed));
    if (progress.error?.code === 'BODY_OVER_LIMIT') return { ok: false, consumed, overLimit: chunkedBodyOverLimit(decoder.payloadLength, limitBytes, context.client) };
    if (progress.error) return { ok: false, consumed, overLimit: null };
    if (progress.done) return { ok: true, consumed };
  }
}

/** Drop an unread request body so a keep-alive connection stays in step; false when it could not be read. */
async function discardRequestBody(context: RequestContext, head: RequestHead): Promise<{ ok: boolean; bytes: number }> {
  return discardBody(context, requestBodyFraming(head.headers));
}

/** Read and drop a body; `bytes` counts what was read of it, framing included (mod_logio's view). */
async function discardBody(context: RequestContext, framing: BodyFraming): Promise<{ ok: boolean; bytes: number }> {
  if (framing.kind === 'none') return { ok: true, bytes: 0 };
  const decoder = new BodyDecoder(framing);
  let bytes = 0;
  for (;;) {
    const chunk = await context.reader.read(context.runtime.timeoutMs);
    if (chunk === null) return { ok: false, bytes };
    const progress = decoder.push(chunk);
    if (progress.error) return { ok: false, bytes: bytes + chunk.length };
    if (progress.done) {
      context.reader.unshift(chunk.subarray(progress.consumed));
      return { ok: true, bytes: bytes + progress.consumed };
    }
    bytes += chunk.length;
  }
}

async function relayResponseBody(
  reader: SocketReader,
  client: Socket,
  framing: ReturnType<typeof responseBodyFraming>,
  leftover: Buffer,
  timeoutMs: number,
  chunked = false,
): Promise<{ sent: number; complete: boolean }> {
  if (framing.kind === 'none') return { sent: 0, complete: true };
  const decoder = new BodyDecoder(framing);
  let sent = 0;
  let pending: Buffer | null = leftover.length > 0 ? leftover : null;
  for (;;) {
    const chunk = pending ?? (await reader.read(timeoutMs));
    pending = null;
    if (chunk === null) {
      const progress = decoder.finish();
      if (chunked) await write(client, latin1Bytes('0\r\n\r\n'));
      return { sent, complete: progress.done && !progress.error };
    }
    const progress = decoder.push(chunk);
    const data = chunk.subarray(0, progress.consumed);
    // The access log's %B counts the body, not the chunk framing around it.
    sent += data.length;
    await write(client, chunked && data.length > 0 ? Buffer.concat([latin1Bytes(`${data.length.toString(16)}\r\n`), data, latin1Bytes('\r\n')]) : data);
    if (progress.done) return { sent, complete: true };
    if (progress.error) return { sent, complete: false };
  }
}

function summarizeDecision(decision: RouteDecision) {
  const matched = decision.matched ? { directive: decision.matched.directive, file: decision.matched.source.file, line: decision.matched.source.line, text: decision.matched.text } : undefined;
  if (decision.kind === 'proxy') {
    return {
      outcome: 'proxy',
      explanation: decision.explanation,
      matched,
      targetUrl: decision.backend?.url ?? decision.balancer?.name,
      upgrade: decision.backend?.upgrade.forwarded ?? false,
    };
  }
  const outcome = decision.reason === 'redirect' ? 'redirect' : decision.reason === 'forbidden' ? 'deny' : decision.reason === 'not-found' ? 'not-found' : decision.reason === 'bad-request' ? 'bad-request' : 'error';
  return { outcome, explanation: decision.explanation, matched };
}

/** ap_set_keepalive answers a client's "Connection: keep-alive" token with Keep-Alive headers, any HTTP version. */
function clientSentKeepAlive(head: Pick<RequestHead, 'headers'>): boolean {
  return head.headers.some(([name, value]) => name.toLowerCase() === 'connection' && /(^|,)\s*keep-alive\s*(,|$)/i.test(value));
}

function requestLineOf(head: RequestHead): string {
  return head.http09 ? `${head.method} ${head.target}` : `${head.method} ${head.target} ${head.version}`;
}

function headText(statusLine: string, headers: ReadonlyArray<readonly [string, string]>): string {
  return `${statusLine}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
}

/**
 * The cause httpd names when the backend reset the connection instead of closing it: APR reports
 * ECONNRESET from the read ("(104)Connection reset by peer"), where a plain close is an EOF.
 */
function resetCause(reader: SocketReader): string | undefined {
  const code = (reader.error as NodeJS.ErrnoException | null)?.code;
  return code === 'ECONNRESET' ? describeOsError(code) : undefined;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function latin1Bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

function write(socket: Socket, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed || !socket.writable) {
      resolve();
      return;
    }
    socket.write(bytes, () => resolve());
  });
}

export type { Hop };

/** err_headers_out over httpd's error page: a Connection token goes before the page's own ("Upgrade, close"). */
function mergeErrorHeaders(headers: Array<[string, string]>, errorHeaders: ReadonlyArray<readonly [string, string]>): void {
  for (const [name, value] of errorHeaders) {
    const lower = name.toLowerCase();
    if (lower === 'location') continue;
    const existing = headers.findIndex(([present]) => present.toLowerCase() === lower);
    if (lower === 'connection' && existing !== -1) headers[existing] = [headers[existing][0], `${value}, ${headers[existing][1]}`];
    else if (existing !== -1) headers[existing] = [headers[existing][0], value];
    else headers.push([name, value]);
  }
}
