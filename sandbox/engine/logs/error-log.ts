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
  /**
   * Logged with ap_log_cerror on the client connection: it goes to the connection's base server
   * (the first vhost of the address) with that server's LogLevel, whatever vhost the request chose.
   */
  connectionScoped?: boolean;
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
export function formatErrorLogLine(
  entry: ErrorLogEntry,
  epochMicros: number,
  process: ErrorLogProcess,
  requestHeaders?: ReadonlyArray<readonly [string, string]>,
): string {
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
  // do_errorlog_default ends a request's line with its Referer, when it sent one.
  const referer = requestHeaders?.find(([name]) => name.toLowerCase() === 'referer');
  return referer ? `${parts.join(' ')}, referer: ${escapeLogText(referer[1])}` : parts.join(' ');
}

/** The AH codes in a block of error-log text, in order of appearance. */
export function extractErrorLogCodes(text: string): string[] {
  return [...text.matchAll(/\bAH\d{5}\b/g)].map((match) => match[0]);
}

/**
 * One item of a parsed ErrorLogFormat (core.c's parse_errorlog_item): literal text, the message
 * (%M) or a field handler with its `{arg}`, and the modifiers httpd knows: `+` (the whole line is
 * dropped when the field is empty; not in the main format), `-` (an empty field prints "-"), and
 * digits, the minimum log level (a number, 7 = debug) at which the field appears at all. A space
 * (or "% ") starts a new field: an empty field, or one below its level, erases its whole field.
 */
export interface ErrorLogFormatItem {
  kind: 'text' | 'message' | 'field';
  text: string;
  handler: string;
  arg: string | null;
  fieldSeparator: boolean;
  required: boolean;
  nullAsHyphen: boolean;
  minLevel: number;
}

/** Field letters httpd 2.4 registers in ap_register_log_hooks. */
const ERROR_LOG_HANDLERS = new Set(['a', 'A', 'e', 'E', 'F', 'i', 'k', 'l', 'L', 'm', 'n', 'P', 't', 'T', 'v', 'V']);
const TRACE8 = 15;

/** Parse an ErrorLogFormat string as core.c's parse_errorlog_string does, with its error texts. */
export function parseErrorLogFormat(format: string, mainFormat = true): { ok: true; items: ErrorLogFormatItem[] } | { ok: false; error: string } {
  const items: ErrorLogFormatItem[] = [];
  let position = 0;
  let sawMessage = false;
  while (position < format.length) {
    const item: ErrorLogFormatItem = { kind: 'text', text: '', handler: '', arg: null, fieldSeparator: false, required: false, nullAsHyphen: false, minLevel: 0 };
    const parsed = parseErrorLogItem(format, position, item);
    if (typeof parsed === 'string') return { ok: false, error: parsed };
    position = parsed.position;
    if (item.kind === 'message') {
      if (!mainFormat) return { ok: false, error: '%M cannot be used in once-per-request or once-per-connection formats' };
      sawMessage = true;
    }
    if (mainFormat && item.required) return { ok: false, error: "The '+' flag cannot be used in the main error log format" };
    if (!mainFormat && item.minLevel) return { ok: false, error: 'The loglevel cannot be used as a condition in once-per-request or once-per-connection formats' };
    if (item.minLevel > TRACE8) return { ok: false, error: 'The specified loglevel modifier is out of range' };
    items.push(item);
  }
  if (mainFormat && !sawMessage) return { ok: false, error: "main ErrorLogFormat must contain message format string '%M'" };
  return { ok: true, items };
}

/** parse_errorlog_item: one item from `position`; returns where the next starts, or httpd's error text. */
function parseErrorLogItem(format: string, start: number, item: ErrorLogFormatItem): { position: number } | string {
  let position = start;
  if (format[position] !== '%') {
    if (format[position] === ' ') item.fieldSeparator = true;
    return { position: readLiteral(format, position, item) };
  }
  position += 1;
  if (format[position] === ' ') {
    // "% " separates fields; the item itself is whatever follows.
    item.fieldSeparator = true;
    return parseErrorLogItem(format, position + 1, item);
  }
  if (format[position] === '%') {
    item.text = '%';
    return { position: position + 1 };
  }
  while (position < format.length) {
    const char = format[position];
    if (char === '{') {
      const close = format.indexOf('}', position + 1);
      item.arg = close === -1 ? format.slice(position + 1) : format.slice(position + 1, close);
      position = close === -1 ? format.length : close + 1;
    } else if (char === '+') {
      item.required = true;
      position += 1;
    } else if (char === '-') {
      item.nullAsHyphen = true;
      position += 1;
    } else if (char >= '0' && char <= '9') {
      let level = 0;
      while (position < format.length && format[position] >= '0' && format[position] <= '9') level = level * 10 + Number(format[position++]);
      item.minLevel = level;
    } else if (char === 'M') {
      item.kind = 'message';
      return { position: position + 1 };
    } else if (ERROR_LOG_HANDLERS.has(char)) {
      item.kind = 'field';
      item.handler = char;
      return { position: position + 1 };
    } else {
      return `Unrecognized error log format directive %${char}`;
    }
  }
  return 'Ran off end of error log format parsing args to some directive';
}

