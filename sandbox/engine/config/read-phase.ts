/**
 * The read phase (config.c ap_build_config): turn files into a directive tree, executing the
 * EXEC_ON_READ directives as they are met (LoadModule, Define, <IfModule>, <IfDefine>, Include,
 * ServerRoot...). Section nesting is checked here, which is why httpd reports an unclosed or
 * mismatched section before any unknown directive, whatever their order in the file.
 *
 * httpd stops at the first error. This reader records that first error exactly as httpd words it
 * (for configtest) but keeps going, recovering at the next line, so the editor sees every problem.
 */
import { isArgumentError, splitArguments } from './argument-splitter.ts';
import { DIAGNOSTIC_CODES } from './diagnostics.ts';
import { EXEC_ON_READ, findDirective, OR_ALL, OR_AUTHCFG, OR_LIMIT, RSRC_CONF, type DirectiveSpec } from './directive-lookup.ts';
import { argsSpan, nameSpan, sourceOf, spanInLine, type DirectiveNode, type SourceSpan } from './directive-node.ts';
import { readIncludedFiles } from './include-files.ts';
import { isCommentOrBlank, readLogicalLines, readWord, skipSpaces, type LogicalLine } from './lexer.ts';
import { DEBIAN_MODULE_DIR, findModuleById, findModuleBySoFile, linkDependencyOf, COMPILED_IN_MODULES } from './module-registry.ts';
import { addLoadedModule, pathExists as fileSystemPathExists, report, serverRootRelative, startupEvent, type ParseState } from './parse-state.ts';
import { compileHttpdRegex } from './regex.ts';
import { resolveVariables, undefinedVariableMessage, type ResolvedLine } from './variables.ts';

/** The version <IfVersion> compares against. */
export const HTTPD_VERSION = { major: 2, minor: 4, patch: 71, addString: '' } as const;

/** httpd's AP_MAX_INCLUDE_DEPTH. */
const MAX_INCLUDE_DEPTH = 128;

/** The override mask while reading: EXEC_ON_READ directives see the top-level context. */
const READ_OVERRIDE = (RSRC_CONF | OR_ALL) & ~(OR_AUTHCFG | OR_LIMIT);

interface LineCursor {
  lines: LogicalLine[];
  index: number;
}

/** The first error of one file, as httpd would report it. */
interface FileError {
  message: string;
  /** Line of the directive httpd blames (its err_directive); null when there is none. */
  line: number | null;
  /** How many startup events existed when httpd would have stopped: later ones never print. */
  eventIndex: number;
}

interface FileContext {
  state: ParseState;
  file: string;
  cursor: LineCursor;
  firstError: FileError | null;
}

/** Where new nodes go: the open sections of the current build and its top-level list. */
interface BuildLevel {
  roots: DirectiveNode[];
  open: DirectiveNode[];
}

/** Read the main config text into a directive tree; the first fatal error becomes a startup event. */
export function readConfigTree(state: ParseState, text: string, file: string): DirectiveNode[] {
  const { nodes, error } = readFile(state, text, file);
  if (error) state.events.splice(error.eventIndex, 0, startupEvent('read', [`${state.options.programName}: ${error.message}`], { fatal: true }));
  return nodes;
}

/** ap_process_resource_config for one file's text: returns its nodes and its formatted first error. */
function readFile(state: ParseState, text: string, file: string): { nodes: DirectiveNode[]; error: FileError | null } {
  const context: FileContext = { state, file, cursor: { lines: readLogicalLines(text), index: 0 }, firstError: null };
  const level: BuildLevel = { roots: [], open: [] };
  while (context.cursor.index < context.cursor.lines.length) {
    const line = context.cursor.lines[context.cursor.index++];
    processLine(context, line, level);
  }
  if (level.open.length > 0) reportUnclosed(context, level.open);
  const error = context.firstError;
  if (!error) return { nodes: level.roots, error: null };
  const formatted = error.line === null ? error.message : `Syntax error on line ${error.line} of ${file}: ${error.message}`;
  return { nodes: level.roots, error: { ...error, message: formatted } };
}

function reportUnclosed(context: FileContext, open: DirectiveNode[]): void {
  // httpd lists the innermost first and blames the outermost.
  const lines = [...open].reverse().map((node) => `${node.file}:${node.line.httpdLine}: ${node.name}> was not closed.`);
  for (const node of open) {
    report(context.state, nameSpan(node), { code: DIAGNOSTIC_CODES.sectionNotClosed, severity: 'error', message: `${node.file}:${node.line.httpdLine}: ${node.name}> was not closed.` }, null);
  }
  setFirstError(context, lines.join('\n'), open[0].line.httpdLine);
}

