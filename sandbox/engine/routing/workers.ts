/**
 * Workers: mod_proxy's per-backend connection pools and the parameters that live on them
 * (upgrade=, timeout=, connectiontimeout=, retry=, ...).
 *
 * At config time every ProxyPass (server level or in a section) defines a worker named after its
 * target URL (scheme and host lower-cased, default port dropped: ap_proxy_define_worker_ex), unless
 * a worker of that name already exists in the same server — then it is shared and the new
 * parameters are ignored (AH01146). ProxySet on a URL sets parameters of (or defines) a worker.
 * A vhost sees the main server's workers first, then its own (merge_proxy_config).
 *
 * At request time ap_proxy_get_worker_ex() picks, for the canonical backend URL, the worker with
 * the longest name that prefixes it (at least scheme://host[:port]); a ProxyPassMatch worker whose
 * URL has $N matches with $N as a wildcard. No match means the default reverse-proxy worker, with
 * default parameters.
 */
import type { ProxyParam, ProxyPassRule, SourceRef, WorkerParams } from '../config/model.ts';
import type { ErrorLogEntry } from '../logs/error-log.ts';
import type { WorkerSettings } from './types.ts';
import { workerStatusFlags } from './worker-state.ts';

/** A worker as routing knows it. */
export interface WorkerDefinition {
  /** Normalised name (name_ex). */
  name: string;
  /** True for ProxyPassMatch workers whose name contains $N (is_name_matchable). */
  matchable: boolean;
  params: ProxyParam[];
  source: SourceRef;
}

/** Default retry period of a worker in error, in seconds (PROXY_WORKER_DEFAULT_RETRY). */
export const DEFAULT_RETRY_SECONDS = 60;

/** The worker name httpd derives from a URL, or null when it is not an absolute URL. */
export function workerName(url: string): string | null {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/:?#]*)(?::(\d*))?(.*)$/.exec(url);
  if (!match || match[2] === '') return null;
  const scheme = match[1].toLowerCase();
  const host = match[2].toLowerCase();
  const port = match[3] && Number(match[3]) !== defaultPortOf(scheme) ? `:${match[3]}` : '';
  return `${scheme}://${host}${port}${match[4]}`;
}

/** The port a proxy scheme implies (ap_proxy_port_of_scheme). */
export function defaultPortOf(scheme: string): number {
  switch (scheme.toLowerCase()) {
    case 'http':
    case 'ws':
      return 80;
    case 'https':
    case 'wss':
      return 443;
    case 'ftp':
      return 21;
    case 'ajp':
      return 8009;
    case 'fcgi':
      return 8000;
    case 'scgi':
      return 4000;
    case 'h2':
      return 443;
    case 'h2c':
      return 80;
    default:
      return 0;
  }
}

/**
 * The workers one server defines, in definition order, from its own ProxyPass rules (config
 * order) and ProxySet lines, with the startup log lines about worker sharing.
 */
export function defineWorkers(
  rules: readonly ProxyPassRule[],
  proxySets: readonly WorkerParams[],
): { workers: WorkerDefinition[]; log: ErrorLogEntry[] } {
  const workers: WorkerDefinition[] = [];
  const log: ErrorLogEntry[] = [];
  for (const rule of rules) {
    if (rule.target === null || rule.target.toLowerCase().startsWith('balancer://')) continue;
    const isMatch = rule.directive === 'ProxyPassMatch' || rule.regex;
    const name = workerName(rule.target);
    if (name === null) continue;
    const shared = findWorker(workers, name, isMatch ? 'define-match' : 'define');
    if (shared) {
      log.push({
        module: 'proxy',
        level: 'info',
        code: 'AH01145',
        message: `Sharing worker '${shared.name}' instead of creating new worker '${name}'`,
      });
      for (const param of rule.params) {
        log.push({
          module: 'proxy',
          level: 'warn',
          code: 'AH01146',
          message: `Ignoring parameter '${param.key}=${param.value}' for worker '${shared.name}' because of worker sharing`,
        });
      }
      continue;
    }
    workers.push({ name, matchable: isMatch && /\$\d/.test(name), params: [...rule.params], source: rule.source });
  }
  for (const set of proxySets) {
    const name = workerName(set.url);
    if (name === null || name.startsWith('balancer://')) continue;
    const existing = workers.find((worker) => worker.name === name);
    if (existing) existing.params.push(...set.params);
    else workers.push({ name, matchable: false, params: [...set.params], source: set.source });
  }
  return { workers, log };
}

