/**
 * The debug and trace lines mod_proxy, mod_proxy_http and mod_proxy_wstunnel write for one
 * proxied request, in httpd's order, as measured on 2.4.71 with `LogLevel warn proxy:trace1
 * proxy_http:trace3` and `proxy_wstunnel:trace8` (see test/differential/scenarios/106-proxy-trace1-logs,
 * 107-wstunnel-trace3-silent and 108-proxy-http-trace3-logs). The source positions are 2.4.71's,
 * which httpd prints on these lines. The proxy filters them by LogLevel, so at the default level
 * none of them appear.
 */
import type { ErrorLogEntry } from '../logs/error-log.ts';
import { proxyFunctionOf, workerAddressReusable } from './connect-failure-log.ts';
import { coreUpgradeHandlerLog } from './core-upgrade-log.ts';
import type { BackendPlan, ProxyDecision } from './types.ts';
import * as wstunnelLog from './wstunnel-log.ts';
import type { TunnelSide, WstunnelRole } from './wstunnel-log.ts';

export type { TunnelSide };

/** What is known once routing chose the backend. */
export interface ProxyStepContext {
  plan: BackendPlan;
  /** r->uri and r->filename ("proxy:ws://…") for AH03464. */
  uri: string;
  filename: string;
  client: string;
  wstunnel: WstunnelRole;
  /** A ProxyPass rule matched, so mod_proxy ran the check_trans hooks on it. */
  matchedByProxyPass: boolean;
  /** core_upgrade_handler's lines, written in the handler phase before proxy_handler's. */
  coreUpgrade: ErrorLogEntry[];
}

export function proxyStepContext(decision: ProxyDecision, plan: BackendPlan, client: string): ProxyStepContext {
  const directive = decision.matched?.directive;
  return {
    plan,
    uri: decision.uri ?? '/',
    filename: decision.filename,
    client,
    wstunnel: wstunnelLog.wstunnelRoleOf(decision.prepared),
    matchedByProxyPass: directive === 'ProxyPass' || directive === 'ProxyPassMatch',
    coreUpgrade: coreUpgradeHandlerLog(decision.prepared.headers, decision.prepared.serverHostname, [], client),
  };
}

/**
 * mod_proxy's translate step and the scheme handler starting, before the connection is made.
 * `resolves`: the worker looks its backend's address up now (AH10479), which a worker that caches
 * it does once per child process, and one that does not (the generic worker, disablereuse) does
 * without a line.
 */
export function beforeConnectLog(step: ProxyStepContext, address: string, resolves = true): ErrorLogEntry[] {
  const { plan, client } = step;
  const scheme = plan.scheme;
  const hostPort = `${plan.host}:${plan.port}`;
  // proxy_handler names the scheme of r->filename: "balancer" for a balancer, whatever member runs.
  const handlerScheme = step.filename.slice('proxy:'.length).split(':')[0].toLowerCase();
  const entries: ErrorLogEntry[] = [];
  if (step.matchedByProxyPass) entries.push(...wstunnelLog.checkTransLog(step.wstunnel, client));
  entries.push({ module: 'proxy', level: 'trace1', origin: 'mod_proxy.c(969)', client, code: 'AH03464', message: `URI path '${step.uri}' matches proxy handler '${step.filename}'` });
  // A balancer URL is canonicalised twice: as balancer://, then as the chosen member's URL.
  if (/^proxy:balancer:/i.test(step.filename)) entries.push(...wstunnelLog.canonLog(step.wstunnel, step.filename.slice('proxy:'.length), client));
  entries.push(...wstunnelLog.canonLog(step.wstunnel, plan.urlBeforeCanon, client));
  if (plan.module === 'proxy_http') {
    entries.push(
      { module: 'proxy_http', level: 'trace1', origin: 'mod_proxy_http.c(97)', client, message: `HTTP: canonicalising URL ${plan.urlBeforeCanon}` },
    );
  }
  entries.push(...step.coreUpgrade);
  entries.push({ module: 'proxy', level: 'debug', origin: 'mod_proxy.c(1467)', client, code: 'AH01143', message: `Running scheme ${handlerScheme} handler (attempt 0)` });
  entries.push(...wstunnelLog.schemeHandlerLog(step.wstunnel, plan.url, client));
  if (plan.module === 'proxy_wstunnel') entries.push(...wstunnelLog.upgradeAcceptedLog(plan.url, client));
  if (plan.module === 'proxy_http') {
    entries.push({ module: 'proxy_http', level: 'trace1', origin: 'mod_proxy_http.c(1910)', client, message: `HTTP: serving URL ${plan.url}` });
  }
  entries.push(
    { module: 'proxy', level: 'debug', origin: 'proxy_util.c(2829)', code: 'AH00942', message: `${proxyFunctionOf(plan)}: has acquired connection for (${hostPort})` },
    { module: 'proxy', level: 'debug', origin: 'proxy_util.c(3273)', client, code: 'AH00944', message: `connecting ${plan.url} to ${hostPort}` },
    ...(resolves ? [{ module: 'proxy', level: 'debug', origin: 'proxy_util.c(2936)', client, code: 'AH10479', message: `${scheme}: ${plan.host} resolved to ${address}:${plan.port}` } satisfies ErrorLogEntry] : []),
    { module: 'proxy', level: 'debug', origin: 'proxy_util.c(3476)', client, code: 'AH00947', message: `connecting ${pathOf(plan.url)} to ${address}:${plan.port} (${hostPort})` },
  );
  return entries;
}

