/**
 * An incremental reader for an HTTP/1.x request head that refuses exactly what httpd 2.4.71 refuses,
 * with the status it answers and the error-log lines it writes (server/protocol.c ap_read_request,
 * default `HttpProtocolOptions Strict LenientMethods Allow0.9`, LimitRequestLine 8190,
 * LimitRequestFieldSize 8190, LimitRequestFields 100). Every rule here was checked against a real
 * httpd; test/engine/http/fixtures/httpd-request-head.json holds what it did.
 *
 * Bytes are handled as latin1 text, one character per byte, so lengths and offsets are the wire's.
 */
import type { LogLevelName } from '../logs/log-level.ts';
import { requestBodyFraming } from './body-framing.ts';
import type { BodyFraming } from './body-framing.ts';
import { statusDropsConnection } from './error-page.ts';
import { checkHost } from './host-header.ts';
import { bytesToLatin1, isFieldContentChar, isTokenChar, scanWhile } from './http-chars.ts';
import { logField, parseRequestLine } from './request-line.ts';
import type { ParsedRequestLine, RequestLineFailure, RequestLineOptions } from './request-line.ts';

/** httpd's request-head limits (LimitRequestLine, LimitRequestFieldSize, LimitRequestFields). */
export interface RequestHeadLimits {
  requestLine: number;
  fieldSize: number;
  /** 0 means unlimited, as in httpd. */
  fields: number;
}

export const DEFAULT_REQUEST_HEAD_LIMITS: Readonly<RequestHeadLimits> = { requestLine: 8190, fieldSize: 8190, fields: 100 };

/**
 * One error-log entry httpd writes while reading a request head. `origin` is the "file(line)"
 * httpd prints for debug-level entries; `serverScoped` entries are logged without the client.
 */
export interface HeadLogEntry {
  module: 'core';
  level: LogLevelName;
  code?: string;
  message: string;
  osError?: string;
  origin?: string;
  serverScoped?: boolean;
}

/** Stable reason codes for a refused request head. */
export type RequestHeadFailure =
  | RequestLineFailure
  | 'REQUEST_LINE_TOO_LONG'
  | 'MALFORMED_REQUEST_LINE'
  | 'FIELD_TOO_LONG'
  | 'FIELD_TOO_LONG_AFTER_FOLDING'
  | 'FIELD_TOO_LONG_AFTER_MERGING'
  | 'TOO_MANY_FIELDS'
  | 'FOLD_BEFORE_FIRST_FIELD'
  | 'EMPTY_FOLDED_LINE'
  | 'MALFORMED_FIELD_NAME'
  | 'MALFORMED_FIELD_VALUE'
  | 'UNREADABLE_FIELD_LINE'
  | 'INVALID_CONTENT_LENGTH'
  | 'UNKNOWN_TRANSFER_ENCODING'
  | 'MALFORMED_HOST'
  | 'MISSING_HOST'
  | 'EXPECTATION_FAILED'
  | 'REQUEST_LINE_TIMEOUT'
  | 'HEADERS_TIMEOUT';

/** A head httpd accepts. */
export interface RequestHead {
  method: string;
  /** The target exactly as sent. */
  target: string;
  /** "HTTP/1.1"; "HTTP/0.9" for a simple request. */
  version: string;
  /** major * 1000 + minor. */
  versionNumber: number;
  http09: boolean;
  /** The path httpd routes on (leading "//" collapsed, query removed). */
  path: string;
  query?: string;
  /** Fields in arrival order, names as sent; folded lines joined with one space, surrounding blanks dropped. */
  headers: Array<[string, string]>;
  /** The host httpd serves the request for (r->hostname): from an absolute-form target or Host, normalised. */
  hostname?: string;
  /** Port given in the Host header, which httpd's signature line and redirects use. */
  hostPort?: number;
  /** The head's bytes exactly as received, blank lines before the request line included. */
  rawHead: Uint8Array;
  /** How many bytes of the stream the head took; the body (if any) starts here. */
  consumed: number;
  /** Content-Length and Transfer-Encoding both present: httpd ignores the length and will not keep the connection alive. */
  closeAfterResponse: boolean;
  /** Debug lines httpd writes for an accepted head (a Host replaced by the target's host). */
  log: HeadLogEntry[];
}

