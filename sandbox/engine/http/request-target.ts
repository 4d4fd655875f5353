/**
 * How httpd splits a request target (ap_parse_uri over apr_uri_parse): leading "//" collapsed,
 * scheme, host, port, user info, path, query and fragment. Only what request parsing and error
 * pages need; percent-decoding happens later in httpd and is not done here.
 */

export interface ParsedTarget {
  scheme?: string;
  user?: string;
  password?: string;
  hostname?: string;
  port?: string;
  /** The path as apr_uri_parse found it; absent for "http://host" or "?query". */
  path?: string;
  query?: string;
  fragment?: string;
}

/** Result of splitting a target: the parts, or `null` where apr_uri_parse fails (APR_EGENERAL). */
export function parseRequestTarget(target: string, isConnect = false): ParsedTarget | null {
  // httpd treats the target as a path first: "//x" is not an authority here (PR 31875, 28450).
  let uri = target;
  while (uri.startsWith('//')) uri = uri.slice(1);
  if (isConnect) return parseHostInfo(uri);
  return parseUri(uri);
}

/** The path httpd works with (r->uri): the parsed path, or "/" (or "*" for OPTIONS) when none. */
export function requestPathOf(parsed: ParsedTarget, method: string): string {
  if (parsed.path !== undefined) return parsed.path;
  return method === 'OPTIONS' ? '*' : '/';
}

function parseUri(uri: string): ParsedTarget | null {
  if (uri.startsWith('/')) {
    // Three or more slashes cannot reach here (collapsed above), so "//" is the only authority case.
    if (uri[1] === '/') return parseAuthorityAndPath(uri.slice(2), {});
    return parsePathQueryFragment(uri, {});
  }

  let position = 0;
  if (/[A-Za-z]/.test(uri[0] ?? '')) {
    position = 1;
    while (position < uri.length && /[A-Za-z0-9+.-]/.test(uri[position])) position++;
  }
  const result: ParsedTarget = {};
  let rest = uri;
  if (position > 0 && uri[position] === ':') {
    result.scheme = uri.slice(0, position);
    rest = uri.slice(position + 1);
  }
  if (!rest.startsWith('//')) {
    if (result.scheme === undefined) {
      // RFC 3986 3.3: without scheme and authority the first segment must not contain ':'.
      const firstSlash = uri.indexOf('/');
      const firstSegment = firstSlash >= 0 ? uri.slice(0, firstSlash) : uri;
      if (firstSegment.includes(':')) return null;
    }
    return parsePathQueryFragment(rest, result);
  }
  return parseAuthorityAndPath(rest.slice(2), result);
}

function parseAuthorityAndPath(afterSlashes: string, result: ParsedTarget): ParsedTarget | null {
  let end = 0;
  while (end < afterSlashes.length && !'/?#'.includes(afterSlashes[end])) end++;
  let hostinfo = afterSlashes.slice(0, end);
  const at = hostinfo.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = hostinfo.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) {
      result.user = userinfo.slice(0, colon);
      result.password = userinfo.slice(colon + 1);
    } else {
      result.user = userinfo;
    }
    hostinfo = hostinfo.slice(at + 1);
  }
  const host = parseHostInfo(hostinfo);
  if (host === null) return null;
  Object.assign(result, host);
  return parsePathQueryFragment(afterSlashes.slice(end), result);
}

/** host[:port] or [v6]:port; a port with anything but digits fails, as strtol's leftovers do in apr. */
function parseHostInfo(hostinfo: string): ParsedTarget | null {
  let portSeparator: number;
  let hostname: string;
  if (hostinfo.startsWith('[')) {
    const close = hostinfo.indexOf(']');
    if (close < 0) return null;
    hostname = hostinfo.slice(1, close);
    portSeparator = hostinfo[close + 1] === ':' ? close + 1 : -1;
  } else {
    portSeparator = hostinfo.indexOf(':');
    hostname = portSeparator >= 0 ? hostinfo.slice(0, portSeparator) : hostinfo;
  }
  if (portSeparator < 0) return { hostname };
  const port = hostinfo.slice(portSeparator + 1);
  if (port !== '' && !/^[+-]?\d+$/.test(port.trimStart())) return null;
  return { hostname, port };
}

function parsePathQueryFragment(text: string, result: ParsedTarget): ParsedTarget {
  let end = 0;
  while (end < text.length && text[end] !== '?' && text[end] !== '#') end++;
  if (end > 0) result.path = text.slice(0, end);
  if (end === text.length) return result;
  if (text[end] === '?') {
    const rest = text.slice(end + 1);
    const hash = rest.indexOf('#');
    if (hash >= 0) {
      result.query = rest.slice(0, hash);
      result.fragment = rest.slice(hash + 1);
    } else {
      result.query = rest;
    }
    return result;
  }
  result.fragment = text.slice(end + 1);
  return result;
}