/** The TCP connection to the backend is up. */
export function connectedLog(step: ProxyStepContext, address: string): ErrorLogEntry[] {
  const { plan } = step;
  const proxyFunction = proxyFunctionOf(plan);
  return [
    { module: 'proxy', level: 'debug', origin: 'proxy_util.c(3982)', code: 'AH02824', message: `${proxyFunction}: connection established with ${address}:${plan.port} (${plan.host}:${plan.port})` },
    { module: 'proxy', level: 'debug', origin: 'proxy_util.c(4169)', code: 'AH00962', message: `${proxyFunction}: connection complete to ${address}:${plan.port} (${plan.host})` },
  ];
}

/** The request head is about to be written to the backend. */
export function sendingRequestLog(step: ProxyStepContext): ErrorLogEntry[] {
  return step.plan.module === 'proxy_wstunnel' ? wstunnelLog.sendingRequestLog(step.client) : [];
}

/** The request head was written to the backend. */
export function requestSentLog(step: ProxyStepContext): ErrorLogEntry[] {
  return step.plan.module === 'proxy_wstunnel' ? wstunnelLog.pollSetupLog(step.client) : [];
}

/** The backend's response head was read (mod_proxy_wstunnel reads it in its poll loop, unparsed). */
export function backendStatusLog(step: ProxyStepContext, status: number): ErrorLogEntry[] {
  if (step.plan.module === 'proxy_wstunnel') return wstunnelLog.pollWakeLog('backend', step.client);
  const entries: ErrorLogEntry[] = [{ module: 'proxy_http', level: 'trace3', origin: 'mod_proxy_http.c(1239)', client: step.client, message: `Status from backend: ${status}` }];
  if (status === 101) {
    entries.push({ module: 'proxy_http', level: 'trace2', origin: 'mod_proxy_http.c(1423)', client: step.client, message: 'HTTP: received interim 101 response (policy: n/a)' });
  }
  return entries;
}

/** The upgraded tunnel starts; `idleSeconds` null means mod_proxy_wstunnel's untimed poll. */
export function tunnelStartLog(step: ProxyStepContext, protocol: string, idleSeconds: number | null): ErrorLogEntry[] {
  if (step.plan.module !== 'proxy_http') return [];
  const name = protocol.toLowerCase();
  return [
    { module: 'proxy_http', level: 'debug', origin: 'mod_proxy_http.c(1528)', client: step.client, code: 'AH10239', message: `HTTP: tunneling protocol ${name}` },
    { module: 'proxy', level: 'trace1', origin: 'proxy_util.c(5657)', client: step.client, code: 'AH10212', message: `proxy: ${name}: tunnel running (timeout ${(idleSeconds ?? -1).toFixed(6)})` },
  ];
}

/** Bytes arrived on one side of a running tunnel. */
export function tunnelReadLog(step: ProxyStepContext, side: TunnelSide): ErrorLogEntry[] {
  return step.plan.module === 'proxy_wstunnel' ? wstunnelLog.pollWakeLog(side, step.client) : [];
}

/**
 * The tunnel ended. `endedBy` is the side whose end of stream or reset ended it, null when the
 * proxy cut it (a stopping server's poll never returns, so mod_proxy_wstunnel logs nothing).
 */
export function tunnelEndLog(step: ProxyStepContext, protocol: string, endedBy: TunnelSide | null): ErrorLogEntry[] {
  if (step.plan.module === 'proxy_wstunnel') return endedBy === null ? [] : [...wstunnelLog.pollWakeLog(endedBy, step.client), ...wstunnelLog.pollFinishedLog(step.client)];
  return [{ module: 'proxy', level: 'trace1', origin: 'proxy_util.c(5805)', client: step.client, code: 'AH10223', message: `proxy: ${protocol.toLowerCase()}: tunneling returns (0)` }];
}

/**
 * The backend connection went back to the pool (or was closed). A worker that does not cache its
 * address (the generic worker, disablereuse) clears the whole connection on release, whose
 * pre-cleanup shuts the backend connection down with AH02642; `remoteAddress` is the address the
 * connection was made to, absent when none was made.
 */
export function releasedLog(step: Pick<ProxyStepContext, 'plan'>, remoteAddress?: string): ErrorLogEntry[] {
  const { plan } = step;
  const entries: ErrorLogEntry[] = [
    { module: 'proxy', level: 'debug', origin: 'proxy_util.c(2844)', code: 'AH00943', message: `${proxyFunctionOf(plan)}: has released connection for (${plan.host}:${plan.port})` },
  ];
  if (remoteAddress !== undefined && !workerAddressReusable(plan.worker)) {
    entries.push({ module: 'proxy', level: 'debug', origin: 'proxy_util.c(4092)', code: 'AH02642', message: 'proxy: connection shutdown', remote: `${remoteAddress}:${plan.port}` });
  }
  return entries;
}

function pathOf(url: string): string {
  const afterScheme = url.indexOf('://');
  const slash = url.indexOf('/', afterScheme + 3);
  return slash === -1 ? '/' : url.slice(slash);
}
