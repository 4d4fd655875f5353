/**
 * proxy_fixup() → ap_proxy_canon_url() (modules/proxy/proxy_util.c): the scheme module's canon
 * handler rewrites r->filename into the URL actually requested from the backend.
 * proxy_http_canon() (mod_proxy_http.c) and proxy_wstunnel_canon() lower-case the host, drop the
 * scheme's default port, re-encode the decoded path with ap_proxy_canonenc_ex() and append
 * r->args; "nocanon" sends the raw path instead, "mapping=encoded" the still-encoded one.
 * Under AllowEncodedSlashes NoDecode the re-encoding keeps r->uri's "%2F" as it is.
 * proxy_balancer_canon() keeps the raw path: the member's scheme canonicalises it later.
 * A URL no loaded module canonicalises is left as it is.
 */
import type { ErrorLogEntry } from '../logs/error-log.ts';
import { canonicalisePath, hasControlOrSpace } from './url-escape.ts';

/** What the canon handlers depend on. */
export interface CanonOptions {
  nocanon: boolean;
  noencode: boolean;
  /** r->args */
  args: string | null;
  /** Source names of loaded modules ("mod_proxy_http.c"). */
  modules: ReadonlySet<string>;
  /** AllowEncodedSlashes NoDecode: r->uri still holds %2F, which canonicalisation must keep. */
  keepEncodedSlashes?: boolean;
  /** A forward-proxy request (PROXYREQ_PROXY): the path is sent as received, query included. */
  forward?: boolean;
  /** mod_proxy_wstunnel canonicalises ws:// itself (no fallback to mod_proxy_http). */
  wstunnelClaimsWebSockets: boolean;
  client: string;
}

/** The canonical URL, or the error status the canon handler returns. */
export type CanonResult = { ok: true; url: string } | { ok: false; status: 400 | 403; reason: string; log: ErrorLogEntry[] };

/** Canonicalise a proxy URL (r->filename without "proxy:"). */
export function canonicaliseProxyUrl(url: string, options: CanonOptions): CanonResult {
  const schemeEnd = url.indexOf(':');
  const scheme = schemeEnd > 0 ? url.slice(0, schemeEnd).toLowerCase() : '';
  const websocket = scheme === 'ws' || scheme === 'wss';
  const module =
    scheme === 'balancer' && options.modules.has('mod_proxy_balancer.c')
      ? 'proxy_balancer'
      : websocket && options.modules.has('mod_proxy_wstunnel.c') && options.wstunnelClaimsWebSockets
        ? 'proxy_wstunnel'
        : ['http', 'https', 'ws', 'wss'].includes(scheme) && options.modules.has('mod_proxy_http.c')
          ? 'proxy_http'
          : null;
  if (module === null) return { ok: true, url };

  const log = (level: ErrorLogEntry['level'], code: string, message: string): ErrorLogEntry[] => [
    { module, level, code, message, client: options.client },
  ];
  const rest = url.slice(schemeEnd + 1);
  const netloc = splitNetloc(rest);
  if (!netloc) {
    const code = module === 'proxy_balancer' ? 'AH01157' : module === 'proxy_wstunnel' ? 'AH02439' : 'AH01083';
    return { ok: false, status: 400, reason: `the target URL ${url} has no valid host`, log: log('error', code, `error parsing URL ${url}: Invalid host/port`) };
  }
  const host = netloc.host.toLowerCase();
  const pathAfterHost = netloc.path;
  if (module === 'proxy_balancer') return { ok: true, url: `balancer://${host}/${pathAfterHost}` };

  const defaultPort = scheme === 'https' || scheme === 'wss' ? 443 : 80;
  const port = netloc.port ?? defaultPort;
  const portText = port !== defaultPort ? `:${port}` : '';
  // A host with ":" in it is written as an IPv6 literal.
  const hostText = host.includes(':') ? `[${host}]` : host;
  let path: string;
  let search: string | null = null;
  if (options.nocanon || options.forward) path = pathAfterHost;
  else if (options.noencode) {
    path = pathAfterHost;
    search = options.args;
  } else {
    const canonical = canonicalisePath(pathAfterHost, options.keepEncodedSlashes ?? false);
    if (canonical === null) {
      return { ok: false, status: 400, reason: `the path ${pathAfterHost} has a "%" that does not start a %XX escape (AllowEncodedSlashes NoDecode)`, log: [] };
    }
    path = canonical;
    search = options.args;
  }
  const wstunnel = module === 'proxy_wstunnel';
  if ((options.nocanon || options.noencode) && hasControlOrSpace(path)) {
    return {
      ok: false,
      status: 403,
      reason: 'the raw path to forward contains spaces or control characters',
      log: log('error', wstunnel ? 'AH10419' : 'AH10415', 'To be forwarded path contains control characters or spaces'),
    };
  }
  if (search !== null && hasControlOrSpace(search)) {
    return {
      ok: false,
      status: 403,
      reason: 'the query string to forward contains spaces or control characters',
      log: log('error', wstunnel ? 'AH10409' : 'AH10408', 'To be forwarded query string contains control characters or spaces'),
    };
  }
  return { ok: true, url: `${scheme}://${hostText}${portText}/${path}${search !== null ? `?${search}` : ''}` };
}

/**
 * ap_proxy_canon_netloc() on "//[user@]host[:port]/path": apr_parse_addr_port() takes trailing
 * digits after the last ":" as the port; otherwise the whole authority is the host (so a typo like
 * "ws://127.0.0.1:8802room" yields the host "127.0.0.1:8802room", which then fails DNS).
 */
function splitNetloc(rest: string): { host: string; port: number | null; path: string } | null {
  if (!rest.startsWith('//')) return null;
  const slash = rest.indexOf('/', 2);
  const authority = (slash < 0 ? rest.slice(2) : rest.slice(2, slash)).replace(/^.*@/, '');
  const path = slash < 0 ? '' : rest.slice(slash + 1);
  let host = authority;
  let port: number | null = null;
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(authority);
  if (bracketed) {
    host = bracketed[1];
    port = bracketed[2] ? Number(bracketed[2]) : null;
  } else {
    const withPort = /^(.*):(\d+)$/.exec(authority);
    if (withPort) {
      host = withPort[1];
      port = Number(withPort[2]);
    }
  }
  if (host === '' || (port !== null && (port < 1 || port > 65535))) return null;
  return { host, port, path };
}
