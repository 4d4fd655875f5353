import { describe, expect, it } from 'vitest';
import {
  DEBIAN_LOG_FORMATS,
  escapeLogString,
  formatAccessLogLine,
  resolveLogFormat,
  type AccessLogRecord,
} from '../../../sandbox/engine/logs/access-log.ts';

// 2026-11-24T13:24:23Z, the instant of a line measured on real httpd.
const START = Date.UTC(2026, 10, 24, 13, 24, 23) * 1000;

const websocketRecord: AccessLogRecord = {
  remoteAddress: '127.0.0.1',
  remotePort: 54938,
  localAddress: '127.0.0.1',
  localPort: 18411,
  serverPort: 80,
  requestLine: 'GET /ws/x HTTP/1.1',
  method: 'GET',
  path: '/ws/x',
  query: '',
  protocol: 'HTTP/1.1',
  originalStatus: 503,
  finalStatus: 503,
  bodyBytes: 339,
  bytesIn: 180,
  bytesOut: 540,
  requestHeaders: [['Host', '127.0.0.1:18411'], ['User-Agent', 'curl/7.88.1']],
  responseHeaders: [['Content-Type', 'text/html; charset=iso-8859-1']],
  startMicros: START,
  durationMicros: 1337,
  serverName: 'lead.test',
  canonicalName: '127.0.0.1',
  keepAliveCount: 0,
  connectionStatus: '-',
  pid: 8302,
};

describe('formatAccessLogLine', () => {
  it('prints the server port for %p and %{canonical}p, the connection ports for %{local}p and %{remote}p (log_server_port)', () => {
    expect(formatAccessLogLine('%p %{canonical}p %{local}p %{remote}p %{bogus}p', websocketRecord)).toBe('80 80 18411 54938 bogus');
  });

  it('reads begin:/end: prefixes and the sec/msec/usec/_frac forms of %{...}t (log_request_time)', () => {
    const record = { ...websocketRecord, startMicros: START + 123_456, durationMicros: 2_000_000 };
    expect(formatAccessLogLine('%{begin:%Y}t|%{end:%S}t|%{begin}t|%{end}t', record)).toBe('2026|25|[24/Nov/2026:13:24:23 +0000]|[24/Nov/2026:13:24:25 +0000]');
    expect(formatAccessLogLine('%{msec_frac}t %{usec_frac}t %{end:sec}t', record)).toBe(`123 123456 ${START / 1_000_000 + 2}`);
  });

  it('prints the handler for %R and "-" when none ran', () => {
    expect(formatAccessLogLine('%R', { ...websocketRecord, handler: 'proxy-server' })).toBe('proxy-server');
    expect(formatAccessLogLine('%R', websocketRecord)).toBe('-');
  });

  it('matches the line real httpd wrote for a refused WebSocket with combined plus %D', () => {
    const format = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D';
    expect(formatAccessLogLine(format, websocketRecord)).toBe(
      '127.0.0.1 - - [24/Nov/2026:13:24:23 +0000] "GET /ws/x HTTP/1.1" 503 339 "-" "curl/7.88.1" 1337',
    );
  });

  it("uses %O (bytes sent, headers included) in Debian's combined format", () => {
    expect(formatAccessLogLine(DEBIAN_LOG_FORMATS.combined, websocketRecord)).toBe(
      '127.0.0.1 - - [24/Nov/2026:13:24:23 +0000] "GET /ws/x HTTP/1.1" 503 540 "-" "curl/7.88.1"',
    );
  });

  it('prints "-" for %b when no body was sent and 0 for %B', () => {
    const record = { ...websocketRecord, bodyBytes: 0, finalStatus: 101, originalStatus: 101 };
    expect(formatAccessLogLine('%>s %b %B', record)).toBe('101 - 0');
  });

  it('applies status filters: %!200{User-Agent}i logs "-" for a 200', () => {
    const record = { ...websocketRecord, finalStatus: 200, originalStatus: 200 };
    expect(formatAccessLogLine('%!200{User-Agent}i|%200{User-Agent}i', record)).toBe('-|curl/7.88.1');
  });

  it('renders %v:%p, %{remote}p, %T in seconds and %{ms}T', () => {
    const record = { ...websocketRecord, durationMicros: 2_500_000 };
    expect(formatAccessLogLine('%v:%p %{remote}p %T %{ms}T %%', record)).toBe('lead.test:80 54938 2 2500 %');
  });

  it('escapes quotes and control bytes from the client in %r and %i', () => {
    expect(escapeLogString('a"b\\c\x01')).toBe('a\\"b\\\\c\\x01');
  });
});

describe('resolveLogFormat', () => {
  it('treats an undefined nickname as the format string itself, as httpd does', () => {
    expect(resolveLogFormat('combined', {})).toBe('combined');
    expect(resolveLogFormat('combined', DEBIAN_LOG_FORMATS)).toBe(DEBIAN_LOG_FORMATS.combined);
  });
});
