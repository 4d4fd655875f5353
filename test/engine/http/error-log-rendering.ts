/** The shape shared by the engine's request- and response-head log entries. */
interface LogEntryLike {
  module: string;
  level: string;
  code?: string;
  message: string;
  osError?: string;
  origin?: string;
}
import { shortenLogLine } from './httpd-transcript.ts';

/** ap_escape_errorlog_item: control and 8-bit bytes as \xhh, the usual C escapes, backslash doubled, quotes left alone. */
export function escapeErrorLogItem(text: string): string {
  const named: Record<string, string> = { '\b': '\\b', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\' };
  let escaped = '';
  for (const character of text) {
    const code = character.charCodeAt(0);
    if (named[character] !== undefined) escaped += named[character];
    else if (code < 0x20 || code >= 0x7f) escaped += `\\x${code.toString(16).padStart(2, '0')}`;
    else escaped += character;
  }
  return escaped;
}

/** An entry as it appears in a transcript: "[core:debug] protocol.c(1): (28)x: AH1: message", shortened. */
export function renderForTranscript(entry: LogEntryLike): string {
  const parts = [`[${entry.module}:${entry.level}]`];
  if (entry.origin && entry.level === 'debug') parts.push(`${entry.origin}:`);
  if (entry.osError) parts.push(`${entry.osError}:`);
  parts.push(entry.code ? `${entry.code}: ${escapeErrorLogItem(entry.message)}` : escapeErrorLogItem(entry.message));
  return shortenLogLine(parts.join(' '));
}

/** Compare two possibly shortened log lines: a shortened line only promises its first 200 characters. */
export function sameLogLine(actual: string, recorded: string): boolean {
  const start = (line: string) => line.replace(/…\[\d+ chars\]$/, '');
  return recorded.includes('…[') || actual.includes('…[') ? start(actual) === start(recorded) : actual === recorded;
}