/** A head httpd refuses, and how it answers. */
export interface RequestHeadError {
  status: number;
  reason: RequestHeadFailure;
  /** The AH code that names the problem (the first numbered entry of `errorLog`). */
  errorLogCode?: string;
  errorLogMessage?: string;
  /** Everything httpd logs for it, in order, at its own level (filter by LogLevel when displaying). */
  errorLog: HeadLogEntry[];
  /** Text httpd adds to the 400 page ("error-notes"). */
  errorNotes?: string;
  /** Bytes read before httpd gave up. */
  consumed: number;
  /**
   * Whether httpd hangs up after the error page. A head it could not read leaves the connection
   * unusable; a 417 (a readable head with an unknown Expect) keeps it open for the next request.
   */
  closeConnection: boolean;
  /** The Expect value a 417 page quotes. */
  expect?: string;
  /** The body that follows a head the connection survives (417): discarded before the next request. */
  bodyFraming?: BodyFraming;
  /** For a head the connection may survive: its fields and protocol, which decide keep-alive as for any answer. */
  headers?: Array<[string, string]>;
  versionNumber?: number;
  /**
   * httpd sends nothing back (a request line cut short by Timeout): ap_read_request only logs
   * the 408, and only for a connection's first request.
   */
  unanswered?: boolean;
  /** What was understood before the failure, for the error page and access log. */
  method?: string;
  path?: string;
  theRequest?: string;
  hostname?: string;
  hostPort?: number;
}

export type RequestHeadResult =
  | { state: 'incomplete' }
  | { state: 'complete'; head: RequestHead }
  | { state: 'error'; error: RequestHeadError }
  /** The client went away before a request line: httpd closes without answering or logging. */
  | { state: 'abandoned' };

export interface RequestHeadOptions {
  limits?: Partial<RequestHeadLimits>;
  /** Scheme of the connection; an absolute-form target names the host only with this scheme. */
  scheme?: 'http' | 'https';
  /** HttpProtocolOptions Require1.0 / RegisteredMethods, and the config's registered methods. */
  rejectHttp09?: boolean;
  registeredMethodsOnly?: boolean;
  registeredMethods?: readonly string[];
}

/** httpd skips this many empty lines before a request line (DEFAULT_LIMIT_BLANK_LINES). */
const BLANK_LINES_ALLOWED = 10;
/** The core input filter hands a line over in pieces of at least this many bytes unless an LF ends them (HUGE_STRING_LEN). */
const GETLINE_PIECE = 8192;
/** httpd reads a socket at most this many bytes at a time (APR_BUCKET_BUFF_SIZE). */
const SOCKET_READ = 8000;

const FIELD_SIZE_NOTE = 'Size of a request header field exceeds server limit.';
const FIELD_COUNT_NOTE = "The number of request header fields exceeds this server's limit.";

type Line = { text: string; end: number } | { error: 'too-long' | 'bare-lf'; text: string; end: number } | null;
type ReaderState = 'request-line' | 'fields' | 'done';

/** Incremental request-head reader: feed chunks until it answers complete, error or abandoned. */
export class RequestHeadParser {
  private readonly limits: RequestHeadLimits;
  private readonly scheme: 'http' | 'https';
  private readonly lineOptions: RequestLineOptions;
  private received = '';
  /** Where each of httpd's socket reads would have ended: every 8000 bytes, and at the end of each chunk. */
  private readonly readEnds: number[] = [];
  private lineStart = 0;
  private state: ReaderState = 'request-line';
  private blankLinesSeen = 0;
  private requestLine: ParsedRequestLine | null = null;
  /** The field being assembled (it may still get obs-fold continuations). */
  private pendingField: string | null = null;
  private fieldsRead = 0;
  private readonly fields: Array<[string, string]> = [];
  private result: RequestHeadResult = { state: 'incomplete' };

  /** Create a reader with httpd's default limits unless others are given. */
  constructor(options: RequestHeadOptions = {}) {
    this.limits = { ...DEFAULT_REQUEST_HEAD_LIMITS, ...options.limits };
    this.scheme = options.scheme ?? 'http';
    this.lineOptions = {
      scheme: this.scheme,
      rejectHttp09: options.rejectHttp09 ?? false,
      registeredMethodsOnly: options.registeredMethodsOnly ?? false,
      registeredMethods: options.registeredMethods ?? [],
    };
  }

