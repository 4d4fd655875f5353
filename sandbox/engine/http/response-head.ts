/**
 * Reads a backend's response head the way mod_proxy_http 2.4.71 does
 * (ap_proxy_http_process_response and ap_proxy_read_headers), including what makes httpd answer
 * the client 502 and what it logs. Checked against a real httpd: see
 * test/engine/http/fixtures/httpd-response-head.json.
 *
 * Unlike request heads, httpd reads responses leniently: a bare LF ends a line, folded lines are
 * appended as they are, and a first line that is not "HTTP/x.y nnn" makes the whole stream an
 * HTTP/0.9 body.
 */
import type { LogLevelName } from '../logs/log-level.ts';
import { bytesToLatin1 } from './http-chars.ts';

/** APR_TIMEUP as ap_log_rerror prints it. */
const TIMEUP = '(70007)The timeout specified has expired';

/** Longest response line httpd reads (HUGE_STRING_LEN, unless ResponseFieldSize changes it). */
export const DEFAULT_RESPONSE_FIELD_SIZE = 8192;

/** An error-log entry httpd writes while reading a response; `origin` is printed at debug level. */
export interface ResponseLogEntry {
  module: 'proxy' | 'proxy_http';
  level: LogLevelName;
  code: string;
  message: string;
  osError?: string;
  origin?: string;
}

export interface ResponseHead {
  /** "HTTP/1.1" as the backend wrote it. */
  version: string;
  versionNumber: number;
  status: number;
  /** The status line httpd passes on: code and reason as sent ("404 " when the reason was empty). */
  statusLine: string;
  /** Fields in order with their case; folded lines appended as sent, surrounding blanks dropped. */
  headers: Array<[string, string]>;
  rawHead: Uint8Array;
  /** Bytes of the stream the head took; the body starts here. */
  consumed: number;
  /** Both Content-Length and Transfer-Encoding came: httpd drops the length and closes the backend connection. */
  lengthDropped: boolean;
  /** HTTP/1.0 or older: httpd will not reuse the backend connection. */
  backendCloses: boolean;
  log: ResponseLogEntry[];
}

/** Stable reason codes for a response head httpd refuses. */
export type ResponseHeadFailure =
  | 'NO_STATUS_LINE'
  | 'CORRUPT_STATUS_LINE'
  | 'BAD_HEADER'
  | 'HEADER_TOO_LONG'
  | 'HEADERS_CUT_SHORT'
  | 'UNEXPECTED_UPGRADE';

export interface ResponseHeadError {
  /** What the client gets: always 502 from here. */
  status: 502;
  reason: ResponseHeadFailure;
  /** Set when httpd raised the error through ap_proxyerror: the page reads "502 Proxy Error" with this reason. */
  proxyErrorReason?: string;
  log: ResponseLogEntry[];
}

export type ResponseHeadResult =
  | { state: 'incomplete' }
  | { state: 'complete'; head: ResponseHead }
  /** No status line: httpd relays everything, from the first byte, as the body of a 200 and closes the backend. */
  /**
   * No "HTTP/x.y nnn" status line: mod_proxy_http takes the stream for an HTTP/0.9 answer, 200 OK
   * with no headers, whose body is the first line without its CRLF followed by everything after
   * it until the backend closes (measured: "garbage\r\n\r\n" reached the client as the 9-byte
   * body "garbage\r\n").
   */
  | { state: 'http09'; head: ResponseHead; bodyPrefix: Uint8Array }
  | { state: 'error'; error: ResponseHeadError };

/** A result that ends the reading: what finish() and timeout() always give, never 'incomplete'. */
export type SettledResponseHeadResult = Exclude<ResponseHeadResult, { state: 'incomplete' }>;

/** What httpd's log lines name: the client's request and the backend. */
export interface ResponseContext {
  /** The client's request path (r->uri). */
  path: string;
  method?: string;
  backendHost: string;
  backendPort: number;
  /** The Upgrade token the client asked for and httpd forwarded, if any. */
  requestedUpgrade?: string;
  /** Requests already served on the client connection; 0 for the first. */
  clientKeepalives?: number;
  responseFieldSize?: number;
}

type ReadLine = { text: string; end: number; tooLong: boolean };
type ReaderState = 'status-line' | 'fields' | 'done';

/** Incremental response-head reader for one backend response. */
export class ResponseHeadParser {
  private readonly context: ResponseContext;
  private readonly fieldSize: number;
  private received = '';
  private lineStart = 0;
  private state: ReaderState = 'status-line';
  private strayLineSkipped = false;
  private status = 0;
  private version = '';
  private statusLine = '';
  private readonly fields: Array<[string, string]> = [];
  private readonly log: ResponseLogEntry[] = [];
  private result: SettledResponseHeadResult | null = null;

  /** Create a reader; the context only feeds log messages and the Upgrade check. */
  constructor(context: ResponseContext) {
    this.context = context;
    this.fieldSize = context.responseFieldSize ?? DEFAULT_RESPONSE_FIELD_SIZE;
  }

