/**
 * `apache2 -t -f FILE`, reproduced: everything goes to stderr, in httpd's order, up to the first
 * fatal message; "Syntax OK" when there is none. Messages httpd logs through its error-log
 * formatter (AH00111, AH01574...) carry the "[time] [module:level] [pid N:tid N]" prefix; the
 * time and pid are injectable so tests and lessons get stable text.
 */
import type { ConfigDiagnostic, StartupEvent } from './diagnostics.ts';
import type { HttpdConfig } from './model.ts';
import { runParse } from './parse-config.ts';
import type { ParseOptions } from './parse-state.ts';
import { checkStartup, type StartupResult } from './startup-checks.ts';

/** Options for configtest: parse options plus how to stamp prefixed lines. */
export interface ConfigtestOptions extends ParseOptions {
  /** Time for the error-log prefix. Default: now. */
  now?: Date;
  /** Process id for the prefix. Default 1. */
  pid?: number;
}

/** What `apache2 -t` printed and returned. */
export interface ConfigtestResult {
  /** 0, 1 for a refused config, or what httpd died with (2 when its expression scanner jams). */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Positioned problems for the editor (every one found, not only the first httpd prints). */
  diagnostics: ConfigDiagnostic[];
  /** The model, or null when httpd would refuse the config. */
  config: HttpdConfig | null;
  /** What would happen on a real start (only meaningful when exitCode is 0). */
  startup: StartupResult;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** httpd's error-log time stamp ("Tue Nov 24 13:28:40.154685 2026"), in UTC. */
export function formatLogTime(date: Date, microseconds = date.getUTCMilliseconds() * 1000): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(microseconds, 6)} ${date.getUTCFullYear()}`;
}

/** ap_escape_errorlog_item: how httpd writes message bytes (UTF-8 beyond ASCII becomes \\xhh). */
export function escapeLogText(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    if (byte >= 0x20 && byte < 0x7f && byte !== 0x5c) out += String.fromCharCode(byte);
    else if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x08) out += '\\b';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte === 0x0b) out += '\\v';
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Render startup events as httpd prints them, stopping after the first fatal one. */
export function renderStartupEvents(events: StartupEvent[], options: { now?: Date; pid?: number } = {}): { lines: string[]; fatal: boolean; exitCode: number } {
  const now = options.now ?? new Date();
  const pid = options.pid ?? 1;
  const lines: string[] = [];
  for (const event of events) {
    for (const text of event.lines) {
      const escaped = escapeLogText(text);
      lines.push(event.bare ? escaped : `[${formatLogTime(now)}] [${event.module}:${event.level}] [pid ${pid}:tid ${pid}] ${escaped}`);
    }
    if (event.fatal) return { lines, fatal: true, exitCode: event.exitCode ?? 1 };
  }
  return { lines, fatal: false, exitCode: 0 };
}

/** Run `apache2 -t` on config text. */
export function configtest(text: string, options: ConfigtestOptions = {}): ConfigtestResult {
  const outcome = runParse(text, options);
  const { lines, fatal, exitCode } = renderStartupEvents(outcome.events, options);
  if (!fatal) lines.push('Syntax OK');
  const config = fatal ? null : outcome.config;
  return {
    exitCode,
    stdout: '',
    stderr: `${lines.join('\n')}\n`,
    diagnostics: outcome.diagnostics,
    config,
    startup: config ? checkStartup(config, options.fileSystem) : { ok: false, exitCode: 1, lines: [] },
  };
}
