/**
 * Runtime state of balancer:// groups and member selection, as mod_proxy_balancer and the
 * lbmethod modules do it at request time:
 * - proxy_balancer_pre_request() first runs force_recovery(): members in error whose retry=
 *   period elapsed come back; if every member is still in error and forcerecovery is on (the
 *   default), all are put back in service;
 * - proxy_balancer_get_best_worker() (proxy_util.c) walks lbsets in order, skipping unusable
 *   members, using spares for unusable ones and hot standbys only when nothing else is left, and
 *   asks the lbmethod which member is best:
 *   byrequests: every usable member's lbstatus += lbfactor; the highest lbstatus wins (first on
 *   ties) and pays back the sum of lbfactors (weighted round robin);
 *   bybusyness: fewest active requests, ties broken like byrequests;
 *   bytraffic: least (bytes sent + bytes received) / lbfactor;
 * - with stickysession=, find_session_route() looks for NAME=value first in the URL (after the
 *   balancer's name, query included) then in the Cookie header; the part after the first
 *   stickysessionsep ('.') is a route, and the member with that route= (hot standbys last) takes
 *   the request if usable, or the member its redirect= names. A routed request still moves every
 *   usable member's lbstatus as byrequests would. With nofailover=On a route whose member is out
 *   answers 503 with AH01167 instead of balancing;
 * - proxy_balancer_post_request(): when the request's final status is one of failonstatus=, the
 *   member that served it goes into error state (AH01174), unless it ignores errors;
 * - when none is usable: 503 with AH01170 ("All workers are in error state"), or AH01171 when the
 *   balancer has no members;
 * - a refused connection puts the member in error for retry= seconds (AH00959) and proxy_handler
 *   tries another member, up to maxattempts (default: members - 1) more times.
 *
 * Times are milliseconds and must carry sub-millisecond precision: httpd keeps error_time in
 * microseconds and retries a member once now > error_time + retry, so with retry=0 a member that
 * failed is usually usable again for the failover attempt of the same request. A millisecond clock
 * would often see "now == error_time" there and keep the member out, which changes byrequests'
 * counts. httpd itself only usually sees a microsecond pass (proxy_handler stamps error_time just
 * before force_recovery() checks it), so the differential suite does not probe what follows that
 * race (scenario 120).
 */
import type { BalancerDefinition, ProxyParam, SourceRef } from '../config/model.ts';
import type { ErrorLogEntry } from '../logs/error-log.ts';
import { DEFAULT_RETRY_SECONDS, parseSeconds, workerName } from './workers.ts';

/** One BalancerMember at runtime (its proxy_worker_shared). */
export interface BalancerMemberState {
  /** The worker name (name_ex), e.g. "http://127.0.0.1:8080/app". */
  name: string;
  /** The URL as written on the BalancerMember line. */
  url: string;
  params: ProxyParam[];
  /** loadfactor x 100, as httpd stores it. */
  lbfactor: number;
  lbset: number;
  lbstatus: number;
  /** Requests in flight (bybusyness). */
  busy: number;
  /** Bytes sent to and read from the member (bytraffic). */
  transferred: number;
  read: number;
  /** Times chosen. */
  elected: number;
  disabled: boolean;
  stopped: boolean;
  hotStandby: boolean;
  spare: boolean;
  draining: boolean;
  ignoreErrors: boolean;
  /** route= and redirect= (empty when not set). */
  route: string;
  redirect: string;
  /** When the member went into error state (ms), or null when it is usable. */
  errorSinceMs: number | null;
  retrySeconds: number;
  source: SourceRef;
}

