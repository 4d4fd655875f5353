/**
 * Directives the sandbox does not act on but checks as httpd does, so a config httpd refuses is
 * refused here too: AcceptPathInfo, TraceEnable, Mutex, Order,
 * RequestReadTimeout, ProxyStatus, ProxyBadHeader, ProxyRemote(Match), ProxyDomain,
 * ProxyIOBufferSize, BalancerGrowth, ProxySourceAddress. Each is recorded in the model's notSimulated. ErrorDocument,
 * ProxyErrorOverride, the LimitRequest* head limits, HttpProtocolOptions and RegisterHttpMethod
 * are checked here too but stored in the model and simulated.
 */
import type { SplitArguments } from '../argument-splitter.ts';
import { atoi, atol } from '../c-numbers.ts';
import { sourceOf } from '../directive-node.ts';
import type { ErrorDocumentEntry } from '../model.ts';
import { canResolve, serverRootRelative } from '../parse-state.ts';
import { compileHttpdRegex } from '../regex.ts';
import { stringExprError } from './string-expr.ts';
import { isUrl } from '../../http/error-document.ts';
import {
  checkCommandContext,
  GLOBAL_ONLY,
  NOT_IN_DIR_CONTEXT,
  recordNotSimulated,
  wordSpan,
  type CommandContext,
  type HandlerError,
  type HandlerTable,
} from '../process-phase.ts';
import { KNOWN_STATUSES } from './rewrite.ts';

type Result = HandlerError | string | null;

/** Wrap a check so a passing directive is recorded as not simulated. */
function validated(check: (context: CommandContext, args: SplitArguments) => Result) {
  return (context: CommandContext, args: SplitArguments): Result => {
    const error = check(context, args);
    if (error === null) recordNotSimulated(context, args.words.map((word) => word.value));
    return error;
  };
}

function keyword(allowed: string[], message: string) {
  return validated((context, args) => (allowed.includes(args.words[0].value.toLowerCase()) ? null : { message, span: wordSpan(context, args.words[0]) }));
}

/** core set_limit_req_line and friends: atoi'd into the server_rec (so "abc" is 0); only a negative number is refused. */
function requestLimit(label: string, key: 'limitRequestLine' | 'limitRequestFieldSize' | 'limitRequestFields', suffix = '') {
  return (context: CommandContext, args: SplitArguments): Result => {
    const contextError = checkCommandContext(context, NOT_IN_DIR_CONTEXT);
    if (contextError) return contextError;
    const value = args.words[0].value;
    const limit = atoi(value);
    if (limit < 0) return { message: `${label} "${value}" must be a non-negative integer${suffix}`, span: wordSpan(context, args.words[0]) };
    context.server.server[key] = { value: limit, source: sourceOf(context.node) };
    return null;
  };
}

/**
 * core set_http_protocol_options (ITERATE): each word sets one of three choices in the server's
 * core config; a server that names both sides of a pair, in one line or several, is refused.
 */
function httpProtocolOptions(context: CommandContext, args: SplitArguments): Result {
  const options = (context.server.server.httpProtocolOptions ??= { http09: null, conformance: null, methods: null });
  const source = sourceOf(context.node);
  for (const word of args.words) {
    const value = word.value.toLowerCase();
    let conflict: string | null = null;
    if (value === 'allow0.9' || value === 'require1.0') {
      if (options.http09 && options.http09.value !== value) conflict = "HttpProtocolOptions 'Allow0.9' and 'Require1.0' are mutually exclusive";
      options.http09 = { value, source };
    } else if (value === 'strict' || value === 'unsafe') {
      if (options.conformance && options.conformance.value !== value) conflict = "HttpProtocolOptions 'Strict' and 'Unsafe' are mutually exclusive";
      options.conformance = { value, source };
    } else if (value === 'registeredmethods' || value === 'lenientmethods') {
      const methods = value === 'registeredmethods' ? 'registered' : 'lenient';
      if (options.methods && options.methods.value !== methods) conflict = "HttpProtocolOptions 'RegisteredMethods' and 'LenientMethods' are mutually exclusive";
      options.methods = { value: methods, source };
    } else {
      return {
        message: "HttpProtocolOptions accepts 'Unsafe' or 'Strict' (default), 'RegisteredMethods' or 'LenientMethods' (default), and 'Require1.0' or 'Allow0.9' (default)",
        span: wordSpan(context, word),
      };
    }
    if (conflict) return { message: conflict, span: wordSpan(context, word) };
  }
  // Unsafe's relaxed parsing is not modelled: say so, as for any directive the proxy ignores.
  if (options.conformance?.value === 'unsafe' && args.words.some((word) => word.value.toLowerCase() === 'unsafe')) recordNotSimulated(context, ['Unsafe']);
  return null;
}