function setFirstError(context: FileContext, message: string, line: number | null, eventIndex = context.state.events.length): void {
  if (!context.firstError) context.firstError = { message, line, eventIndex };
}

function fail(context: FileContext, span: SourceSpan, message: string, line: number | null, code: string): void {
  report(context.state, span, { code, severity: 'error', message }, null);
  setFirstError(context, message, line);
}

/** ap_build_config_sub: one logical line. */
function processLine(context: FileContext, line: LogicalLine, level: BuildLevel): void {
  if (isCommentOrBlank(line.text)) return;
  const { state } = context;
  const resolved = resolveVariables(line.text, {
    defined: (name) => state.definedVariables.get(name),
    environment: (name) => state.options.env[name],
  });
  for (const variable of resolved.undefinedVariables) {
    const message = undefinedVariableMessage(variable.name);
    const position = line.positionAt(variable.offset);
    state.diagnostics.push({ code: DIAGNOSTIC_CODES.undefinedVariable, severity: 'warning', message, file: context.file, line: position.line, column: position.column, length: variable.length });
    state.events.push(startupEvent('read', [message], { bare: false, level: 'warn', module: 'core' }));
  }
  const text = resolved.text;
  const nameWord = readWord(text, 0);
  if (!nameWord) return;
  let name = nameWord.value;
  let argsOffset = skipSpaces(text, nameWord.end);
  let args = text.slice(argsOffset);
  if (name[1] !== '/') {
    if (name.endsWith('>')) name = name.slice(0, -1);
    if (name[0] === '<' && args === '') {
      args = '>';
      argsOffset = text.length;
    }
  }
  const node: DirectiveNode = {
    name,
    args,
    argsOffset,
    nameOffset: nameWord.start,
    nameLength: nameWord.end - nameWord.start,
    file: context.file,
    line,
    resolved,
    children: [],
    parent: null,
    isSection: false,
  };
  const specs = findDirective(name, state.loadedSourceNames);
  if (specs.length > 0) {
    node.name = specs[0].name;
    if (specs[0].override & EXEC_ON_READ) {
      executeNow(context, node, specs[0], level);
      return;
    }
  }
  if (name[0] === '<') {
    if (name[1] !== '/') {
      node.isSection = true;
      addNode(level, node);
      level.open.push(node);
      return;
    }
    closeSection(context, node, level);
    return;
  }
  addNode(level, node);
}

function addNode(level: BuildLevel, node: DirectiveNode): void {
  const parent = level.open[level.open.length - 1];
  if (parent) {
    node.parent = parent;
    parent.children.push(node);
  } else {
    level.roots.push(node);
  }
}

function closeSection(context: FileContext, node: DirectiveNode, level: BuildLevel): void {
  const closer = node.name;
  const parent = level.open[level.open.length - 1];
  const span = nameSpan(node);
  if (!parent) {
    fail(context, span, `${closer} without matching <${closer.slice(2)} section`, node.line.httpdLine, DIAGNOSTIC_CODES.sectionWithoutOpener);
    return;
  }
  let closedName = closer.slice(2);
  if (!closer.endsWith('>')) {
    fail(context, span, `${closer}> directive missing closing '>'`, node.line.httpdLine, DIAGNOSTIC_CODES.syntax);
  } else {
    closedName = closedName.slice(0, -1);
  }
  if (closedName.toLowerCase() !== parent.name.slice(1).toLowerCase()) {
    fail(context, span, `Expected </${parent.name.slice(1)}> but saw ${closer.endsWith('>') ? closer : `${closer}>`}`, node.line.httpdLine, DIAGNOSTIC_CODES.sectionMismatch);
    // Recover: close up to a matching open section if there is one, else ignore the closer.
    const matching = level.open.map((open) => open.name.slice(1).toLowerCase()).lastIndexOf(closedName.toLowerCase());
    if (matching !== -1) level.open.length = matching;
    return;
  }
  level.open.pop();
}