  /** Feed the next bytes from the client; returns the outcome so far. Bytes after a decision are not read. */
  push(chunk: Uint8Array): RequestHeadResult {
    if (this.state === 'done') return this.result;
    const start = this.received.length;
    this.received += bytesToLatin1(chunk);
    for (let end = start + SOCKET_READ; end < this.received.length; end += SOCKET_READ) this.readEnds.push(end);
    if (chunk.length > 0) this.readEnds.push(this.received.length);
    this.advance();
    return this.result;
  }

  /** The client closed its side: decide what httpd does with what arrived. */
  finish(): RequestHeadResult {
    if (this.state === 'done') return this.result;
    if (this.state === 'request-line') return this.settle({ state: 'abandoned' });
    const partial = this.received.slice(this.lineStart);
    // httpd's message differs for a cut line ("End of file found") and a close right after a line.
    const entry: HeadLogEntry =
      partial === ''
        ? debugEntry(undefined, 'Failed to read request header line (null)', 'protocol.c(1118)', '(20014)Internal error (specific information not available)')
        : debugEntry(undefined, `Failed to read request header line ${partial}`, 'protocol.c(1118)', '(70014)End of file found');
    return this.fail(400, 'UNREADABLE_FIELD_LINE', [entry, headersFailedEntry()], this.received.length);
  }

  /**
   * Timeout passed with the head incomplete. A request line still being read gives a 408 httpd
   * logs but never sends (read_request_line's APR_TIMEUP); a request line followed by part of
   * the fields is answered 408 and closed, with AH00567 at debug (ap_get_mime_headers_core
   * leaves TIMEUP unlogged itself). Nothing received at all: no request exists, httpd just closes.
   */
  timeout(): RequestHeadResult {
    if (this.state === 'done') return this.result;
    if (this.received.length === 0) return this.settle({ state: 'abandoned' });
    if (this.state === 'request-line') {
      const result = this.fail(408, 'REQUEST_LINE_TIMEOUT', [], this.received.length);
      if (result.state === 'error') result.error.unanswered = true;
      return result;
    }
    return this.fail(408, 'HEADERS_TIMEOUT', [headersFailedEntry()], this.received.length);
  }

  private advance(): void {
    while (this.state !== 'done') {
      const limit = this.state === 'request-line' ? this.limits.requestLine : this.limits.fieldSize;
      const line = this.nextLine(limit);
      if (line === null) return;
      if (this.state === 'request-line') this.onRequestLine(line);
      else this.onFieldLine(line);
    }
  }

  /**
   * The next line, following ap_rgetline: a line (with its CRLF) may take limit + 2 bytes, and one
   * more when that last byte is the LF of a CRLF. An overlong line with an LF is refused at once.
   */
  private nextLine(limit: number): Line {
    const capacity = limit + 2;
    const lf = this.received.indexOf('\n', this.lineStart);
    if (lf < 0) {
      const decidedAt = this.overlongLineDecidedAt(capacity);
      if (decidedAt === null) return null;
      return this.takeLine({ error: 'too-long', text: this.received.slice(this.lineStart, this.lineStart + capacity - 1), end: decidedAt });
    }
    const raw = this.received.slice(this.lineStart, lf + 1);
    const endsWithCrLf = raw.length >= 2 && raw[raw.length - 2] === '\r';
    if (raw.length > capacity && !(raw.length === capacity + 1 && endsWithCrLf)) {
      return this.takeLine({ error: 'too-long', text: raw.slice(0, capacity - 1), end: lf + 1 });
    }
    if (!endsWithCrLf) return this.takeLine({ error: 'bare-lf', text: raw, end: lf + 1 });
    return this.takeLine({ text: raw.slice(0, -2), end: lf + 1 });
  }

  /**
   * Without an LF, httpd learns that a line is too long only piece by piece: each piece is whole
   * socket reads adding up to at least 8192 bytes, and after the piece that overflows it still
   * reads one more before giving up. Sent in one go, a request line is therefore answered 414 only
   * once 24192 bytes have arrived (measured). Returns where httpd decides, or null while it waits.
   */
  private overlongLineDecidedAt(capacity: number): number | null {
    let position = this.lineStart;
    let total = 0;
    let overflowed = false;
    for (;;) {
      let piece = 0;
      while (piece < GETLINE_PIECE) {
        const readEnd = this.readEnds.find((end) => end > position);
        if (readEnd === undefined) return null;
        piece += readEnd - position;
        position = readEnd;
      }
      if (overflowed) return position;
      total += piece;
      overflowed = total > capacity;
    }
  }

