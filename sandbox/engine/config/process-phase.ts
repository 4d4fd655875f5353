/**
 * The process phase (config.c ap_walk_config / invoke_cmd): run each directive of the tree in
 * order, in the context its position gives it (main server, <VirtualHost>, a section), checking
 * where it may appear and its arguments, then letting its handler fill the model.
 *
 * httpd stops at the first error; this walk records it (blaming the innermost directive, as
 * httpd's err_directive does) and carries on so that every problem gets a diagnostic.
 */
import { isSimulatedDirective } from './directive-table.ts';
import { isArgumentError, splitArguments, type SplitArguments } from './argument-splitter.ts';
import { DIAGNOSTIC_CODES } from './diagnostics.ts';
import { ACCESS_CONF, EXEC_ON_READ, findDirective, OR_ALL, OR_AUTHCFG, OR_LIMIT, RSRC_CONF, type DirectiveSpec } from './directive-lookup.ts';
import { argsSpan, nameSpan, sourceOf, type DirectiveNode, type SourceSpan } from './directive-node.ts';
import { LOG_LEVELS, type DirectoryScope, type LogLevelName, type Section, type ServerConfig, type VirtualHostConfig } from './model.ts';
import { report, startupEvent, type ParseState } from './parse-state.ts';
import type { Word } from './lexer.ts';

/** What a handler knows about where it runs: httpd's cmd_parms. */
export interface CommandContext {
  state: ParseState;
  /** The server being configured: the main server or the current <VirtualHost>. */
  server: ServerConfig;
  /** The <VirtualHost> when inside one. */
  virtualHost: VirtualHostConfig | null;
  /** cmd->path: the enclosing section's path or pattern; null outside sections. */
  path: string | null;
  /** cmd->override: which req_override bits are allowed here. */
  override: number;
  /** Inside <Limit>/<LimitExcept>. */
  limited: boolean;
  /** The per-directory settings directives here write to. */
  scope: DirectoryScope;
  /** The section being filled, if any. */
  section: Section | null;
  /** The directive being run. */
  node: DirectiveNode;
  spec: DirectiveSpec;
}

/** A handler's error: httpd's message, and what to underline (default: the directive name). */
export interface HandlerError {
  message: string;
  span?: SourceSpan;
  /**
   * httpd did not report a syntax error but died (flex's "scanner jammed" exits with 2): the
   * message is printed alone, without the AH00526 line, and the config test exits with this code.
   */
  exitCode?: number;
}

/** A directive handler; returns null on success. */
export type DirectiveHandler = (context: CommandContext, args: SplitArguments) => HandlerError | string | null;

/** Handlers by lower-cased directive name. */
export type HandlerTable = Record<string, DirectiveHandler>;

/** The override mask at top level: no AuthConfig or Limit directives outside sections. */
export const TOP_LEVEL_OVERRIDE = (RSRC_CONF | OR_ALL) & ~(OR_AUTHCFG | OR_LIMIT);

/** The override mask inside <Directory>, <Location> and <Files>. */
export const SECTION_OVERRIDE = OR_ALL | ACCESS_CONF;

let handlers: HandlerTable = {};

/** Install the directive handlers (done once by the parser). */
export function registerHandlers(table: HandlerTable): void {
  handlers = { ...handlers, ...table };
}

/** Walk nodes in a context; section handlers call this for their children. */
export function walkNodes(nodes: DirectiveNode[], base: Omit<CommandContext, 'node' | 'spec'>): void {
  for (const node of nodes) runDirective(node, base);
}

function runDirective(node: DirectiveNode, base: Omit<CommandContext, 'node' | 'spec'>): void {
  const { state } = base;
  state.httpdLines.set(`${node.file}:${node.line.firstLine}`, node.line.httpdLine);
  const specs = findDirective(node.name, state.loadedSourceNames);
  if (specs.length === 0) {
    processError(state, node, `Invalid command '${node.name}', perhaps misspelled or defined by a module not included in the server configuration`, nameSpan(node), DIAGNOSTIC_CODES.invalidCommand);
    return;
  }
  const spec = specs[0];
  // An EXEC_ON_READ directive met again here ran while reading (or never: "once was enough").
  if (spec.override & EXEC_ON_READ) return;
  if ((base.override & spec.override) === 0) {
    const where = node.parent ? `${spec.name} not allowed in ${node.parent.name}> context` : `${spec.name} not allowed here`;
    processError(state, node, where, nameSpan(node), DIAGNOSTIC_CODES.notAllowedHere);
    return;
  }
  const split = splitArguments(spec, node.args);
  if (isArgumentError(split)) {
    processError(state, node, split.error, split.at ? argsSpan(node, split.at.start, split.at.end) : nameSpan(node), DIAGNOSTIC_CODES.argumentCount);
    return;
  }
  const context: CommandContext = { ...base, node, spec };
  const handler = handlers[spec.name.toLowerCase()];
  if (!handler) {
    recordNotSimulated(context, split.words.map((word) => word.value));
    return;
  }
  const recordedBefore = state.config.notSimulated.length;
  const result = handler(context, split);
  if (result !== null) {
    const error: HandlerError = typeof result === 'string' ? { message: result } : result;
    processError(state, node, error.message, error.span ?? nameSpan(node), DIAGNOSTIC_CODES.invalidArgument, error.exitCode);
    return;
  }
  // A directive the handler validated and stored but the emulator never reads is still announced.
  if (state.config.notSimulated.length === recordedBefore && !isSimulatedDirective(spec.name)) {
    recordNotSimulated(context, split.words.map((word) => word.value));
  }
}

