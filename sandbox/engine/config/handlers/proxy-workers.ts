/**
 * mod_proxy's workers and balancers as the config defines them (proxy_util.c
 * ap_proxy_define_worker_ex / ap_proxy_get_worker_ex / ap_proxy_define_balancer, mod_proxy.c
 * set_worker_param / set_balancer_param): URL validation, worker names, worker sharing and the
 * key=value parameters with httpd's exact messages.
 */
import { atof, atoi, atol } from '../c-numbers.ts';
import type { BalancerDefinition, ProxyParam, ServerConfig, SourceRef } from '../model.ts';
import type { ParseState } from '../parse-state.ts';
import { parseUri, proxyPortOfScheme, unparseUri } from '../uri.ts';
import { parseTimeoutParameter } from './core-directives.ts';

/** A worker the config has defined on one server. */
export interface DefinedWorker {
  /** Normalised name: lower-case scheme and host, as httpd names workers. */
  name: string;
  /** Defined by a regex rule: matched by pattern, not by prefix. */
  matchable: boolean;
  /** Parameters in effect (those of the directive that defined it). */
  params: ProxyParam[];
}

interface ProxyServerState {
  workers: DefinedWorker[];
  balancerWorkers: Map<string, DefinedWorker[]>;
}

const serverStates = new WeakMap<ServerConfig, ProxyServerState>();

function stateOf(server: ServerConfig): ProxyServerState {
  let state = serverStates.get(server);
  if (!state) {
    state = { workers: [], balancerWorkers: new Map() };
    serverStates.set(server, state);
  }
  return state;
}

/** ap_proxy_valid_balancer_name(name, 9) as mod_proxy calls it: only "balancer:" is compared. */
export function isBalancerName(name: string): boolean {
  return name.slice(0, 9).toLowerCase() === 'balancer:';
}

/** ap_proxy_de_socketfy: the URL after "unix:/path|" (null when that part has no scheme). */
export function deSocketfy(url: string): string | null {
  const bar = url.indexOf('|', 5);
  if (url.slice(0, 5).toLowerCase() !== 'unix:' || bar === -1) return url;
  const rest = url.slice(bar + 1);
  const colon = rest.indexOf(':');
  if (colon === -1) return null;
  if (colon === rest.length - 1) return `${rest}//localhost`;
  if (rest.slice(colon + 1) === '//') return `${rest}localhost`;
  return rest;
}

/** The worker name httpd derives from a URL, or its error ("URL must be absolute!: ..."). */
export function workerName(url: string, matchable: boolean): { name: string } | { error: string } {
  let pointer = url;
  let socketPath = false;
  if (url.slice(0, 5).toLowerCase() === 'unix:' && url.indexOf('|', 5) !== -1) {
    const bar = url.indexOf('|', 5);
    if (parseUri(url.slice(0, bar))) {
      socketPath = true;
      pointer = url.slice(bar + 1);
    }
  }
  let dollars = '';
  if (matchable) {
    // "$1" in the :port part would not parse; httpd moves it into the path and back.
    const authority = pointer.indexOf('://');
    if (authority !== -1) {
      let position = authority + 3;
      while (position < pointer.length && pointer[position] !== ':' && pointer[position] !== '/') position++;
      if (pointer[position] === ':') {
        position++;
        while (position < pointer.length && !(pointer[position] === '$' && /\d/.test(pointer[position + 1] ?? '')) && pointer[position] !== '/') position++;
        if (pointer[position] === '$') {
          let pathStart = position + 2;
          while (pathStart < pointer.length && pointer[pathStart] !== '/') pathStart++;
          dollars = pointer.slice(position, pathStart);
          pointer = pointer.slice(0, position) + pointer.slice(pathStart);
        }
      }
    }
  }
  const uri = parseUri(pointer);
  if (!uri) return { error: `Unable to parse URL: ${url}` };
  if (!uri.scheme) return { error: `URL must be absolute!: ${url}` };
  if (!uri.hostname) {
    if (!socketPath) return { error: `URL must be absolute!: ${url}` };
    uri.hostname = 'localhost';
  } else {
    uri.hostname = uri.hostname.toLowerCase();
  }
  uri.scheme = uri.scheme.toLowerCase();
  if (uri.port && uri.port === proxyPortOfScheme(uri.scheme)) uri.port = 0;
  if (dollars) uri.path = dollars + (uri.path ?? '');
  return { name: unparseUri(uri) };
}