  private takeLine(line: Exclude<Line, null>): Line {
    this.lineStart = line.end;
    return line;
  }

  private truncatedRequestLine: string | undefined;

  private onRequestLine(line: Exclude<Line, null>): void {
    const nulLog = nulBytesLog(line.text);
    if ('error' in line) {
      if (line.error === 'too-long') {
        // r->the_request keeps what ap_rgetline filled before it ran out of room: %r logs it.
        this.truncatedRequestLine = line.text;
        const entry = infoEntry('AH00565', `request failed: client's request-line exceeds LimitRequestLine (longer than ${this.limits.requestLine})`);
        this.fail(414, 'REQUEST_LINE_TOO_LONG', [...nulLog, entry], line.end);
      } else {
        this.fail(400, 'MALFORMED_REQUEST_LINE', [...nulLog, malformedRequestLineEntry()], line.end);
      }
      return;
    }
    if (nulLog.length > 0) {
      this.fail(400, 'MALFORMED_REQUEST_LINE', [...nulLog, malformedRequestLineEntry()], line.end);
      return;
    }
    if (line.text === '' && this.blankLinesSeen < BLANK_LINES_ALLOWED) {
      this.blankLinesSeen++;
      return;
    }

    const parsed = parseRequestLine(line.text, this.lineOptions);
    this.requestLine = parsed;
    if (parsed.problem) {
      const entry = debugEntry(parsed.problem.code, parsed.problem.message, `protocol.c(${REQUEST_LINE_LOG_LINES[parsed.problem.code]})`);
      this.fail(parsed.problem.status ?? 400, parsed.problem.reason, [entry], line.end);
      return;
    }
    if (parsed.http09) {
      // A simple request has no header section: the head ends with its only line.
      this.completeHead();
      return;
    }
    this.state = 'fields';
  }

  private onFieldLine(line: Exclude<Line, null>): void {
    if ('error' in line) {
      const text = truncateAtNul(line.text);
      const osError = line.error === 'too-long' ? '(28)No space left on device' : '(22)Invalid argument';
      const entries = [...nulBytesLog(line.text), debugEntry(undefined, `Failed to read request header line ${text}`, 'protocol.c(1118)', osError)];
      if (line.error === 'too-long') {
        const name = text === '' ? '' : `: ${logField(text)}`;
        entries.push(infoEntry('AH00561', `Request header exceeds LimitRequestFieldSize${name}`));
        this.fail(400, 'FIELD_TOO_LONG', [...entries, headersFailedEntry()], line.end, FIELD_SIZE_NOTE);
      } else {
        this.fail(400, 'UNREADABLE_FIELD_LINE', [...entries, headersFailedEntry()], line.end);
      }
      return;
    }
    const nulLog = nulBytesLog(line.text);
    if (nulLog.length > 0) {
      const text = truncateAtNul(line.text);
      const entry = debugEntry(undefined, `Failed to read request header line ${text}`, 'protocol.c(1118)', '(22)Invalid argument');
      this.fail(400, 'UNREADABLE_FIELD_LINE', [...nulLog, entry, headersFailedEntry()], line.end);
      return;
    }

    // Trailing blanks never matter; httpd drops them but keeps a line that is a single blank.
    let text = line.text;
    while (text.length > 1 && (text.endsWith(' ') || text.endsWith('\t'))) text = text.slice(0, -1);

    if (text.startsWith(' ') || text.startsWith('\t')) {
      this.onFoldedLine(text, line.end);
      return;
    }
    if (this.pendingField !== null && !this.storePendingField(line.end)) return;
    if (text === '') {
      this.finishFields(line.end);
      return;
    }
    this.pendingField = text;
  }