/** ap_proxy_get_worker_ex(): the longest worker name matching the URL, or null. */
export function findWorker(workers: readonly WorkerDefinition[], url: string, mode: 'request' | 'define' | 'define-match' = 'request'): WorkerDefinition | null {
  const lowered = lowerSchemeAndHost(url);
  if (lowered === null) return null;
  const minimum = lowered.authorityEnd;
  let best: WorkerDefinition | null = null;
  for (const worker of workers) {
    const length = worker.name.length;
    if (length > lowered.url.length || length < minimum || length <= (best?.name.length ?? 0)) continue;
    const matches = worker.matchable ? mode !== 'define' && dollarWildcard(worker.name).test(lowered.url) : mode !== 'define-match' && lowered.url.startsWith(worker.name);
    if (matches) best = worker;
  }
  return best;
}

/** set_worker_param() stores upgrade=ANY (any case) as "*", so every later check sees "*". */
function upgradeParam(value: string | null): string {
  if (value === null) return '';
  return value.toLowerCase() === 'any' ? '*' : value;
}

/** The settings of a worker (or of the default reverse worker when null) that routing reports. */
export function workerSettings(worker: WorkerDefinition | null, url: string): WorkerSettings {
  const param = (key: string) => worker?.params.findLast((entry) => entry.key === key)?.value ?? null;
  const timeout = param('timeout');
  const connectionTimeout = param('connectiontimeout');
  const retry = param('retry');
  return {
    name: worker?.name ?? workerName(url) ?? url,
    isDefault: worker === null,
    upgrade: upgradeParam(param('upgrade')),
    timeout: timeout === null ? null : parseSeconds(timeout),
    connectionTimeout: connectionTimeout === null ? null : parseSeconds(connectionTimeout),
    retry: retry === null ? DEFAULT_RETRY_SECONDS : (parseSeconds(retry) ?? DEFAULT_RETRY_SECONDS),
    // Balancer members keep their run-time state in balancer-runtime.ts; this is the plain worker's view.
    status: workerStatusFlags(param('status')),
    disableReuse: disablesReuse(worker),
    source: worker?.source ?? null,
  };
}

/**
 * disablereuse=/enablereuse= as written last; without either, ap_proxy_define_worker_ex() turns
 * reuse off for a ProxyPassMatch worker whose name substitutes "$N" (measured: Connection: close).
 */
function disablesReuse(worker: WorkerDefinition | null): boolean {
  const explicit = worker?.params.findLast((entry) => entry.key === 'disablereuse' || entry.key === 'enablereuse');
  if (explicit) return (explicit.value.toLowerCase() === 'on') === (explicit.key === 'disablereuse');
  return worker?.matchable === true && worker.name.includes('$');
}

/** ap_timeout_parameter_parse() with seconds as the default unit: "5", "500ms", "2m", "1h". */
export function parseSeconds(text: string): number | null {
  const match = /^(\d+)(ms|s|mi|m|h)?$/i.exec(text.trim());
  if (!match) return null;
  const value = Number(match[1]);
  switch ((match[2] ?? 's').toLowerCase()) {
    case 'ms':
      return value / 1000;
    case 'mi':
    case 'm':
      return value * 60;
    case 'h':
      return value * 3600;
    default:
      return value;
  }
}

function dollarWildcard(name: string): RegExp {
  let source = '';
  for (let index = 0; index < name.length; index++) {
    const char = name[index];
    if (char === '$' && /\d/.test(name[index + 1] ?? '')) {
      source += '.*';
      index++;
    } else if (char === '\\' && index + 1 < name.length) {
      source += name[++index].replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    } else source += char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function lowerSchemeAndHost(url: string): { url: string; authorityEnd: number } | null {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd <= 0 || url.length <= schemeEnd + 3) return null;
  const pathStart = url.indexOf('/', schemeEnd + 3);
  const end = pathStart < 0 ? url.length : pathStart;
  return { url: url.slice(0, end).toLowerCase() + url.slice(end), authorityEnd: end };
}
