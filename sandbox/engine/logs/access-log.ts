/**
 * Access-log lines as mod_log_config writes them: a LogFormat string interpreted against one
 * finished request. A WebSocket's line is written when its tunnel closes, so the duration and
 * byte counts cover the whole tunnel, as in httpd.
 */

/** Everything a format string can ask about one request. */
export interface AccessLogRecord {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  /**
   * The serving server's port as %p and %{canonical}p print it: its own port (ServerName's, else
   * its <VirtualHost> address's, else the main server's), else the scheme's default 80/443.
   * Not the port the connection came in on: that is %{local}p.
   */
  serverPort: number;
  /** The request line exactly as received, e.g. "GET /ws/ HTTP/1.1"; null when none was read. */
  requestLine: string | null;
  method: string;
  /** URL path without the query string. */
  path: string;
  /** Query string without "?", or "" when there is none. */
  query: string;
  protocol: string;
  /** Status of the original request (%<s) and the final one (%>s, %s in 2.4 means original). */
  originalStatus: number;
  finalStatus: number;
  /** Response body bytes, headers excluded. */
  bodyBytes: number;
  /** Bytes received from and sent to the client, headers included (mod_logio %I / %O). */
  bytesIn: number;
  bytesOut: number;
  /** Ordered request and response headers, names as sent. */
  requestHeaders: ReadonlyArray<readonly [string, string]>;
  responseHeaders: ReadonlyArray<readonly [string, string]>;
  /** Epoch microseconds when the request started, and how long it took. */
  startMicros: number;
  durationMicros: number;
  /** The ServerName of the vhost that served the request (%v) and the Host-derived name (%V). */
  serverName: string;
  canonicalName: string;
  /** Requests already served on this connection before this one (%k). */
  keepAliveCount: number;
  /** "+" keep-alive, "-" closed, "X" aborted before the response completed (%X). */
  connectionStatus: '+' | '-' | 'X';
  pid: number;
  remoteUser?: string;
  /** Filename the request mapped to (%f); proxied requests show "proxy:URL" as httpd does. */
  filename?: string;
  /** The handler that ran (%R): "proxy-server" for a proxied request, absent when none did. */
  handler?: string;
  /** Environment variables (%{NAME}e). */
  env?: Record<string, string>;
}

/** The LogFormat nicknames Debian's apache2.conf defines; a standalone config has none of these. */
export const DEBIAN_LOG_FORMATS: Readonly<Record<string, string>> = {
  vhost_combined: '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
  combined: '%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
  common: '%h %l %u %t "%r" %>s %O',
  referer: '%{Referer}i -> %U',
  agent: '%{User-agent}i',
};

/** httpd's default format (Common Log Format) when no nickname-less LogFormat is set. */
export const DEFAULT_LOG_FORMAT = '%h %l %u %t "%r" %>s %b';

/**
 * Resolve CustomLog's format argument: a LogFormat nickname when one is defined, otherwise the
 * argument is itself the format string (so an undefined "combined" logs the word "combined",
 * which is what httpd does in a config without LogFormat lines).
 */
export function resolveLogFormat(argument: string, nicknames: Readonly<Record<string, string>>): string {
  return Object.hasOwn(nicknames, argument) ? nicknames[argument] : argument;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "[24/Nov/2026:13:24:23 +0000]", the default %t, in UTC. */
export function formatAccessLogTime(epochMicros: number): string {
  const date = new Date(Math.floor(epochMicros / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `[${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000]`
  );
}

/** mod_log_config escapes quotes, backslashes and non-printable bytes in logged strings. */
export function escapeLogString(value: string): string {
  let escaped = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === '\\') escaped += `\\${char}`;
    else if (char === '\n') escaped += '\\n';
    else if (char === '\r') escaped += '\\r';
    else if (char === '\t') escaped += '\\t';
    else if (code < 0x20 || code === 0x7f) escaped += `\\x${code.toString(16).padStart(2, '0')}`;
    else escaped += char;
  }
  return escaped;
}

function headerValue(headers: AccessLogRecord['requestHeaders'], name: string): string | undefined {
  const lower = name.toLowerCase();
  const values = headers.filter(([key]) => key.toLowerCase() === lower).map(([, value]) => value);
  return values.length > 0 ? values.join(', ') : undefined;
}

function orDash(value: string | undefined): string {
  return value === undefined || value === '' ? '-' : value;
}

type Item = { kind: 'literal'; text: string } | {
  kind: 'field';
  letter: string;
  argument?: string;
  /** '>' final, '<' original, for %s and similar. */
  which?: '<' | '>';
  statusFilter?: { negate: boolean; codes: number[] };
};

