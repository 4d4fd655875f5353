/**
 * The error-log lines httpd writes when it cannot connect to a backend, in its order (measured
 * on httpd 2.4.71 for a refused connection):
 *   [proxy:error] (111)Connection refused: AH00957: ws: attempt to connect to 127.0.0.1:8080 (127.0.0.1:8080) failed
 *   [proxy:error] AH00959: ap_proxy_connect_backend disabling worker for (127.0.0.1:8080) for 60s   (balancer members and status=-I workers)
 *   [proxy_http:error] [client …] AH01114: HTTP: failed to make connection to backend: 127.0.0.1
 * AH00957 comes from ap_proxy_connect_backend() (proxy_util.c) with the scheme handler's name for
 * itself: mod_proxy_http passes the URL scheme ("ws", "http"), mod_proxy_wstunnel "WS"/"WSS".
 * AH00959 is what markMemberFailed() in balancer-runtime.ts and markWorkerFailed() in worker-state.ts
 * return. The client answer is 503.
 */
import type { ErrorLogEntry } from '../logs/error-log.ts';
import type { BackendPlan } from './types.ts';

/** One failed connection attempt. */
export interface ConnectFailure {
  plan: BackendPlan;
  /** The address tried, as the proxy resolved it ("127.0.0.1" or "::1"). */
  resolvedAddress: string;
  /** OS error as httpd prints it, e.g. "(111)Connection refused" or "(110)Connection timed out". */
  osError: string;
  /** "127.0.0.1:54938" */
  client: string;
  /** True when other resolved addresses remain to be tried (then AH00957 is only a debug line). */
  moreAddresses?: boolean;
}

/** The name the scheme handler gives itself in mod_proxy's connection lines ("ws", "WS"). */
export function proxyFunctionOf(plan: Pick<BackendPlan, 'module' | 'scheme'>): string {
  return plan.module === 'proxy_wstunnel' ? plan.scheme.toUpperCase() : plan.scheme;
}

/** AH00957 for the attempt; add the handler's line (AH01114 / AH02452) when no address is left. */
export function connectFailureLog(failure: ConnectFailure): { attempt: ErrorLogEntry; recheck: ErrorLogEntry[]; handler: ErrorLogEntry | null } {
  const { plan } = failure;
  const proxyFunction = proxyFunctionOf(plan);
  const address = failure.resolvedAddress.includes(':') ? `[${failure.resolvedAddress}]:${plan.port}` : `${failure.resolvedAddress}:${plan.port}`;
  const attempt: ErrorLogEntry = {
    module: 'proxy',
    level: failure.moreAddresses ? 'debug' : 'error',
    code: 'AH00957',
    message: `${proxyFunction}: attempt to connect to ${address} (${plan.host}:${plan.port}) failed`,
    osError: failure.osError,
    // Where Debian's 2.4.71 logs it (ErrorLogFormat's %F prints it at any level; measured, scenario 382).
    origin: 'proxy_util.c(3949)',
  };
  if (failure.moreAddresses) return { attempt, recheck: [], handler: null };
  // Out of addresses, a worker that caches its address looks the name up again in case it changed
  // (ap_proxy_determine_address with PROXY_DETERMINE_ADDRESS_CHECK, no request: AH10480).
  const recheck: ErrorLogEntry[] = workerAddressReusable(plan.worker)
    ? [{ module: 'proxy', level: 'debug', origin: 'proxy_util.c(2941)', code: 'AH10480', message: `${proxyFunction}: ${plan.host} resolved to ${address}` }]
    : [];
  const handler: ErrorLogEntry =
    plan.module === 'proxy_wstunnel'
      ? { module: 'proxy_wstunnel', level: 'error', code: 'AH02452', message: `failed to make connection to backend: ${plan.host}`, client: failure.client }
      : { module: 'proxy_http', level: 'error', code: 'AH01114', message: `HTTP: failed to make connection to backend: ${plan.host}`, client: failure.client, origin: 'mod_proxy_http.c(2054)' };
  return { attempt, recheck, handler };
}

/**
 * worker->s->is_address_reusable: the worker caches its backend address. Not for httpd's generic
 * reverse worker (no ProxyPass defined the URL), nor for disablereuse=On / enablereuse=Off.
 */
export function workerAddressReusable(worker: Pick<BackendPlan['worker'], 'isDefault' | 'disableReuse'>): boolean {
  return !worker.isDefault && !worker.disableReuse;
}

/**
 * The backend's host name does not resolve: ap_proxy_determine_connection() answers 500
 * ("Proxy Error") with AH00898, naming r->uri (the full URL for a forward-proxy request).
 * Measured: "(EAI 2)Name or service not known: [client …] AH00898: DNS lookup failure for: main.test
 * returned by http://main.test:8800/ws/x".
 */
export function dnsFailureLog(plan: BackendPlan, uri: string, client: string, osError = '(EAI 2)Name or service not known'): { status: 500; entry: ErrorLogEntry } {
  return {
    status: 500,
    entry: { module: 'proxy', level: 'error', code: 'AH00898', message: `DNS lookup failure for: ${plan.host} returned by ${uri}`, osError, client },
  };
}
