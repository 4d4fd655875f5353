/**
 * Parsing a whole config: read phase, the MPM check httpd makes right after reading, the process
 * phase, and the checks `apache2 -t` still runs afterwards (AH00558, MPM limits). Returns the
 * best-effort model, every diagnostic, and the startup events in httpd's order.
 */
import { DEBIAN_MODULE_DIR, COMPILED_IN_MODULES } from './module-registry.ts';
import { defaultModules } from './default-modules.ts';
import { DIAGNOSTIC_CODES, type ConfigDiagnostic, type StartupEvent } from './diagnostics.ts';
import { aliasHandlers } from './handlers/alias.ts';
import { authzHandlers } from './handlers/authz.ts';
import { coreDirectiveHandlers } from './handlers/core-directives.ts';
import { coreSectionHandlers } from './handlers/core-sections.ts';
import { headerHandlers } from './handlers/headers.ts';
import { logConfigHandlers } from './handlers/log-config.ts';
import { proxyHandlers } from './handlers/proxy.ts';
import { rewriteHandlers } from './handlers/rewrite.ts';
import { sslHandlers } from './handlers/ssl.ts';
import { isCommentOrBlank, readLogicalLines, readWord } from './lexer.ts';
import { emptyConfig } from './model-factory.ts';
import type { HttpdConfig } from './model.ts';
import { checkMpmSettings } from './mpm-check.ts';
import { addLoadedModule, resolveOptions, startupEvent, type ParseOptions, type ParseState } from './parse-state.ts';
import { registerHandlers, TOP_LEVEL_OVERRIDE, walkNodes } from './process-phase.ts';
import { readConfigTree } from './read-phase.ts';

registerHandlers({
  ...coreSectionHandlers,
  ...coreDirectiveHandlers,
  ...proxyHandlers,
  ...aliasHandlers,
  ...authzHandlers,
  ...headerHandlers,
  ...rewriteHandlers,
  ...logConfigHandlers,
  ...sslHandlers,
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

/** True when the text has a LoadModule line anywhere (then no default module set is assumed). */
export function hasLoadModuleLine(text: string): boolean {
  return readLogicalLines(text).some((line) => !isCommentOrBlank(line.text) && readWord(line.text, 0)?.value.toLowerCase() === 'loadmodule');
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
  };
  for (const module of COMPILED_IN_MODULES) addLoadedModule(state, { id: module.id, sourceName: module.sourceName, path: null, source: null });
  if (!hasLoadModuleLine(text)) {
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

/** What `apache2 -t` still prints after processing: AH00558 and the MPM's limit warnings. */
function runCheckPhase(state: ParseState): void {
  const { config, options } = state;
  if (!config.main.server.serverName) {
    const message = `AH00558: ${options.programName}: Could not reliably determine the server's fully qualified domain name, using ${options.localHostName}. Set the 'ServerName' directive globally to suppress this message`;
    state.diagnostics.push({ code: DIAGNOSTIC_CODES.serverName, severity: 'info', message, file: options.file, line: 1, column: 1, length: 1 });
    state.events.push(startupEvent('check', [message], { level: 'alert' }));
  }
  if (config.global.mpm.module) {
    for (const warning of checkMpmSettings(config.global.mpm).warnings) {
      const source = config.global.mpm.maxRequestWorkers?.source ?? config.global.mpm.threadsPerChild?.source ?? { file: options.file, line: 1 };
      state.diagnostics.push({ code: warning.slice(0, 7), severity: 'warning', message: warning, file: source.file, line: source.line, column: 1, length: 1 });
      state.events.push(startupEvent('check', [warning], { level: 'warn' }));
    }
  }
}