/** execute_now + invoke_cmd for an EXEC_ON_READ directive. */
function executeNow(context: FileContext, node: DirectiveNode, spec: DirectiveSpec, level: BuildLevel): void {
  const line = node.line.httpdLine;
  if ((READ_OVERRIDE & spec.override) === 0) {
    fail(context, nameSpan(node), `${spec.name} not allowed here`, line, DIAGNOSTIC_CODES.notAllowedHere);
    return;
  }
  const split = splitArguments(spec, node.args);
  if (isArgumentError(split)) {
    const span = split.at ? argsSpan(node, split.at.start, split.at.end) : nameSpan(node);
    fail(context, span, split.error, line, DIAGNOSTIC_CODES.argumentCount);
    return;
  }
  const words = split.words.map((word) => word.value);
  const at = (index: number): SourceSpan => {
    const word = split.words[index];
    return word ? argsSpan(node, word.start, word.end) : nameSpan(node);
  };
  const handler = READ_HANDLERS[spec.name.toLowerCase()];
  if (handler) {
    handler(context, node, level, words, at);
    return;
  }
  // LoadFile, Use, UndefMacro, RemoteIP*List: accepted, not simulated.
  context.state.config.notSimulated.push({ name: spec.name, args: words, context: 'server', source: sourceOf(node) });
}

type ReadHandler = (context: FileContext, node: DirectiveNode, level: BuildLevel, words: string[], at: (index: number) => SourceSpan) => void;

/** The EXEC_ON_READ directives the reader runs itself. */
const READ_HANDLERS: Record<string, ReadHandler> = {
  '<ifmodule': (context, node, level) => conditionalSection(context, node, level, (argument) => moduleIsPresent(context.state, argument)),
  '<ifdefine': (context, node, level) => conditionalSection(context, node, level, (argument) => context.state.defines.includes(argument)),
  '<iffile': (context, node, level) => conditionalSection(context, node, level, (argument) => pathExists(context.state, serverRootRelative(context.state, argument))),
  '<ifdirective': (context, node, level) => conditionalSection(context, node, level, (argument) => findDirective(argument, context.state.loadedSourceNames).length > 0),
  '<ifsection': (context, node, level) => conditionalSection(context, node, level, (argument) => findDirective(`<${argument}`, context.state.loadedSourceNames).length > 0),
  '<ifversion': (context, node, level, words) => ifVersion(context, node, level, words),
  define: (context, node, _level, words, at) => define(context, node, words, at),
  undefine: (context, node, _level, words, at) => undefine(context, node, words[0], at),
  include: (context, node, level, words) => include(context, node, level, words[0], false),
  includeoptional: (context, node, level, words) => include(context, node, level, words[0], true),
  loadmodule: (context, node, _level, words, at) => loadModule(context, node, words[0], words[1], at),
  serverroot: (context, node, _level, words) => setServerRoot(context, node, words[0]),
  defaultruntimedir: (context, node, _level, words) => setDefaultRuntimeDir(context, node, words[0]),
  '<macro': (context, node) => soakSection(context, node, '<Macro'),
};

/** <IfModule> looks a module up by source name, or by identifier for loaded and built-in ones. */
function moduleIsPresent(state: ParseState, name: string): boolean {
  if (state.loadedSourceNames.has(name) || state.loadedIds.has(name)) return true;
  return COMPILED_IN_MODULES.some((module) => module.id === name);
}

function pathExists(state: ParseState, path: string): boolean {
  const fileSystem = state.options.fileSystem;
  return fileSystem ? fileSystemPathExists(fileSystem, path) : false;
}

/** start_cond_section: the shared body of <IfModule>, <IfDefine>, <IfFile>, <IfDirective>, <IfSection>. */
function conditionalSection(context: FileContext, node: DirectiveNode, level: BuildLevel, test: (argument: string) => boolean): void {
  const line = node.line.httpdLine;
  const end = node.args.lastIndexOf('>');
  if (end === -1) {
    fail(context, nameSpan(node), `${node.name}> directive missing closing '>'`, line, DIAGNOSTIC_CODES.syntax);
    soakSection(context, node, node.name, false);
    return;
  }
  let inner = node.args.slice(0, end);
  const negated = inner.startsWith('!');
  if (negated) inner = inner.slice(1);
  const argument = readWord(inner, 0);
  if (!argument || argument.value === '') {
    fail(context, nameSpan(node), `${node.name}> directive requires additional arguments`, line, DIAGNOSTIC_CODES.syntax);
    soakSection(context, node, node.name, false);
    return;
  }
  const result = test(argument.value);
  if (result !== negated) readContainerBody(context, node, level);
  else soakSection(context, node, node.name);
}