/** ap_proxy_get_worker_ex: the defined worker whose name is the longest match for `url`. */
export function findWorker(server: ServerConfig, url: string, balancer: string | null, mask: { prefix: boolean; match: boolean }): DefinedWorker | null {
  const plain = deSocketfy(url);
  if (plain === null) return null;
  const schemeEnd = plain.indexOf(':');
  if (schemeEnd === -1 || plain.slice(schemeEnd + 1, schemeEnd + 3) !== '//' || plain.length <= schemeEnd + 3) return null;
  const pathStart = plain.indexOf('/', schemeEnd + 3);
  const head = pathStart === -1 ? plain : plain.slice(0, pathStart);
  const copy = head.toLowerCase() + (pathStart === -1 ? '' : plain.slice(pathStart));
  const minMatch = head.length;
  const candidates = balancer ? (stateOf(server).balancerWorkers.get(balancer) ?? []) : stateOf(server).workers;
  let best: DefinedWorker | null = null;
  let bestLength = 0;
  for (const worker of candidates) {
    const length = worker.name.length;
    if (length > copy.length || length < minMatch || length <= bestLength) continue;
    const matches = worker.matchable ? mask.match && wildcardMatch(worker.name, copy) : mask.prefix && copy.startsWith(worker.name);
    if (matches) {
      best = worker;
      bestLength = length;
    }
  }
  return best;
}

