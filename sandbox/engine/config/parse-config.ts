/**
 * Parsing a whole config: read phase, the MPM check httpd makes right after reading, the process
 * phase, and the checks `apache2 -t` still runs afterwards (AH00558, MPM limits). Returns the
 * best-effort model, every diagnostic, and the startup events in httpd's order.
 */
import { DEBIAN_MODULE_DIR, COMPILED_IN_MODULES } from './module-registry.ts';
import { defaultModules } from './default-modules.ts';
import { DIAGNOSTIC_CODES, type ConfigDiagnostic, type StartupEvent } from './diagnostics.ts';
import { aliasHandlers } from './handlers/alias.ts';
import { authnHandlers } from './handlers/authn.ts';
import { authzHandlers, checkNegativeOnlyAuthz } from './handlers/authz.ts';
import { coreDirectiveHandlers } from './handlers/core-directives.ts';
import { coreSectionHandlers } from './handlers/core-sections.ts';
import { envHandlers } from './handlers/env.ts';
import { headerHandlers } from './handlers/headers.ts';
import { setEnvIfHandlers } from './handlers/setenvif.ts';
import { logConfigHandlers } from './handlers/log-config.ts';
import { proxyHandlers } from './handlers/proxy.ts';
import { rewriteHandlers } from './handlers/rewrite.ts';
import { sslHandlers } from './handlers/ssl.ts';
import { validatedDirectiveHandlers } from './handlers/validated-directives.ts';
import { readIncludedFiles } from './include-files.ts';
import { isCommentOrBlank, readLogicalLines, readWord, readWords } from './lexer.ts';
import { resolveVariables } from './variables.ts';
import { emptyConfig } from './model-factory.ts';
import { LOG_LEVELS, type HttpdConfig, type LogLevelName } from './model.ts';
import { isIpLiteral } from './address.ts';
import { checkMpmSettings } from './mpm-check.ts';
import { addLoadedModule, resolveOptions, serverRootRelative, startupEvent, type ParseOptions, type ParseState } from './parse-state.ts';
import { registerHandlers, TOP_LEVEL_OVERRIDE, walkNodes } from './process-phase.ts';
import { readConfigTree } from './read-phase.ts';

registerHandlers({
  ...coreSectionHandlers,
  ...coreDirectiveHandlers,
  ...proxyHandlers,
  ...aliasHandlers,
  ...authzHandlers,
  ...authnHandlers,
  ...headerHandlers,
  ...envHandlers,
  ...setEnvIfHandlers,
  ...rewriteHandlers,
  ...logConfigHandlers,
  ...sslHandlers,
  ...validatedDirectiveHandlers,
});

/** Everything one parse produces. */
export interface ParseOutcome {
  /** The model, filled as far as the text allows even when there are errors. */
  config: HttpdConfig;
  /** Every problem found, in the order found. */
  diagnostics: ConfigDiagnostic[];
  /** What httpd prints while reading and checking, up to where it would stop. */
  events: StartupEvent[];
  /** The options with defaults applied. */
  options: ReturnType<typeof resolveOptions>;
}

/**
 * True when the text, or a file it includes, has a LoadModule line anywhere (then no default
 * module set is assumed). A textual scan: conditions are not evaluated, so a LoadModule inside a
 * false <IfDefine> still counts, as it would for someone reading the file.
 */
export function hasLoadModuleLine(text: string, state: ParseState, seen = new Set<string>()): boolean {
  for (const line of readLogicalLines(text)) {
    if (isCommentOrBlank(line.text)) continue;
    const name = readWord(line.text, 0)?.value.toLowerCase();
    if (name === 'loadmodule') return true;
    if ((name === 'include' || name === 'includeoptional') && state.options.fileSystem && seen.size < 256) {
      const resolved = resolveVariables(line.text, { defined: () => undefined, environment: (variable) => state.options.env[variable] });
      const pattern = readWords(resolved.text)[1]?.value;
      if (!pattern) continue;
      const found = readIncludedFiles(state, serverRootRelative(state, pattern), true);
      if (!('files' in found)) continue;
      for (const file of found.files) {
        if (seen.has(file.path)) continue;
        seen.add(file.path);
        if (hasLoadModuleLine(file.text, state, seen)) return true;
      }
    }
  }
  return false;
}