/** Parse a LogFormat string into literal text and % items (httpd's parse_log_item). */
export function parseLogFormat(format: string): Item[] {
  const items: Item[] = [];
  let literal = '';
  let index = 0;
  const flushLiteral = () => {
    if (literal) items.push({ kind: 'literal', text: literal });
    literal = '';
  };
  while (index < format.length) {
    const char = format[index];
    if (char === '\\' && index + 1 < format.length) {
      const next = format[index + 1];
      literal += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      index += 2;
      continue;
    }
    if (char !== '%') {
      literal += char;
      index += 1;
      continue;
    }
    index += 1;
    if (format[index] === '%') {
      literal += '%';
      index += 1;
      continue;
    }
    flushLiteral();
    const field: Extract<Item, { kind: 'field' }> = { kind: 'field', letter: '' };
    // Modifiers may come in any order before the letter: status filters, < >, {argument}.
    while (index < format.length && field.letter === '') {
      const modifier = format[index];
      if (modifier === '!' || /[0-9]/.test(modifier)) {
        const match = /^(!?)([0-9,]+)/.exec(format.slice(index));
        if (!match) break;
        field.statusFilter = { negate: match[1] === '!', codes: match[2].split(',').filter(Boolean).map(Number) };
        index += match[0].length;
      } else if (modifier === '<' || modifier === '>') {
        field.which = modifier;
        index += 1;
      } else if (modifier === '{') {
        const end = format.indexOf('}', index);
        if (end === -1) break;
        field.argument = format.slice(index + 1, end);
        index = end + 1;
      } else if (modifier === '^') {
        // %{NAME}^ti / ^to: trailer headers; two letters.
        field.letter = format.slice(index, index + 3);
        index += 3;
      } else {
        field.letter = modifier;
        index += 1;
      }
    }
    items.push(field);
  }
  flushLiteral();
  return items;
}

function renderField(item: Extract<Item, { kind: 'field' }>, record: AccessLogRecord): string {
  if (item.statusFilter) {
    const listed = item.statusFilter.codes.includes(record.finalStatus);
    if (listed === item.statusFilter.negate) return '-';
  }
  const arg = item.argument;
  switch (item.letter) {
    case 'a':
      // %{c}a is the peer of the TCP connection; without mod_remoteip that is the client too.
      return record.remoteAddress;
    case 'A':
      return record.localAddress;
    case 'b':
      return record.bodyBytes === 0 ? '-' : String(record.bodyBytes);
    case 'B':
      return String(record.bodyBytes);
    case 'D':
      return String(Math.round(record.durationMicros));
    case 'e':
      return orDash(arg ? record.env?.[arg] : undefined);
    case 'f':
      return orDash(record.filename);
    case 'h':
      return record.remoteAddress;
    case 'H':
      return record.protocol;
    case 'i':
      return orDash(arg ? escapeLogString(headerValue(record.requestHeaders, arg) ?? '') : undefined);
    case 'I':
      return String(record.bytesIn);
    case 'k':
      return String(record.keepAliveCount);
    case 'l':
      return '-';
    case 'm':
      return record.method;
    case 'o':
      return orDash(arg ? escapeLogString(headerValue(record.responseHeaders, arg) ?? '') : undefined);
    case 'O':
      return String(record.bytesOut);
    case 'p': {
      // log_server_port: an argument it does not know is printed as it is.
      const which = (arg ?? '').toLowerCase();
      if (which === '' || which === 'canonical') return String(record.serverPort);
      if (which === 'remote') return String(record.remotePort);
      if (which === 'local') return String(record.localPort);
      return arg ?? '';
    }
    case 'P':
      return String(record.pid);
    case 'R':
      return orDash(record.handler);
    case 'q':
      return record.query ? `?${record.query}` : '';
    case 'r':
      // r->the_request is NULL when no request line was read at all (a 408 before it): "-".
      return record.requestLine === null ? '-' : escapeLogString(record.requestLine);
    case 's':
      // In 2.4, a bare %s is the original status; %>s the final one.
      return String(item.which === '>' ? record.finalStatus : record.originalStatus);
    case 't':
      return formatRequestTime(arg ?? '', record.startMicros, record.startMicros + record.durationMicros);
    case 'T': {
      const unit = arg ?? 's';
      if (unit === 'ms') return String(Math.floor(record.durationMicros / 1000));
      if (unit === 'us') return String(Math.floor(record.durationMicros));
      return String(Math.floor(record.durationMicros / 1_000_000));
    }
    case 'u':
      return orDash(record.remoteUser);
    case 'U':
      return escapeLogString(record.path);
    case 'v':
      return record.serverName;
    case 'V':
      return record.canonicalName;
    case 'X':
      return record.connectionStatus;
    case 'S':
      return String(record.bytesIn + record.bytesOut);
    default:
      // httpd rejects unknown letters at config time; an item that slipped through renders as "-".
      return '-';
  }
}

