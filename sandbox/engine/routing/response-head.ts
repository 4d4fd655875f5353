/**
 * The response head httpd sends to the client for a proxied request, from the backend's head:
 * ap_proxy_http_process_response() (modules/proxy/mod_proxy_http.c) strips the headers named in
 * Connection and the hop-by-hop ones (Keep-Alive, Proxy-Authenticate, TE, Trailer, Upgrade),
 * rewrites Location / Content-Location / URI / Destination through ProxyPassReverse
 * (ap_proxy_location_reverse_map in proxy_util.c) and Set-Cookie through
 * ProxyPassReverseCookieDomain/Path (ap_proxy_cookie_reverse_map); basic_http_header() (modules/http/
 * http_filters.c) writes Date and Server first, keeping the backend's own when it sent them; the
 * Header directive applies on the way out. A 101 is an interim response: the backend's headers
 * minus hop-by-hop ones, then "Connection: Upgrade" and the backend's Upgrade, no Date or Server.
 * mod_proxy_wstunnel (without the mod_proxy_http fallback) copies the backend's 101 verbatim.
 */
import type { BalancerDefinition, ProxyPassReverseRule } from '../config/model.ts';
import type { ErrorLogEntry } from '../logs/error-log.ts';
import { applyHeaderOps, type HeaderOpContext } from './header-ops.ts';
import { clearConnectionHeaders, HeaderTable, type HeaderPair } from './header-table.ts';
import { workerCanUpgrade } from './backend-plan.ts';
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
  // mod_proxy_http's process_proxy_header(): these through ap_proxy_location_reverse_map, Set-Cookie
  // through ap_proxy_cookie_reverse_map; Refresh, Link and the rest pass unchanged.
  for (const name of ['Location', 'Content-Location', 'URI', 'Destination']) {
    table.rewriteValues(name, (value) => reverseMapLocation(value, context.proxyPassReverse, context));
  }
  table.rewriteValues('Set-Cookie', (value) => reverseMapCookie(value, context.proxyPassReverse));
  // The backend's Set-Cookie headers are tucked away before its head is read and laid back over
  // r->headers_out after it (apr_table_overlay): they end up after every other header.
  const cookies = table.getAll('Set-Cookie');
  if (cookies.length > 0) {
    table.unset('Set-Cookie');
    for (const cookie of cookies) table.add('Set-Cookie', cookie);
  }

  // Added (not merged) to the backend's headers, also on the 101 that ap_send_interim_response sends.
  if (plan.responseVia !== null) table.add('Via', plan.responseVia);

  if (backend.status === 101) {
    table.set('Connection', 'Upgrade');
    table.set('Upgrade', backendUpgrade ?? '');
    return { kind: 'response', status: 101, reason: backend.reason, headers: table.toPairs(), tunnel: true, log: [] };
  }

  // A final answer keeps the backend's Upgrade (a 426, say) when the worker may upgrade to it:
  // ap_proxy_worker_can_upgrade() with "WebSocket" as the default for ws:// and wss:// URLs.
  if (backendUpgrade && workerCanUpgrade(plan.worker.upgrade, backendUpgrade, plan.scheme.startsWith('w') ? 'WebSocket' : null)) {
    table.set('Connection', 'Upgrade');
    table.set('Upgrade', backendUpgrade);
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
    sslVar: context.sslVar,
  };
}

/**
 * ap_proxy_location_reverse_map(): the first ProxyPassReverse whose backend URL starts the value
 * (scheme and host without case; a target that is a bare path is compared with the path of an
 * absolute URL) gives its prefix plus the rest; a relative result is made absolute with the name,
 * scheme and port the client used. A balancer:// target compares each member's URL in turn, then
 * the balancer URL's own path after it ("ProxyPassReverse /p/ balancer://b/sub": member + "/sub").
 */
