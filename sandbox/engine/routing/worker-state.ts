/**
 * The run-time state of a worker outside a balancer (a ProxyPass / ProxySet worker, or the default
 * reverse worker), as proxy_util.c keeps it:
 *
 * - ap_proxy_define_worker_ex() sets PROXY_WORKER_IGNORE_ERRORS on every worker that is not a
 *   balancer member (the default reverse worker too). A refused or timed-out connect then leaves
 *   the worker usable: every request tries the backend again (measured: AH00957 + AH01114, never
 *   AH00959, whatever retry= says).
 * - status= changes the flags ("-I" clears ignore-errors, "+E" starts in error, "+D"/"+S" take
 *   the worker out of service). Without ignore-errors, ap_proxy_connect_backend() puts the worker
 *   in error when no address connected: error_time = now, AH00959 "disabling worker for (host:port)
 *   for Ns".
 * - ap_proxy_acquire_connection(), before any DNS or connect: a worker that is not usable is first
 *   given ap_proxy_retry_worker(): in error and (ignoring errors or now > error_time + retry) clears
 *   the error; if it is still not usable, 503 with AH00940 "<scheme handler>: disabled connection
 *   for (host:port)". A "+E" worker has error_time 0, so it is retried at once.
 *
 * The state belongs to the worker, so every ProxyPass that shares it (same name, or a later URL
 * that starts with it) shares the error state. httpd keeps non-balancer workers in each child
 * process's own memory (only balancer members live in shared memory), so with several children the
 * state is per process; the emulator is one process and keeps one state per worker.
 */
import type { ErrorLogEntry } from '../logs/error-log.ts';
import type { WorkerSettings, WorkerStatusFlags } from './types.ts';

/** Mutable state of one worker. */
export interface WorkerHealth {
  /** error_time in ms since the epoch while PROXY_WORKER_IN_ERROR is set, else null. */
  errorSinceMs: number | null;
}

/**
 * Parse status= as set_worker_param() does: "+" (the default) sets and "-" clears the letters that
 * follow, e.g. "-I", "+E-I", "D". Unknown letters are left to the config check.
 */
export function workerStatusFlags(status: string | null, inBalancer = false): WorkerStatusFlags {
  const flags: WorkerStatusFlags = { ignoreErrors: !inBalancer, disabled: false, stopped: false, inError: false };
  let setting = true;
  for (const char of (status ?? '').toUpperCase()) {
    if (char === '+') setting = true;
    else if (char === '-') setting = false;
    else if (char === 'I') flags.ignoreErrors = setting;
    else if (char === 'D') flags.disabled = setting;
    else if (char === 'S') flags.stopped = setting;
    else if (char === 'E') flags.inError = setting;
  }
  return flags;
}

/** The initial state: a worker configured with "+E" is in error since time 0. */
export function initialWorkerHealth(worker: Pick<WorkerSettings, 'status'>): WorkerHealth {
  return { errorSinceMs: worker.status.inError ? 0 : null };
}

/** The key that identifies one worker: its name and the directive that defined it. */
export function workerKey(worker: Pick<WorkerSettings, 'name' | 'source'>): string {
  return worker.source ? `${worker.name}@${worker.source.file}:${worker.source.line}` : `${worker.name}@default`;
}

/**
 * ap_proxy_acquire_connection(): null when the request may go on, else the 503 and its AH00940.
 * `proxyFunction` is the scheme handler's name for itself ("ws", "http", "WS").
 */
export function acquireWorker(
  worker: Pick<WorkerSettings, 'status' | 'retry'>,
  health: WorkerHealth,
  target: { proxyFunction: string; host: string; port: number },
  nowMs: number,
): { status: 503; log: ErrorLogEntry[] } | null {
  if (isUsable(worker, health)) return null;
  // ap_proxy_retry_worker(): a stopped worker is never retried.
  if (health.errorSinceMs !== null && !worker.status.stopped) {
    if (worker.status.ignoreErrors || nowMs > health.errorSinceMs + worker.retry * 1000) health.errorSinceMs = null;
  }
  if (isUsable(worker, health)) return null;
  return {
    status: 503,
    log: [{ module: 'proxy', level: 'error', code: 'AH00940', message: `${target.proxyFunction}: disabled connection for (${target.host}:${target.port})` }],
  };
}

/** No address of the backend connected: put the worker in error (AH00959) unless it ignores errors. */
export function markWorkerFailed(
  worker: Pick<WorkerSettings, 'status' | 'retry'>,
  health: WorkerHealth,
  target: { host: string; port: number },
  nowMs: number,
): ErrorLogEntry[] {
  if (worker.status.ignoreErrors || !isUsable(worker, health)) return [];
  health.errorSinceMs = nowMs;
  return [
    {
      module: 'proxy',
      level: 'error',
      code: 'AH00959',
      message: `ap_proxy_connect_backend disabling worker for (${target.host}:${target.port}) for ${Math.floor(worker.retry)}s`,
    },
  ];
}

/** PROXY_WORKER_IS_USABLE. */
function isUsable(worker: Pick<WorkerSettings, 'status'>, health: WorkerHealth): boolean {
  return !worker.status.disabled && !worker.status.stopped && health.errorSinceMs === null;
}