/** core set_http_method: RegisterHttpMethod adds names to httpd's (global) method registry. */
function registerHttpMethod(context: CommandContext, args: SplitArguments): Result {
  const contextError = checkCommandContext(context, GLOBAL_ONLY);
  if (contextError) return contextError;
  const global = context.state.config.global;
  global.registeredMethods = [...(global.registeredMethods ?? []), ...args.words.map((word) => word.value)];
  return null;
}

/** core set_limit_req_body: bytes, 0 for no limit; kept per scope (core's dir config). */
function limitRequestBody(context: CommandContext, args: SplitArguments): Result {
  // apr_strtoff: anything but a whole non-negative number is refused; only overflow is "not parsable".
  const value = args.words[0].value;
  if (!/^[ \t]*\+?\d+$/.test(value)) return { message: 'LimitRequestBody requires a non-negative integer.', span: wordSpan(context, args.words[0]) };
  const bytes = Number(value.trim());
  if (bytes > Number.MAX_SAFE_INTEGER) return { message: 'LimitRequestBody argument is not parsable.', span: wordSpan(context, args.words[0]) };
  context.scope.limitRequestBody = { value: bytes, source: sourceOf(context.node) };
  return null;
}

/** core set_error_document: the status must have a reason phrase; the value is classified and stored per scope. */
function errorDocument(context: CommandContext, args: SplitArguments): Result {
  const code = args.words[0].value;
  const status = atoi(code);
  if (!(status === 500 || KNOWN_STATUSES.has(status))) return { message: `Unsupported HTTP response code ${code}`, span: wordSpan(context, args.words[0]) };
  const message = args.words[1].value;
  const kind = message.includes(' ') ? 'message' : message.startsWith('/') ? 'local' : isUrl(message) ? 'remote' : 'message';
  // httpd ignores a full URL for 401 (it logs AH00113 at startup).
  if (status === 401 && kind === 'remote') return null;
  if (message.toLowerCase() !== 'default') {
    // httpd prefixes a message with '"' (how http_protocol.c tells it from a path), then parses.
    const exprError = stringExprError(kind === 'message' ? `"${message}` : message, (error) => `Cannot parse expression in ErrorDocument: ${error}`);
    if (exprError) return { ...exprError, span: wordSpan(context, args.words[1]) };
  }
  const entry: ErrorDocumentEntry = { kind: message.toLowerCase() === 'default' ? 'default' : kind, value: message, source: sourceOf(context.node) };
  (context.scope.errorDocuments ??= {})[status] = entry;
  return null;
}

const MUTEX_MECHANISMS =
  "(Mutex mechanisms are: 'none', 'default', 'flock:/path/to/file', 'fcntl:/path/to/file', 'file:/path/to/file', 'pthread', 'sysvsem', 'posixsem', 'sem')";

function mutex(context: CommandContext, args: SplitArguments): Result {
  const contextError = checkCommandContext(context, GLOBAL_ONLY);
  if (contextError) return contextError;
  const mechanism = args.words[0]?.value ?? '';
  if (mechanism === '') return `Mutex requires at least a mechanism argument ${MUTEX_MECHANISMS}`;
  // ap_parse_mutex: the method before the first ':', a file after it (none when empty).
  const colon = mechanism.indexOf(':');
  const method = (colon === -1 ? mechanism : mechanism.slice(0, colon)).toLowerCase();
  const file = colon === -1 || colon === mechanism.length - 1 ? null : mechanism.slice(colon + 1);
  const noMutex = method === 'none' || method === 'no';
  const known = ['default', 'yes', 'fcntl', 'file', 'flock', 'posixsem', 'sem', 'sysvsem', 'pthread'];
  if (!noMutex && !known.includes(method)) {
    return { message: `Invalid Mutex argument ${mechanism} ${MUTEX_MECHANISMS}`, span: wordSpan(context, args.words[0]) };
  }
  // A semaphore takes the file as a literal name; every other method a path under ServerRoot.
  // Either way it must name a directory.
  const directory = noMutex || file === null ? null : method === 'posixsem' || method === 'sem' ? file : serverRootRelative(context.state, file);
  const fileSystem = context.state.options.fileSystem;
  if (directory !== null && fileSystem && fileSystem.listDirectory(directory) === null) {
    return { message: `Invalid Mutex directory in argument ${mechanism}`, span: wordSpan(context, args.words[0]) };
  }
  // ap_set_mutex: every other word is a mutex type ("OmitPID", in any case, anywhere, is not),
  // checked last word first (apr_array_pop) against the registered types, case and all.
  const types = args.words.slice(1).filter((word) => word.value.toLowerCase() !== 'omitpid');
  const registered = registeredMutexTypes(context.state.loadedIds);
  for (const type of types.length === 0 ? [null] : [...types].reverse()) {
    const name = type === null ? 'default' : type.value;
    const span = type === null ? wordSpan(context, args.words[0]) : wordSpan(context, type);
    if (!registered.has(name)) return { message: `Mutex type ${name} is not valid`, span };
    // No module registers its mutex with AP_MUTEX_ALLOW_NONE, nor is "default" so initialised.
    if (noMutex) return { message: `None is not allowed for mutex type ${name}`, span };
  }
  context.state.config.global.mutex.push({ value: args.raw, source: sourceOf(context.node) });
  return null;
}

