/**
 * Request heads sent to a real httpd 2.4.71 to learn how it answers each one. The recorder
 * (record-httpd-request-head.ts) stores httpd's answers in fixtures/httpd-request-head.json and
 * request-head.test.ts checks the emulator against that file.
 * Requests that httpd accepts end with "Connection: close" so it hangs up after answering.
 */

export interface RequestHeadCase {
  /** Raw bytes as latin1 text. */
  request: string;
  /** Close our sending side after writing (the client went away mid-head). */
  halfClose?: boolean;
}

const CLOSE = 'Connection: close\r\n';
/** A request line of exactly `length` characters (CRLF not counted). */
const requestLineOf = (length: number) => `GET /${'a'.repeat(length - 'GET / HTTP/1.1'.length)} HTTP/1.1`;
const headersNamed = (count: number) => Array.from({ length: count }, (_, index) => `X-H${index}: v\r\n`).join('');

export const REQUEST_HEAD_CASES: Record<string, RequestHeadCase> = {
  'ok-simple': { request: `GET / HTTP/1.1\r\nHost: localhost\r\n${CLOSE}\r\n` },
  'request-line-8191': { request: `${requestLineOf(8191)}\r\nHost: x\r\n${CLOSE}\r\n` },
  'request-line-8192': { request: `${requestLineOf(8192)}\r\nHost: x\r\n${CLOSE}\r\n` },
  'request-line-8192-bare-lf': { request: `${requestLineOf(8192)}\nHost: x\n${CLOSE}\n` },
  'request-line-8191-bare-lf': { request: `${requestLineOf(8191)}\nHost: x\n\n` },
  // Without an LF httpd reads on; sent in one go, it answers only from 24192 bytes (see nextLine).
  'request-line-24191-unterminated': { request: `GET /${'a'.repeat(24191 - 5)}` },
  'request-line-24192-unterminated': { request: `GET /${'a'.repeat(24192 - 5)}` },
  'field-24191-unterminated': { request: `GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(24191 - 3)}` },
  'field-24192-unterminated': { request: `GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(24192 - 3)}` },
  'field-8191': { request: `GET / HTTP/1.1\r\nHost: x\r\nX-Long: ${'b'.repeat(8191 - 8)}\r\n${CLOSE}\r\n` },
  'field-8192': { request: `GET / HTTP/1.1\r\nHost: x\r\nX-Long: ${'b'.repeat(8192 - 8)}\r\n${CLOSE}\r\n` },
  'field-8192-no-colon': { request: `GET / HTTP/1.1\r\nHost: x\r\n${'b'.repeat(8192)}\r\n${CLOSE}\r\n` },
  'fields-100': { request: `GET / HTTP/1.1\r\nHost: x\r\n${headersNamed(98)}${CLOSE}\r\n` },
  'fields-101': { request: `GET / HTTP/1.1\r\nHost: x\r\n${headersNamed(99)}${CLOSE}\r\n` },
  'merged-over-limit': { request: `GET / HTTP/1.1\r\nHost: x\r\nX-Dup: ${'c'.repeat(5000)}\r\nX-Dup: ${'d'.repeat(5000)}\r\n${CLOSE}\r\n` },
  'fold-ok': { request: `GET / HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n \t b\r\n${CLOSE}\r\n` },
  'fold-first': { request: `GET / HTTP/1.1\r\n Host: x\r\n${CLOSE}\r\n` },
  'fold-empty': { request: `GET / HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n \r\n${CLOSE}\r\n` },
  'fold-over-limit': { request: `GET / HTTP/1.1\r\nHost: x\r\nX-Fold: ${'e'.repeat(5000)}\r\n ${'f'.repeat(5000)}\r\n${CLOSE}\r\n` },
  'garbage-line': { request: 'GARBAGE\r\n\r\n' },
  'method-then-space': { request: 'GET \r\n\r\n' },
  http09: { request: 'GET /\r\n' },
  'http09-post': { request: 'POST /\r\n' },
  'http09-head': { request: 'HEAD /\r\n' },
  'trailing-text': { request: `GET / HTTP/1.1 extra\r\nHost: x\r\n${CLOSE}\r\n` },
  'double-space': { request: `GET  / HTTP/1.1\r\nHost: x\r\n${CLOSE}\r\n` },
  'tab-separator': { request: `GET\t/ HTTP/1.1\r\nHost: x\r\n${CLOSE}\r\n` },
  'leading-space': { request: ` GET / HTTP/1.1\r\nHost: x\r\n${CLOSE}\r\n` },
  'bad-method-char': { request: `G@T / HTTP/1.1\r\nHost: x\r\n${CLOSE}\r\n` },
  'bad-method-no-space': { request: `G@T\r\nHost: x\r\n${CLOSE}\r\n` },
  'lowercase-protocol': { request: `GET / http/1.1\r\nHost: x\r\n${CLOSE}\r\n` },
  'protocol-2.0': { request: `GET / HTTP/2.0\r\nHost: x\r\n${CLOSE}\r\n` },
  'protocol-2.0-no-host': { request: `GET / HTTP/2.0\r\n${CLOSE}\r\n` },
  'protocol-1.10': { request: `GET / HTTP/1.10\r\nHost: x\r\n${CLOSE}\r\n` },
  'protocol-0.9': { request: `GET / HTTP/0.9\r\nHost: x\r\n${CLOSE}\r\n` },
  'protocol-junk': { request: `GET / FOO\r\nHost: x\r\n${CLOSE}\r\n` },
  'relative-target': { request: `GET foo HTTP/1.1\r\nHost: x\r\n${CLOSE}\r\n` },
  'query-only-target': { request: `GET ?x=1 HTTP/1.1\r\nHost: x\r\n${CLOSE}\r\n` },
  'fragment': { request: `GET /a#frag HTTP/1.1\r\nHost: x\r\n${CLOSE}\r\n` },
  'userinfo': { request: `GET http://user:pw@localhost/ HTTP/1.1\r\nHost: x\r\n${CLOSE}\r\n` },
  'absolute-no-host': { request: `GET http://localhost/ HTTP/1.1\r\n${CLOSE}\r\n` },
  'absolute-with-host': { request: `GET http://localhost/ HTTP/1.1\r\nHost: other\r\n${CLOSE}\r\n` },
  'absolute-with-port': { request: `GET http://LocalHost:8080/x HTTP/1.1\r\nHost: other\r\n${CLOSE}\r\n` },
  'options-star': { request: `OPTIONS * HTTP/1.1\r\nHost: x\r\n${CLOSE}\r\n` },
  'control-in-uri': { request: `GET /a\x01b HTTP/1.1\r\nHost: x\r\n${CLOSE}\r\n` },
  'bare-lf': { request: `GET / HTTP/1.1\nHost: x\n${CLOSE}\n` },
  'bare-lf-header': { request: `GET / HTTP/1.1\r\nHost: x\n${CLOSE}\r\n` },
  'nul-in-line': { request: `GET /\x00 HTTP/1.1\r\nHost: x\r\n${CLOSE}\r\n` },
  'nul-in-header': { request: `GET / HTTP/1.1\r\nHost: x\r\nX-N: a\x00b\r\n${CLOSE}\r\n` },
  'blank-lines-10': { request: `${'\r\n'.repeat(10)}GET / HTTP/1.1\r\nHost: x\r\n${CLOSE}\r\n` },
  'blank-lines-11': { request: `${'\r\n'.repeat(11)}GET / HTTP/1.1\r\nHost: x\r\n${CLOSE}\r\n` },
  'space-in-name': { request: `GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n${CLOSE}\r\n` },
  'space-before-colon': { request: `GET / HTTP/1.1\r\nHost : x\r\n${CLOSE}\r\n` },
  'no-colon': { request: `GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n${CLOSE}\r\n` },
  'empty-name': { request: `GET / HTTP/1.1\r\nHost: x\r\n: v\r\n${CLOSE}\r\n` },
  'control-in-value': { request: `GET / HTTP/1.1\r\nHost: x\r\nX-C: a\x01b\r\n${CLOSE}\r\n` },
  'missing-host-11': { request: `GET / HTTP/1.1\r\n${CLOSE}\r\n` },
  'missing-host-10': { request: 'GET / HTTP/1.0\r\n\r\n' },
  'empty-host': { request: `GET / HTTP/1.1\r\nHost: \r\n${CLOSE}\r\n` },
  'host-bad-port': { request: `GET / HTTP/1.1\r\nHost: a:b\r\n${CLOSE}\r\n` },
  'host-port-zero': { request: `GET / HTTP/1.1\r\nHost: a.test:0\r\n${CLOSE}\r\n` },
  'host-numeric': { request: `GET / HTTP/1.1\r\nHost: 1234\r\n${CLOSE}\r\n` },
  'host-two': { request: `GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n${CLOSE}\r\n` },
  'host-slash': { request: `GET / HTTP/1.1\r\nHost: a/b\r\n${CLOSE}\r\n` },
  'host-bad-ip': { request: `GET / HTTP/1.1\r\nHost: 1.2.3\r\n${CLOSE}\r\n` },
  'host-v6': { request: `GET / HTTP/1.1\r\nHost: [::1]:8080\r\n${CLOSE}\r\n` },
  'host-trailing-colon': { request: `GET / HTTP/1.1\r\nHost: a.test:\r\n${CLOSE}\r\n` },
  'host-numeric-tld': { request: `GET / HTTP/1.1\r\nHost: a.123\r\n${CLOSE}\r\n` },
  'expect-bad': { request: `GET / HTTP/1.1\r\nHost: Example.COM:8080\r\nExpect: foo\r\n${CLOSE}\r\n` },
  'bad-content-length': { request: `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n${CLOSE}\r\n` },
  'negative-content-length': { request: `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n${CLOSE}\r\n` },
  'double-content-length': { request: `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n${CLOSE}\r\nab` },
  'bad-transfer-encoding': { request: `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n${CLOSE}\r\n` },
  'eof-mid-field': { request: 'GET / HTTP/1.1\r\nHost: x\r\nX-Partial: abc', halfClose: true },
  'eof-after-field': { request: 'GET / HTTP/1.1\r\nHost: x\r\n', halfClose: true },
  'eof-mid-request-line': { request: 'GET / HT', halfClose: true },
};