  /** obs-fold: a line starting with a blank continues the previous field, joined by one space. */
  private onFoldedLine(text: string, end: number): void {
    if (this.pendingField === null) {
      this.fail(400, 'FOLD_BEFORE_FIRST_FIELD', [debugEntry('AH03442', 'Line folding encountered before first header line', 'protocol.c(1159)'), headersFailedEntry()], end);
      return;
    }
    if (text.length === 1) {
      this.fail(400, 'EMPTY_FOLDED_LINE', [debugEntry('AH03443', 'Empty folded line encountered', 'protocol.c(1167)'), headersFailedEntry()], end);
      return;
    }
    let continuation = text;
    while (continuation.length > 1 && (continuation[1] === ' ' || continuation[1] === '\t')) continuation = continuation.slice(1);
    if (this.pendingField.length + continuation.length + 1 >= this.limits.fieldSize) {
      const entry = infoEntry('AH00562', `Request header exceeds LimitRequestFieldSize after folding: ${logField(this.pendingField)}`);
      this.fail(400, 'FIELD_TOO_LONG_AFTER_FOLDING', [entry, headersFailedEntry()], end, FIELD_SIZE_NOTE);
      return;
    }
    this.pendingField += ` ${continuation.slice(1)}`;
  }

  /** Validate and keep the field assembled so far; false when that refused the head. */
  private storePendingField(end: number): boolean {
    const field = this.pendingField ?? '';
    this.pendingField = null;
    this.fieldsRead++;
    if (this.limits.fields > 0 && this.fieldsRead > this.limits.fields) {
      this.fail(400, 'TOO_MANY_FIELDS', [infoEntry('AH00563', 'Number of request headers exceeds LimitRequestFields'), headersFailedEntry()], end, FIELD_COUNT_NOTE);
      return false;
    }
    const colon = scanWhile(field, 0, isTokenChar);
    if (colon === 0 || field[colon] !== ':') {
      const entry = debugEntry('AH02426', `Request header field name is malformed: ${field.slice(0, 80)}`, 'protocol.c(1288)');
      this.fail(400, 'MALFORMED_FIELD_NAME', [entry, headersFailedEntry()], end);
      return false;
    }
    let valueStart = colon + 1;
    while (field[valueStart] === ' ' || field[valueStart] === '\t') valueStart++;
    const value = field.slice(valueStart);
    if (scanWhile(value, 0, isFieldContentChar) !== value.length) {
      const entry = debugEntry('AH02427', `Request header value is malformed: ${value.slice(0, 80)}`, 'protocol.c(1310)');
      this.fail(400, 'MALFORMED_FIELD_VALUE', [entry, headersFailedEntry()], end);
      return false;
    }
    this.fields.push([field.slice(0, colon), value]);
    return true;
  }

  /** The empty line arrived: the checks httpd makes on the whole header section, in its order. */
  private finishFields(end: number): void {
    const merged = mergeFields(this.fields);
    for (const [name, value] of merged) {
      if (value.length > this.limits.fieldSize) {
        const entry = infoEntry('AH00560', `Request header exceeds LimitRequestFieldSize after merging: ${logField(name)}`);
        this.fail(400, 'FIELD_TOO_LONG_AFTER_MERGING', [entry, headersFailedEntry()], end, FIELD_SIZE_NOTE);
        return;
      }
    }
    const path = this.requestLine?.path ?? '';
    const contentLength = lookup(merged, 'content-length');
    if (contentLength !== undefined && !isStrictLength(contentLength)) {
      this.fail(400, 'INVALID_CONTENT_LENGTH', [debugEntry('AH10242', `client sent invalid Content-Length (${contentLength}): ${path}`, 'protocol.c(1492)')], end);
      return;
    }
    const transferEncoding = lookup(merged, 'transfer-encoding');
    if (transferEncoding !== undefined && !isChunkedLast(transferEncoding)) {
      this.fail(400, 'UNKNOWN_TRANSFER_ENCODING', [debugEntry('AH02539', `client sent unknown Transfer-Encoding (${transferEncoding}): ${path}`, 'protocol.c(1509)')], end);
      return;
    }
    this.completeHead();
  }