/**
 * Mutex types known when Mutex runs: "default" (ap_mutex_init) and those the loaded modules
 * register in their pre_config hooks, which run after every LoadModule was read. mod_watchdog is
 * compiled into Debian's binary; the event MPM has no accept mutex.
 */
const MUTEX_TYPES_BY_MODULE: Record<string, string[]> = {
  auth_digest_module: ['authdigest-client', 'authdigest-opaque'],
  authn_socache_module: ['authn-socache'],
  cache_socache_module: ['cache-socache'],
  ldap_module: ['ldap-cache'],
  lua_module: ['lua-ivm-shm'],
  rewrite_module: ['rewrite-map'],
  proxy_module: ['proxy'],
  proxy_balancer_module: ['proxy-balancer-shm'],
  ssl_module: ['ssl-cache', 'ssl-stapling', 'ssl-stapling-refresh'],
  mpm_prefork_module: ['mpm-accept'],
  mpm_worker_module: ['mpm-accept'],
};

function registeredMutexTypes(loadedIds: ReadonlySet<string>): Set<string> {
  const types = new Set(['default', 'watchdog-callback']);
  for (const [module, names] of Object.entries(MUTEX_TYPES_BY_MODULE)) if (loadedIds.has(module)) for (const name of names) types.add(name);
  return types;
}

function parseTimeoutInteger(text: string): string | null {
  const match = /^[ \t]*[+-]?\d+/.exec(text);
  if (!match) return `Value '${text}' not numerical`;
  if (match[0].length !== text.length) return `Cannot parse '${text.slice(match[0].length)}'`;
  return Number.parseInt(text, 10) < 0 ? 'Value must be non-negative' : null;
}

/** mod_reqtimeout set_reqtimeout_param for one stage. */
function checkReadTimeout(key: string, value: string): string | null {
  if (!['handshake', 'header', 'body'].includes(key.toLowerCase())) return 'Unknown RequestReadTimeout parameter';
  const rateAt = value.toLowerCase().indexOf(',minrate=');
  if (rateAt === -1) return value.includes('-') ? 'Must set MinRate option if using timeout range' : parseTimeoutInteger(value);
  const rate = value.slice(rateAt + ',minrate='.length);
  const rateError = parseTimeoutInteger(rate);
  if (rateError) return rateError;
  if (Number.parseInt(rate, 10) === 0) return 'Minimum data rate must be larger than 0';
  const [initial, maximum] = value.slice(0, rateAt).split(/-(.*)/s);
  if (maximum !== undefined) {
    const maximumError = parseTimeoutInteger(maximum);
    if (maximumError) return maximumError;
  }
  const initialError = parseTimeoutInteger(initial);
  if (initialError) return initialError;
  if (maximum !== undefined && Number.parseInt(maximum, 10) !== 0 && Number.parseInt(initial, 10) >= Number.parseInt(maximum, 10)) {
    return 'Maximum timeout must be larger than initial timeout';
  }
  return null;
}

const requestReadTimeout = validated((context, args) => {
  for (const word of args.words) {
    const equals = word.value.indexOf('=');
    if (equals === -1) return { message: "Invalid RequestReadTimeout parameter. Parameter must be in the form 'key=value'", span: wordSpan(context, word) };
    const key = word.value.slice(0, equals);
    const value = word.value.slice(equals + 1);
    const error = checkReadTimeout(key, value);
    if (error) return { message: `RequestReadTimeout: ${key}=${value}: ${error}`, span: wordSpan(context, word) };
  }
  return null;
});

