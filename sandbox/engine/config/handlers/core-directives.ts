/**
 * Directives of core.c, http_core.c, mod_unixd.c, the listeners (listen.c) and the MPMs, with the
 * checks and messages of their httpd handlers. Numbers go through atoi() as in httpd: "Timeout
 * abc" is accepted as 0, which a vhost then treats as "not set".
 */
import { parseAddressPort } from '../address.ts';
import { atoi } from '../c-numbers.ts';
import { parseErrorLogFormat } from '../../logs/error-log.ts';
import type { SplitArguments } from '../argument-splitter.ts';
import { sourceOf } from '../directive-node.ts';
import { LOG_LEVELS, type LogLevelName, type MpmSettings, type Setting } from '../model.ts';
import { findModuleById, findModuleBySourceName, COMPILED_IN_MODULES } from '../module-registry.ts';
import { canResolve, report, serverRootRelative } from '../parse-state.ts';
import {
  checkCommandContext,
  GLOBAL_ONLY,
  logForServer,
  NOT_IN_DIR_CONTEXT,
  NOT_IN_FILES,
  NOT_IN_LOCATION,
  recordNotSimulated,
  wordSpan,
  type CommandContext,
  type HandlerError,
  type HandlerTable,
} from '../process-phase.ts';
import { startupEvent } from '../parse-state.ts';
import { stringExprError } from './string-expr.ts';

type Result = HandlerError | string | null;

/** util.c ap_timeout_parameter_parse: "5", "5s", "100ms", "2mi", "1h"; seconds, or null if malformed. */
export function parseTimeoutParameter(text: string, defaultUnit: 's' | 'ms'): number | null {
  const match = /^([+-]?\d*)(.*)$/.exec(text.trimStart());
  if (!match) return null;
  const number = match[1] === '' || match[1] === '+' || match[1] === '-' ? 0 : Number.parseInt(match[1], 10);
  const unit = match[2] === '' ? defaultUnit : match[2];
  if (number < 0) return null;
  if (unit.startsWith('s')) return number;
  if (unit.startsWith('h')) return number * 3600;
  if (unit.startsWith('ms')) return number / 1000;
  if (unit.startsWith('mi')) return number * 60;
  return null;
}

function setting<T>(context: CommandContext, value: T): Setting<T> {
  return { value, source: sourceOf(context.node) };
}

function serverOnly(context: CommandContext): string | null {
  return checkCommandContext(context, NOT_IN_DIR_CONTEXT);
}

function globalOnly(context: CommandContext): string | null {
  return checkCommandContext(context, GLOBAL_ONLY);
}