  /** ap_check_request_header: the host (from the target or Host) and Expect. */
  private completeHead(): void {
    const line = this.requestLine as ParsedRequestLine;
    const merged = mergeFields(this.fields);
    const log: HeadLogEntry[] = [];
    let hostname: string | undefined;
    let hostPort: number | undefined;
    const hostHeader = lookup(merged, 'host');

    if (line.hostnameFromTarget !== undefined) {
      const check = checkHost(line.hostnameFromTarget, true);
      if (!check.ok) return this.failHost(check.log);
      // An empty host from the target ("http:///x") is still a present r->hostname.
      hostname = check.hostname ?? '';
      if (line.portFromTarget) hostPort = Number(line.portFromTarget);
      if (hostHeader !== undefined) {
        const replacement = `${check.ipv6 ? `[${hostname}]` : hostname}${line.portFromTarget ? `:${line.portFromTarget}` : ''}`;
        log.push(debugEntry('AH02417', `Replacing host header '${hostHeader}' with host '${replacement}' given in the request uri`, 'vhost.c(1205)'));
      }
    } else if (hostHeader !== undefined) {
      const check = checkHost(hostHeader);
      if (!check.ok) return this.failHost(check.log);
      hostname = check.hostname;
      hostPort = check.port;
    }

    const missingHost =
      (hostname === undefined && line.protocolNumber >= 1001) || (line.protocolNumber === 1001 && hostHeader === undefined);
    if (missingHost) {
      const entry = debugEntry('AH00569', `client sent HTTP/1.1 request without hostname (see RFC2616 section 14.23): ${line.path}`, 'protocol.c(1043)');
      this.fail(400, 'MISSING_HOST', [...log, entry], this.lineStart);
      return;
    }
    const expect = lookup(merged, 'expect');
    if (expect !== undefined && expect !== '' && expect.toLowerCase() !== '100-continue') {
      const entry = infoEntry('AH00570', `client sent an unrecognized expectation value of Expect: ${expect}`);
      const result = this.fail(417, 'EXPECTATION_FAILED', [...log, entry], this.lineStart, undefined, { hostname, hostPort });
      if (result.state === 'error') {
        result.error.expect = expect;
        result.error.bodyFraming = requestBodyFraming(merged);
        result.error.headers = merged.map(([name, value]) => [name, value]);
        result.error.versionNumber = line.protocolNumber;
      }
      return;
    }

    const queryStart = line.parsedTarget?.query;
    const head: RequestHead = {
      method: line.method,
      target: line.target,
      version: line.protocol,
      versionNumber: line.protocolNumber,
      http09: line.http09,
      path: line.path,
      headers: this.fields,
      rawHead: latin1ToBytes(this.received.slice(0, this.lineStart)),
      consumed: this.lineStart,
      closeAfterResponse: lookup(merged, 'content-length') !== undefined && lookup(merged, 'transfer-encoding') !== undefined,
      log,
    };
    if (queryStart !== undefined) head.query = queryStart;
    if (hostname !== undefined) head.hostname = hostname;
    if (hostPort !== undefined) head.hostPort = hostPort;
    this.settle({ state: 'complete', head });
  }

  private failHost(entries: Array<{ code: string; message: string }>): void {
    const log = entries.map((entry) => debugEntry(entry.code, entry.message, `vhost.c(${HOST_LOG_LINES[entry.code]})`));
    this.fail(400, 'MALFORMED_HOST', log, this.lineStart);
  }

  private fail(
    status: number,
    reason: RequestHeadFailure,
    errorLog: HeadLogEntry[],
    consumed: number,
    errorNotes?: string,
    host: { hostname?: string; hostPort?: number } = {},
  ): RequestHeadResult {
    const named = errorLog.find((entry) => entry.code !== undefined);
    const closeConnection = statusDropsConnection(status) || !KEEPS_CONNECTION.has(reason);
    const error: RequestHeadError = { status, reason, errorLog, consumed, closeConnection };
    if (named) {
      error.errorLogCode = named.code;
      error.errorLogMessage = named.message;
    }
    if (errorNotes !== undefined) error.errorNotes = errorNotes;
    if (this.requestLine) {
      error.method = this.requestLine.method;
      error.path = this.requestLine.path;
      error.theRequest = this.requestLine.theRequest;
    } else if (this.truncatedRequestLine !== undefined) {
      error.theRequest = this.truncatedRequestLine;
    }
    if (host.hostname !== undefined) error.hostname = host.hostname;
    if (host.hostPort !== undefined) error.hostPort = host.hostPort;
    return this.settle({ state: 'error', error });
  }

  private settle(result: RequestHeadResult): RequestHeadResult {
    this.state = 'done';
    this.result = result;
    return result;
  }
}