export function reverseMapLocation(url: string, rules: readonly ProxyPassReverseRule[], context: ResponseContext): string {
  const absolute = (mapped: string) => (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(mapped) ? mapped : constructUrl(mapped, context));
  for (const rule of rules) {
    if ((rule.kind ?? 'url') !== 'url') continue;
    const real = rule.target;
    const balancer = /^balancer:\/\//i.test(real) ? findBalancerFor(real, context.balancers ?? []) : null;
    if (balancer) {
      const slash = real.indexOf('/', 'balancer://'.length);
      const urlPart = slash >= 0 && slash + 1 < real.length ? real.slice(slash) : null;
      for (const member of balancer.members) {
        let name = member.url;
        if (urlPart !== null) {
          if (name.endsWith('/')) name = name.slice(0, -1);
          if (startsWithNoCase(url, name) && url.startsWith(urlPart, name.length)) {
            return absolute(rule.path + url.slice(name.length + urlPart.length));
          }
        } else if (startsWithNoCase(url, name)) {
          // httpd avoids a double slash only when the prefix is "/" itself.
          const rest = url.slice(name.length);
          return absolute(rule.path === '/' && rest.startsWith('/') ? rest : rule.path + rest);
        }
      }
      continue;
    }
    let part = url;
    if (real.startsWith('/')) {
      const schemeAt = url.indexOf('://');
      if (schemeAt >= 0) {
        const pathAt = url.indexOf('/', schemeAt + 3);
        if (pathAt >= 0) part = url.slice(pathAt);
      }
    }
    if (real.length > 0 && startsWithNoCase(part, real)) return absolute(rule.path + part.slice(real.length));
  }
  return url;
}

function startsWithNoCase(value: string, prefix: string): boolean {
  return value.length >= prefix.length && value.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();
}

/** ap_proxy_get_balancer(): the balancer named by the scheme and host of a balancer:// URL. */
function findBalancerFor(url: string, balancers: readonly BalancerDefinition[]): BalancerDefinition | null {
  const name = url.replace(/^(balancer:\/\/[^/?#]*).*$/i, '$1').toLowerCase();
  return balancers.find((balancer) => balancer.name.toLowerCase() === name) ?? null;
}

/**
 * ap_proxy_cookie_reverse_map(): split at ";", skip leading blanks; a "path=" attribute (name in
 * any case) whose value starts with a ProxyPassReverseCookiePath's first argument (with case) and a
 * "domain=" one whose value starts with a ProxyPassReverseCookieDomain's (without case) get that
 * rule's second argument as their whole value (up to the ";", trailing blanks included); the
 * first matching rule wins. The cookie's own name=value counts too ("path=/x; …" is rewritten).
 * With several path= (or domain=) attributes, the last one is replaced by what the last match gave.
 */
export function reverseMapCookie(cookie: string, rules: readonly ProxyPassReverseRule[]): string {
  type Hit = { start: number; end: number; replacement: string };
  let path: Hit | null = null;
  let domain: Hit | null = null;
  let pathValue: string | null = null;
  let domainValue: string | null = null;
  let offset = 0;
  for (const piece of cookie.split(';')) {
    const start = offset;
    offset += piece.length + 1;
    const lead = piece.length - piece.replace(/^[ \t\n\v\f\r]+/, '').length;
    const token = piece.slice(lead);
    if (token.length === 0) continue;
    const valueStart = start + lead;
    const end = start + piece.length;
    if (token.slice(0, 5).toLowerCase() === 'path=') {
      const value = token.slice(5);
      const rule = rules.find((candidate) => candidate.kind === 'cookie-path' && value.startsWith(candidate.target));
      if (rule) pathValue = rule.path;
      path = { start: valueStart + 5, end, replacement: pathValue ?? '' };
    } else if (token.slice(0, 7).toLowerCase() === 'domain=') {
      const value = token.slice(7);
      const rule = rules.find((candidate) => candidate.kind === 'cookie-domain' && startsWithNoCase(value, candidate.target));
      if (rule) domainValue = rule.path;
      domain = { start: valueStart + 7, end, replacement: domainValue ?? '' };
    }
  }
  const edits: Hit[] = [];
  if (pathValue !== null && path) edits.push({ ...path, replacement: pathValue });
  if (domainValue !== null && domain) edits.push({ ...domain, replacement: domainValue });
  let result = cookie;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + edit.replacement + result.slice(edit.end);
  }
  return result;
}

/** ap_construct_url(): make a path absolute with the name and port the client used. */
function constructUrl(path: string, context: ResponseContext): string {
  const defaultPort = context.scheme === 'https' ? 443 : 80;
  const port = context.port === defaultPort ? '' : `:${context.port}`;
  const host = context.serverName.includes(':') ? `[${context.serverName}]` : context.serverName;
  return `${context.scheme}://${host}${port}${path}`;
}