/** Parse config text through every phase `apache2 -t` runs. */
export function runParse(text: string, parseOptions: ParseOptions = {}): ParseOutcome {
  const options = resolveOptions(parseOptions);
  const config = emptyConfig(options.file);
  const state: ParseState = {
    options,
    config,
    loadedSourceNames: new Set(),
    loadedIds: new Set(),
    attemptedModuleNames: new Set(),
    defines: [...options.defines],
    definedVariables: new Map(),
    serverRoot: options.serverRoot,
    events: [],
    diagnostics: [],
    includeDepth: 0,
    httpdLines: new Map(),
  };
  for (const module of COMPILED_IN_MODULES) addLoadedModule(state, { id: module.id, sourceName: module.sourceName, path: null, source: null });
  if (!hasLoadModuleLine(text, state)) {
    config.defaultModules = true;
    for (const module of defaultModules()) {
      addLoadedModule(state, { id: module.id, sourceName: module.sourceName, path: `${DEBIAN_MODULE_DIR}/${module.soFile}`, source: null });
      state.attemptedModuleNames.add(module.id);
    }
  }

  const tree = readConfigTree(state, text, options.file);
  const mpms = config.modules.filter((module) => module.id.startsWith('mpm_'));
  if (mpms.length !== 1) {
    const problem = mpms.length === 0 ? 'No MPM loaded.' : 'More than one MPM loaded.';
    const message = `AH00534: ${options.programName}: Configuration error: ${problem}`;
    const at = mpms[1]?.source ?? { file: options.file, line: 1 };
    state.diagnostics.push({ code: DIAGNOSTIC_CODES.noMpm, severity: 'error', message, file: at.file, line: at.line, column: 1, length: 1 });
    state.events.push(startupEvent('read', [message], { fatal: true }));
  }
  config.global.mpm.module = mpms.length > 0 ? (mpms[0].id.slice(4, -7) as 'event' | 'worker' | 'prefork') : null;

  walkNodes(tree, {
    state,
    server: config.main,
    virtualHost: null,
    path: null,
    override: TOP_LEVEL_OVERRIDE,
    limited: false,
    scope: config.main.directory,
    section: null,
  });

  runCheckPhase(state);
  config.defines = Object.fromEntries(state.defines.map((name) => [name, state.definedVariables.get(name) ?? '']));
  return { config, diagnostics: state.diagnostics, events: state.events, options };
}

/**
 * core's and mod_log_config's check_config hooks: the directory of every ErrorLog and CustomLog
 * must exist. Only checked with a file system to look at. Servers are visited as httpd keeps
 * them: the main server, then the virtual hosts, last defined first.
 */
function checkLogDirectories(state: ParseState): boolean {
  const fileSystem = state.options.fileSystem;
  if (!fileSystem) return true;
  const { config } = state;
  const servers = [config.main, ...[...config.virtualHosts].reverse()];
  const problem = (path: string): string | null => {
    const absolute = serverRootRelativePath(state, path);
    const directory = absolute.slice(0, absolute.lastIndexOf('/') + 1);
    const bare = directory.length > 1 ? directory.slice(0, -1) : directory;
    if (fileSystem.listDirectory(bare) !== null) return null;
    return fileSystem.readFile(bare) !== null ? `(20)Not a directory: ${directory}` : `(2)No such file or directory: ${directory}`;
  };
  const report = (message: string, source: { file: string; line: number } | null) => {
    const at = source ?? { file: state.options.file, line: 1 };
    state.diagnostics.push({ code: message.includes('AH02291') ? 'AH02291' : 'AH02297', severity: 'error', message, file: at.file, line: at.line, column: 1, length: 1 });
    state.events.push(startupEvent('check', [message], { level: 'emerg' }));
  };
  const isFileLog = (target: string) => !target.startsWith('|') && target !== 'syslog' && !target.startsWith('syslog:');
  let ok = true;
  for (const server of servers) {
    const isMain = server === config.main;
    const errorLog = server.server.errorLog?.value ?? (isMain ? 'logs/error_log' : null);
    if (errorLog === null || !isFileLog(errorLog)) continue;
    const failure = problem(errorLog);
    if (!failure) continue;
    const [status, directory] = splitFailure(failure);
    const host = isMain ? null : (server as (typeof config.virtualHosts)[number]);
    const description = host ? `error log of vhost defined at ${host.source.file}:${hostDefinitionLine(state, host)}` : 'main error log';
    report(`${status}: AH02291: Cannot access directory '${directory}' for ${description}`, server.server.errorLog?.source ?? null);
    ok = false;
  }
  if (!ok) return false;
  for (const server of servers) {
    for (const entry of server.server.customLogs) {
      if (!isFileLog(entry.target)) continue;
      const failure = problem(entry.target);
      if (!failure) continue;
      const [status, directory] = splitFailure(failure);
      report(`${status}: AH02297: Cannot access directory '${directory}' for log file '${entry.target}' defined at ${entry.source.file}:${httpdLineOf(state, entry.source)}`, entry.source);
      ok = false;
    }
  }
  return ok;
}

