/**
 * The debug and trace lines mod_proxy and mod_proxy_http write for one proxied request, in
 * httpd's order, as measured on 2.4.71 with `LogLevel warn proxy:trace1 proxy_http:trace3` (see
 * test/differential/scenarios/106-proxy-trace1-logs and 108-proxy-http-trace3-logs). The source
 * positions are 2.4.71's, which httpd prints on these lines. The proxy filters them by LogLevel,
 * so at the default level none of them appear.
 */
import type { ErrorLogEntry } from '../logs/error-log.ts';
import type { BackendPlan } from './types.ts';

/** What is known once routing chose the backend. */
export interface ProxyStepContext {
  plan: BackendPlan;
  /** r->uri and r->filename ("proxy:ws://…") for AH03464. */
  uri: string;
  filename: string;
  client: string;
}

/** mod_proxy's translate step and the scheme handler starting, before the connection is made. */
export function beforeConnectLog(step: ProxyStepContext, address: string): ErrorLogEntry[] {
  const { plan, client } = step;
  const scheme = plan.scheme;
  const hostPort = `${plan.host}:${plan.port}`;
  const entries: ErrorLogEntry[] = [
    { module: 'proxy', level: 'trace1', origin: 'mod_proxy.c(969)', client, code: 'AH03464', message: `URI path '${step.uri}' matches proxy handler '${step.filename}'` },
  ];
  if (plan.module === 'proxy_http') {
    entries.push(
      { module: 'proxy_http', level: 'trace1', origin: 'mod_proxy_http.c(97)', client, message: `HTTP: canonicalising URL ${plan.url}` },
    );
  }
  entries.push({ module: 'proxy', level: 'debug', origin: 'mod_proxy.c(1467)', client, code: 'AH01143', message: `Running scheme ${scheme} handler (attempt 0)` });
  if (plan.module === 'proxy_http') {
    entries.push({ module: 'proxy_http', level: 'trace1', origin: 'mod_proxy_http.c(1910)', client, message: `HTTP: serving URL ${plan.url}` });
  }
  entries.push(
    { module: 'proxy', level: 'debug', origin: 'proxy_util.c(2829)', code: 'AH00942', message: `${scheme}: has acquired connection for (${hostPort})` },
    { module: 'proxy', level: 'debug', origin: 'proxy_util.c(3273)', client, code: 'AH00944', message: `connecting ${plan.url} to ${hostPort}` },
    { module: 'proxy', level: 'debug', origin: 'proxy_util.c(2936)', client, code: 'AH10479', message: `${scheme}: ${plan.host} resolved to ${address}:${plan.port}` },
    { module: 'proxy', level: 'debug', origin: 'proxy_util.c(3476)', client, code: 'AH00947', message: `connecting ${pathOf(plan.url)} to ${address}:${plan.port} (${hostPort})` },
  );
  return entries;
}

/** The TCP connection to the backend is up. */
export function connectedLog(step: ProxyStepContext, address: string): ErrorLogEntry[] {
  const { plan } = step;
  return [
    { module: 'proxy', level: 'debug', origin: 'proxy_util.c(3982)', code: 'AH02824', message: `${plan.scheme}: connection established with ${address}:${plan.port} (${plan.host}:${plan.port})` },
    { module: 'proxy', level: 'debug', origin: 'proxy_util.c(4169)', code: 'AH00962', message: `${plan.scheme}: connection complete to ${address}:${plan.port} (${plan.host})` },
  ];
}

/** mod_proxy_http read the backend's status line. */
export function backendStatusLog(step: ProxyStepContext, status: number): ErrorLogEntry[] {
  if (step.plan.module !== 'proxy_http') return [];
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

/** The tunnel ended. */
export function tunnelEndLog(step: ProxyStepContext, protocol: string): ErrorLogEntry[] {
  if (step.plan.module !== 'proxy_http') return [];
  return [{ module: 'proxy', level: 'trace1', origin: 'proxy_util.c(5805)', client: step.client, code: 'AH10223', message: `proxy: ${protocol.toLowerCase()}: tunneling returns (0)` }];
}

/** The backend connection went back to the pool (or was closed). */
export function releasedLog(step: ProxyStepContext): ErrorLogEntry[] {
  return [{ module: 'proxy', level: 'debug', origin: 'proxy_util.c(2844)', code: 'AH00943', message: `${step.plan.scheme}: has released connection for (${step.plan.host}:${step.plan.port})` }];
}

function pathOf(url: string): string {
  const afterScheme = url.indexOf('://');
  const slash = url.indexOf('/', afterScheme + 3);
  return slash === -1 ? '/' : url.slice(slash);
}