/**
 * parse_errorlog_misc_string: text up to the next % or the next space that follows other text
 * (so a space can start the next field); backslash escapes \r \n \t, any other char verbatim.
 */
function readLiteral(format: string, start: number, item: ErrorLogFormatItem): number {
  let position = start;
  let atStart = true;
  let text = '';
  while (position < format.length && format[position] !== '%' && (format[position] !== ' ' || atStart)) {
    const char = format[position];
    if (char !== '\\') {
      if (char !== ' ') atStart = false;
      text += char;
      position += 1;
      continue;
    }
    position += 1;
    const next = format[position];
    if (next === undefined) text += '\\';
    else {
      text += next === 'r' ? '\r' : next === 'n' ? '\n' : next === 't' ? '\t' : next;
      position += 1;
    }
  }
  item.kind = 'text';
  item.text = text;
  return position;
}

/** What the format's fields read besides the entry: the server, the connection, the request. */
export interface ErrorLogFormatContext {
  process: ErrorLogProcess;
  epochMicros: number;
  /** %v: the server's ServerName. */
  serverName: string;
  /** %V: ap_get_server_name of the request (the Host's name); only for request-scoped lines. */
  requestServerName?: string;
  /** %A: "ip:port" of the connection's local end. */
  localAddress?: string;
  /** %k: keep-alive requests so far on the connection. */
  keepalives?: number;
  /** %{name}i: request headers (request-scoped lines). */
  requestHeaders?: ReadonlyArray<readonly [string, string]>;
  /** %{name}e: r->subprocess_env. */
  env?: Readonly<Record<string, string>>;
  /** %{name}n: r->notes. */
  notes?: Readonly<Record<string, string>>;
  /**
   * Which line log_error_core is writing: the message itself, or one of the once-per-connection
   * or once-per-request lines before it (info.r unset, resp. the request; no level, no module).
   */
  line?: 'message' | 'connection' | 'request';
  /** %{c}L / %{C}L: c->log_id, made when the connection's first line was logged. */
  connectionLogId?: string;
  /** %L: the request's log id, made when its first line was logged. */
  requestLogId?: string;
}

/**
 * core_generate_log_id: the request time (or now) xor'ed with the pid shifted by 40 and the
 * thread by 32, as 8 bytes in base64 without the trailing "=" (11 characters).
 */
export function generateLogId(epochMicros: number, pid: number, thread: number): string {
  let id = BigInt.asUintN(64, BigInt(Math.floor(epochMicros)));
  id ^= BigInt.asUintN(64, BigInt(pid) << 40n);
  id ^= BigInt.asUintN(64, BigInt(pid >> 24) << 56n);
  id ^= BigInt.asUintN(64, BigInt(thread) << 32n);
  const bytes: number[] = [];
  for (let index = 0; index < 8; index += 1) bytes.push(Number((id >> BigInt(8 * index)) & 0xffn));
  return base64(bytes).slice(0, 11);
}

function base64(bytes: readonly number[]): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  for (let index = 0; index < bytes.length; index += 3) {
    const chunk = (bytes[index] << 16) | ((bytes[index + 1] ?? 0) << 8) | (bytes[index + 2] ?? 0);
    out += alphabet[(chunk >> 18) & 63] + alphabet[(chunk >> 12) & 63];
    out += index + 1 < bytes.length ? alphabet[(chunk >> 6) & 63] : '=';
    out += index + 2 < bytes.length ? alphabet[chunk & 63] : '=';
  }
  return out;
}

/**
 * One once-per-connection or once-per-request line (log_error_core's loop before the message):
 * the format's fields read the connection (and the request), with no level, module or message.
 * null: nothing is written (an empty line, or a "+" field that came out empty).
 */
export function formatErrorLogInfoLine(
  items: readonly ErrorLogFormatItem[],
  kind: 'connection' | 'request',
  client: string,
  context: ErrorLogFormatContext,
): string | null {
  const line = formatErrorLogWithFormat(items, { module: '', level: 'emerg', message: '', client }, { ...context, line: kind });
  return line === null || line === '' ? null : line;
}