function ifVersion(context: FileContext, node: DirectiveNode, level: BuildLevel, words: string[]): void {
  const line = node.line.httpdLine;
  let [operator, version, closing] = words as [string, string | undefined, string | undefined];
  if (version === undefined) {
    version = operator;
    operator = '=';
  }
  if (closing === undefined && version === '>') {
    closing = '>';
    version = operator;
    operator = '=';
  }
  const quotedClose = closing === '>';
  if (version === '' || (!quotedClose && !version.endsWith('>'))) {
    fail(context, nameSpan(node), `<IfVersion> directive missing closing '>'`, line, DIAGNOSTIC_CODES.syntax);
    soakSection(context, node, '<IfVersion', false);
    return;
  }
  let value = quotedClose ? version : version.slice(0, -1);
  let reverse = false;
  let op = operator;
  if (op.startsWith('!')) {
    reverse = true;
    if (op.length > 1) op = op.slice(1);
  }
  const current = `${HTTPD_VERSION.major}.${HTTPD_VERSION.minor}.${HTTPD_VERSION.patch}${HTTPD_VERSION.addString}`;
  const bad = (message: string) => {
    fail(context, nameSpan(node), message, line, DIAGNOSTIC_CODES.invalidArgument);
    soakSection(context, node, '<IfVersion', false);
  };
  const head = op[0];
  const tail = op.slice(1);
  let match: boolean;
  if (!(tail === '' || (tail === '=' && head !== '~'))) return bad(`unrecognized operator '${operator}'`);
  if ((head === '=' && value.startsWith('/')) || head === '~') {
    if (head === '=') {
      if (value.length < 2 || !value.endsWith('/')) return bad('Missing delimiting / of regular expression.');
      value = value.slice(1, -1);
    }
    const compiled = compileHttpdRegex(value);
    if (!compiled.ok) return bad('Unable to compile regular expression');
    match = compiled.regex.test(current);
  } else if (head === '=' || head === '<' || head === '>') {
    const compare = compareVersion(value);
    if (compare === null) return bad('Version appears to be invalid. It must have the format major[.minor[.patch]] where major, minor and patch are numbers.');
    match = head === '=' ? compare === 0 : head === '<' ? compare === -1 || (tail !== '' && compare === 0) : compare === 1 || (tail !== '' && compare === 0);
  } else {
    return bad(`unrecognized operator '${operator}'`);
  }
  if (match !== reverse) readContainerBody(context, node, level);
  else soakSection(context, node, '<IfVersion');
}

