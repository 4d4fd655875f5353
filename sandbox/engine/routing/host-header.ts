/**
 * The Host header as httpd reads it: fix_hostname() in server/vhost.c with the default
 * HttpProtocolOptions Strict. It lower-cases the name, strips one trailing dot and the port, and
 * rejects what could escape a path (/, \, "..") or is not a host name in strict mode.
 */

/** A host name httpd accepted, or why it refused it. */
export type HostParse =
  | { ok: true; hostname: string; port: number | null; ipv6: boolean }
  | { ok: false; message: string; code: 'AH00550' | 'AH02416' };

/** Parse and check a Host header value (or an absolute-URI host) like fix_hostname(). */
export function parseHostHeader(value: string): HostParse {
  if (value === '') return { ok: true, hostname: '', port: null, ipv6: false };
  if (/^\d+$/.test(value)) {
    return { ok: false, code: 'AH02416', message: `[strict] purely numeric host names not allowed: ${value}` };
  }
  const malformed: HostParse = { ok: false, code: 'AH00550', message: `Client sent malformed Host header: ${value}` };
  const split = splitHostPort(value);
  if (!split) return malformed;
  if (split.ipv6) {
    const lowered = split.host.toLowerCase();
    return isValidIpv6Literal(lowered) ? { ok: true, hostname: lowered, port: split.port, ipv6: true } : malformed;
  }
  let host = split.host;
  if (host.includes('..') || host.includes('/') || host.includes('\\')) return malformed;
  host = host.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (!passesStrictCheck(host)) return malformed;
  return { ok: true, hostname: host, port: split.port, ipv6: false };
}

/** apr_parse_addr_port() for a Host value: "[v6]:port", "name:port", "name". */
function splitHostPort(value: string): { host: string; port: number | null; ipv6: boolean } | null {
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0) return null;
    const host = value.slice(1, close);
    const rest = value.slice(close + 1);
    if (host.includes('%')) return null; // a scope id is refused
    if (rest === '') return { host, port: null, ipv6: true };
    const port = parsePort(rest);
    return port === null ? null : { host, port, ipv6: true };
  }
  const colon = value.lastIndexOf(':');
  if (colon < 0) return { host: value, port: null, ipv6: false };
  if (value.indexOf(':') !== colon) return null; // bare IPv6 without brackets
  const host = value.slice(0, colon);
  if (host === '') return null;
  const port = parsePort(value.slice(colon));
  return port === null ? null : { host, port, ipv6: false };
}

function parsePort(text: string): number | null {
  if (!/^:\d+$/.test(text)) return null;
  const port = Number(text.slice(1));
  return port >= 1 && port <= 65535 ? port : null;
}

/** strict_hostname_check(): letters, digits, "-", "_", "."; dotted quads must be exact. */
function passesStrictCheck(host: string): boolean {
  if (!/^[A-Za-z0-9._-]*$/.test(host)) return false;
  const dottedDecimal = !/[A-Za-z_-]/.test(host);
  if (dottedDecimal) {
    const leadingZero = /(^|\.)0\d/.test(host) || host.startsWith('.');
    const dots = host.split('.').length - 1;
    return !leadingZero && dots === 3;
  }
  const lastDot = host.lastIndexOf('.');
  if (lastDot >= 0 && lastDot < host.length - 1 && !/[A-Za-z]/.test(host[lastDot + 1])) return false;
  return true;
}

/** fix_hostname_v6_literal(): hex digits, ":" (one "::"), and dots of an embedded IPv4. */
function isValidIpv6Literal(host: string): boolean {
  let doubleColon = false;
  for (let index = 0; index < host.length; index++) {
    const char = host[index];
    const next = host[index + 1];
    if (/[0-9a-f]/.test(char)) continue;
    if (char === ':') {
      if (next === ':') {
        if (doubleColon) return false;
        doubleColon = true;
      } else if (next === '.') {
        return false;
      }
      continue;
    }
    if (char === '.') {
      if (next === ':' || next === '.') return false;
      continue;
    }
    return false;
  }
  return true;
}
