/**
 * How httpd checks and normalises the request's host (fix_hostname and strict_hostname_check in
 * server/vhost.c, under the default HttpProtocolOptions Strict): lower-cased, trailing dot
 * dropped, port split off, and names that could not be DNS names or dotted IPv4 refused with 400.
 */

/** One debug-level error-log line httpd writes while refusing a host. */
export interface HostLogLine {
  code: string;
  message: string;
}

export type HostCheck =
  | { ok: true; hostname?: string; port?: number; ipv6: boolean }
  | { ok: false; log: HostLogLine[] };

/**
 * Check a Host header value, or (with `fromTarget`) a host taken from an absolute-form request
 * target, which httpd has already split from its port.
 */
export function checkHost(value: string, fromTarget = false): HostCheck {
  // RFC 2616 allows an empty Host; httpd then has no hostname, which HTTP/1.1 later refuses.
  if (value === '') return { ok: true, ipv6: false };
  if (/^\d+$/.test(value)) {
    return { ok: false, log: [{ code: 'AH02416', message: `[strict] purely numeric host names not allowed: ${value}` }] };
  }

  let host: string;
  let port: number | undefined;
  let ipv6: boolean;
  if (fromTarget) {
    host = value;
    ipv6 = value.includes(':');
  } else {
    const split = splitAddressAndPort(value);
    if (split === null) return malformed(value);
    host = split.host;
    port = split.port;
    ipv6 = value.startsWith('[');
  }

  if (ipv6) return isIpv6(host) ? { ok: true, hostname: host.toLowerCase(), port, ipv6 } : malformed(value);

  const normalised = normaliseName(host);
  if (normalised === null) return malformed(value);
  const strictProblem = strictHostnameProblem(normalised);
  if (strictProblem !== null) return { ok: false, log: [strictProblem, ...malformed(value).log] };
  return { ok: true, hostname: normalised, port, ipv6: false };
}

function malformed(value: string): { ok: false; log: HostLogLine[] } {
  return { ok: false, log: [{ code: 'AH00550', message: `Client sent malformed Host header: ${value}` }] };
}

/** apr_parse_addr_port: a trailing ":digits" is the port (1-65535); otherwise the whole value is the host. */
function splitAddressAndPort(value: string): { host: string; port?: number } | null {
  let index = value.length - 1;
  while (index >= 0 && value.charCodeAt(index) >= 0x30 && value.charCodeAt(index) <= 0x39) index--;
  if (value[index] === ':' && index < value.length - 1) {
    if (index === 0) return null;
    const port = Number.parseInt(value.slice(index + 1), 10);
    if (port < 1 || port > 65535) return null;
    return checkBrackets(value.slice(0, index), port);
  }
  return checkBrackets(value, undefined);
}

function checkBrackets(host: string, port: number | undefined): { host: string; port?: number } | null {
  if (!host.startsWith('[')) return port === undefined ? { host } : { host, port };
  // A bracketed literal must end right at its ']' and may not carry a zone id in a Host header.
  if (!host.endsWith(']') || host.includes('%')) return null;
  const literal = host.slice(1, -1);
  return port === undefined ? { host: literal } : { host: literal, port };
}

function isIpv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(':')) return false;
  const doubleColons = text.split('::').length - 1;
  if (doubleColons > 1) return false;
  const groups = text.split(':').filter((group) => group !== '');
  const hasIpv4Tail = groups.length > 0 && groups[groups.length - 1].includes('.');
  const limit = hasIpv4Tail ? 7 : 8;
  if (groups.length > limit || (doubleColons === 0 && groups.length !== limit)) return false;
  return groups.every((group, index) =>
    index === groups.length - 1 && hasIpv4Tail ? /^(\d{1,3}\.){3}\d{1,3}$/.test(group) : /^[0-9A-Fa-f]{1,4}$/.test(group),
  );
}

/** fix_hostname_non_v6: lower-case, refuse "..", "/" and "\", drop one trailing dot. */
function normaliseName(host: string): string | null {
  if (host.includes('..') || host.includes('/') || host.includes('\\')) return null;
  const lowered = host.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  return lowered.endsWith('.') ? lowered.slice(0, -1) : lowered;
}

/** strict_hostname_check: letters, digits, "-", "_" and dots; dotted quads exact; a TLD starting with a letter. */
function strictHostnameProblem(host: string): HostLogLine | null {
  let dottedDecimal = true;
  let leadingZeroes = false;
  let dots = 0;
  for (let index = 0; index < host.length; index++) {
    const character = host[index];
    if (/[A-Za-z_-]/.test(character)) {
      dottedDecimal = false;
    } else if (character === '.') {
      dots++;
      if (host[index + 1] === '0' && /\d/.test(host[index + 2] ?? '')) leadingZeroes = true;
    } else if (!/\d/.test(character)) {
      // This is also what refuses two Host headers: their merged value contains a comma.
      return invalidHost(host, host.slice(index));
    }
  }
  if (dottedDecimal) {
    if (host.startsWith('.') || (host[0] === '0' && /\d/.test(host[1] ?? ''))) leadingZeroes = true;
    return leadingZeroes || dots !== 3 ? invalidHost(host, '') : null;
  }
  const lastDot = host.lastIndexOf('.');
  if (lastDot >= 0 && lastDot < host.length - 1 && !/[A-Za-z]/.test(host[lastDot + 1])) {
    return invalidHost(host, host.slice(lastDot));
  }
  return null;
}

function invalidHost(host: string, near: string): HostLogLine {
  return {
    code: 'AH02415',
    message: `[strict] Invalid host name '${host}'${near !== '' ? `, problem near: ${near.slice(0, 6)}` : ''}`,
  };
}
