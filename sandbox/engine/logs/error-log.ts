/**
 * Error-log lines in httpd 2.4's default ErrorLogFormat:
 *   [Tue Nov 24 13:24:23.633550 2026] [proxy:error] [pid 8302:tid 8358] (111)Connection refused: AH00957: ws: …
 *   [Tue Nov 24 13:24:23.633625 2026] [proxy_http:error] [pid 8302:tid 8358] [client 127.0.0.1:54938] AH01114: …
 * (measured on Debian's apache2 2.4.71). The OS error prefix comes before the client, which is
 * httpd's order, not an accident.
 */
import { escapeLogText } from '../config/configtest.ts';
import { levelRank } from './log-level.ts';
import type { LogLevelName } from './log-level.ts';

/** One error-log entry as the engine produces it, before a timestamp is attached. */
export interface ErrorLogEntry {
  /** Module name as httpd prints it: "proxy", "proxy_http", "core", "mpm_event", "authz_core". */
  module: string;
  level: LogLevelName;
  /** "AH00957"; absent for the few messages httpd logs without one. */
  code?: string;
  message: string;
  /** "127.0.0.1:54938" when the entry belongs to a client connection. */
  client?: string;
  /** OS error as httpd prints it, e.g. "(111)Connection refused". */
  osError?: string;
  /** "127.0.0.1:8443" for entries about the proxy's own backend connection ("[remote …]"). */
  remote?: string;
  /** "proxy_util.c(2829)": the source position httpd prints on debug and trace lines. */
  origin?: string;
}

/** Process identity printed in "[pid P:tid T]"; the emulator has one process and numbered connections. */
export interface ErrorLogProcess {
  pid: number;
  tid: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Tue Nov 24 13:24:23.633550 2026": httpd's %{u}t, in UTC (the sandbox has no local zone). */
export function formatErrorLogTime(epochMicros: number): string {
  const date = new Date(Math.floor(epochMicros / 1000));
  const micros = String(Math.floor(epochMicros % 1_000_000)).padStart(6, '0');
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${WEEKDAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${micros} ${date.getUTCFullYear()}`
  );
}

/** Render one entry as a line of httpd's error log (no trailing newline). */
export function formatErrorLogLine(entry: ErrorLogEntry, epochMicros: number, process: ErrorLogProcess): string {
  const parts = [
    `[${formatErrorLogTime(epochMicros)}]`,
    `[${entry.module}:${entry.level}]`,
    `[pid ${process.pid}:tid ${process.tid}]`,
  ];
  // httpd's %7F: the source position only appears on debug and more verbose lines.
  if (entry.origin && levelRank(entry.level) >= levelRank('debug')) parts.push(`${entry.origin}:`);
  if (entry.osError) parts.push(`${entry.osError}:`);
  if (entry.client) parts.push(`[client ${entry.client}]`);
  else if (entry.remote) parts.push(`[remote ${entry.remote}]`);
  // httpd escapes control and non-ASCII bytes in messages, so a request can't forge log lines.
  const message = escapeLogText(entry.message);
  parts.push(entry.code ? `${entry.code}: ${message}` : message);
  return parts.join(' ');
}

/** The AH codes in a block of error-log text, in order of appearance. */
export function extractErrorLogCodes(text: string): string[] {
  return [...text.matchAll(/\bAH\d{5}\b/g)].map((match) => match[0]);
}
