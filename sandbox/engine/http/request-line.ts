/**
 * httpd 2.4's request-line parser (ap_parse_request_line in server/protocol.c) under the default
 * `HttpProtocolOptions Strict LenientMethods Allow0.9`. httpd scans a NUL-terminated buffer,
 * writes NULs into it as it goes and remembers only the first problem ("deferred error") while
 * it keeps going; which error wins and what the log line quotes depend on those details, so this
 * works the same way over an array of byte values ending in 0.
 */
import { isCSpace, isTokenChar, isVisibleOrObsText } from './http-chars.ts';
import { isRegisteredMethod } from './http-methods.ts';
import { parseRequestTarget, requestPathOf } from './request-target.ts';
import type { ParsedTarget } from './request-target.ts';

/** Why a request line was refused, with the error-log entry httpd writes at LogLevel debug. */
export interface RequestLineProblem {
  code: string;
  message: string;
  reason: RequestLineFailure;
  /** The status httpd answers: 400 unless said otherwise (501 for an unregistered method). */
  status?: number;
}

/** Stable reason codes for request-line failures. */
export type RequestLineFailure =
  | 'INVALID_METHOD'
  | 'INVALID_METHOD_FOR_HTTP09'
  | 'MISSING_URI'
  | 'URI_INCORRECTLY_ENCODED'
  | 'INVALID_WHITESPACE'
  | 'EXCESS_WHITESPACE'
  | 'EXTRANEOUS_TEXT'
  | 'HTTP09_REJECTED'
  | 'UNRECOGNIZED_PROTOCOL'
  | 'UNPARSABLE_URI'
  | 'URI_HAS_FRAGMENT'
  | 'URI_HAS_USERINFO'
  | 'UNREGISTERED_METHOD';

export interface ParsedRequestLine {
  method: string;
  /** The request target exactly as sent (httpd's r->unparsed_uri). */
  target: string;
  /** "HTTP/1.1", or "HTTP/0.9" for a line without a protocol. */
  protocol: string;
  /** major * 1000 + minor, as httpd's HTTP_VERSION() macro. */
  protocolNumber: number;
  /** An HTTP/0.9 "simple request": no headers follow and the response has no head. */
  http09: boolean;
  /** The line rebuilt with single spaces (httpd's r->the_request, used in later log lines). */
  theRequest: string;
  /** Target split like apr_uri_parse, or null when that failed. */
  parsedTarget: ParsedTarget | null;
  /** The path httpd works with (r->uri). */
  path: string;
  /** Host named in an absolute-form target whose scheme matches the connection's (r->hostname). */
  hostnameFromTarget?: string;
  portFromTarget?: string;
  /** Set when httpd answers 400 for this line. */
  problem?: RequestLineProblem;
}

export interface RequestLineOptions {
  /** The connection's scheme, which an absolute-form target must use for its host to count. */
  scheme?: 'http' | 'https';
  /** HttpProtocolOptions Require1.0: a simple (HTTP/0.9) request is refused (AH02401). */
  rejectHttp09?: boolean;
  /** HttpProtocolOptions RegisteredMethods: a method httpd does not know is answered 501 (AH02423). */
  registeredMethodsOnly?: boolean;
  /** Methods the config registered (RegisterHttpMethod, <Limit>), on top of the built-in ones. */
  registeredMethods?: readonly string[];
}

const SP = 0x20;
const WHITESPACE = '\t\n\v\f\r ';
const LOG_NAME_MAX_LEN = 80;

type DeferredError =
  | 'none'
  | 'badmethod'
  | 'badwhitespace'
  | 'excesswhitespace'
  | 'missinguri'
  | 'baduri'
  | 'badprotocol'
  | 'trailingtext'
  | 'badmethod09'
  | 'reject09';