/** Render one entry with a parsed ErrorLogFormat (server/log.c's do_errorlog_format); null: the line is dropped. */
export function formatErrorLogWithFormat(items: readonly ErrorLogFormatItem[], entry: ErrorLogEntry, context: ErrorLogFormatContext): string | null {
  let line = '';
  let fieldStart = 0;
  let skipping = false;
  const level = levelRank(entry.level);
  for (const item of items) {
    if (item.fieldSeparator) {
      if (skipping) skipping = false;
      else fieldStart = line.length;
    }
    if (item.kind === 'message') {
      line += escapeLogText(entry.code ? `${entry.code}: ${entry.message}` : entry.message);
      continue;
    }
    if (skipping) continue;
    if (item.minLevel > level) {
      line = line.slice(0, fieldStart);
      skipping = true;
      continue;
    }
    const value = item.kind === 'text' ? item.text : errorLogField(item, entry, context);
    if (value === '') {
      if (item.required) return null;
      if (item.nullAsHyphen) line += '-';
      else {
        line = line.slice(0, fieldStart);
        skipping = true;
      }
    } else {
      line += value;
    }
  }
  return line;
}

function errorLogField(item: ErrorLogFormatItem, entry: ErrorLogEntry, context: ErrorLogFormatContext): string {
  const line = context.line ?? 'message';
  const requestScoped = line !== 'connection' && entry.client !== undefined;
  const hasConnection = entry.client !== undefined || entry.remote !== undefined;
  switch (item.handler) {
    case 'a':
      return entry.client ?? entry.remote ?? '';
    case 'A':
      return entry.client !== undefined || entry.remote !== undefined ? (context.localAddress ?? '') : '';
    case 'e':
      return requestScoped && item.arg !== null ? escapeLogText(context.env?.[item.arg] ?? '') : '';
    case 'E':
      return entry.osError ?? '';
    case 'F':
      return entry.origin ?? '';
    case 'i': {
      if (!requestScoped || item.arg === null) return '';
      const name = item.arg.toLowerCase();
      const found = context.requestHeaders?.find(([field]) => field.toLowerCase() === name);
      return found ? escapeLogText(found[1]) : '';
    }
    case 'k':
      return entry.client !== undefined || entry.remote !== undefined ? String(context.keepalives ?? 0) : '';
    case 'l':
      // info.level is -1 on the once-per lines.
      return line === 'message' ? entry.level : '';
    case 'm':
      return line === 'message' ? entry.module : '';
    case 'L':
      // log_log_id: "c" the connection's id, "C" only where no request is involved, else the request's.
      if (item.arg !== null && (item.arg.startsWith('c') || item.arg.startsWith('C'))) {
        if (!hasConnection || (item.arg.startsWith('C') && requestScoped)) return '';
        return context.connectionLogId ?? '';
      }
      return requestScoped ? (context.requestLogId ?? '') : '';
    case 'n':
      return requestScoped && item.arg !== null ? escapeLogText(context.notes?.[item.arg] ?? '') : '';
    case 'P':
      return String(context.process.pid);
    case 'T':
      return String(context.process.tid);
    case 't':
      return formatErrorLogTimeField(item.arg, context.epochMicros);
    case 'v':
      return context.serverName;
    case 'V':
      return requestScoped ? (context.requestServerName ?? context.serverName) : '';
    default:
      return '';
  }
}

/**
 * log_ctime: no argument is ctime without microseconds, "u" adds them, "c" the compact ISO-like
 * form ("2026-11-24 13:24:23"), letters combine ("cu"); an argument with % is a strftime format.
 */
export function formatErrorLogTimeField(arg: string | null, epochMicros: number): string {
  const date = new Date(Math.floor(epochMicros / 1000));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const micros = pad(Math.floor(epochMicros % 1_000_000), 6);
  if (arg !== null && arg.includes('%')) return strftime(arg, date);
  const usec = arg !== null && arg.includes('u');
  const compact = arg !== null && arg.includes('c');
  if (compact) {
    const base = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
    return usec ? `${base}.${micros}` : base;
  }
  const full = formatErrorLogTime(epochMicros);
  return usec ? full : full.replace(/\.\d{6} /, ' ');
}

function strftime(format: string, date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return format.replace(/%([a-zA-Z%])/g, (_, code: string) => {
    switch (code) {
      case 'Y': return String(date.getUTCFullYear());
      case 'm': return pad(date.getUTCMonth() + 1);
      case 'd': return pad(date.getUTCDate());
      case 'e': return String(date.getUTCDate()).padStart(2, ' ');
      case 'H': return pad(date.getUTCHours());
      case 'M': return pad(date.getUTCMinutes());
      case 'S': return pad(date.getUTCSeconds());
      case 'a': return WEEKDAYS[date.getUTCDay()];
      case 'b': return MONTHS[date.getUTCMonth()];
      case 'y': return pad(date.getUTCFullYear() % 100);
      case 'z': return '+0000';
      case 'Z': return 'UTC';
      case 'T': return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
      case '%': return '%';
      default: return `%${code}`;
    }
  });
}