/** One balancer at runtime. */
export interface BalancerState {
  name: string;
  lbmethod: 'byrequests' | 'bybusyness' | 'bytraffic' | 'heartbeat';
  forceRecovery: boolean;
  /** How many more members proxy_handler tries after a failed one. */
  maxAttempts: number;
  /** stickysession=COOKIE|URLPARAM: the cookie name and the URL parameter name (empty: no stickiness). */
  stickyCookie: string;
  stickyPath: string;
  /** stickysessionsep=, or null for Off. */
  stickySeparator: string | null;
  /** scolonpathdelim=On: ';' also ends a URL session parameter. */
  semicolonDelimits: boolean;
  /** nofailover=On (sticky_force). */
  noFailover: boolean;
  /** Where mod_lbmethod_heartbeat reads heartbeats (HeartbeatStorage, relative to the runtime dir). */
  heartbeatStorage: string;
  /** failonstatus= codes. */
  failOnStatus: number[];
  members: BalancerMemberState[];
  source: SourceRef;
}

/** The outcome of asking a balancer for a member. */
export type MemberChoice =
  | { ok: true; member: BalancerMemberState; log: ErrorLogEntry[] }
  | { ok: false; status: 503; log: ErrorLogEntry[]; reason: string };

/**
 * Build the runtime state of a balancer from its definition and the ProxyPass parameters.
 * `sharedMembers` is the member state of another server's copy of the same balancer: httpd's
 * vhost copies (merge_balancers) hold the same proxy_worker objects, so lbstatus and error state
 * are one for all of them (measured, scenario 300).
 */
export function createBalancerState(
  definition: BalancerDefinition,
  proxyPassParams: readonly ProxyParam[] = [],
  heartbeatStorage = 'hb.dat',
  sharedMembers: BalancerMemberState[] | null = null,
): BalancerState {
  const params = [...definition.params, ...proxyPassParams];
  const param = (key: string) => params.findLast((entry) => entry.key === key)?.value ?? null;
  const method = (param('lbmethod') ?? 'byrequests').toLowerCase();
  const members = sharedMembers ?? definition.members.map((member) => createMemberState(member.url, member.params, member.source));
  const maxAttemptsText = param('maxattempts');
  const sticky = param('stickysession') ?? '';
  const separator = param('stickysessionsep');
  return {
    name: definition.name,
    lbmethod: method === 'bybusyness' || method === 'bytraffic' || method === 'heartbeat' ? method : 'byrequests',
    forceRecovery: (param('forcerecovery') ?? 'on').toLowerCase() !== 'off',
    maxAttempts: maxAttemptsText !== null ? Number.parseInt(maxAttemptsText, 10) || 0 : Math.max(members.length - 1, 0),
    stickyCookie: sticky.split('|')[0],
    stickyPath: sticky.includes('|') ? sticky.slice(sticky.indexOf('|') + 1) : sticky,
    stickySeparator: separator === null ? '.' : separator.toLowerCase() === 'off' && separator.length !== 1 ? null : separator[0],
    semicolonDelimits: (param('scolonpathdelim') ?? 'off').toLowerCase() === 'on',
    noFailover: (param('nofailover') ?? 'off').toLowerCase() === 'on',
    heartbeatStorage,
    failOnStatus: (param('failonstatus') ?? '').split(/[,\s]+/).filter((code) => code !== '').map((code) => Number.parseInt(code, 10)).filter(Number.isFinite),
    members,
    source: definition.source,
  };
}

function createMemberState(url: string, params: ProxyParam[], source: SourceRef): BalancerMemberState {
  const param = (key: string) => params.findLast((entry) => entry.key === key)?.value ?? null;
  const flags = parseStatusFlags(param('status') ?? '');
  const flag = (letter: string) => flags.has(letter);
  const loadfactor = Number.parseFloat(param('loadfactor') ?? '1');
  const retry = param('retry');
  return {
    name: workerName(url) ?? url,
    url,
    params: [...params],
    lbfactor: Math.round((Number.isFinite(loadfactor) ? loadfactor : 1) * 100),
    lbset: Number.parseInt(param('lbset') ?? '0', 10) || 0,
    lbstatus: 0,
    busy: 0,
    transferred: 0,
    read: 0,
    elected: 0,
    disabled: flag('D'),
    stopped: flag('S'),
    hotStandby: flag('H'),
    spare: flag('R'),
    draining: flag('N'),
    ignoreErrors: flag('I'),
    route: param('route') ?? '',
    redirect: param('redirect') ?? '',
    errorSinceMs: flag('E') ? 0 : null,
    retrySeconds: retry === null ? DEFAULT_RETRY_SECONDS : (parseSeconds(retry) ?? DEFAULT_RETRY_SECONDS),
    source,
  };
}

