/**
 * Where a test client or plain request goes. The page speaks in the article's terms: a path
 * ("/ws/"), or a URL ("ws://localhost:8000/ws/", "wss://example.com/ws/"), and maybe a Host
 * header; the sandbox picks the virtual port from those (default: the config's HTTP listener, or
 * 443 for TLS) and connects to the real port the proxy bound for it.
 */

export interface ClientTarget {
  /** Virtual port (80, 443, 8000...). */
  port: number;
  tls: boolean;
  /** Request target: path and query. */
  path: string;
  /** Host header to send. */
  host: string;
  /** Host name (no port), for TLS SNI. */
  hostname: string;
}

export interface TargetDefaults {
  defaultPort(tls: boolean): number;
  isTlsPort(port: number): boolean | undefined;
}

/** Resolve a path or URL, optional Host header and tls flag to a target; an error text on nonsense. */
export function resolveClientTarget(pathOrUrl: string, options: { host?: string; tls?: boolean }, defaults: TargetDefaults): ClientTarget | { error: string } {
  let tls = options.tls;
  let path = pathOrUrl;
  let authority: string | undefined;
  const absolute = /^(wss?|https?):\/\/([^/?#]*)([^#]*)/i.exec(pathOrUrl);
  if (absolute) {
    const scheme = absolute[1].toLowerCase();
    tls ??= scheme === 'wss' || scheme === 'https';
    authority = absolute[2];
    path = absolute[3] === '' ? '/' : absolute[3];
  } else if (!pathOrUrl.startsWith('/') && pathOrUrl !== '*') {
    return { error: `the path must start with "/" or be a ws://, wss://, http:// or https:// URL (got ${JSON.stringify(pathOrUrl.slice(0, 80))})` };
  }
  if (/[\s\u0000-\u001f\u007f]/.test(path)) return { error: 'the path must not contain spaces or control characters' };
  const hostHeader = options.host ?? authority;
  let hostname = 'localhost';
  let explicitPort: number | undefined;
  if (hostHeader !== undefined) {
    if (/[\s\u0000-\u001f\u007f]/.test(hostHeader)) return { error: 'the Host must not contain spaces or control characters' };
    const parsed = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostHeader);
    if (parsed) {
      hostname = parsed[1] || 'localhost';
      if (parsed[2]) explicitPort = Number(parsed[2]);
    }
  }
  if (explicitPort !== undefined && (!Number.isInteger(explicitPort) || explicitPort < 1 || explicitPort > 65535)) {
    return { error: `port ${explicitPort} is out of range` };
  }
  if (tls === undefined) tls = explicitPort !== undefined ? (defaults.isTlsPort(explicitPort) ?? explicitPort === 443) : false;
  const port = explicitPort ?? defaults.defaultPort(tls);
  const defaultForScheme = tls ? 443 : 80;
  const host = hostHeader ?? (port === defaultForScheme ? hostname : `${hostname}:${port}`);
  return { port, tls, path, host, hostname: hostname.replace(/^\[|\]$/g, '') };
}
