/**
 * Address parsing shared by Listen and <VirtualHost> (APR's apr_parse_addr_port rules):
 * "80", "host", "host:80", "[::1]:80", "*:80".
 */

/** A parsed `[host][:port]`; port 0 when none was given. */
export interface AddressPort {
  host: string | null;
  port: number;
}

/** Parse `[host][:port]`; null when APR would say the address or port is invalid. */
export function parseAddressPort(text: string): AddressPort | null {
  if (text === '') return null;
  if (/^\d+$/.test(text)) {
    const port = Number(text);
    return port >= 1 && port <= 65535 ? { host: null, port } : null;
  }
  let host: string;
  let portText: string | null = null;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return null;
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return null;
      portText = rest.slice(1);
    }
    if (!host.includes(':')) return null;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon === -1) host = text;
    else if (text.indexOf(':') !== colon) {
      // An IPv6 literal without brackets carries no port.
      host = text;
    } else {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
  }
  if (host === '') return null;
  if (portText === null) return { host, port: 0 };
  if (!/^\d+$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  return { host, port };
}