/** status=: letters set with "+" (the default) or cleared with "-", e.g. "+H", "-D", "DI". */
function parseStatusFlags(status: string): Set<string> {
  const flags = new Set<string>();
  let adding = true;
  for (const char of status.toUpperCase()) {
    if (char === '+') adding = true;
    else if (char === '-') adding = false;
    else if (adding) flags.add(char);
    else flags.delete(char);
  }
  return flags;
}

/** What find_session_route() reads from the request. */
export interface StickyRequest {
  /** The URL the balancer got: "balancer://name/path?query". */
  url: string;
  /** The Cookie header, or null. */
  cookie: string | null;
}

/** Choose a member for one request attempt (proxy_balancer_pre_request). */
export function chooseMember(state: BalancerState, nowMs: number, client: string, request: StickyRequest | null = null): MemberChoice {
  forceRecovery(state, nowMs);
  const session = request ? findSessionRoute(state, request, nowMs) : { route: null, member: null };
  if (session.member) {
    // No lbmethod here has updatelbstatus, so mod_proxy_balancer's default applies.
    let totalFactor = 0;
    for (const member of state.members) {
      if (!isUsable(member)) continue;
      member.lbstatus += member.lbfactor;
      totalFactor += member.lbfactor;
    }
    session.member.lbstatus -= totalFactor;
    session.member.elected++;
    session.member.busy++;
    return { ok: true, member: session.member, log: [] };
  }
  if (session.route !== null && state.noFailover && state.members.some((member) => member.route !== '' && member.route === session.route)) {
    return {
      ok: false,
      status: 503,
      reason: `nofailover=On and the member for route ${session.route} is out of service`,
      log: [{ module: 'proxy_balancer', level: 'error', code: 'AH01167', message: `${state.name}: All workers are in error state for route (${session.route})`, client }],
    };
  }
  // mod_lbmethod_heartbeat chooses from what mod_heartmonitor stored; the emulator runs no
  // heartbeat monitor, so it finds the storage file missing, as httpd does without one.
  const heartbeat = state.lbmethod === 'heartbeat';
  const best = heartbeat ? null : findBestMember(state, nowMs);
  if (!best) {
    const empty = state.members.length === 0;
    return {
      ok: false,
      status: 503,
      reason: heartbeat
        ? `lbmethod=heartbeat found no heartbeat data (no mod_heartmonitor runs here)`
        : empty ? `${state.name} has no BalancerMember` : `every member of ${state.name} is in error state or out of service`,
      log: [
        ...(heartbeat
          ? [{ module: 'lbmethod_heartbeat', level: 'error' as const, code: 'AH01213', osError: '(2)No such file or directory', message: `lb_heartbeat: Unable to read heartbeats at '${state.heartbeatStorage}'`, client }]
          : []),
        {
          module: 'proxy_balancer',
          level: 'error',
          code: empty ? 'AH01171' : 'AH01170',
          message: empty ? `${state.name}: No workers in balancer` : `${state.name}: All workers are in error state`,
          client,
        },
      ],
    };
  }
  best.elected++;
  best.busy++;
  return { ok: true, member: best, log: [] };
}

/** find_session_route(): the route the request names, and the usable member that serves it. */
function findSessionRoute(state: BalancerState, request: StickyRequest, nowMs: number): { route: string | null; member: BalancerMemberState | null } {
  if (state.stickyCookie === '') return { route: null, member: null };
  let value = pathParam(request.url, state.stickyPath, state.semicolonDelimits) ?? (request.cookie === null ? null : cookieParam(request.cookie, state.stickyCookie));
  if (value !== null && state.stickySeparator !== null) {
    const at = value.indexOf(state.stickySeparator);
    value = at < 0 ? null : value.slice(at + 1);
  }
  if (value === null || value === '') return { route: value, member: null };
  return { route: value, member: findRouteMember(state, value, nowMs, 1) };
}

