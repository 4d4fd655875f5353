/**
 * The lines mod_proxy_wstunnel.c writes, with the source positions httpd 2.4.71 prints on them
 * (measured with `LogLevel warn proxy_wstunnel:trace8`; see
 * test/differential/scenarios/107-wstunnel-trace3-silent).
 *
 * Its hooks run before mod_proxy_http's in every proxy phase. When mod_proxy_http is loaded and
 * ProxyWebsocketFallbackToProxyHttp is On (the default), each hook only declines, with a trace5
 * line saying so, and mod_proxy_http does the work. Otherwise mod_proxy_wstunnel canonicalises and
 * serves ws:// and wss:// itself: trace1 and debug lines for the request, then, in its own poll()
 * loop, trace1 lines for every wakeup. That loop has no timeout and wakes once per read: a wakeup
 * with both sockets readable would say "i=2", which the emulator, reading each socket on its own,
 * never reports.
 */
import type { ErrorLogEntry } from '../logs/error-log.ts';
import type { PreparedProxyRequest } from './types.ts';

/** What mod_proxy_wstunnel's hooks do with a proxied request. */
export type WstunnelRole =
  | 'not-loaded'
  /** Loaded, but hands everything to mod_proxy_http: each hook logs "… fallback" at trace5. */
  | 'falls-back'
  /** mod_proxy_http is not loaded, or ProxyWebsocketFallbackToProxyHttp is Off. */
  | 'serves';

/** A side of the tunnel; mod_proxy_wstunnel calls the backend's socket "sock". */
export type TunnelSide = 'client' | 'backend';

export function wstunnelRoleOf(prepared: Pick<PreparedProxyRequest, 'modules' | 'wstunnelFallsBack'>): WstunnelRole {
  if (!prepared.modules.has('mod_proxy_wstunnel.c')) return 'not-loaded';
  return prepared.wstunnelFallsBack ? 'falls-back' : 'serves';
}

/** proxy_wstunnel_check_trans(), run by mod_proxy for the ProxyPass that matched. */
export function checkTransLog(role: WstunnelRole, client: string): ErrorLogEntry[] {
  return role === 'falls-back' ? [line('trace5', 35, 'check_trans fallback', client)] : [];
}

/** proxy_wstunnel_canon() for `url`, r->filename without "proxy:" before canonicalisation. */
export function canonLog(role: WstunnelRole, url: string, client: string): ErrorLogEntry[] {
  if (role === 'falls-back') return [line('trace5', 72, 'canon fallback', client)];
  const scheme = websocketSchemeOf(url);
  // It prints the URL from the "//" on: the scheme and its colon were already consumed.
  if (role === 'serves' && scheme) return [line('trace1', 92, `canonicalising URL ${url.slice(scheme.length + 1)}`, client)];
  return [];
}

/** proxy_wstunnel_handler() starting on the canonical `url`, up to its Upgrade check. */
export function schemeHandlerLog(role: WstunnelRole, url: string, client: string): ErrorLogEntry[] {
  if (role === 'falls-back') return [line('trace5', 364, 'handler fallback', client)];
  if (role === 'not-loaded') return [];
  if (!websocketSchemeOf(url)) return [line('debug', 376, `declining URL ${url}`, client, 'AH02450')];
  return [line('trace1', 380, `serving URL ${url}`, client)];
}

/** The client's Upgrade header passed the check: the handler goes on to connect. */
export function upgradeAcceptedLog(url: string, client: string): ErrorLogEntry[] {
  return [line('debug', 397, `serving URL ${url}`, client, 'AH02451')];
}

/** The check failed: the handler answers 426 (logged at info, which prints no source position). */
export function upgradeRequiredLog(url: string, clientUpgrade: string | null, expected: string, client: string): ErrorLogEntry[] {
  return [
    {
      module: 'proxy_wstunnel',
      level: 'info',
      code: 'AH02900',
      message: `require upgrade for URL ${url} (Upgrade header is ${clientUpgrade ?? 'missing'}, expecting ${expected})`,
      client,
    },
  ];
}

/** proxy_wstunnel_request() begins writing the request to the backend. */
export function sendingRequestLog(client: string): ErrorLogEntry[] {
  return [line('trace2', 191, 'sending request', client)];
}

/** The request head went out; the poll() loop that relays everything after it starts. */
export function pollSetupLog(client: string): ErrorLogEntry[] {
  return [line('trace2', 219, 'setting up poll()', client)];
}

/** One wakeup of the poll() loop: `side` has bytes, an end of stream or a reset to read. */
export function pollWakeLog(side: TunnelSide, client: string): ErrorLogEntry[] {
  return [
    line('trace1', 264, 'woke from poll(), i=1', client, 'AH02445'),
    side === 'backend' ? line('trace1', 273, 'sock was readable', client, 'AH02446') : line('trace1', 299, 'client was readable', client, 'AH02448'),
  ];
}

/** A read failed or hit the end of a stream, which ends the loop. */
export function pollFinishedLog(client: string): ErrorLogEntry[] {
  return [line('trace2', 331, 'finished with poll() - cleaning up', client)];
}

function websocketSchemeOf(url: string): 'ws' | 'wss' | null {
  const lower = url.slice(0, 4).toLowerCase();
  if (lower.startsWith('ws:')) return 'ws';
  if (lower === 'wss:') return 'wss';
  return null;
}

function line(level: ErrorLogEntry['level'], sourceLine: number, message: string, client: string, code?: string): ErrorLogEntry {
  return { module: 'proxy_wstunnel', level, origin: `mod_proxy_wstunnel.c(${sourceLine})`, client, ...(code ? { code } : {}), message };
}
