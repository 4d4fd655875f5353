/**
 * The config front end of the engine: parse httpd config text into the model, run `apache2 -t`,
 * and look directives up. Pure TypeScript (no node:*, DOM or editor imports).
 */
import { configtest, type ConfigtestOptions, type ConfigtestResult } from './configtest.ts';
import type { ConfigDiagnostic } from './diagnostics.ts';
import type { HttpdConfig } from './model.ts';
import { runParse } from './parse-config.ts';
import type { ParseOptions } from './parse-state.ts';

export type * from './model.ts';
export { LOG_LEVELS } from './model.ts';
export type { ConfigDiagnostic, DiagnosticSeverity, StartupEvent, StartupPhase } from './diagnostics.ts';
export type { ConfigFileSystem, ParseOptions } from './parse-state.ts';
export { configtest, escapeLogText, formatLogTime, renderStartupEvents } from './configtest.ts';
export type { ConfigtestOptions, ConfigtestResult } from './configtest.ts';
export { checkStartup } from './startup-checks.ts';
export type { StartupFailureLine, StartupResult } from './startup-checks.ts';
export { effectiveServer, effectiveServers, HTTPD_DEFAULTS, mergeAuthz } from './effective-server.ts';
export { DEBIAN_ENVIRONMENT, DEFAULT_MODULE_NAMES, defaultModules, httpdPreamble } from './default-modules.ts';
export type { PreambleOptions } from './default-modules.ts';
export { directiveTable, findDirectiveInfo } from './directive-table.ts';
export type { DirectiveContext, DirectiveInfo } from './directive-table.ts';
export { KNOWN_MODULES, findModuleById } from './module-registry.ts';
export type { KnownModule } from './module-registry.ts';
export { compileHttpdRegex } from './regex.ts';
export { checkMpmSettings } from './mpm-check.ts';
export type { MpmCheck } from './mpm-check.ts';

/** The result of parsing: a model (or null) and every diagnostic. */
export interface ParseResult<Config> {
  config: Config;
  diagnostics: ConfigDiagnostic[];
}

/**
 * Parse config text into the model, best effort: the model is always returned, filled as far as
 * the text allows, with every problem as a diagnostic. Never throws on any input text.
 */
export function parseConfig(text: string, options: ParseOptions = {}): ParseResult<HttpdConfig> {
  const outcome = runParse(text, options);
  return { config: outcome.config, diagnostics: outcome.diagnostics };
}

/**
 * Load config text the way httpd would: the model only when `apache2 -t` would accept the text
 * (config null otherwise), with every diagnostic either way.
 */
export function loadConfig(text: string, options: ConfigtestOptions = {}): ParseResult<HttpdConfig | null> {
  const result: ConfigtestResult = configtest(text, options);
  return { config: result.config, diagnostics: result.diagnostics };
}