/** find_route_worker(): non-standby members first, then hot standbys; an unusable one may redirect. */
function findRouteMember(state: BalancerState, route: string, nowMs: number, recursion: number): BalancerMemberState | null {
  for (const standby of [false, true]) {
    for (const member of state.members) {
      if (member.hotStandby !== standby || member.route === '' || member.route !== route) continue;
      retryIfDue(member, nowMs);
      if (isUsable(member)) return member;
      if (member.redirect !== '' && recursion < state.members.length) {
        const redirected = findRouteMember(state, member.redirect, nowMs, recursion + 1);
        if (redirected) retryIfDue(redirected, nowMs);
        if (redirected && isUsable(redirected)) return redirected;
      }
    }
  }
  return null;
}

/** get_path_param(): NAME=value anywhere in the URL, up to '?' or '&' (and ';' with scolonpathdelim). */
function pathParam(url: string, name: string, semicolonDelimits: boolean): string | null {
  if (name === '') return null;
  const delimiters = semicolonDelimits ? /[;?&]/ : /[?&]/;
  for (let at = url.indexOf(name); at >= 0; at = url.indexOf(name, at + 1)) {
    const after = at + name.length;
    if (url[after] !== '=' || after + 1 >= url.length) continue;
    // apr_strtok skips leading delimiters, so "NAME=&x" yields the next token, "NAME=&" none.
    return url.slice(after + 1).split(delimiters).find((part) => part !== '') ?? null;
  }
  return null;
}

/** get_cookie_param(): NAME at the start or after ';', ',' or a space, then optional spaces and '='. */
function cookieParam(cookies: string, name: string): string | null {
  for (let at = cookies.indexOf(name); at >= 0; at = cookies.indexOf(name, at + 1)) {
    if (at > 0 && !/[;,\s]/.test(cookies[at - 1])) continue;
    let index = at + name.length;
    while (index < cookies.length && /\s/.test(cookies[index])) index++;
    if (cookies[index] !== '=' || index + 1 >= cookies.length) continue;
    return cookies.slice(index + 1).split(';')[0].split(',')[0];
  }
  return null;
}

/** A connection to the member was refused or timed out: put it in error (AH00959) unless it ignores errors. */
export function markMemberFailed(member: BalancerMemberState, nowMs: number): ErrorLogEntry[] {
  if (member.ignoreErrors || !isUsable(member)) return [];
  member.errorSinceMs = nowMs;
  const { host, port } = hostAndPort(member.name);
  return [
    {
      module: 'proxy',
      level: 'error',
      code: 'AH00959',
      message: `ap_proxy_connect_backend disabling worker for (${host}:${port}) for ${Math.floor(member.retrySeconds)}s`,
    },
  ];
}

/**
 * The member's handler failed with 500 (a TLS handshake that broke after the connect): mod_proxy's
 * proxy_handler puts a balancer member in error silently (no AH00959, that one is
 * ap_proxy_connect_backend's) and does not fail over to another member.
 */
export function markMemberInErrorAfter500(member: BalancerMemberState, nowMs: number): void {
  if (member.ignoreErrors) return;
  member.errorSinceMs = nowMs;
}

/**
 * proxy_balancer_post_request(): the request that used this member ended with this status (the
 * backend's, or the proxy's own error status); a failonstatus= match puts the member in error.
 */
export function memberRequestFinished(state: BalancerState, member: BalancerMemberState, status: number, nowMs: number, client: string): ErrorLogEntry[] {
  if (member.ignoreErrors || !state.failOnStatus.includes(status)) return [];
  member.errorSinceMs = nowMs;
  return [
    {
      module: 'proxy_balancer',
      level: 'error',
      code: 'AH01174',
      message: `${state.name}: Forcing worker (${member.name}) into error state due to status code ${status} matching 'failonstatus' balancer parameter`,
      client,
    },
  ];
}

