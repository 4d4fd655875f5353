/**
 * Options and the mutable state shared by the read, process and check phases of one parse.
 */
import type { ConfigDiagnostic, StartupEvent, StartupPhase } from './diagnostics.ts';
import type { SourceSpan } from './directive-node.ts';
import { isIpLiteral } from './address.ts';
import { DEFAULT_SERVER_ROOT } from './default-modules.ts';
import type { HttpdConfig, LoadedModule, LogLevelName } from './model.ts';

/** Read-only access to files, for Include, IfFile and path checks. The engine does no I/O itself. */
export interface ConfigFileSystem {
  /** The file's text, or null when there is no such file. */
  readFile(path: string): string | null;
  /** Names of the entries of a directory, or null when it is not a directory. */
  listDirectory(path: string): string[] | null;
  /**
   * Whether anything exists at the path (httpd's stat): a device such as /dev/urandom too, which
   * must not be read to find out. Without it, a path exists when it reads as a file or lists as a
   * directory.
   */
  exists?(path: string): boolean;
}

/** apr_stat succeeds: the path names a file, a directory or anything else. */
export function pathExists(fileSystem: ConfigFileSystem, path: string): boolean {
  if (fileSystem.exists) return fileSystem.exists(path);
  return fileSystem.readFile(path) !== null || fileSystem.listDirectory(path) !== null;
}

/** Options for parsing, the equivalents of apache2's command line and environment. */
export interface ParseOptions {
  /** Path of the config file, used in messages (apache2 -f). Default "/etc/apache2/apache2.conf". */
  file?: string;
  /** Process environment for ${VAR} (Debian's envvars: APACHE_LOG_DIR, APACHE_RUN_USER...). */
  env?: Record<string, string | undefined>;
  /** Names defined with -D on the command line. */
  defines?: string[];
  /** Files for Include/IncludeOptional/IfFile. Without it, Include fails as for a missing file. */
  fileSystem?: ConfigFileSystem;
  /**
   * "any" (default): LoadModule accepts any path for a module httpd ships, so configs written for
   * other layouts (modules/mod_proxy.so) load; a warning says what Debian's httpd would say.
   * "debian": only Debian's real paths load, exactly as the installed apache2 behaves.
   */
  modulePaths?: 'any' | 'debian';
  /** ServerRoot before the config changes it (apache2 -d). Default "/etc/apache2". */
  serverRoot?: string;
  /**
   * The name httpd falls back to when the main server has no ServerName (AH00558). httpd derives
   * it from the machine's host name; on a machine whose name has no domain part that is the
   * address it resolves to. Default "127.0.0.1".
   */
  localHostName?: string;
  /** argv[0] as httpd prints it in messages. Default "apache2". */
  programName?: string;
  /**
   * Host names the resolver knows (Listen and <VirtualHost> resolve names while reading the
   * config). IP literals always resolve. Default ["localhost"]: the sandbox has no DNS, and
   * neither does the machine the differential tests run on.
   */
  resolvableHosts?: string[];
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  file: string;
  env: Record<string, string | undefined>;
  defines: string[];
  fileSystem: ConfigFileSystem | null;
  modulePaths: 'any' | 'debian';
  serverRoot: string;
  localHostName: string;
  programName: string;
  resolvableHosts: string[];
}

/** Apply defaults to parse options. */
export function resolveOptions(options: ParseOptions = {}): ResolvedOptions {
  return {
    file: options.file ?? '/etc/apache2/apache2.conf',
    env: options.env ?? {},
    defines: options.defines ?? [],
    fileSystem: options.fileSystem ?? null,
    modulePaths: options.modulePaths ?? 'any',
    serverRoot: options.serverRoot ?? DEFAULT_SERVER_ROOT,
    localHostName: options.localHostName ?? '127.0.0.1',
    programName: options.programName ?? 'apache2',
    resolvableHosts: (options.resolvableHosts ?? ['localhost']).map((host) => host.toLowerCase()),
  };
}

/** Everything one parse accumulates. */
export interface ParseState {
  options: ResolvedOptions;
  config: HttpdConfig;
  /** Source names of loaded modules ("mod_proxy.c"), for directive lookup and <IfModule>. */
  loadedSourceNames: Set<string>;
  /** Identifiers of loaded modules ("proxy_module"), for <IfModule proxy_module>. */
  loadedIds: Set<string>;
  /** Names LoadModule has tried, loaded or not (mod_so refuses a second attempt). */
  attemptedModuleNames: Set<string>;
  /** Defines in order, as ap_server_config_defines. */
  defines: string[];
  /** Define NAME VALUE values. */
  definedVariables: Map<string, string>;
  serverRoot: string;
  events: StartupEvent[];
  diagnostics: ConfigDiagnostic[];
  includeDepth: number;
  /** "file:firstLine" -> the line httpd would print for that directive (its last physical line). */
  httpdLines: Map<string, number>;
}

/** Record a problem: a positioned diagnostic, and a startup event unless `event` is null. */
export function report(
  state: ParseState,
  span: SourceSpan,
  diagnostic: { code: string; severity: ConfigDiagnostic['severity']; message: string },
  event: StartupEvent | null,
): void {
  state.diagnostics.push({ ...diagnostic, file: span.file, line: span.line, column: span.column, length: span.length });
  if (event) state.events.push(event);
}

/** A startup event helper. */
export function startupEvent(
  phase: StartupPhase,
  lines: string[],
  options: { fatal?: boolean; bare?: boolean; level?: LogLevelName; module?: string; exitCode?: number } = {},
): StartupEvent {
  return {
    phase,
    lines,
    fatal: options.fatal ?? false,
    ...(options.exitCode === undefined ? {} : { exitCode: options.exitCode }),
    bare: options.bare ?? true,
    level: options.level ?? 'crit',
    module: options.module ?? 'core',
  };
}

/** Register a module as loaded. */
export function addLoadedModule(state: ParseState, module: LoadedModule): void {
  state.config.modules.push(module);
  state.loadedSourceNames.add(module.sourceName);
  state.loadedIds.add(module.id);
}

/** Whether httpd could resolve this host name while reading the config. */
export function canResolve(state: ParseState, host: string): boolean {
  // apr_sockaddr_info_get takes a name starting with '/' as a Unix socket path, no lookup.
  return host.startsWith('/') || isIpLiteral(host) || state.options.resolvableHosts.includes(host.toLowerCase());
}

/** Make a path absolute against ServerRoot, as ap_server_root_relative (apr_filepath_merge) does. */
export function serverRootRelative(state: ParseState, path: string): string {
  const root = state.serverRoot.endsWith('/') ? state.serverRoot : `${state.serverRoot}/`;
  const absolute = path.startsWith('/') ? path : root + path;
  // apr_filepath_merge drops empty and "." segments.
  return absolute.replace(/\/(\.\/)+/g, '/').replace(/\/{2,}/g, '/');
}