function serverName(context: CommandContext, args: SplitArguments): Result {
  const error = serverOnly(context);
  if (error) return error;
  const arg = args.words[0].value;
  if (/[*?[]/.test(arg)) return { message: `Invalid ServerName "${arg}" use ServerAlias to set multiple server names.`, span: wordSpan(context, args.words[0]) };
  const schemeEnd = arg.indexOf('://');
  const scheme = schemeEnd === -1 ? null : arg.slice(0, schemeEnd).toLowerCase();
  const part = schemeEnd === -1 ? arg : arg.slice(schemeEnd + 3);
  const colon = part.indexOf(':');
  let port: number | null = null;
  if (colon !== -1) {
    port = atoi(part.slice(colon + 1));
    if (port <= 0 || port >= 65536) {
      return { message: `The port number "${arg}" is outside the appropriate range (i.e., 1..65535).`, span: wordSpan(context, args.words[0]) };
    }
  }
  const host = colon === -1 ? part : part.slice(0, colon);
  context.server.server.serverName = setting(context, { raw: arg, scheme, host, port });
  return null;
}

function serverAlias(context: CommandContext, args: SplitArguments): Result {
  if (!context.virtualHost) return 'ServerAlias only used in <VirtualHost>';
  for (const word of args.words) context.server.server.serverAliases.push(setting(context, word.value));
  return null;
}

function serverAdmin(context: CommandContext, args: SplitArguments): Result {
  const error = serverOnly(context);
  if (error) return error;
  context.server.server.serverAdmin = setting(context, args.words[0].value);
  return null;
}

function traceEnable(context: CommandContext, args: SplitArguments): Result {
  const value = args.words[0].value.toLowerCase();
  if (value !== 'on' && value !== 'off' && value !== 'extended') {
    return { message: "TraceEnable must be one of 'on', 'off', or 'extended'", span: wordSpan(context, args.words[0]) };
  }
  context.server.server.traceEnable = setting(context, value);
  return null;
}

function allowEncodedSlashes(context: CommandContext, args: SplitArguments): Result {
  const value = args.words[0].value.toLowerCase();
  if (value !== 'on' && value !== 'off' && value !== 'nodecode') {
    return { message: 'AllowEncodedSlashes must be On, Off, or NoDecode', span: wordSpan(context, args.words[0]) };
  }
  context.server.server.allowEncodedSlashes = setting(context, value);
  return null;
}

function mergeSlashes(context: CommandContext, args: SplitArguments): Result {
  context.server.server.mergeSlashes = setting(context, args.flag === true);
  return null;
}

function documentRoot(context: CommandContext, args: SplitArguments): Result {
  const error = serverOnly(context);
  if (error) return error;
  const path = serverRootRelative(context.state, args.words[0].value);
  const fileSystem = context.state.options.fileSystem;
  // Without a file system the sandbox cannot look, and assumes the directory exists.
  if (fileSystem && fileSystem.listDirectory(path) === null) {
    if (!context.virtualHost) return { message: `DocumentRoot '${path}' is not a directory, or is not readable`, span: wordSpan(context, args.words[0]) };
    const message = `AH00112: Warning: DocumentRoot [${path}] does not exist`;
    context.state.diagnostics.push({ code: 'AH00112', severity: 'warning', message, ...wordSpan(context, args.words[0]) });
    context.state.events.push(startupEvent('process', [message]));
  }
  context.server.server.documentRoot = setting(context, path);
  return null;
}

function errorLog(context: CommandContext, args: SplitArguments): Result {
  const error = serverOnly(context);
  if (error) return error;
  context.server.server.errorLog = setting(context, args.words[0].value);
  return null;
}

/**
 * ErrorLogFormat "fmt" sets the main format; ErrorLogFormat connection|request "fmt" adds a
 * once-per-connection or once-per-request line (set_errorlog_format), checked with httpd's messages.
 */
function errorLogFormat(context: CommandContext, args: SplitArguments): Result {
  const error = serverOnly(context);
  if (error) return error;
  const [first, second] = args.words;
  if (second === undefined) {
    const parsed = parseErrorLogFormat(first.value, true);
    if (!parsed.ok) return parsed.error;
    context.server.server.errorLogFormat = setting(context, first.value);
    return null;
  }
  const kind = first.value.toLowerCase();
  if (kind !== 'connection' && kind !== 'request') return 'ErrorLogFormat type must be one of request, connection';
  // Each line is kept in order; the first one (even an empty one) makes the list the server's own.
  const server = context.server.server;
  const key = kind === 'connection' ? 'errorLogConnectionFormats' : 'errorLogRequestFormats';
  const lines = (server[key] ??= []);
  if (second.value === '') return null;
  const parsed = parseErrorLogFormat(second.value, false);
  if (!parsed.ok) return parsed.error;
  lines.push(second.value);
  return null;
}

function timeout(context: CommandContext, args: SplitArguments): Result {
  const error = serverOnly(context);
  if (error) return error;
  context.server.server.timeout = setting(context, atoi(args.words[0].value));
  return null;
}

function keepAlive(context: CommandContext, args: SplitArguments): Result {
  const error = serverOnly(context);
  if (error) return error;
  context.server.server.keepAlive = setting(context, args.flag === true);
  return null;
}

function maxKeepAliveRequests(context: CommandContext, args: SplitArguments): Result {
  const error = serverOnly(context);
  if (error) return error;
  context.server.server.maxKeepAliveRequests = setting(context, atoi(args.words[0].value));
  return null;
}

function keepAliveTimeout(context: CommandContext, args: SplitArguments): Result {
  const error = serverOnly(context);
  if (error) return error;
  const seconds = parseTimeoutParameter(args.words[0].value, 's');
  if (seconds === null) return { message: 'KeepAliveTimeout has wrong format', span: wordSpan(context, args.words[0]) };
  context.server.server.keepAliveTimeout = setting(context, seconds);
  return null;
}

const LOG_LEVEL_ERROR = 'Log level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8';

function parseLogLevel(text: string): LogLevelName | null {
  const lower = text.toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(lower) ? (lower as LogLevelName) : null;
}

/** core.c find_module as LogLevel uses it: source name, then built-in or loaded identifier. */
function findLoadedModule(context: CommandContext, name: string): string | null {
  const { state } = context;
  if (state.loadedSourceNames.has(name)) {
    const module = findModuleBySourceName(name);
    return module ? module.id : null;
  }
  if (state.loadedIds.has(name) || COMPILED_IN_MODULES.some((module) => module.id === name)) return name;
  return null;
}

function logLevel(context: CommandContext, args: SplitArguments): Result {
  const target = context.path !== null ? context.scope.logLevel : context.server.server.logLevel;
  for (const word of args.words) {
    const arg = word.value;
    const colon = arg.lastIndexOf(':');
    if (colon === -1) {
      const level = parseLogLevel(arg);
      if (!level) return { message: LOG_LEVEL_ERROR, span: wordSpan(context, word) };
      target.level = setting(context, level);
      target.modules = [];
      logForServer(context, 'core', 'trace3', `Setting LogLevel for all modules to ${arg}`, 'core.c(3490)');
      continue;
    }
    const moduleName = arg.slice(0, colon);
    const levelText = arg.slice(colon + 1);
    if (levelText === '') return { message: `Module specifier '${moduleName}' must be followed by a log level keyword`, span: wordSpan(context, word) };
    const level = parseLogLevel(levelText);
    if (!level) return { message: `${moduleName}:${levelText}: ${LOG_LEVEL_ERROR}`, span: wordSpan(context, word) };
    let id = findLoadedModule(context, moduleName);
    if (!id) {
      logForServer(context, 'core', 'trace6', `Cannot find module '${moduleName}', trying '${moduleName}_module'`, 'core.c(3507)');
      id = findLoadedModule(context, `${moduleName}_module`);
    }
    if (!id) return { message: `Cannot find module ${moduleName}`, span: wordSpan(context, word) };
    const module = id.replace(/_module$/, '');
    target.modules = target.modules.filter((entry) => entry.module !== module);
    target.modules.push({ module, level, source: sourceOf(context.node) });
    const sourceName = findModuleById(id)?.sourceName ?? id;
    logForServer(context, 'core', 'trace3', `Setting LogLevel for module ${sourceName} to ${levelText}`, 'core.c(3517)');
  }
  return null;
}

function serverTokens(context: CommandContext, args: SplitArguments): Result {
  const error = globalOnly(context);
  if (error) return error;
  const value = args.words[0].value.toLowerCase();
  const known = ['os', 'min', 'minimal', 'major', 'minor', 'prod', 'productonly', 'full'];
  if (!known.includes(value)) {
    return { message: "ServerTokens takes 1 argument: 'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or 'Full'", span: wordSpan(context, args.words[0]) };
  }
  context.state.config.global.serverTokens = setting(context, args.words[0].value);
  return null;
}

function keywordDirective(allowed: string[], message: string) {
  return (context: CommandContext, args: SplitArguments): Result => {
    if (!allowed.includes(args.words[0].value.toLowerCase())) return { message, span: wordSpan(context, args.words[0]) };
    recordNotSimulated(context, [args.words[0].value]);
    return null;
  };
}

function protocols(context: CommandContext, args: SplitArguments): Result {
  const error = serverOnly(context);
  if (error) return error;
  const previous = context.server.server.protocols?.value ?? [];
  context.server.server.protocols = setting(context, [...previous, ...args.words.map((word) => word.value)]);
  return null;
}

/**
 * getpwnam/getgrnam as httpd calls them while reading User and Group: the name must be in
 * /etc/passwd or /etc/group ("#uid" is taken as a number). Unknown without a file system.
 */
function isKnownAccount(context: CommandContext, database: '/etc/passwd' | '/etc/group', name: string): boolean {
  if (name.startsWith('#')) return true;
  const text = context.state.options.fileSystem?.readFile(database) ?? null;
  if (text === null) return true;
  return text.split('\n').some((line) => line.split(':')[0] === name);
}

function globalString(key: 'pidFile' | 'user' | 'group') {
  return (context: CommandContext, args: SplitArguments): Result => {
    const error = globalOnly(context);
    if (error) return error;
    const value = args.words[0].value;
    if (key !== 'pidFile' && !isKnownAccount(context, key === 'user' ? '/etc/passwd' : '/etc/group', value)) {
      // ap_uname2id / ap_gname2id exit(1) on the spot, with a bare message instead of AH00526.
      const message = key === 'user' ? `AH00543: ${context.state.options.programName}: bad user name ${value}` : `AH00544: ${context.state.options.programName}: bad group name ${value}`;
      report(context.state, wordSpan(context, args.words[0]), { code: message.slice(0, 7), severity: 'error', message }, startupEvent('process', [message], { fatal: true }));
      return null;
    }
    if (key === 'user' && (value === 'root' || value === '#0')) {
      return 'Error:\tApache has not been designed to serve pages while\n\trunning as root.  There are known race conditions that\n\twill allow any local user to read any file on the system.\n\tIf you still desire to serve pages as root then\n\tadd -DBIG_SECURITY_HOLE to the CFLAGS env variable\n\tand then rebuild the server.\n\tIt is strongly suggested that you instead modify the User\n\tdirective in your httpd.conf file to list a non-root\n\tuser.\n';
    }
    context.state.config.global[key] = setting(context, value);
    return null;
  };
}

function listen(context: CommandContext, args: SplitArguments): Result {
  const error = globalOnly(context);
  if (error) return error;
  if (args.words.length < 1 || args.words.length > 2) return 'Listen requires 1 or 2 arguments.';
  const parsed = parseAddressPort(args.words[0].value);
  if (!parsed) return { message: 'Invalid address or port', span: wordSpan(context, args.words[0]) };
  if (parsed.port === 0) return { message: 'Port must be specified', span: wordSpan(context, args.words[0]) };
  const address = parsed.host === '*' ? null : parsed.host;
  if (address !== null && !canResolve(context.state, address)) {
    const message = `(EAI 2)Name or service not known: AH00077: alloc_listener: failed to set up sockaddr for ${address}`;
    context.state.events.push(startupEvent('process', [message], { bare: false, level: 'crit', module: 'core' }));
    return { message: 'Listen setup failed', span: wordSpan(context, args.words[0]) };
  }
  const protocol = args.words[1] ? args.words[1].value.toLowerCase() : null;
  const duplicate = context.state.config.listens.some((entry) => entry.port === parsed.port && entry.address === address);
  if (duplicate) return 'Cannot define multiple Listeners on the same IP:port';
  context.state.config.listens.push({ address, port: parsed.port, protocol, source: sourceOf(context.node) });
  return null;
}

type MpmKey = Exclude<keyof MpmSettings, 'module'>;

function mpmNumber(key: MpmKey) {
  return (context: CommandContext, args: SplitArguments): Result => {
    const error = globalOnly(context);
    if (error) return error;
    context.state.config.global.mpm[key] = setting(context, atoi(args.words[0].value));
    return null;
  };
}

function asyncRequestWorkerFactor(context: CommandContext, args: SplitArguments): Result {
  const error = globalOnly(context);
  if (error) return error;
  const text = args.words[0].value;
  const value = Number(text.trim());
  if (text.trim() === '' || Number.isNaN(value)) return { message: 'error parsing value', span: wordSpan(context, args.words[0]) };
  if (value <= 0) return { message: 'AsyncRequestWorkerFactor argument must be a positive number', span: wordSpan(context, args.words[0]) };
  context.state.config.global.mpm.asyncRequestWorkerFactor = setting(context, value);
  return null;
}

const OPTION_NAMES = ['indexes', 'includes', 'includesnoexec', 'followsymlinks', 'symlinksifownermatch', 'execcgi', 'multiviews', 'runscripts'];
const MIXED_OPTIONS = 'Either all Options must start with + or -, or no Option may.';

/** core.c set_options: validated like httpd, recorded as not simulated. */
function options(context: CommandContext, args: SplitArguments): Result {
  let first = true;
  let merge = false;
  let allOrNone = false;
  for (const word of args.words) {
    let name = word.value;
    const action = name[0] === '+' || name[0] === '-' ? name[0] : '';
    if (action) {
      name = name.slice(1);
      if (!merge && !first && !allOrNone) return { message: MIXED_OPTIONS, span: wordSpan(context, word) };
      merge = true;
    } else if (!first && merge) {
      return { message: MIXED_OPTIONS, span: wordSpan(context, word) };
    }
    const lower = name.toLowerCase();
    if (lower === 'none' || lower === 'all') {
      const label = lower === 'none' ? 'None' : 'All';
      if (!first) return { message: lower === 'none' ? "'Options None' must be the first Option given." : "'Options All' must be the first option given.", span: wordSpan(context, word) };
      if (merge) return { message: `You may not use 'Options +${label}' or 'Options -${label}'.`, span: wordSpan(context, word) };
      allOrNone = true;
    } else if (!OPTION_NAMES.includes(lower)) {
      return { message: `Illegal option ${name}`, span: wordSpan(context, word) };
    }
    first = false;
  }
  recordNotSimulated(context, args.words.map((word) => word.value));
  return null;
}

/** core.c set_override: AllowOverride, validated like httpd, recorded as not simulated. */
function allowOverride(context: CommandContext, args: SplitArguments): Result {
  if (checkCommandContext(context, NOT_IN_LOCATION | NOT_IN_FILES)) {
    const message = `AH00114: Useless use of AllowOverride in line ${context.node.line.httpdLine} of ${context.node.file}.`;
    context.state.diagnostics.push({ code: 'AH00114', severity: 'warning', message, ...wordSpan(context, undefined) });
    logForServer(context, 'core', 'warn', message);
  }
  for (const word of args.words) {
    const [key, value] = word.value.split(/=(.*)/s) as [string, string | undefined];
    const lower = key.toLowerCase();
    if (lower === 'nonfatal') {
      if (value === undefined) return { message: `=Override, =Unknown or =All expected after ${word.value}`, span: wordSpan(context, word) };
      continue;
    }
    if (['limit', 'options', 'fileinfo', 'authconfig', 'indexes', 'none', 'all'].includes(lower) && (lower === 'options' || value === undefined)) continue;
    return { message: `Illegal override option ${word.value}`, span: wordSpan(context, word) };
  }
  recordNotSimulated(context, args.words.map((word) => word.value));
  return null;
}

/** Handlers for core, http_core, unixd, listeners and MPM directives. */
/** SetHandler: the handler for the section (mod_status's "server-status", say). */
function setHandler(context: CommandContext, args: SplitArguments): Result {
  // set_sethandler: the handler name is a string ap_expr.
  const exprError = stringExprError(args.words[0].value, (error) => `Can't parse expression : ${error}`);
  if (exprError) return exprError;
  context.scope.handler = setting(context, args.words[0].value);
  return null;
}

export const coreDirectiveHandlers: HandlerTable = {
  sethandler: setHandler,
  servername: serverName,
  serveralias: serverAlias,
  serveradmin: serverAdmin,
  traceenable: traceEnable,
  allowencodedslashes: allowEncodedSlashes,
  mergeslashes: mergeSlashes,
  documentroot: documentRoot,
  errorlog: errorLog,
  errorlogformat: errorLogFormat,
  timeout,
  keepalive: keepAlive,
  maxkeepaliverequests: maxKeepAliveRequests,
  keepalivetimeout: keepAliveTimeout,
  loglevel: logLevel,
  servertokens: serverTokens,
  serversignature: keywordDirective(['on', 'off', 'email'], 'ServerSignature: use one of: off | on | email'),
  usecanonicalname: keywordDirective(['on', 'off', 'dns'], "parameter must be 'on', 'off', or 'dns'"),
  hostnamelookups: keywordDirective(['on', 'off', 'double'], "parameter must be 'on', 'off', or 'double'"),
  protocols,
  pidfile: globalString('pidFile'),
  user: globalString('user'),
  group: globalString('group'),
  listen,
  options,
  allowoverride: allowOverride,
  startservers: mpmNumber('startServers'),
  minsparethreads: mpmNumber('minSpareThreads'),
  maxsparethreads: mpmNumber('maxSpareThreads'),
  minspareservers: mpmNumber('minSpareServers'),
  maxspareservers: mpmNumber('maxSpareServers'),
  threadlimit: mpmNumber('threadLimit'),
  threadsperchild: mpmNumber('threadsPerChild'),
  maxrequestworkers: mpmNumber('maxRequestWorkers'),
  maxclients: mpmNumber('maxRequestWorkers'),
  serverlimit: mpmNumber('serverLimit'),
  maxconnectionsperchild: mpmNumber('maxConnectionsPerChild'),
  maxrequestsperchild: mpmNumber('maxConnectionsPerChild'),
  asyncrequestworkerfactor: asyncRequestWorkerFactor,
};