function splitFailure(failure: string): [string, string] {
  const index = failure.lastIndexOf(': ');
  return [failure.slice(0, index), failure.slice(index + 2)];
}

function serverRootRelativePath(state: ParseState, path: string): string {
  return path.startsWith('/') ? path : `${state.serverRoot.replace(/\/$/, '')}/${path}`;
}

/** httpd prints a directive's last physical line; the model keeps the first. */
function httpdLineOf(state: ParseState, source: { file: string; line: number }): number {
  return state.httpdLines.get(`${source.file}:${source.line}`) ?? source.line;
}

function hostDefinitionLine(state: ParseState, host: { source: { file: string; line: number } }): number {
  return httpdLineOf(state, host.source);
}

/** Whether a message httpd logs against the main server before opening the error log gets through its LogLevel. */
function mainServerLogs(state: ParseState, module: string, level: LogLevelName): boolean {
  const levels = state.config.main.server.logLevel;
  const configured = levels.modules.find((entry) => entry.module === module)?.level ?? levels.level?.value ?? 'warn';
  return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(configured);
}

/**
 * Reverse lookup (getnameinfo) of an IP address: /etc/hosts when the file system has one, else
 * only the loopback addresses, which every stock hosts file names. DNS is not consulted.
 */
function hasReverseName(state: ParseState, address: string): boolean {
  const hosts = state.options.fileSystem?.readFile('/etc/hosts') ?? null;
  if (hosts === null) return address === '127.0.0.1' || address === '::1';
  return hosts.split('\n').some((line) => {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    return fields.length > 1 && fields[0].toLowerCase() === address.toLowerCase();
  });
}

/**
 * ap_fini_vhost_config names a <VirtualHost> without ServerName after its first address; with no
 * wildcard address and no reverse DNS for it, AH00549. Visited last defined first, as httpd does.
 */
function unnamedVirtualHostFailures(state: ParseState): string[] {
  const messages: string[] = [];
  for (const host of [...state.config.virtualHosts].reverse()) {
    if (host.server.serverName || host.addresses.length === 0) continue;
    if (host.addresses.some((address) => address.host === '*' || address.host.toLowerCase() === '_default_')) continue;
    const first = host.addresses[0].host;
    // A name got here by resolving forward, so its address is known to the resolver both ways.
    if (!isIpLiteral(first) || hasReverseName(state, first)) continue;
    messages.push(`(EAI 2)Name or service not known: AH00549: Failed to resolve server name for ${first} (check DNS) -- or specify an explicit ServerName`);
  }
  return messages;
}

/** What `apache2 -t` still prints after processing: AH00558 and the MPM's limit warnings. */
function runCheckPhase(state: ParseState): void {
  const { config, options } = state;
  if (!config.main.server.serverName) {
    const message = `AH00558: ${options.programName}: Could not reliably determine the server's fully qualified domain name, using ${options.localHostName}. Set the 'ServerName' directive globally to suppress this message`;
    state.diagnostics.push({ code: DIAGNOSTIC_CODES.serverName, severity: 'info', message, file: options.file, line: 1, column: 1, length: 1 });
    state.events.push(startupEvent('check', [message], { level: 'alert' }));
  }
  for (const message of unnamedVirtualHostFailures(state)) {
    if (mainServerLogs(state, 'core', 'error')) state.events.push(startupEvent('check', [message], { bare: false, level: 'error', module: 'core' }));
  }
  if (!checkLogDirectories(state)) {
    state.events.push(startupEvent('check', ['AH00014: Configuration check failed'], { fatal: true }));
    return;
  }
  if (config.global.mpm.module) {
    for (const warning of checkMpmSettings(config.global.mpm).warnings) {
      const source = config.global.mpm.maxRequestWorkers?.source ?? config.global.mpm.threadsPerChild?.source ?? { file: options.file, line: 1 };
      state.diagnostics.push({ code: warning.slice(0, 7), severity: 'warning', message: warning, file: source.file, line: source.line, column: 1, length: 1 });
      state.events.push(startupEvent('check', [warning], { level: 'warn' }));
    }
  }
  const negativeOnly = checkNegativeOnlyAuthz(state);
  if (negativeOnly) {
    const at = { file: options.file, line: 1 };
    state.diagnostics.push({ code: 'AH01624', severity: 'error', message: negativeOnly, file: at.file, line: at.line, column: 1, length: 1 });
    // Logged at error level against the main server before the error log opens: LogLevel crit hides it.
    if (mainServerLogs(state, 'authz_core', 'error')) state.events.push(startupEvent('check', [negativeOnly], { level: 'error' }));
    state.events.push(startupEvent('check', ['AH00014: Configuration check failed'], { fatal: true }));
  }
}