  /** Feed the next bytes from the backend. */
  push(chunk: Uint8Array): ResponseHeadResult {
    if (this.result) return this.result;
    this.received += bytesToLatin1(chunk);
    this.readLines();
    return this.result ?? { state: 'incomplete' };
  }

  private readLines(): void {
    while (this.state !== 'done') {
      const line = this.state === 'fields' ? this.nextFoldedLine() : this.nextLine(this.lineStart);
      if (line === null) break;
      if (this.state === 'status-line') this.onStatusLine(line);
      else this.onFieldLine(line);
    }
  }

  /**
   * The backend closed its side, or reset the connection (`readError`: httpd 2.4.71 logs a reset
   * before the status line as "(104)Connection reset by peer: AH01102", still 502).
   */
  finish(readError?: string): SettledResponseHeadResult {
    if (this.result) return this.result;
    if (this.state === 'status-line') {
      const osError = readError ?? (this.received.length > this.lineStart ? '(70014)End of file found' : '(20014)Internal error (specific information not available)');
      return this.noStatusLine(osError);
    }
    return this.badHeader('HEADERS_CUT_SHORT', [warn('AH10404', 'Error reading headers from backend', '(70014)End of file found')]);
  }

  /**
   * The backend stayed silent for the whole backend timeout (timeout=, else ProxyTimeout, else
   * Timeout). httpd's read fails with APR_TIMEUP, so the same errors as a hang-up are logged, with
   * "(70007)The timeout specified has expired" as their cause: AH01102 before the status line,
   * AH10404 among the header lines. Either way the client gets 502 (mod_proxy_http only notes
   * "proxy_timedout"; 503 is for a 100-continue wait, which is not modelled here).
   */
  timeout(): SettledResponseHeadResult {
    if (this.result) return this.result;
    if (this.state === 'status-line') return this.noStatusLine(TIMEUP);
    return this.badHeader('HEADERS_CUT_SHORT', [warn('AH10404', 'Error reading headers from backend', TIMEUP)]);
  }

  /** A line ending at LF (CR stripped); one that outgrows the buffer is flagged once its LF arrives. */
  private nextLine(from: number): ReadLine | null {
    const lf = this.received.indexOf('\n', from);
    if (lf < 0) return null;
    let text = this.received.slice(from, lf);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { text, end: lf + 1, tooLong: text.length > this.fieldSize - 1 };
  }

  /** Header lines are read with AP_GETLINE_FOLD: a following line that starts with a blank is appended. */
  private nextFoldedLine(): ReadLine | null {
    const first = this.nextLine(this.lineStart);
    if (first === null) return null;
    if (first.text === '') return first;
    let line = first;
    for (;;) {
      if (line.end >= this.received.length) return null; // cannot tell yet whether a fold follows
      const next = this.received[line.end];
      if (next !== ' ' && next !== '\t') return line;
      const continuation = this.nextLine(line.end);
      if (continuation === null) return null;
      const text = line.text + continuation.text;
      line = { text, end: continuation.end, tooLong: text.length > this.fieldSize - 1 };
    }
  }

  private onStatusLine(line: ReadLine): void {
    this.lineStart = line.end;
    if (line.text === '' && !this.strayLineSkipped) {
      this.strayLineSkipped = true; // httpd forgives one stray CRLF before the status line
      return;
    }
    if (line.text === '') {
      this.noStatusLine(undefined);
      return;
    }
    if (!/^HTTP\/\d\.\d \d{3}/.test(line.text)) {
      const head: ResponseHead = {
        version: 'HTTP/0.9',
        versionNumber: 9,
        status: 200,
        statusLine: '200 OK',
        headers: [],
        rawHead: new Uint8Array(0),
        consumed: line.end,
        lengthDropped: false,
        backendCloses: true,
        log: [],
      };
      this.settle({ state: 'http09', head, bodyPrefix: latin1ToBytes(line.text) });
      return;
    }
    const major = Number(line.text[5]);
    if (major !== 1 || line.text.length >= this.fieldSize - 1) {
      this.proxyError('CORRUPT_STATUS_LINE', `Corrupt status line returned by remote server: ${line.text}`);
      return;
    }
    this.version = line.text.slice(0, 8);
    this.status = Number(line.text.slice(9, 12));
    // httpd keeps everything after the version, and restores the space an empty reason lost.
    this.statusLine = line.text.length > 12 ? line.text.slice(9) : `${line.text.slice(9, 12)} `;
    this.state = 'fields';
  }

  private onFieldLine(line: ReadLine): void {
    this.lineStart = line.end;
    if (line.tooLong) {
      // httpd's buffer holds only the first ResponseFieldSize - 1 bytes; it quotes both ends of those.
      const kept = line.text.slice(0, this.fieldSize - 1);
      const half = Math.floor(Math.min(kept.length, 128) / 2);
      const shown = `${kept.slice(0, half)}[...]${kept.slice(kept.length - half)}`;
      this.badHeader('HEADER_TOO_LONG', [
        warn('AH10124', `header size is over the limit allowed by ResponseFieldSize (${this.fieldSize} bytes). Bad response header: '${shown}'`, '(28)No space left on device'),
      ]);
      return;
    }
    if (line.text === '') {
      this.completeHead();
      return;
    }
    const colon = line.text.indexOf(':');
    if (colon < 0) {
      // An extra status line among the headers (an old IIS habit) is skipped; anything else is fatal.
      if (/^HTTP\/\d\.\d \d{3}/.test(line.text)) {
        this.log.push(warn('AH01100', `Ignoring bogus HTTP header returned by ${this.context.path} (${this.method()})`));
        return;
      }
      this.badHeader('BAD_HEADER', []);
      return;
    }
    this.fields.push([line.text.slice(0, colon), trimCSpace(line.text.slice(colon + 1))]);
  }

