/**
 * Helpers for routing tests: configs are parsed from text with the real config parser, with a
 * LoadModule preamble like the small configs used to measure httpd 2.4.71.
 */
import { runParse } from '../../../sandbox/engine/config/parse-config.ts';
import type { HttpdConfig } from '../../../sandbox/engine/config/model.ts';
import type { HeaderPair, RouteDecision, RouteRequest } from '../../../sandbox/engine/routing/index.ts';

/** Modules of the measured setups, by LoadModule name. */
export const STANDARD_MODULES = ['mpm_event', 'authz_core', 'authz_host', 'proxy', 'proxy_http', 'proxy_wstunnel', 'rewrite', 'headers', 'alias'];
export const BALANCER_MODULES = [...STANDARD_MODULES, 'proxy_balancer', 'slotmem_shm', 'lbmethod_byrequests'];

/** The file name every test config is parsed as. */
export const CONFIG_FILE = '/etc/apache2/apache2.conf';

/** Parse `body` after the LoadModule lines and "ServerName main.test"; throws on parse errors. */
export function configFrom(body: string, modules: string[] = STANDARD_MODULES): HttpdConfig {
  const preamble = modules.map((name) => `LoadModule ${name}_module /usr/lib/apache2/modules/mod_${name}.so`);
  const text = [...preamble, 'ServerName main.test', body].join('\n');
  const outcome = runParse(text, { file: CONFIG_FILE });
  const errors = outcome.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (errors.length > 0) throw new Error(`test config does not parse: ${JSON.stringify(errors)}`);
  return outcome.config;
}

/** The 1-based line in the parsed file of line `n` (1-based) of the body passed to configFrom. */
export function bodyLine(n: number, modules: string[] = STANDARD_MODULES): number {
  return modules.length + 1 + n;
}

/** The WebSocket handshake headers the measurements sent. */
export const WEBSOCKET_HEADERS: HeaderPair[] = [
  ['Upgrade', 'websocket'],
  ['Connection', 'Upgrade'],
  ['Sec-WebSocket-Key', 'abc'],
  ['Sec-WebSocket-Version', '13'],
];

/** A request from 127.0.0.1:5555 to 127.0.0.1:8800. */
export function request(target: string, headers: HeaderPair[] = [['Host', 'a.test']], overrides: Partial<RouteRequest> = {}): RouteRequest {
  return {
    method: 'GET',
    target,
    httpVersion: '1.1',
    headers,
    localAddress: '127.0.0.1',
    localPort: 8800,
    remoteAddress: '127.0.0.1',
    remotePort: 5555,
    secure: false,
    ...overrides,
  };
}

/** A WebSocket handshake to `target` with Host a.test. */
export function websocket(target: string, extra: HeaderPair[] = []): RouteRequest {
  return request(target, [['Host', 'a.test'], ...WEBSOCKET_HEADERS, ...extra]);
}

/**
 * A decision's log without the lines of the access and handler phases every request writes at
 * debug (mod_authz_core's AH01626/AH01628, core_upgrade_handler's AH03155/AH02910), which
 * authz.test.ts and core-upgrade-log.test.ts check on their own; for tests about other modules.
 */
/** The decision's lines plus those the default handler writes once it has read the body (AH00128). */
export function logThroughHandler(decision: RouteDecision): RouteDecision['log'] {
  return [...decision.log, ...(decision.kind === 'respond' ? (decision.discardBodyFirst?.thenLog ?? []) : [])];
}

export function withoutPhaseDebug<T extends { code?: string }>(log: readonly T[]): T[] {
  return log.filter((entry) => !['AH01626', 'AH01628', 'AH03155', 'AH02910'].includes(entry.code ?? ''));
}
