/**
 * The response head httpd sends to the client for a proxied request, from the backend's head:
 * ap_proxy_http_process_response() (modules/proxy/mod_proxy_http.c) strips the headers named in
 * Connection and the hop-by-hop ones (Keep-Alive, Proxy-Authenticate, TE, Trailer, Upgrade),
 * rewrites Location / Content-Location / URI through ProxyPassReverse
 * (ap_proxy_location_reverse_map in proxy_util.c); basic_http_header() (modules/http/
 * http_filters.c) writes Date and Server first, keeping the backend's own when it sent them; the
 * Header directive applies on the way out. A 101 is an interim response: the backend's headers
 * minus hop-by-hop ones, then "Connection: Upgrade" and the backend's Upgrade, no Date or Server.
 * mod_proxy_wstunnel (without the mod_proxy_http fallback) copies the backend's 101 verbatim.
 */
import type { ProxyPassReverseRule } from '../config/model.ts';
import type { ErrorLogEntry } from '../logs/error-log.ts';
import { applyHeaderOps, type HeaderOpContext } from './header-ops.ts';
import { clearConnectionHeaders, HeaderTable, type HeaderPair } from './header-table.ts';
import type { BackendPlan, ResponseContext } from './types.ts';

/** The head the backend answered with. */
export interface BackendResponseHead {
  status: number;
  /** Reason phrase as the backend wrote it. */
  reason: string;
  headers: readonly HeaderPair[];
}

/** What httpd sends the client. */
export type ClientResponseHead =
  | { kind: 'response'; status: number; reason: string; headers: HeaderPair[]; tunnel: boolean; log: ErrorLogEntry[] }
  /** httpd turns the backend's answer into an error of its own (e.g. 502 for an unexpected 101). */
  | { kind: 'error'; status: number; log: ErrorLogEntry[]; reason: string };

/** Options that are not part of the routing decision. */
export interface ResponseOptions {
  /** Value for a generated Date header (an HTTP-date); the caller owns the clock. */
  date: string;
  /** The Server banner (ServerTokens), e.g. "Apache/2.4.71 (Debian)". */
  serverBanner: string;
  env?: Readonly<Record<string, string>>;
  requestTimeMicros?: number;
  /** Now, for %D; and the machine's load for %l %i %b. */
  nowMicros?: number;
  load?: HeaderOpContext['load'];
  client: string;
  /** r->uri, for error messages. */
  uri: string;
}

const HOP_BY_HOP = ['Keep-Alive', 'Proxy-Authenticate', 'TE', 'Trailer', 'Upgrade'];

/** Build the client-facing head for a backend response to a proxied request. */
export function buildClientResponseHead(
  plan: BackendPlan,
  context: ResponseContext,
  backend: BackendResponseHead,
  options: ResponseOptions,
): ClientResponseHead {
  if (plan.module === 'proxy_wstunnel') {
    // The tunnel starts before httpd parses anything: the client gets the backend's bytes.
    return { kind: 'response', status: backend.status, reason: backend.reason, headers: [...backend.headers], tunnel: backend.status === 101, log: [] };
  }
  const table = new HeaderTable(backend.headers);
  const backendUpgrade = table.get('Upgrade');
  if (backend.status === 101) {
    const expected = plan.upgrade.forwarded ? plan.upgrade.sentUpgrade : null;
    if (!backendUpgrade || !expected || backendUpgrade.toLowerCase() !== expected.toLowerCase()) {
      const message = `Unexpected Upgrade: ${backendUpgrade ?? 'n/a'} (expecting ${expected ?? 'n/a'})`;
      return {
        kind: 'error',
        status: 502,
        reason: message,
        log: [{ module: 'proxy', level: 'error', code: 'AH00898', message: `${message} returned by ${options.uri}`, client: options.client }],
      };
    }
  }
  if (table.has('Transfer-Encoding')) table.unset('Content-Length');
  clearConnectionHeaders(table);
  for (const name of HOP_BY_HOP) table.unset(name);
  for (const name of ['Location', 'Content-Location', 'URI']) {
    table.rewriteValues(name, (value) => reverseMapLocation(value, context.proxyPassReverse, context));
  }

  // Added (not merged) to the backend's headers, also on the 101 that ap_send_interim_response sends.
  if (plan.responseVia !== null) table.add('Via', plan.responseVia);

  if (backend.status === 101) {
    table.set('Connection', 'Upgrade');
    table.set('Upgrade', backendUpgrade ?? '');
    return { kind: 'response', status: 101, reason: backend.reason, headers: table.toPairs(), tunnel: true, log: [] };
  }

  // "Header always" works on r->err_headers_out, which the header filter sends before r->headers_out.
  // ap_headers_output_filter: the "always" list on err_headers_out first, then the rest on headers_out.
  const opContext = responseHeaderOpContext(context, options);
  const errorTable = new HeaderTable(context.earlyErrorHeaders ?? []);
  applyHeaderOps(context.headerOps, 'Header', 'late', errorTable, opContext, 'always');
  applyHeaderOps(context.headerOps, 'Header', 'late', table, opContext, 'onsuccess');

  const date = table.get('Date') ?? options.date;
  const server = table.get('Server') ?? options.serverBanner;
  table.unset('Date');
  table.unset('Server');
  return {
    kind: 'response',
    status: backend.status,
    reason: backend.reason,
    headers: [['Date', date], ['Server', server], ...errorTable.toPairs(), ...table.toPairs()],
    tunnel: false,
    log: [],
  };
}

/** What Header operations read on the way out: the request's env, headers and expression view. */
export function responseHeaderOpContext(
  context: ResponseContext,
  options: { env?: Readonly<Record<string, string>>; requestTimeMicros?: number; nowMicros?: number; load?: HeaderOpContext['load'] },
): HeaderOpContext {
  return {
    env: { ...context.env, ...options.env },
    requestTimeMicros: options.requestTimeMicros ?? 0,
    nowMicros: options.nowMicros,
    expr: context.expr,
    requestHeaders: context.requestHeaders,
    load: options.load,
  };
}

/** ap_proxy_location_reverse_map() for plain (non-balancer) ProxyPassReverse targets. */
export function reverseMapLocation(url: string, rules: readonly ProxyPassReverseRule[], context: ResponseContext): string {
  for (const rule of rules) {
    const real = rule.target;
    let part = url;
    if (real.startsWith('/')) {
      const schemeAt = url.indexOf('://');
      if (schemeAt >= 0) {
        const pathAt = url.indexOf('/', schemeAt + 3);
        if (pathAt >= 0) part = url.slice(pathAt);
      }
    }
    if (real.length > 0 && part.length >= real.length && part.slice(0, real.length).toLowerCase() === real.toLowerCase()) {
      const mapped = rule.path + part.slice(real.length);
      return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(mapped) ? mapped : constructUrl(mapped, context);
    }
  }
  return url;
}

/** ap_construct_url(): make a path absolute with the name and port the client used. */
function constructUrl(path: string, context: ResponseContext): string {
  const defaultPort = context.scheme === 'https' ? 443 : 80;
  const port = context.port === defaultPort ? '' : `:${context.port}`;
  const host = context.serverName.includes(':') ? `[${context.serverName}]` : context.serverName;
  return `${context.scheme}://${host}${port}${path}`;
}

