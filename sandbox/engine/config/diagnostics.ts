/**
 * Diagnostics for the editor and the startup log for configtest.
 *
 * Two views of the same problems: a `ConfigDiagnostic` is positioned (line, column, length of the
 * offending token) and is produced for every problem found, while `StartupEvent`s are what httpd
 * itself would print, in httpd's order, up to and including the first fatal one (httpd stops
 * there). configtest renders the events; the editor shows the diagnostics.
 */
import type { LogLevelName } from './model.ts';

/** How bad a diagnostic is: an error makes httpd refuse the config. */
export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/** One problem, positioned for the editor (1-based line and column). */
export interface ConfigDiagnostic {
  /** Stable identifier: an httpd AH code when httpd has one, otherwise a kebab-case name. */
  code: string;
  severity: DiagnosticSeverity;
  /** The text httpd prints for it (without "AH00526: Syntax error on line N of FILE:"). */
  message: string;
  file: string;
  line: number;
  column: number;
  /** Characters to underline on that line (at least 1). */
  length: number;
}

/** When httpd would notice a problem. */
export type StartupPhase =
  /** Reading the files (section nesting, EXEC_ON_READ directives such as LoadModule, Include). */
  | 'read'
  /** Running each directive's handler. */
  | 'process'
  /** Checks after processing that `apache2 -t` still runs (check_config hooks, vhost setup). */
  | 'check'
  /** Checks only made when the server really starts (post_config hooks): not shown by -t. */
  | 'startup';

/** One message httpd writes to stderr while reading and checking the config. */
export interface StartupEvent {
  phase: StartupPhase;
  /** Bare lines (APLOG_STARTUP) print as they are; others get the error-log prefix. */
  bare: boolean;
  level: LogLevelName;
  /** Module tag in the prefix, e.g. "core" in "[core:warn]". */
  module: string;
  /** The message lines (a fatal syntax error prints two). */
  lines: string[];
  /** True when httpd exits after printing this. */
  fatal: boolean;
  /** The exit status of a fatal event when it is not 1 (flex's "scanner jammed" exits with 2). */
  exitCode?: number;
}

/** Diagnostic codes that are not httpd AH numbers. */
export const DIAGNOSTIC_CODES = {
  invalidCommand: 'invalid-command',
  syntax: 'syntax-error',
  sectionNotClosed: 'section-not-closed',
  sectionMismatch: 'section-mismatch',
  sectionWithoutOpener: 'section-without-opener',
  notAllowedHere: 'not-allowed-here',
  argumentCount: 'argument-count',
  invalidArgument: 'invalid-argument',
  loadModule: 'load-module',
  include: 'include',
  noMpm: 'AH00534',
  undefinedVariable: 'AH00111',
  serverName: 'AH00558',
  notSimulated: 'not-simulated',
} as const;
