/**
 * APR's apr_uri_parse / apr_uri_unparse, as mod_proxy uses them to validate and name workers.
 * Kept faithful to APR's quirks: "localhost:8080/" parses as scheme "localhost" with no host,
 * which is why httpd answers "URL must be absolute!" for it.
 */

/** The parts of a URI APR recognises. Absent parts are null. */
export interface ParsedUri {
  scheme: string | null;
  user: string | null;
  password: string | null;
  hostname: string | null;
  portText: string | null;
  port: number | null;
  path: string | null;
  query: string | null;
  fragment: string | null;
}

const SCHEME_CHAR = /[A-Za-z0-9+\-.]/;

/** Parse like apr_uri_parse; null where APR returns an error. */
export function parseUri(uri: string): ParsedUri | null {
  const result: ParsedUri = { scheme: null, user: null, password: null, hostname: null, portText: null, port: null, path: null, query: null, fragment: null };
  const dealWithPath = (text: string): ParsedUri => {
    let end = 0;
    while (end < text.length && text[end] !== '?' && text[end] !== '#') end++;
    if (end > 0) result.path = text.slice(0, end);
    if (end >= text.length) return result;
    if (text[end] === '?') {
      const rest = text.slice(end + 1);
      const hash = rest.indexOf('#');
      if (hash === -1) result.query = rest;
      else {
        result.query = rest.slice(0, hash);
        result.fragment = rest.slice(hash + 1);
      }
      return result;
    }
    result.fragment = text.slice(end + 1);
    return result;
  };
  let rest = uri;
  if (uri.startsWith('/')) {
    if (uri[1] === '/' && uri[2] !== '/') return dealWithAuthority(uri.slice(2));
    return dealWithPath(uri);
  }
  let position = 0;
  if (/[A-Za-z]/.test(uri[0] ?? '')) {
    position = 1;
    while (position < uri.length && SCHEME_CHAR.test(uri[position])) position++;
  }
  if (position > 0 && uri[position] === ':') {
    result.scheme = uri.slice(0, position);
    rest = uri.slice(position + 1);
  } else {
    rest = uri;
    position = -1;
  }
  if (!rest.startsWith('//')) {
    if (position === -1) {
      const slash = uri.indexOf('/');
      const head = slash === -1 ? uri : uri.slice(0, slash);
      if (head.includes(':')) return null;
    }
    return dealWithPath(rest);
  }
  return dealWithAuthority(rest.slice(2));

  function dealWithAuthority(text: string): ParsedUri | null {
    let end = 0;
    while (end < text.length && text[end] !== '/' && text[end] !== '?' && text[end] !== '#') end++;
    let hostinfo = text.slice(0, end);
    const at = hostinfo.lastIndexOf('@');
    if (at !== -1) {
      const userinfo = hostinfo.slice(0, at);
      const colon = userinfo.indexOf(':');
      result.user = colon === -1 ? userinfo : userinfo.slice(0, colon);
      if (colon !== -1) result.password = userinfo.slice(colon + 1);
      hostinfo = hostinfo.slice(at + 1);
    }
    let portStart: number;
    if (hostinfo.startsWith('[')) {
      const close = hostinfo.indexOf(']');
      if (close === -1) return null;
      result.hostname = hostinfo.slice(1, close);
      portStart = hostinfo[close + 1] === ':' ? close + 1 : -1;
    } else {
      portStart = hostinfo.indexOf(':');
      result.hostname = portStart === -1 ? hostinfo : hostinfo.slice(0, portStart);
    }
    if (portStart !== -1) {
      const portText = hostinfo.slice(portStart + 1);
      result.portText = portText;
      if (portText !== '') {
        const match = /^[+-]?\d*/.exec(portText);
        if (!match || match[0].length !== portText.length) return null;
        // strtol into an unsigned short: out-of-range ports wrap, as in APR.
        const port = Number.parseInt(portText, 10);
        result.port = Number.isFinite(port) ? ((port % 65536) + 65536) % 65536 : 0;
      } else {
        result.port = defaultPortOf(result.scheme);
      }
    }
    return dealWithPath(text.slice(end));
  }
}

const DEFAULT_PORTS: Record<string, number> = {
  http: 80,
  ftp: 21,
  https: 443,
  gopher: 70,
  ldap: 389,
  nntp: 119,
  snews: 563,
  imap: 143,
  pop: 110,
  sip: 5060,
  rtsp: 554,
  wais: 210,
  z39: 210,
  prospero: 191,
  nfs: 2049,
  tip: 3372,
  acap: 674,
  telnet: 23,
  ssh: 22,
};

/** apr_uri_port_of_scheme; 0 when unknown. */
export function defaultPortOf(scheme: string | null): number {
  if (!scheme) return 0;
  return DEFAULT_PORTS[scheme.toLowerCase()] ?? 0;
}

/** mod_proxy's ap_proxy_port_of_scheme: APR's table plus the proxy schemes. */
export function proxyPortOfScheme(scheme: string): number {
  const proxySchemes: Record<string, number> = { ws: 80, wss: 443, h2: 443, h2c: 80, fcgi: 8000, ajp: 8009, scgi: 4000, uwsgi: 3031 };
  return proxySchemes[scheme] ?? defaultPortOf(scheme);
}

/** apr_uri_unparse with the password revealed, as worker names are built. */
export function unparseUri(uri: ParsedUri): string {
  let out = '';
  if (uri.hostname !== null) {
    if (uri.scheme !== null) out += `${uri.scheme}:`;
    out += '//';
    if (uri.user !== null || uri.password !== null) {
      out += uri.user ?? '';
      if (uri.password !== null) out += `:${uri.password}`;
      out += '@';
    }
    const host = uri.hostname.includes(':') ? `[${uri.hostname}]` : uri.hostname;
    out += host;
    if (uri.portText !== null) {
      const isDefaultPort = uri.portText === '' || (uri.port !== null && uri.port !== 0 && uri.port === defaultPortOf(uri.scheme));
      if (!isDefaultPort) out += `:${uri.portText}`;
    }
  } else if (uri.scheme !== null) {
    out += `${uri.scheme}:`;
  }
  if (uri.path !== null) out += uri.path;
  if (uri.query !== null) out += `?${uri.query}`;
  if (uri.fragment !== null) out += `#${uri.fragment}`;
  return out;
}