  private completeHead(): void {
    const lookup = (name: string) => this.fields.find(([field]) => field.toLowerCase() === name)?.[1];
    const lengthDropped = lookup('transfer-encoding') !== undefined && lookup('content-length') !== undefined;
    if (lengthDropped) {
      this.log.push({
        module: 'proxy_http',
        level: 'debug',
        code: 'AH01107',
        message: `server ${this.context.backendHost}:${this.context.backendPort} returned Transfer-Encoding and Content-Length`,
        origin: 'mod_proxy_http.c(1301)',
      });
    }
    if (this.status === 101) {
      const upgrade = lookup('upgrade');
      const requested = this.context.requestedUpgrade;
      if (upgrade === undefined || requested === undefined || upgrade.toLowerCase() !== requested.toLowerCase()) {
        this.proxyError('UNEXPECTED_UPGRADE', `Unexpected Upgrade: ${upgrade ?? 'n/a'} (expecting ${requested ?? 'n/a'})`);
        return;
      }
    }
    const versionNumber = Number(this.version[5]) * 1000 + Number(this.version[7]);
    this.settle({
      state: 'complete',
      head: {
        version: this.version,
        versionNumber,
        status: this.status,
        statusLine: this.statusLine,
        headers: this.fields,
        rawHead: latin1Bytes(this.received.slice(0, this.lineStart)),
        consumed: this.lineStart,
        lengthDropped,
        backendCloses: versionNumber < 1001 || this.status === 101 || lengthDropped,
        log: this.log,
      },
    });
  }

  private noStatusLine(osError: string | undefined): SettledResponseHeadResult {
    const { backendHost, backendPort } = this.context;
    const entries: ResponseLogEntry[] = [
      { module: 'proxy_http', level: 'error', code: 'AH01102', message: `error reading status line from remote server ${backendHost}:${backendPort}`, ...(osError ? { osError } : {}) },
    ];
    // httpd 2.4.71 adds this at debug level when the read failed with APR_TIMEUP (measured with
    // LogLevel proxy_http:debug: between AH01102 and AH01105, from mod_proxy_http.c line 1116).
    if (osError === TIMEUP) entries.push({ module: 'proxy_http', level: 'debug', code: 'AH01103', message: 'read timeout', origin: 'mod_proxy_http.c(1116)' });
    if ((this.context.clientKeepalives ?? 0) === 0) {
      entries.push({
        module: 'proxy_http',
        level: 'debug',
        code: 'AH01105',
        message: `NOT Closing connection to client although reading from backend server ${backendHost}:${backendPort} failed.`,
        origin: 'mod_proxy_http.c(1187)',
      });
    }
    this.log.push(...entries);
    return this.proxyError('NO_STATUS_LINE', 'Error reading from remote server');
  }

  /** ap_proxyerror: logged as AH00898 and shown on a "502 Proxy Error" page. */
  private proxyError(reason: ResponseHeadFailure, message: string): SettledResponseHeadResult {
    const log = [...this.log, { module: 'proxy' as const, level: 'error' as const, code: 'AH00898', message: `${message} returned by ${this.context.path}` }];
    return this.settle({ state: 'error', error: { status: 502, reason, proxyErrorReason: message, log } });
  }

  /** A broken header section: a plain 502 Bad Gateway page, no reason shown. */
  private badHeader(reason: ResponseHeadFailure, entries: ResponseLogEntry[]): SettledResponseHeadResult {
    const major = this.version[5] ?? '1';
    const minor = this.version[7] ?? '1';
    const log = [...this.log, ...entries, warn('AH01106', `bad HTTP/${major}.${minor} header returned by ${this.context.path} (${this.method()})`)];
    return this.settle({ state: 'error', error: { status: 502, reason, log } });
  }

  private method(): string {
    return this.context.method ?? 'GET';
  }

  private settle(result: SettledResponseHeadResult): SettledResponseHeadResult {
    this.state = 'done';
    this.result = result;
    return result;
  }
}

function latin1ToBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0) & 0xff);
}

function warn(code: string, message: string, osError?: string): ResponseLogEntry {
  return { module: 'proxy_http', level: 'warn', code, message, ...(osError ? { osError } : {}) };
}

/** httpd skips C isspace() around a value (more than HTTP's SP and HT). */
function trimCSpace(text: string): string {
  return text.replace(/^[ \t\n\v\f\r]+/, '').replace(/[ \t\n\v\f\r]+$/, '');
}

function latin1Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index);
  return bytes;
}