/** Record a process-phase error: a diagnostic, and httpd's two-line AH00526 report. */
export function processError(state: ParseState, node: DirectiveNode, message: string, span: SourceSpan, code: string, exitCode?: number): void {
  const lines = exitCode === undefined ? [`AH00526: Syntax error on line ${node.line.httpdLine} of ${node.file}:`, message] : [message];
  report(state, span, { code, severity: 'error', message }, startupEvent('process', lines, { fatal: true, exitCode }));
}

/**
 * A message a handler logs against its server (ap_log_error with cmd->server). While the config
 * is read, httpd filters it by that server's LogLevel as set so far: the main server starts at
 * warn, a <VirtualHost> at "unset", which shows nothing until it sets a level. Debug and trace
 * messages carry httpd's "file.c(line): " origin.
 */
export function logForServer(context: CommandContext, module: string, level: LogLevelName, text: string, origin: string | null = null): void {
  const levels = context.server.server.logLevel;
  const moduleLevel = levels.modules.find((entry) => entry.module === module)?.level;
  const configured = moduleLevel ?? levels.level?.value ?? (context.virtualHost ? null : 'warn');
  if (configured === null || LOG_LEVELS.indexOf(level) > LOG_LEVELS.indexOf(configured)) return;
  const shown = origin && LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf('debug') ? `${origin}: ${text}` : text;
  context.state.events.push(startupEvent('process', [shown], { bare: false, level, module }));
}

/** Note a directive the sandbox accepts but does not act on. */
export function recordNotSimulated(context: CommandContext, args: string[]): void {
  const where = context.section ? context.section.kind : context.virtualHost ? 'virtualhost' : 'server';
  context.state.config.notSimulated.push({ name: context.spec.name, args, context: where, source: sourceOf(context.node) });
}

/** The span of a handler argument word, for errors that point at it. */
export function wordSpan(context: CommandContext, word: Word | undefined): SourceSpan {
  return word ? argsSpan(context.node, word.start, word.end) : nameSpan(context.node);
}

/** ap_check_cmd_context flags. */
export const NOT_IN_VIRTUALHOST = 0x01;
export const NOT_IN_LIMIT = 0x02;
export const NOT_IN_DIRECTORY = 0x04;
export const NOT_IN_LOCATION = 0x08;
export const NOT_IN_FILES = 0x10;
export const NOT_IN_HTACCESS = 0x20;
export const NOT_IN_PROXY = 0x40;
export const NOT_IN_DIR_LOC_FILE = NOT_IN_DIRECTORY | NOT_IN_LOCATION | NOT_IN_FILES;
export const NOT_IN_DIR_CONTEXT = NOT_IN_LIMIT | NOT_IN_DIR_LOC_FILE | NOT_IN_PROXY;
export const GLOBAL_ONLY = NOT_IN_VIRTUALHOST | NOT_IN_DIR_CONTEXT;

/** core.c ap_check_cmd_context: where a directive may not appear, with httpd's messages. */
export function checkCommandContext(context: CommandContext, forbidden: number): string | null {
  const name = context.spec.name;
  const gt = name.startsWith('<') && !name.endsWith('>') ? '>' : '';
  if (forbidden & NOT_IN_VIRTUALHOST && context.virtualHost) return `${name}${gt} cannot occur within <VirtualHost> section`;
  if (forbidden & NOT_IN_LIMIT && context.limited) return `${name}${gt} cannot occur within <Limit> or <LimitExcept> section`;
  if ((forbidden & NOT_IN_DIR_LOC_FILE) === NOT_IN_DIR_LOC_FILE) {
    if (context.path !== null) return `${name}${gt} cannot occur within directory context`;
  }
  const found = (...names: string[]): DirectiveNode | null => {
    for (const candidate of names) {
      const parent = findParent(context.node, candidate);
      if (parent) return parent;
    }
    return null;
  };
  const hit =
    (forbidden & NOT_IN_DIRECTORY ? found('<Directory', '<DirectoryMatch') : null) ??
    (forbidden & NOT_IN_LOCATION ? found('<Location', '<LocationMatch') : null) ??
    (forbidden & NOT_IN_FILES ? found('<Files', '<FilesMatch', '<If', '<ElseIf', '<Else') : null) ??
    (forbidden & NOT_IN_PROXY ? found('<Proxy', '<ProxyMatch') : null);
  if (hit) return `${name}${gt} cannot occur within ${hit.name}> section`;
  return null;
}

/** core.c find_parent: the nearest enclosing section with this name (case-insensitive). */
function findParent(node: DirectiveNode, name: string): DirectiveNode | null {
  const wanted = name.toLowerCase();
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.name.toLowerCase() === wanted) return parent;
  }
  return null;
}