/** Parse one request line (without its CRLF) the way httpd does. */
export function parseRequestLine(line: string, options: RequestLineOptions = {}): ParsedRequestLine {
  const buffer = new CString(line);
  let deferred: DeferredError = 'none';

  let method = 0;
  if (isCSpace(buffer.at(method))) {
    deferred = 'badwhitespace';
    while (isCSpace(buffer.at(method))) method++;
  }

  let stop: number | null = buffer.scan(method, isTokenChar);
  if ((stop === method || (buffer.at(stop) !== 0 && !isCSpace(buffer.at(stop)))) && deferred === 'none') {
    deferred = 'badmethod';
    stop = buffer.findAny(stop, WHITESPACE);
  }

  let uri: string;
  let protocol: string;
  let trailingText = '';
  let protocolLength = 0;
  if (stop === null) {
    if (deferred === 'none') deferred = 'missinguri';
    uri = '';
    protocol = '';
  } else {
    if (buffer.at(stop) !== 0 && isCSpace(buffer.at(stop + 1)) && deferred === 'none') deferred = 'excesswhitespace';
    let uriStart = stop;
    for (; isCSpace(buffer.at(uriStart)); uriStart++) {
      if (buffer.at(uriStart) !== SP && deferred === 'none') deferred = 'badwhitespace';
    }
    buffer.terminate(stop);
    if (buffer.at(uriStart) === 0 && deferred === 'none') deferred = 'missinguri';

    stop = buffer.scan(uriStart, isVisibleOrObsText);
    if (stop === uriStart || (buffer.at(stop) !== 0 && !isCSpace(buffer.at(stop)))) {
      deferred = 'baduri';
      stop = buffer.findAny(stop, WHITESPACE);
    }

    if (stop === null) {
      uri = buffer.stringAt(uriStart);
      protocol = '';
    } else {
      if (buffer.at(stop) !== 0 && isCSpace(buffer.at(stop + 1)) && deferred === 'none') deferred = 'excesswhitespace';
      let protocolStart = stop;
      for (; isCSpace(buffer.at(protocolStart)); protocolStart++) {
        if (buffer.at(protocolStart) !== SP && deferred === 'none') deferred = 'badwhitespace';
      }
      buffer.terminate(stop);
      uri = buffer.stringAt(uriStart);

      let protocolEnd = buffer.scan(protocolStart, isVisibleOrObsText);
      protocolLength = protocolEnd - protocolStart;
      if (buffer.at(protocolEnd) !== 0 && !isCSpace(buffer.at(protocolEnd))) {
        deferred = 'badprotocol';
      } else if (buffer.at(protocolEnd) !== 0) {
        // Strict: any whitespace after the protocol is excess, whatever follows it.
        deferred = 'excesswhitespace';
      } else {
        for (; isCSpace(buffer.at(protocolEnd)); protocolEnd++) {
          if (buffer.at(protocolEnd) !== SP && deferred === 'none') deferred = 'badwhitespace';
        }
        if (buffer.at(protocolEnd) !== 0 && deferred === 'none') {
          deferred = 'trailingtext';
          trailingText = buffer.stringAt(protocolEnd);
        }
      }
      buffer.terminate(protocolStart + protocolLength);
      protocol = buffer.stringAt(protocolStart);
    }
  }
  const methodText = buffer.stringAt(method);
  const theRequest = [methodText, uri, protocol].filter((part, index) => index === 0 || part !== '').join(' ');

  let protocolNumber: number;
  let http09 = false;
  if (protocolLength === 8 && /^HTTP\/[1-9]\.\d$/.test(protocol)) {
    protocolNumber = Number(protocol[5]) * 1000 + Number(protocol[7]);
  } else if (protocolLength === 8 && /^[Hh][Tt][Tt][Pp]\/[1-9]\.\d$/.test(protocol)) {
    protocolNumber = Number(protocol[5]) * 1000 + Number(protocol[7]);
    // Strict refuses a lower-case protocol name; when another error already stands, httpd fixes the case.
    if (deferred === 'none') deferred = 'badprotocol';
    else protocol = `HTTP${protocol.slice(4)}`;
  } else if (protocol !== '') {
    protocolNumber = 9;
    if (deferred === 'none') deferred = 'badprotocol';
  } else {
    http09 = true;
    protocol = 'HTTP/0.9';
    protocolNumber = 9;
  }

  const isConnect = methodText === 'CONNECT';
  const parsedTarget = parseRequestTarget(uri, isConnect);
  let uriStatusBad = parsedTarget === null;
  const path = parsedTarget === null ? collapseLeadingSlashes(uri) : requestPathOf(parsedTarget, methodText);
  if (
    parsedTarget !== null &&
    parsedTarget.path !== undefined &&
    !parsedTarget.path.startsWith('/') &&
    !(methodText === 'OPTIONS' && parsedTarget.path === '*')
  ) {
    uriStatusBad = true; // RFC 7230 5.3: an origin-form target must start with "/"
  }

  // A simple request may only be a GET; HEAD counts as GET in httpd's method table but not here.
  if (protocolNumber === 9 && deferred === 'none') {
    if (options.rejectHttp09) deferred = 'reject09';
    else if (methodText !== 'GET') deferred = 'badmethod09';
  }

  const result: ParsedRequestLine = {
    method: methodText,
    target: uri,
    protocol,
    protocolNumber,
    http09,
    theRequest,
    parsedTarget,
    path,
  };
  const scheme = options.scheme ?? 'http';
  if (parsedTarget?.hostname !== undefined && (isConnect || parsedTarget.scheme?.toLowerCase() === scheme)) {
    result.hostnameFromTarget = parsedTarget.hostname;
    if (parsedTarget.port !== undefined) result.portFromTarget = parsedTarget.port;
  }

  const problem = describeDeferred(deferred, { method: methodText, uri, protocol, trailingText });
  if (problem !== undefined) return { ...result, problem, ...asHttp10IfSimple(result) };
  if (options.registeredMethodsOnly && !isRegisteredMethod(methodText, options.registeredMethods)) {
    // Returned before rrl_failed: the protocol stays as parsed (a 0.9 GET never gets here).
    const message = `HTTP Request Line; Unrecognized HTTP method: '${logField(methodText)}' (disallowed by RegisteredMethods)`;
    return { ...result, problem: { ...problemOf('AH02423', message, 'UNREGISTERED_METHOD'), status: 501 } };
  }
  if (uriStatusBad) {
    return {
      ...result,
      problem: problemOf('AH03450', `HTTP Request Line; Unable to parse URI: '${logField(path)}'`, 'UNPARSABLE_URI'),
      ...asHttp10IfSimple(result),
    };
  }
  if (parsedTarget?.fragment !== undefined) {
    return {
      ...result,
      problem: problemOf('AH02421', 'HTTP Request Line; URI must not contain a fragment', 'URI_HAS_FRAGMENT'),
      ...asHttp10IfSimple(result),
    };
  }
  if (parsedTarget?.user !== undefined || parsedTarget?.password !== undefined) {
    return {
      ...result,
      problem: problemOf('AH02422', 'HTTP Request Line; URI must not contain a username/password', 'URI_HAS_USERINFO'),
      ...asHttp10IfSimple(result),
    };
  }
  return result;
}