/**
 * %t and %{format}t as log_request_time reads the argument: an optional "begin" or "end" prefix
 * (the request's start or the time it was logged; "begin:" / "end:" before a format), then "sec",
 * "msec", "usec", "msec_frac", "usec_frac", nothing (the CLF time) or a strftime format.
 */
export function formatRequestTime(argument: string, beginMicros: number, endMicros: number): string {
  let rest = argument;
  let micros = beginMicros;
  if (rest.startsWith('begin')) {
    rest = rest.slice(5);
    if (rest === '') return formatAccessLogTime(micros);
    if (rest.startsWith(':')) rest = rest.slice(1);
  } else if (rest.startsWith('end')) {
    rest = rest.slice(3);
    micros = endMicros;
    if (rest === '') return formatAccessLogTime(micros);
    if (rest.startsWith(':')) rest = rest.slice(1);
  }
  if (rest === '') return formatAccessLogTime(micros);
  if (rest === 'sec') return String(Math.floor(micros / 1_000_000));
  if (rest === 'msec') return String(Math.floor(micros / 1000));
  if (rest === 'usec') return String(Math.floor(micros));
  if (rest === 'msec_frac') return String(Math.floor((micros % 1_000_000) / 1000)).padStart(3, '0');
  if (rest === 'usec_frac') return String(Math.floor(micros % 1_000_000)).padStart(6, '0');
  return formatStrftime(rest, micros);
}

/** A small strftime for %{format}t, covering the conversions access logs use. */
function formatStrftime(pattern: string, epochMicros: number): string {
  const date = new Date(Math.floor(epochMicros / 1000));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return pattern.replace(/%([a-zA-Z%])/g, (_, conversion: string) => {
    switch (conversion) {
      case 'Y': return String(date.getUTCFullYear());
      case 'm': return pad(date.getUTCMonth() + 1);
      case 'd': return pad(date.getUTCDate());
      case 'H': return pad(date.getUTCHours());
      case 'M': return pad(date.getUTCMinutes());
      case 'S': return pad(date.getUTCSeconds());
      case 'b': return MONTHS[date.getUTCMonth()];
      case 'z': return '+0000';
      case 'Z': return 'UTC';
      case 's': return String(Math.floor(epochMicros / 1_000_000));
      case '%': return '%';
      default: return `%${conversion}`;
    }
  });
}

/** Render one access-log line (no trailing newline). */
export function formatAccessLogLine(format: string, record: AccessLogRecord): string {
  return parseLogFormat(format)
    .map((item) => (item.kind === 'literal' ? item.text : renderField(item, record)))
    .join('');
}

/** httpd's DEFAULT_LIMIT_BLANK_LINES: ap_check_pipeline consumes at most this many between requests. */
const PIPELINE_BLANK_LINES_ALLOWED = 10;

/**
 * The bytes mod_logio adds to a kept-alive request's %I when the next request is already waiting
 * (pipelined): after the response, ap_check_pipeline peeks the input speculatively, 1 byte at a
 * time (2 after a CR), and reads away blank lines; every byte any of those reads returns passes
 * logio's input filter, and the log line is written after the check. `pending` is what the
 * connection has buffered; nothing pending (the usual case) adds nothing.
 */
export function pipelineCheckBytes(pending: Uint8Array): number {
  const CR = 0x0d;
  const LF = 0x0a;
  let counted = 0;
  let position = 0;
  let blankLines = 0;
  for (;;) {
    if (position >= pending.length) return counted;
    counted += 1;
    const first = pending[position];
    if (first === LF) {
      counted += 1; // AP_MODE_READBYTES takes the LF away
      position += 1;
    } else if (first === CR) {
      if (position + 1 >= pending.length) return counted;
      counted += 2; // the 2-byte speculative read of CR and what follows
      if (pending[position + 1] !== LF) return counted;
      counted += 2; // AP_MODE_READBYTES takes the CRLF away
      position += 2;
    } else {
      return counted;
    }
    blankLines += 1;
    if (blankLines > PIPELINE_BLANK_LINES_ALLOWED) return counted;
  }
}
