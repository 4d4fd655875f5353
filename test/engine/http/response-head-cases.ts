/**
 * Backend responses fed to a real httpd (mod_proxy_http) to learn how it reads a response head.
 * record-httpd-response-head.ts proxies GET /r/<name> to a backend that answers with `response`
 * and then closes; fixtures/httpd-response-head.json keeps what the client got and what httpd logged.
 */
export const RESPONSE_HEAD_CASES: Record<string, string> = {
  ok: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Case: Kept\r\n\r\nhi',
  'bare-lf': 'HTTP/1.1 200 OK\nContent-Length: 2\nX-Case: lf\n\nhi',
  'http10': 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi',
  'no-reason': 'HTTP/1.1 404\r\nContent-Length: 2\r\n\r\nhi',
  'custom-reason': 'HTTP/1.1 299 Fine Thanks\r\nContent-Length: 2\r\n\r\nhi',
  'http2-status-line': 'HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nhi',
  'http09-garbage': 'NOT HTTP AT ALL\r\n\r\n',
  'stray-crlf': '\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi',
  empty: '',
  'no-colon': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nBogus line\r\n\r\nhi',
  'extra-status-line': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nHTTP/1.0 200 OK\r\nX-After: 1\r\n\r\nhi',
  folded: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Fold: a\r\n  b\r\n\r\nhi',
  'field-too-long': `HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Long: ${'L'.repeat(8200)}\r\n\r\nhi`,
  'length-and-chunked': 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n',
  'upgrade-without-request': 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
  'eof-in-status-line': 'HTTP/1.1 200 OK',
  'eof-in-headers': 'HTTP/1.1 200 OK\r\nX-A: 1\r\n',
  'blanks-around-value': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Blank:   v  \r\n\r\nhi',
};