/** mod_proxy set_proxy_error_override, called once per word (ITERATE); codes are kept sorted. */
function proxyErrorOverride(context: CommandContext, args: SplitArguments): Result {
  for (const word of args.words) {
    const state = (context.scope.proxyErrorOverride ??= { on: null, codes: [] });
    const value = word.value.toLowerCase();
    if (value === 'off' || value === 'on') {
      state.on = value === 'on';
      continue;
    }
    if (state.on === null) return { message: 'ProxyErrorOverride first parameter must be one of: off | on', span: wordSpan(context, word) };
    if (!/^\d/.test(word.value)) return { message: 'ProxyErrorOverride: status codes to intercept must be numeric', span: wordSpan(context, word) };
    if (!state.on) return { message: "ProxyErrorOverride: status codes must follow a value of 'on'", span: wordSpan(context, word) };
    const code = Number.parseInt(word.value, 10);
    if (!(code >= 400 && code < 600)) return { message: 'ProxyErrorOverride: status codes to intercept must be valid HTTP Status Codes >=400 && <600', span: wordSpan(context, word) };
    state.codes.push(code);
    state.codes.sort((a, b) => a - b);
  }
  return null;
}

/** mod_proxy add_proxy: "scheme://host[:port]" for ProxyRemote and ProxyRemoteMatch. */
function proxyRemote(isRegex: boolean) {
  return validated((context, args) => {
    const name = isRegex ? 'ProxyRemoteMatch' : 'ProxyRemote';
    const remote = args.words[1].value;
    const colon = remote.indexOf(':');
    if (colon === -1 || remote[colon + 1] !== '/' || remote[colon + 2] !== '/' || colon + 3 >= remote.length) {
      return { message: `${name}: Bad syntax for a remote proxy server`, span: wordSpan(context, args.words[1]) };
    }
    const portColon = remote.indexOf(':', colon + 3);
    if (portColon !== -1) {
      // sscanf("%u") into an int: leading blanks and a sign are accepted, the value wraps to 32 bits.
      const number = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(remote.slice(portColon + 1));
      const magnitude = number ? Number(BigInt.asIntN(32, BigInt(number[2]))) : 0;
      const port = number?.[1] === '-' ? -magnitude : magnitude;
      if (!number || port > 65535) return { message: `${name}: Bad syntax for a remote proxy server (bad port number)`, span: wordSpan(context, args.words[1]) };
    }
    if (isRegex) {
      const compiled = compileHttpdRegex(args.words[0].value);
      if (!compiled.ok && !compiled.unsupported) return { message: 'Regular expression for ProxyRemoteMatch could not be compiled.', span: wordSpan(context, args.words[0]) };
    }
    return null;
  });
}

/** Handlers for directives checked but not simulated. */
export const validatedDirectiveHandlers: HandlerTable = {
  limitrequestline: requestLimit('LimitRequestLine', 'limitRequestLine'),
  limitrequestfieldsize: requestLimit('LimitRequestFieldsize', 'limitRequestFieldSize'),
  limitrequestfields: requestLimit('LimitRequestFields', 'limitRequestFields', ' (0 = no limit)'),
  httpprotocoloptions: httpProtocolOptions,
  registerhttpmethod: registerHttpMethod,
  limitrequestbody: limitRequestBody,
  errordocument: errorDocument,
  acceptpathinfo: keyword(['on', 'off', 'default'], 'AcceptPathInfo must be set to on, off or default'),
  proxystatus: keyword(['off', 'on', 'full'], 'ProxyStatus must be one of: off | on | full'),
  proxybadheader: keyword(['iserror', 'ignore', 'startbody'], 'ProxyBadHeader must be one of: IsError | Ignore | StartBody'),
  order: keyword(['allow,deny', 'deny,allow', 'mutual-failure'], 'unknown order'),
  mutex,
  requestreadtimeout: requestReadTimeout,
  proxyerroroverride: proxyErrorOverride,
  proxyremote: proxyRemote(false),
  proxyremotematch: proxyRemote(true),
  proxydomain: validated((context, args) => (args.words[0].value.startsWith('.') ? null : 'ProxyDomain: domain name must start with a dot.')),
  // set_io_buffer_size: atol, so a word that is not a number is 0, the system default.
  proxyiobuffersize: validated((context, args) => {
    // set_io_buffer_size reads a long: 2147483648 is a large size, not a negative one.
    const size = atol(args.words[0].value);
    return size < 512 && size !== 0 ? 'ProxyIOBufferSize must be >= 512 bytes, or 0 for system default.' : null;
  }),
  balancergrowth: validated((context, args) => {
    const growth = atoi(args.words[0].value);
    return growth < 0 || growth > 1000 ? 'BalancerGrowth must be between 0 and 1000' : null;
  }),
  // apr_sockaddr_info_get: an address literal, or a name the resolver knows.
  proxysourceaddress: validated((context, args) => (canResolve(context.state, args.words[0].value) ? null : 'ProxySourceAddress invalid value')),
};
