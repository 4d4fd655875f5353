/**
 * Address parsing shared by Listen and <VirtualHost>, following APR's apr_parse_addr_port: the
 * port is the run of digits at the end after a ':'; everything before is the host, which httpd
 * then resolves (so "::1" without brackets is host ":" port 1, and fails to resolve).
 */
import { atoi } from './c-numbers.ts';

/** A parsed `[host][:port]`; port 0 when none was given. */
export interface AddressPort {
  host: string | null;
  /** IPv6 scope id after '%', if any. */
  scopeId: string | null;
  port: number;
}

/** Parse `[host][:port]`; null when APR says the address or port is invalid. */
export function parseAddressPort(text: string): AddressPort | null {
  let last = text.length - 1;
  while (last >= 0 && /\d/.test(text[last])) last--;
  if (last < 0) {
    if (text === '') return null;
    const port = atoi(text);
    return port >= 1 && port <= 65535 ? { host: null, scopeId: null, port } : null;
  }
  let port = 0;
  let hostEnd = text.length;
  // A ':' counts only with digits after it: "127.0.0.1:" is all host.
  if (text[last] === ':' && last !== text.length - 1) {
    if (last === 0) return null;
    hostEnd = last;
    port = atoi(text.slice(last + 1));
    if (port < 1 || port > 65535) return null;
  }
  let host = text.slice(0, hostEnd);
  let scopeId: string | null = null;
  if (host.startsWith('[')) {
    // The first ']' must end the host; a scope id only exists in this bracketed form.
    if (host.indexOf(']') !== host.length - 1) return null;
    host = host.slice(1, -1);
    const percent = host.indexOf('%');
    if (percent !== -1) {
      if (percent === host.length - 1) return null;
      scopeId = host.slice(percent + 1);
      host = host.slice(0, percent);
    }
    if (!isIpv6(host)) return null;
  }
  if (host === '') return null;
  return { host, scopeId, port };
}

/** A dotted-quad IPv4 address. */
export function isIpv4(text: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) && text.split('.').every((part) => Number(part) <= 255);
}

/** An IPv6 address in any of its textual forms (with "::", or an IPv4 tail). */
export function isIpv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  const last = groups[groups.length - 1];
  const ipv4Tail = last !== undefined && last.includes('.');
  if (ipv4Tail && !isIpv4(last)) return false;
  const hexGroups = ipv4Tail ? groups.slice(0, -1) : groups;
  if (!hexGroups.every((group) => /^[0-9A-Fa-f]{1,4}$/.test(group))) return false;
  const count = hexGroups.length + (ipv4Tail ? 2 : 0);
  return halves.length === 2 ? count < 8 : count === 8;
}

/** IP literals resolve without DNS. */
export function isIpLiteral(host: string): boolean {
  return isIpv4(host) || isIpv6(host);
}
