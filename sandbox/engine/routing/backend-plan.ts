/**
 * The scheme handler stage of proxy_handler() (modules/proxy/mod_proxy.c) for one backend URL:
 * which submodule takes it, whether the WebSocket upgrade is forwarded, the request head it
 * writes (ap_proxy_create_hdrbrgd in proxy_util.c, then terminate_headers in mod_proxy_http.c or
 * the fixed Upgrade/Connection lines of mod_proxy_wstunnel.c), and the timeouts that apply.
 *
 * Handler order: mod_proxy_wstunnel runs before mod_proxy_http. When mod_proxy_http is loaded and
 * ProxyWebsocketFallbackToProxyHttp is On (the default), wstunnel declines everything and
 * mod_proxy_http serves ws:// and wss:// itself (httpd 2.4.47+). https:// and wss:// need an
 * outgoing TLS provider (mod_ssl); without one mod_proxy_http declines them too. When no handler
 * takes the URL, proxy_handler answers 500 with AH01144.
 */
import type { ErrorLogEntry } from '../logs/error-log.ts';
import { clearConnectionHeaders, HeaderTable, type HeaderPair } from './header-table.ts';
import { defaultPortOf } from './workers.ts';
import type { BackendPlan, BackendRequestHead, PreparedProxyRequest, ProxyModuleName, UpgradeDecision, WorkerSettings } from './types.ts';

/** A backend URL split like apr_uri_parse. */
export interface ParsedBackendUrl {
  scheme: string;
  host: string;
  /** Port to connect to (the scheme's default when none was written). */
  port: number;
  /** The port as written in the URL, or null. */
  portText: string | null;
  /** Path and query to put on the request line ("/" at least). */
  pathAndQuery: string;
}

/** Parse an absolute backend URL; null when it has no host. */
export function parseBackendUrl(url: string): ParsedBackendUrl | null {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/:?#]*)(?::(\d*))?([^#]*)/.exec(url);
  if (!match || match[2] === '') return null;
  const scheme = match[1].toLowerCase();
  const portText = match[3] ? match[3] : null;
  const rest = match[4];
  return {
    scheme,
    host: match[2].replace(/^\[|\]$/g, ''),
    port: portText ? Number(portText) : defaultPortOf(scheme),
    portText,
    pathAndQuery: rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest,
  };
}

/** Which scheme handler takes the URL, or why none does. */
export function chooseSchemeHandler(
  scheme: string,
  prepared: PreparedProxyRequest,
): { module: ProxyModuleName } | { module: null; reason: string } {
  const has = (name: string) => prepared.modules.has(name);
  const tls = scheme === 'https' || scheme === 'wss';
  if ((scheme === 'ws' || scheme === 'wss') && has('mod_proxy_wstunnel.c') && !prepared.wstunnelFallsBack) {
    return { module: 'proxy_wstunnel' };
  }
  if (['http', 'https', 'ws', 'wss'].includes(scheme)) {
    if (!has('mod_proxy_http.c')) {
      return { module: null, reason: `no loaded module handles ${scheme}:// (mod_proxy_http is not loaded)` };
    }
    if (tls && !prepared.sslLoaded) {
      return { module: null, reason: `mod_proxy_http declines ${scheme}:// because no TLS module (mod_ssl) is loaded` };
    }
    return { module: 'proxy_http' };
  }
  return { module: null, reason: `no loaded module handles the scheme '${scheme}'` };
}

/** Decide the upgrade like proxy_http_handler() / proxy_wstunnel_handler(). */
export function decideUpgrade(
  module: ProxyModuleName,
  scheme: string,
  clientUpgrade: string | null,
  worker: WorkerSettings,
  force10: boolean,
): UpgradeDecision {
  const websocketScheme = scheme === 'ws' || scheme === 'wss';
  if (module === 'proxy_wstunnel') {
    const ok = clientUpgrade !== null && workerCanUpgrade(worker.upgrade, clientUpgrade, 'WebSocket');
    const method = worker.upgrade || 'WebSocket';
    const sent = method.toUpperCase() === 'NONE' ? 'WebSocket' : method.toUpperCase() === 'ANY' ? clientUpgrade : method;
    return ok
      ? { requested: clientUpgrade, forwarded: true, sentUpgrade: sent, reason: `mod_proxy_wstunnel tunnels "Upgrade: ${clientUpgrade}" and sends "Upgrade: ${sent}"` }
      : { requested: clientUpgrade, forwarded: false, sentUpgrade: null, reason: `mod_proxy_wstunnel requires "Upgrade: ${method}"` };
  }
  if (clientUpgrade === null) {
    return { requested: null, forwarded: false, sentUpgrade: null, reason: 'the client sent no Upgrade header: an ordinary HTTP request' };
  }
  if (force10) {
    return { requested: clientUpgrade, forwarded: false, sentUpgrade: null, reason: 'force-proxy-request-1.0 sends HTTP/1.0, which cannot upgrade' };
  }
  if (!worker.upgrade && !websocketScheme) {
    return {
      requested: clientUpgrade,
      forwarded: false,
      sentUpgrade: null,
      reason: `${scheme}:// without upgrade= drops the Upgrade header: the backend answers plain HTTP and the WebSocket client fails`,
    };
  }
  if (workerCanUpgrade(worker.upgrade, clientUpgrade, websocketScheme ? 'WebSocket' : null)) {
    return {
      requested: clientUpgrade,
      forwarded: true,
      sentUpgrade: clientUpgrade,
      reason: worker.upgrade ? `upgrade=${worker.upgrade} accepts "Upgrade: ${clientUpgrade}"` : `${scheme}:// forwards "Upgrade: WebSocket" by default`,
    };
  }
  return {
    requested: clientUpgrade,
    forwarded: false,
    sentUpgrade: null,
    reason: `"Upgrade: ${clientUpgrade}" is not accepted by ${worker.upgrade ? `upgrade=${worker.upgrade}` : `the ${scheme}:// default (WebSocket)`}; it is sent as plain HTTP`,
  };
}