/** The request using this member finished. */
export function releaseMember(member: BalancerMemberState, bytesSent = 0, bytesRead = 0): void {
  if (member.busy > 0) member.busy--;
  member.transferred += bytesSent;
  member.read += bytesRead;
}

/** True when the member can take requests (PROXY_WORKER_IS_USABLE). */
export function isUsable(member: BalancerMemberState): boolean {
  return !member.disabled && !member.stopped && member.errorSinceMs === null;
}

function retryIfDue(member: BalancerMemberState, nowMs: number): void {
  if (member.errorSinceMs === null || member.stopped) return;
  if (member.ignoreErrors || nowMs > member.errorSinceMs + member.retrySeconds * 1000) member.errorSinceMs = null;
}

/** force_recovery(): give retried members their chance; with forcerecovery, revive all when all are down. */
function forceRecovery(state: BalancerState, nowMs: number): void {
  let ok = false;
  for (const member of state.members) {
    if (member.errorSinceMs === null) {
      ok = true;
      break;
    }
    retryIfDue(member, nowMs);
    if (member.errorSinceMs === null) {
      ok = true;
      break;
    }
  }
  if (!ok && state.forceRecovery) for (const member of state.members) member.errorSinceMs = null;
}

function findBestMember(state: BalancerState, nowMs: number): BalancerMemberState | null {
  const maxLbset = Math.max(0, ...state.members.map((member) => member.lbset));
  const context = { totalFactor: 0, minTraffic: 0 };
  for (let lbset = 0; lbset <= maxLbset; lbset++) {
    let best: BalancerMemberState | null = null;
    let unusable = 0;
    const spares: BalancerMemberState[] = [];
    const standbys: BalancerMemberState[] = [];
    context.totalFactor = 0;
    for (const member of state.members) {
      if (member.lbset !== lbset) continue;
      if (member.draining) {
        if (!member.spare && !member.hotStandby) unusable++;
        continue;
      }
      if (!isUsable(member)) retryIfDue(member, nowMs);
      if (member.spare) {
        if (isUsable(member)) spares.push(member);
      } else if (member.hotStandby) {
        if (isUsable(member)) standbys.push(member);
      } else if (isUsable(member)) {
        if (isBetter(state.lbmethod, member, best, context)) best = member;
      } else {
        unusable++;
      }
    }
    for (const spare of spares.slice(0, unusable)) if (isBetter(state.lbmethod, spare, best, context)) best = spare;
    if (!best) for (const standby of standbys) if (isBetter(state.lbmethod, standby, best, context)) best = standby;
    if (best) {
      if (state.lbmethod === 'byrequests' || state.lbmethod === 'bybusyness') best.lbstatus -= context.totalFactor;
      return best;
    }
  }
  return null;
}

/** The lbmethod's is_best callback. */
function isBetter(
  method: BalancerState['lbmethod'],
  current: BalancerMemberState,
  best: BalancerMemberState | null,
  context: { totalFactor: number; minTraffic: number },
): boolean {
  if (method === 'bytraffic') {
    const traffic = Math.trunc(current.transferred / current.lbfactor) + Math.trunc(current.read / current.lbfactor);
    if (!best || traffic < context.minTraffic) {
      context.minTraffic = traffic;
      return true;
    }
    return false;
  }
  current.lbstatus += current.lbfactor;
  context.totalFactor += current.lbfactor;
  if (method === 'bybusyness') {
    return !best || current.busy < best.busy || (current.busy === best.busy && current.lbstatus > best.lbstatus);
  }
  return !best || current.lbstatus > best.lbstatus;
}

function hostAndPort(name: string): { host: string; port: number } {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/:]*)(?::(\d+))?/i.exec(name);
  if (!match) return { host: name, port: 0 };
  const scheme = match[1].toLowerCase();
  const defaultPort = scheme === 'https' || scheme === 'wss' ? 443 : 80;
  return { host: match[2].replace(/^\[|\]$/g, ''), port: match[3] ? Number(match[3]) : defaultPort };
}