/** mod_version compare_version: -1, 0 or 1 comparing httpd's version with `text`; null if malformed. */
function compareVersion(text: string): -1 | 0 | 1 | null {
  if (!/^\d+(\.\d*){0,2}$/.test(text) && !/^\d+(\.\d*){0,2}\.?$/.test(text)) return null;
  const parts = text.split('.').map((part) => Number.parseInt(part || '0', 10));
  const wanted = [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
  const have = [HTTPD_VERSION.major, HTTPD_VERSION.minor, HTTPD_VERSION.patch];
  for (let index = 0; index < 3; index++) {
    if (have[index] > wanted[index]) return 1;
    if (have[index] < wanted[index]) return -1;
  }
  return 0;
}

/**
 * ap_build_cont_config: read lines into the enclosing level until the matching closer. The closer
 * must be the whole line, compared before ${VAR} expansion; EOF just ends the body silently.
 */
function readContainerBody(context: FileContext, opener: DirectiveNode, outer: BuildLevel): void {
  const closer = `</${opener.name.slice(1)}>`.toLowerCase();
  const inner: BuildLevel = { roots: [], open: [] };
  const { cursor } = context;
  while (cursor.index < cursor.lines.length) {
    const line = cursor.lines[cursor.index++];
    if (line.text.toLowerCase() === closer && inner.open.length === 0) break;
    processLine(context, line, inner);
  }
  for (const node of inner.roots) addNode(outer, node);
}

/** ap_soak_end_container: skip to the matching closer without interpreting anything. */
function soakSection(context: FileContext, opener: DirectiveNode, directive: string, reportErrors = true): void {
  const { cursor } = context;
  const stack = [directive];
  while (cursor.index < cursor.lines.length) {
    const line = cursor.lines[cursor.index++];
    const word = readWord(line.text, 0);
    if (!word || word.value[0] !== '<') continue;
    const name = word.value;
    const current = stack[stack.length - 1];
    if (name[1] === '/') {
      const closed = name.slice(0, -1);
      if (closed.slice(2).toLowerCase() !== current.slice(1).toLowerCase()) {
        if (reportErrors) {
          const span = spanInLine(context.file, line, identity(line.text), word.start, word.end);
          fail(context, span, `Expected </${current.slice(1)}> but saw ${closed}>`, opener.line.httpdLine, DIAGNOSTIC_CODES.sectionMismatch);
        }
        return;
      }
      stack.pop();
      if (stack.length === 0) return;
      continue;
    }
    const rest = skipSpaces(line.text, word.end);
    stack.push(rest >= line.text.length && name.endsWith('>') ? name.slice(0, -1) : name);
  }
  if (reportErrors) {
    fail(context, nameSpan(opener), `Expected </${stack[stack.length - 1].slice(1)}> before end of configuration`, opener.line.httpdLine, DIAGNOSTIC_CODES.sectionNotClosed);
  }
}

function identity(text: string): ResolvedLine {
  return { text, undefinedVariables: [], originalOffset: (offset) => offset };
}

function define(context: FileContext, node: DirectiveNode, words: string[], at: (index: number) => SourceSpan): void {
  const [name, value] = words;
  if (name.includes(':')) {
    fail(context, at(0), "Variable name must not contain ':'", node.line.httpdLine, DIAGNOSTIC_CODES.invalidArgument);
    return;
  }
  const { state } = context;
  if (!state.defines.includes(name)) state.defines.push(name);
  if (value !== undefined) state.definedVariables.set(name, value);
}

function undefine(context: FileContext, node: DirectiveNode, name: string, at: (index: number) => SourceSpan): void {
  if (name.includes(':')) {
    fail(context, at(0), "Variable name must not contain ':'", node.line.httpdLine, DIAGNOSTIC_CODES.invalidArgument);
    return;
  }
  const { state } = context;
  const index = state.defines.indexOf(name);
  if (index !== -1) {
    // httpd moves the last define into the freed slot.
    const last = state.defines.pop() as string;
    if (index < state.defines.length) state.defines[index] = last;
  }
  state.definedVariables.delete(name);
}

function include(context: FileContext, node: DirectiveNode, level: BuildLevel, pattern: string, optional: boolean): void {
  const { state } = context;
  const line = node.line.httpdLine;
  if (state.includeDepth >= MAX_INCLUDE_DEPTH) {
    fail(context, nameSpan(node), `Exceeded maximum include depth of ${MAX_INCLUDE_DEPTH}, There appears to be a recursion.`, line, DIAGNOSTIC_CODES.include);
    return;
  }
  const found = readIncludedFiles(state, serverRootRelative(state, pattern), optional);
  if ('error' in found) {
    fail(context, argsSpan(node, 0, node.args.length), found.error, line, DIAGNOSTIC_CODES.include);
    return;
  }
  state.includeDepth++;
  for (const file of found.files) {
    state.config.includedFiles.push(file.path);
    const result = readFile(state, file.text, file.path);
    for (const child of result.nodes) addNode(level, child);
    if (result.error) {
      // The included file's own diagnostics are already recorded; only httpd's wrapped text is new.
      setFirstError(context, result.error.message, line, result.error.eventIndex);
      break;
    }
  }
  state.includeDepth--;
}

function loadModule(context: FileContext, node: DirectiveNode, name: string, path: string, at: (index: number) => SourceSpan): void {
  const { state } = context;
  const line = node.line.httpdLine;
  if (state.attemptedModuleNames.has(name)) {
    const message = `AH01574: module ${name} is already loaded, skipping`;
    report(state, at(0), { code: 'AH01574', severity: 'warning', message }, startupEvent('read', [message], { bare: false, level: 'warn', module: 'so' }));
    return;
  }
  const builtIn = COMPILED_IN_MODULES.find((module) => module.sourceName.startsWith('mod_') && `${module.sourceName.slice(4, -2)}_module` === name);
  if (builtIn) {
    fail(context, at(0), `module ${name} is built-in and can't be loaded`, line, DIAGNOSTIC_CODES.loadModule);
    return;
  }
  state.attemptedModuleNames.add(name);
  const absolute = serverRootRelative(state, path);
  const known = findModuleById(name);
  const fileName = absolute.slice(absolute.lastIndexOf('/') + 1);
  const fileModule = absolute === `${DEBIAN_MODULE_DIR}/${fileName}` ? findModuleBySoFile(fileName) : undefined;
  let debianError: string | null = null;
  if (!fileModule && !path.includes('/')) {
    // mod_so's dso_load: a name without '/' that fails under ServerRoot is retried as it is,
    // through dlopen's library search path, and that second failure is the one reported.
    debianError = `Cannot load ${path} into server: ${path}: cannot open shared object file: No such file or directory`;
  } else if (!fileModule && state.options.fileSystem?.listDirectory(absolute)) {
    debianError = `Cannot load ${path} into server: ${absolute}: cannot read file data: Is a directory`;
  } else if (!fileModule && fileInPath(state, absolute)) {
    // dlopen("…/mod_x.so/"): a file where the path needs a directory.
    debianError = `Cannot load ${path} into server: ${absolute}: cannot open shared object file: Not a directory`;
  } else if (!fileModule) {
    debianError = `Cannot load ${path} into server: ${absolute}: cannot open shared object file: No such file or directory`;
  } else if (fileModule.id !== name) {
    // dlopen comes before the symbol lookup: a module missing its provider fails to load first.
    const fileDependency = linkDependencyOf(fileModule.id);
    if (fileDependency && !state.loadedIds.has(fileDependency.provider)) debianError = `Cannot load ${path} into server: ${absolute}: undefined symbol: ${fileDependency.symbol}`;
    else debianError = `Can't locate API module structure \`${name}' in file ${absolute}: ${absolute}: undefined symbol: ${name}`;
  }
  if (debianError && (!known || state.options.modulePaths === 'debian')) {
    fail(context, at(debianError.startsWith('Cannot') ? 1 : 0), debianError, line, DIAGNOSTIC_CODES.loadModule);
    return;
  }
  if (debianError && known) {
    // Accepted for learners following other layouts; say what Debian's httpd would do.
    report(state, at(1), { code: DIAGNOSTIC_CODES.loadModule, severity: 'warning', message: debianError }, null);
  }
  const module = known ?? findModuleBySoFile(fileName);
  if (!module) return;
  const dependency = linkDependencyOf(module.id);
  if (dependency && !state.loadedIds.has(dependency.provider)) {
    const shown = fileModule ? absolute : `${DEBIAN_MODULE_DIR}/${module.soFile}`;
    fail(context, at(1), `Cannot load ${path} into server: ${shown}: undefined symbol: ${dependency.symbol}`, line, DIAGNOSTIC_CODES.loadModule);
    return;
  }
  addLoadedModule(state, { id: module.id, sourceName: module.sourceName, path, source: sourceOf(node) });
}

/** core set_runtime_dir: the path, under ServerRoot when relative, must be a directory. */
/** Whether a proper prefix of the path (up to a '/') is a file rather than a directory (ENOTDIR). */
function fileInPath(state: ParseState, absolute: string): boolean {
  const fileSystem = state.options.fileSystem;
  for (let slash = absolute.indexOf('/', 1); slash !== -1; slash = absolute.indexOf('/', slash + 1)) {
    const prefix = absolute.slice(0, slash);
    const moduleFile = prefix.startsWith(`${DEBIAN_MODULE_DIR}/`) && findModuleBySoFile(prefix.slice(DEBIAN_MODULE_DIR.length + 1)) !== undefined;
    if (moduleFile || (fileSystem && fileSystemPathExists(fileSystem, prefix) && fileSystem.listDirectory(prefix) === null)) return true;
  }
  return false;
}

function setDefaultRuntimeDir(context: FileContext, node: DirectiveNode, path: string): void {
  const fileSystem = context.state.options.fileSystem;
  if (fileSystem && fileSystem.listDirectory(serverRootRelative(context.state, path)) === null) {
    fail(context, argsSpan(node, 0, node.args.length), 'DefaultRuntimeDir must be a valid directory, absolute or relative to ServerRoot', node.line.httpdLine, DIAGNOSTIC_CODES.invalidArgument);
    return;
  }
  context.state.config.global.defaultRuntimeDir = { value: path, source: sourceOf(node) };
}

function setServerRoot(context: FileContext, node: DirectiveNode, path: string): void {
  const { state } = context;
  const fileSystem = state.options.fileSystem;
  const absolute = path.startsWith('/') ? path : serverRootRelative(state, path);
  if (fileSystem && fileSystem.listDirectory(absolute) === null) {
    fail(context, argsSpan(node, 0, node.args.length), 'ServerRoot must be a valid directory', node.line.httpdLine, DIAGNOSTIC_CODES.invalidArgument);
    return;
  }
  state.serverRoot = absolute.length > 1 && absolute.endsWith('/') ? absolute.slice(0, -1) : absolute;
  state.config.global.serverRoot = { value: state.serverRoot, source: sourceOf(node) };
}