/** ap_proxy_worker_can_upgrade(): "*", the exact value, a listed token, or the default. */
export function workerCanUpgrade(workerUpgrade: string, upgrade: string, fallback: string | null): boolean {
  if (workerUpgrade) {
    if (workerUpgrade === '*' || workerUpgrade.toLowerCase() === upgrade.toLowerCase()) return true;
    return findToken(workerUpgrade, upgrade);
  }
  return fallback !== null && fallback.toLowerCase() === upgrade.toLowerCase();
}

/** Separators and controls (T_HTTP_TOKEN_STOP in server/gen_test_char.c). */
const TOKEN_STOP = /[\x00-\x1f\x7f \t()<>@,;:\\"/[\]?={}]/;

/**
 * ap_find_token(line, tok) as server/util.c does it: each token of `line` is compared with the
 * first token-length characters of `tok` (ap_cstr_casecmpn), so "Upgrade: websocket, h2c" or
 * "websocketx" is accepted by upgrade=websocket.
 */
export function findToken(line: string, tok: string): boolean {
  let index = 0;
  for (;;) {
    while (index < line.length && TOKEN_STOP.test(line[index])) index++;
    if (index >= line.length) return false;
    const start = index;
    while (index < line.length && !TOKEN_STOP.test(line[index])) index++;
    const token = line.slice(start, index);
    if (tok.slice(0, token.length).toLowerCase() === token.toLowerCase()) return true;
  }
}

/** ap_proxy_create_hdrbrgd() + terminate_headers() / the wstunnel trailer lines. */
export function buildBackendRequestHead(
  prepared: PreparedProxyRequest,
  url: ParsedBackendUrl,
  module: ProxyModuleName,
  upgrade: UpgradeDecision,
  client: string,
): { requestLine: string; headers: HeaderPair[]; bodyFraming: 'none' | 'content-length' | 'chunked'; log: ErrorLogEntry[] } {
  const log: ErrorLogEntry[] = [];
  const table = new HeaderTable(prepared.headers);
  const savedHost = table.get('Host');

  const transferEncoding = table.get('Transfer-Encoding');
  const contentLength = table.get('Content-Length');
  table.unset('Transfer-Encoding');
  table.unset('Content-Length');

  clearConnectionHeaders(table);
  for (const name of ['Keep-Alive', 'Upgrade', 'Trailer', 'TE']) table.unset(name);

  let host: string;
  if (!prepared.preserveHost) {
    const bracketed = url.host.includes(':') ? `[${url.host}]` : url.host;
    host = url.portText !== null && url.port !== 80 ? `${bracketed}:${url.portText}` : bracketed;
    table.set('Host', host);
  } else if (savedHost !== undefined) {
    host = savedHost;
  } else {
    host = prepared.serverHostname;
    log.push({
      module: 'proxy',
      level: 'warn',
      code: 'AH01092',
      message: `no HTTP 0.9 request (with no host line) on incoming request and preserve host set forcing hostname to be ${host} for uri ${prepared.uri}`,
      client,
    });
    table.set('Host', host);
  }

  // ap_proxy_create_hdrbrgd: ProxyVia, after the Host and before X-Forwarded-*.
  if (prepared.via === 'block') table.unset('Via');
  else if (prepared.via !== 'off') table.merge('Via', prepared.viaText);

  // Only mod_proxy_http asks for 100-continue handling (never for HTTP/1.0); otherwise Expect is dropped.
  if (!(module === 'proxy_http' && prepared.expecting100 && !prepared.force10)) table.unset('Expect');

  if (prepared.addForwardedHeaders) {
    table.merge('X-Forwarded-For', prepared.remoteAddress);
    if (savedHost !== undefined) table.merge('X-Forwarded-Host', savedHost);
    table.merge('X-Forwarded-Server', prepared.serverHostname);
  }

  // Host is always written first, whatever position it had.
  const finalHost = table.get('Host') ?? host;
  table.unset('Host');
  const headers: HeaderPair[] = [['Host', finalHost], ...table.toPairs()];

  let bodyFraming: 'none' | 'content-length' | 'chunked' = 'none';
  // mod_proxy_http reads and frames the body whether or not it forwards an upgrade.
  if (module === 'proxy_http') {
    if (transferEncoding !== undefined) bodyFraming = 'chunked';
    else if (contentLength !== undefined) bodyFraming = 'content-length';
  }

  if (bodyFraming === 'content-length' && contentLength !== undefined) headers.push(['Content-Length', contentLength]);

  if (module === 'proxy_wstunnel') {
    headers.push(['Upgrade', upgrade.sentUpgrade ?? 'WebSocket'], ['Connection', 'Upgrade']);
  } else if (prepared.force10) {
    // terminate_headers() writes no Connection line for an HTTP/1.0 request.
  } else if (upgrade.forwarded) {
    headers.push(['Connection', 'Upgrade'], ['Upgrade', upgrade.sentUpgrade ?? '']);
  } else {
    headers.push(['Connection', prepared.backendKeepAlive ? 'Keep-Alive' : 'close']);
  }

  const version = prepared.force10 ? 'HTTP/1.0' : 'HTTP/1.1';
  return { requestLine: `${prepared.method} ${url.pathAndQuery} ${version}`, headers, bodyFraming, log };
}


/** Timeouts for this backend: connect, I/O, and the idle timeout of an upgraded tunnel. */
export function computeTimeouts(prepared: PreparedProxyRequest, worker: WorkerSettings, module: ProxyModuleName): BackendPlan['timeouts'] {
  const backendSource =
    worker.timeout !== null ? `timeout=${worker.timeout}` : prepared.proxyTimeoutSet ? `ProxyTimeout ${prepared.proxyTimeout}` : `Timeout ${prepared.serverTimeout}`;
  const backend = worker.timeout ?? (prepared.proxyTimeoutSet ? prepared.proxyTimeout : prepared.serverTimeout);
  const connect = worker.connectionTimeout ?? backend;
  if (module === 'proxy_wstunnel') {
    return {
      connect,
      backend,
      tunnelIdle: null,
      explanation: `mod_proxy_wstunnel polls the tunnel without a timeout; connect ${connect}s, backend ${backendSource}`,
    };
  }
  const tunnelIdle = Math.max(prepared.serverTimeout, backend);
  return {
    connect,
    backend,
    tunnelIdle,
    explanation: `tunnel idle timeout = max(Timeout ${prepared.serverTimeout}, ${backendSource}) = ${tunnelIdle}s; connect ${connect}s${
      worker.connectionTimeout !== null ? ` (connectiontimeout=${worker.connectionTimeout})` : ''
    }`,
  };
}

/**
 * AH00961: the backend needs TLS but SSLProxyEngine is off. httpd only finds out after the TCP
 * connection succeeded (ap_proxy_connection_create_ex), so the proxy applies this then.
 */
export function tlsFailureAfterConnect(
  prepared: PreparedProxyRequest,
  module: ProxyModuleName,
  url: ParsedBackendUrl,
): BackendPlan['afterConnectFailure'] {
  const tls = url.scheme === 'https' || url.scheme === 'wss';
  if (!tls || prepared.sslProxyEngine) return null;
  const proxyFunction = module === 'proxy_wstunnel' ? url.scheme.toUpperCase() : url.scheme;
  const address = url.host.includes(':') ? `[${url.host}]:${url.port}` : `${url.host}:${url.port}`;
  return {
    status: 500,
    reason: `${url.scheme}:// means "speak TLS to the backend", which needs SSLProxyEngine on`,
    log: [
      // mod_ssl refuses first, on the backend connection (hence [remote …]); httpd prints two spaces.
      {
        module: 'core',
        level: 'error',
        code: 'AH01961',
        message: ' failed to enable ssl support [Hint: if using mod_ssl, see SSLProxyEngine]',
        remote: address,
      },
      {
        module: 'proxy',
        level: 'error',
        code: 'AH00961',
        // %pI is the address connected to; the proxy substitutes the resolved one if it differs.
        message: `${proxyFunction}: failed to enable ssl support for ${address} (${url.host})`,
      },
    ],
  };
}

/** How much of a chunked client body httpd reads before deciding how to frame it (MAX_MEM_SPOOL). */
export const PREFETCH_LIMIT_BYTES = 16384;

/**
 * The final header list for a chunked client body, once the proxy knows how much of it arrived
 * within the prefetch (ap_proxy_http_prefetch): the whole body → "Content-Length: <bytes>",
 * otherwise "Transfer-Encoding: chunked"; inserted before the trailing Connection/Upgrade lines.
 */
export function frameChunkedBody(head: BackendRequestHead, prefetched: { bytes: number; complete: boolean }): HeaderPair[] {
  if (head.bodyFraming !== 'chunked') return head.headers;
  const framing: HeaderPair = prefetched.complete ? ['Content-Length', String(prefetched.bytes)] : ['Transfer-Encoding', 'chunked'];
  const tailStart = head.headers.findIndex(([name]) => name === 'Connection' || name === 'Upgrade');
  const at = tailStart < 0 ? head.headers.length : tailStart;
  return [...head.headers.slice(0, at), framing, ...head.headers.slice(at)];
}