/** ap_proxy_strcmp_ematch: "$N" in a worker name matches anything. */
function wildcardMatch(pattern: string, text: string): boolean {
  const source = pattern
    .split(/\$\d/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(text);
}

/** Record a new worker on a server (or in a balancer). */
export function addWorker(server: ServerConfig, worker: DefinedWorker, balancer: string | null): void {
  const state = stateOf(server);
  if (!balancer) {
    state.workers.push(worker);
    return;
  }
  const list = state.balancerWorkers.get(balancer) ?? [];
  list.push(worker);
  state.balancerWorkers.set(balancer, list);
}

/** Find a balancer by name (case-insensitive, path ignored as httpd does). */
export function findBalancer(server: ServerConfig, name: string): BalancerDefinition | null {
  const wanted = balancerKey(name);
  return server.server.balancers.find((balancer) => balancer.name === wanted) ?? null;
}

function balancerKey(name: string): string {
  const schemeEnd = name.indexOf(':');
  const slash = name.indexOf('/', schemeEnd + 3);
  return (slash === -1 ? name : name.slice(0, slash)).toLowerCase();
}

/** ap_proxy_define_balancer: create a balancer, or httpd's syntax error. */
export function defineBalancer(server: ServerConfig, name: string, source: SourceRef): BalancerDefinition | { error: string } {
  const colon = name.indexOf(':');
  if (colon === -1 || name[colon + 1] !== '/' || name[colon + 2] !== '/' || name.length <= colon + 3) {
    return { error: `Bad syntax for a balancer name (${name})` };
  }
  const balancer: BalancerDefinition = { name: balancerKey(name), members: [], params: [], source };
  server.server.balancers.push(balancer);
  return balancer;
}

/** Whether an lbmethod provider is available: its lbmethod module must be loaded. */
function lbMethodAvailable(state: ParseState, method: string): boolean {
  const providers: Record<string, string> = {
    byrequests: 'lbmethod_byrequests_module',
    bybusyness: 'lbmethod_bybusyness_module',
    bytraffic: 'lbmethod_bytraffic_module',
    heartbeat: 'lbmethod_heartbeat_module',
  };
  const module = providers[method];
  return module !== undefined && state.loadedIds.has(module);
}

const onOff = (value: string): boolean => value.toLowerCase() === 'on' || value.toLowerCase() === 'off';

/** set_worker_param: null when the key/value is valid, else httpd's message (without prefix). */
export function checkWorkerParam(state: ParseState, key: string, value: string): string | null {
  switch (key.toLowerCase()) {
    case 'loadfactor': {
      const factor = Math.trunc(atof(value) * 100);
      return factor < 100 || factor > 10000 ? 'LoadFactor must be a number between 1..100' : null;
    }
    case 'retry':
      return atoi(value) < 0 ? 'Retry must be a positive value' : null;
    case 'ttl':
      return atoi(value) < 1 ? 'TTL must be at least one second' : null;
    case 'min':
      return atoi(value) < 0 ? 'Min must be a positive number' : null;
    case 'max':
      return atoi(value) < 0 ? 'Max must be a positive number' : null;
    case 'smax':
      return atoi(value) < 0 ? 'Smax must be a positive number' : null;
    case 'acquire': {
      const seconds = parseTimeoutParameter(value, 'ms');
      if (seconds === null) return 'Acquire timeout has wrong format';
      return seconds * 1_000_000 < 1000 ? 'Acquire must be at least one millisecond' : null;
    }
    case 'timeout':
      return atoi(value) < 1 ? 'Timeout must be at least one second' : null;
    case 'iobuffersize': {
      const size = atol(value);
      return size < 512 && size !== 0 ? 'IOBufferSize must be >= 512 bytes, or 0 for system default.' : null;
    }
    case 'receivebuffersize': {
      const size = atoi(value);
      return size < 512 && size !== 0 ? 'ReceiveBufferSize must be >= 512 bytes, or 0 for system default.' : null;
    }
    case 'keepalive':
      return onOff(value) ? null : 'KeepAlive must be On|Off';
    case 'disablereuse':
      return onOff(value) ? null : 'DisableReuse must be On|Off';
    case 'enablereuse':
      return onOff(value) ? null : 'EnableReuse must be On|Off';
    case 'addressttl': {
      if (value === '-1') return null;
      const seconds = parseTimeoutParameter(value, 's');
      return seconds !== null && Number.isInteger(seconds) && seconds <= 2147483647 ? null : 'AddressTTL must be -1 or a number of seconds not exceeding (2147483647)';
    }
    case 'route':
      return value.length >= 64 ? 'Route length must be < 64 characters' : null;
    case 'redirect':
      return value.length >= 64 ? 'Redirect length must be < 64 characters' : null;
    case 'status':
      return checkWorkerStatus(value);
    case 'flushpackets':
      return ['on', 'off', 'auto'].includes(value.toLowerCase()) ? null : 'flushpackets must be on|off|auto';
    case 'flushwait': {
      const wait = atoi(value);
      return wait > 1000 || wait < 0 ? 'flushwait must be <= 1000, or 0 for system default of 10 millseconds.' : null;
    }
    case 'ping': {
      const seconds = parseTimeoutParameter(value, 's');
      if (seconds === null) return 'Ping/Pong timeout has wrong format';
      return seconds * 1_000_000 < 1000 ? 'Ping/Pong timeout must be at least one millisecond' : null;
    }
    case 'lbset': {
      const set = atoi(value);
      return set < 0 || set > 99 ? 'lbset must be between 0 and 99' : null;
    }
    case 'connectiontimeout': {
      const seconds = parseTimeoutParameter(value, 's');
      if (seconds === null) return 'Connectiontimeout has wrong format';
      return seconds * 1_000_000 < 1000 ? 'Connectiontimeout must be at least one millisecond.' : null;
    }
    case 'flusher':
      return value.length >= 16 ? 'flusher name length must be < 16 characters' : null;
    case 'upgrade':
      return value.length >= 16 ? 'upgrade protocol length must be < 16 characters' : null;
    case 'responsefieldsize':
      return atol(value) < 0 ? 'ResponseFieldSize must be greater than 0 bytes, or 0 for system default.' : null;
    case 'secret':
      return value.length >= 64 ? 'Secret length must be < 64 characters' : null;
    default:
      // mod_proxy_hcheck adds the hc* parameters when it is loaded.
      if (state.loadedIds.has('proxy_hcheck_module') && key.toLowerCase().startsWith('hc')) return null;
      return 'unknown Worker parameter';
  }
}

/** proxy_wstat_tbl's flags, matched after toupper(): every worker state, not only the documented D S I H E N R C. */
const WORKER_STATUS_FLAGS = 'OINGUDSEHRFC';

function checkWorkerStatus(value: string): string | null {
  for (let index = 0; index < value.length; index++) {
    let char = value[index];
    if (char === '+' || char === '-') char = value[++index] ?? '';
    if (!/^[A-Za-z]$/.test(char) || !WORKER_STATUS_FLAGS.includes(char.toUpperCase())) return 'Unknown status parameter option';
  }
  return null;
}

/** set_balancer_param: null when valid, else httpd's message (without prefix). */
export function checkBalancerParam(state: ParseState, key: string, value: string): string | null {
  switch (key.toLowerCase()) {
    case 'stickysession':
      return null;
    case 'stickysessionsep':
      return value.length === 1 || value.toLowerCase() === 'off' ? null : 'stickysessionsep must be a single character or Off';
    case 'nofailover':
      return onOff(value) ? null : 'failover must be On|Off';
    case 'timeout':
      return atoi(value) < 1 ? 'timeout must be at least one second' : null;
    case 'maxattempts':
      return atoi(value) < 0 ? 'maximum number of attempts must be a positive number' : null;
    case 'lbmethod':
      return value.length > 63 || !lbMethodAvailable(state, value) ? 'unknown lbmethod' : null;
    case 'scolonpathdelim':
      return onOff(value) ? null : 'scolonpathdelim must be On|Off';
    case 'failonstatus': {
      const codes = value.split(/[, ]+/).filter((code) => code !== '');
      return codes.every((code) => atoi(code) >= 100 && atoi(code) <= 599) ? null : 'failonstatus must be one or more HTTP response codes';
    }
    case 'failontimeout':
      return onOff(value) ? null : 'failontimeout must be On|Off';
    case 'nonce':
      return value.length >= 40 ? 'Provided nonce is too large' : null;
    case 'growth': {
      const growth = atoi(value);
      return growth < 1 || growth > 100 ? 'growth must be between 1 and 100' : null;
    }
    case 'forcerecovery':
      return onOff(value) ? null : 'forcerecovery must be On|Off';
    default:
      return 'unknown Balancer parameter';
  }
}

/** Add or replace a parameter, keeping first-written order as apr_table_setn does. */
export function setParam(params: ProxyParam[], key: string, value: string): void {
  const lower = key.toLowerCase();
  const existing = params.find((param) => param.key === lower);
  if (existing) existing.value = value;
  else params.push({ key: lower, value });
}