/** Parse a complete buffer in one go (the rest of the stream, if any, is left unread). */
export function parseRequestHead(bytes: Uint8Array, options: RequestHeadOptions = {}): RequestHeadResult {
  return new RequestHeadParser(options).push(bytes);
}

/** Failures found after the head was read whole (ap_check_request_header); only these may keep the connection. */
const KEEPS_CONNECTION = new Set<RequestHeadFailure>(['MALFORMED_HOST', 'MISSING_HOST', 'EXPECTATION_FAILED']);

/** Where protocol.c logs each request-line problem (printed at LogLevel debug). */
const REQUEST_LINE_LOG_LINES: Record<string, number> = {
  AH03445: 907,
  AH03444: 911,
  AH03446: 916,
  AH03454: 919,
  AH03447: 923,
  AH03448: 926,
  AH03449: 930,
  AH02401: 935,
  AH02418: 938,
  AH02423: 948,
  AH03450: 958,
  AH02421: 967,
  AH02422: 973,
};

const HOST_LOG_LINES: Record<string, number> = { AH02415: 809, AH02416: 854, AH00550: 904 };

/** apr_table_compress: same-named fields (any case) become one, values joined by ", ", first name kept. */
function mergeFields(fields: Array<[string, string]>): Array<[string, string]> {
  const merged: Array<[string, string]> = [];
  const index = new Map<string, number>();
  for (const [name, value] of fields) {
    const key = name.toLowerCase();
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, merged.length);
      merged.push([name, value]);
    } else {
      merged[at] = [merged[at][0], `${merged[at][1]}, ${value}`];
    }
  }
  return merged;
}

function lookup(fields: Array<[string, string]>, lowerName: string): string | undefined {
  return fields.find(([name]) => name.toLowerCase() === lowerName)?.[1];
}

/** ap_parse_strict_length: digits only, no sign or blanks, and it must fit a signed 64-bit offset. */
function isStrictLength(value: string): boolean {
  return /^\d+$/.test(value) && BigInt(value) <= 0x7fffffffffffffffn;
}

/** ap_is_chunked: the last transfer coding must be "chunked" (case-insensitive). */
function isChunkedLast(value: string): boolean {
  const codings = value.split(',').map((coding) => coding.trim().split(';')[0].trim().toLowerCase());
  return codings[codings.length - 1] === 'chunked';
}

function infoEntry(code: string, message: string): HeadLogEntry {
  return { module: 'core', level: 'info', code, message };
}

function debugEntry(code: string | undefined, message: string, origin: string, osError?: string): HeadLogEntry {
  const entry: HeadLogEntry = { module: 'core', level: 'debug', message, origin };
  if (code !== undefined) entry.code = code;
  if (osError !== undefined) entry.osError = osError;
  return entry;
}

function headersFailedEntry(): HeadLogEntry {
  return debugEntry('AH00567', 'request failed: error reading the headers', 'protocol.c(1481)');
}

function malformedRequestLineEntry(): HeadLogEntry {
  return debugEntry('AH00566', 'request failed: malformed request line', 'protocol.c(1449)');
}

/** httpd refuses a line with a NUL and dumps it (ap_log_data): a count line, then 16 bytes per line. */
function nulBytesLog(text: string): HeadLogEntry[] {
  if (!text.includes('\0')) return [];
  const entries: HeadLogEntry[] = [{ ...debugEntry(undefined, `NULL bytes in header (${text.length} bytes)`, 'protocol.c(511)'), serverScoped: true }];
  for (let offset = 0; offset < text.length; offset += 16) {
    const slice = text.slice(offset, offset + 16);
    let characters = '';
    let hex = '';
    for (const character of slice) {
      const code = character.charCodeAt(0);
      characters += code >= 0x20 && code < 0x7f && character !== '\\' ? character : '.';
      hex += code.toString(16).padStart(2, '0');
    }
    entries.push({ ...debugEntry(undefined, `${characters.padEnd(16)} ${hex.padEnd(32)}`, 'protocol.c(511)'), serverScoped: true });
  }
  return entries;
}

function truncateAtNul(text: string): string {
  const nul = text.indexOf('\0');
  return nul < 0 ? text : text.slice(0, nul);
}

function latin1ToBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index);
  return bytes;
}