/** A failed 0.9 line is answered as HTTP/1.0 (RFC 7230 3.5): only a clean simple request gets a 0.9 reply. */
function asHttp10IfSimple(line: ParsedRequestLine): Partial<ParsedRequestLine> {
  return line.protocolNumber === 9 ? { http09: false, protocol: 'HTTP/1.0', protocolNumber: 1000 } : {};
}

function describeDeferred(
  deferred: DeferredError,
  parts: { method: string; uri: string; protocol: string; trailingText: string },
): RequestLineProblem | undefined {
  switch (deferred) {
    case 'none':
      return undefined;
    case 'badmethod':
      return problemOf('AH03445', `HTTP Request Line; Invalid method token: '${logField(parts.method)}'`, 'INVALID_METHOD');
    case 'badmethod09':
      return problemOf(
        'AH03444',
        `HTTP Request Line; Invalid method token: '${logField(parts.method)}' (only GET is allowed for HTTP/0.9 requests)`,
        'INVALID_METHOD_FOR_HTTP09',
      );
    case 'missinguri':
      return problemOf('AH03446', 'HTTP Request Line; Missing URI', 'MISSING_URI');
    case 'baduri':
      return problemOf('AH03454', `HTTP Request Line; URI incorrectly encoded: '${logField(parts.uri)}'`, 'URI_INCORRECTLY_ENCODED');
    case 'badwhitespace':
      return problemOf('AH03447', 'HTTP Request Line; Invalid whitespace', 'INVALID_WHITESPACE');
    case 'excesswhitespace':
      return problemOf('AH03448', 'HTTP Request Line; Excess whitespace (disallowed by HttpProtocolOptions Strict)', 'EXCESS_WHITESPACE');
    case 'trailingtext':
      return problemOf(
        'AH03449',
        `HTTP Request Line; Extraneous text found '${logField(parts.trailingText)}' (perhaps whitespace was injected?)`,
        'EXTRANEOUS_TEXT',
      );
    case 'reject09':
      return problemOf('AH02401', 'HTTP Request Line; Rejected HTTP/0.9 request', 'HTTP09_REJECTED');
    case 'badprotocol':
      return problemOf(
        'AH02418',
        `HTTP Request Line; Unrecognized protocol '${logField(parts.protocol)}' (perhaps whitespace was injected?)`,
        'UNRECOGNIZED_PROTOCOL',
      );
  }
}

function problemOf(code: string, message: string, reason: RequestLineFailure): RequestLineProblem {
  return { code, message, reason };
}

/** httpd quotes a field up to its first ':' or 80 characters, whichever comes first (field_name_len). */
export function logField(text: string): string {
  const colon = text.indexOf(':');
  return text.slice(0, colon < 0 || colon > LOG_NAME_MAX_LEN ? LOG_NAME_MAX_LEN : colon);
}

function collapseLeadingSlashes(uri: string): string {
  let collapsed = uri;
  while (collapsed.startsWith('//')) collapsed = collapsed.slice(1);
  return collapsed;
}

/** A NUL-terminated byte buffer that can be cut, as httpd cuts the_request in place. */
class CString {
  private readonly codes: number[];

  constructor(text: string) {
    this.codes = Array.from(text, (character) => character.charCodeAt(0));
    this.codes.push(0);
  }

  at(index: number): number {
    return index < this.codes.length ? this.codes[index] : 0;
  }

  /** First index at or after `from` whose byte fails `accept` (the terminator always does). */
  scan(from: number, accept: (code: number) => boolean): number {
    let index = from;
    while (this.at(index) !== 0 && accept(this.at(index))) index++;
    return index;
  }

  /** strpbrk: first index at or after `from` holding one of `characters`, or null at the terminator. */
  findAny(from: number, characters: string): number | null {
    for (let index = from; this.at(index) !== 0; index++) {
      if (characters.includes(String.fromCharCode(this.at(index)))) return index;
    }
    return null;
  }

  terminate(index: number): void {
    if (index < this.codes.length) this.codes[index] = 0;
  }

  /** The C string starting at `from`: up to the next NUL. */
  stringAt(from: number): string {
    let text = '';
    for (let index = from; this.at(index) !== 0; index++) text += String.fromCharCode(this.at(index));
    return text;
  }
}
