import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MOD_SSL_VERSION_COMPONENT,
  STATIC_ALLOW,
  buildErrorResponse,
  escapeHtml,
  serializeResponse,
  serverBanner,
  statusText,
} from '../../../sandbox/engine/http/error-page.ts';
import type { ErrorPageOptions } from '../../../sandbox/engine/http/error-page.ts';
import { parseRequestHead } from '../../../sandbox/engine/http/request-head.ts';
import { ERROR_PAGE_CASES } from './error-page-cases.ts';
import type { HttpdTranscript } from './httpd-transcript.ts';

const fixture: { transcripts: Record<string, HttpdTranscript> } = JSON.parse(
  readFileSync(new URL('./fixtures/httpd-error-pages.json', import.meta.url), 'utf8'),
);

const debian = { serverSignature: 'On', serverTokens: 'OS' } as const;
const signedAt = (serverName: string, port = 80) => ({ ...debian, serverName, port });

/** The head-parsing failures feed the page straight from the parser, as the proxy will. */
function fromHeadError(name: string): ErrorPageOptions {
  const result = parseRequestHead(new Uint8Array(Buffer.from(ERROR_PAGE_CASES[name].request, 'latin1')));
  if (result.state !== 'error') throw new Error(`${name} did not fail to parse`);
  // Without a usable host httpd signs with ServerName and the server's port (80 when ServerName has none).
  return { ...signedAt(result.error.hostname ?? 'localhost', result.error.hostPort ?? 80), status: result.error.status, errorNotes: result.error.errorNotes };
}

/** What the proxy would know for each recorded case. */
const OPTIONS: Record<string, () => ErrorPageOptions> = {
  '301': () => ({ ...signedAt('a.test', 8080), status: 301, location: 'http://example.com/new/x' }),
  '302-escaped-location': () => ({ ...signedAt('a.test'), status: 302, location: 'http://example.com/t?a=1&b=<x>' }),
  '303': () => ({ ...signedAt('a.test'), status: 303, location: 'http://example.com/o' }),
  '307': () => ({ ...signedAt('a.test'), status: 307, location: 'http://example.com/307' }),
  '308': () => ({ ...signedAt('a.test'), status: 308, location: 'http://example.com/308' }),
  '400-missing-host': () => fromHeadError('400-missing-host'),
  '400-field-too-long': () => fromHeadError('400-field-too-long'),
  '400-too-many-fields': () => fromHeadError('400-too-many-fields'),
  '403': () => ({ ...signedAt('a.test'), status: 403 }),
  '404': () => ({ ...signedAt('localhost', 8080), status: 404 }),
  '404-head': () => ({ ...signedAt('a.test'), status: 404, method: 'HEAD', headOnly: true }),
  '404-http10-keepalive': () => ({ ...signedAt('localhost'), status: 404, connection: { close: false, keepAlive: { timeoutSeconds: 1, remaining: 100 } } }),
  '404-keepalive': () => ({ ...signedAt('a.test'), status: 404, connection: { close: false } }),
  '405-trace': () => ({ ...signedAt('a.test'), status: 405, method: 'TRACE', allow: '' }),
  '410': () => ({ ...signedAt('a.test'), status: 410 }),
  '413': () => ({ ...signedAt('a.test'), status: 413, method: 'POST' }),
  '414': () => fromHeadError('414'),
  '417': () => ({ ...fromHeadError('417'), expect: 'nothing' }),
  '500-no-handler': () => ({ ...signedAt('a.test'), status: 500 }),
  '500-ssl-handshake': () => ({ ...signedAt('a.test'), status: 500, proxyErrorReason: 'Error during SSL Handshake with remote server' }),
  '501': () => ({ ...signedAt('a.test'), status: 501, method: 'FOO', allow: STATIC_ALLOW.traceDisabled }),
  '502-timeout': () => ({ ...signedAt('a.test'), status: 502, proxyErrorReason: 'Error reading from remote server' }),
  '503': () => ({ ...signedAt('a.test'), status: 503 }),
  'unsigned-404': () => ({ serverName: 'a.test', port: 80, status: 404, versionComponents: [MOD_SSL_VERSION_COMPONENT] }),
  'unsigned-503': () => ({ serverName: 'a.test', port: 80, status: 503, versionComponents: [MOD_SSL_VERSION_COMPONENT] }),
  'email-404': () => ({ serverName: 'a.test', port: 81, status: 404, serverSignature: 'EMail', serverAdmin: 'webmaster@example.com' }),
  'email-302': () => ({
    serverName: 'a.test',
    port: 80,
    status: 302,
    location: 'http://example.com/t',
    serverSignature: 'EMail',
    serverAdmin: 'webmaster@example.com',
  }),
  'prod-404': () => ({ serverName: 'a.test', port: 80, status: 404, serverSignature: 'On', serverTokens: 'Prod' }),
};

describe('buildErrorResponse against recorded httpd 2.4.71 responses', () => {
  for (const name of Object.keys(ERROR_PAGE_CASES)) {
    it(`${name}: same bytes as httpd (Date aside)`, () => {
      const recorded = fixture.transcripts[name]?.response;
      expect(recorded, `no recording for ${name}`).toBeTruthy();
      expect(OPTIONS[name], `no options for ${name}`).toBeDefined();
      const response = buildErrorResponse({ ...OPTIONS[name](), date: new Date(Date.UTC(2026, 10, 24, 13, 0, 0)) });
      const text = Buffer.from(serializeResponse(response)).toString('latin1');
      expect(text.replace('Date: Tue, 24 Nov 2026 13:00:00 GMT', 'Date: <date>')).toBe(recorded);
    });
  }
});

describe('error page pieces', () => {
  it('writes Date as an IMF-fixdate', () => {
    const response = buildErrorResponse({ status: 404, serverName: 'x', port: 80, date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) });
    expect(response.headers[0]).toEqual(['Date', 'Fri, 02 Jan 2026 03:04:05 GMT']);
  });

  it('names the banner for every ServerTokens setting', () => {
    expect(['Prod', 'Major', 'Minor', 'Minimal', 'OS', 'Full'].map((tokens) => serverBanner(tokens as 'Full', ['OpenSSL/3.0.19']))).toEqual([
      'Apache',
      'Apache/2',
      'Apache/2.4',
      'Apache/2.4.71',
      'Apache/2.4.71 (Debian)',
      'Apache/2.4.71 (Debian) OpenSSL/3.0.19',
    ]);
  });

  it("uses httpd's reason phrases, and its 500 line for a code it does not know", () => {
    expect([413, 414, 502, 504].map(statusText)).toEqual([
      '413 Request Entity Too Large',
      '414 Request-URI Too Long',
      '502 Bad Gateway',
      '504 Gateway Timeout',
    ]);
    expect(statusText(418)).toBe('500 Internal Server Error');
  });

  it('gives 504 its canned text and a Gateway Timeout title', () => {
    const response = buildErrorResponse({ status: 504, serverName: 'x', port: 80 });
    expect(response.statusLine).toBe('HTTP/1.1 504 Gateway Timeout');
    expect(response.body).toContain('<p>The gateway did not receive a timely response\nfrom the upstream server or application.</p>\n');
  });

  it('answers a success httpd gives itself (the OPTIONS * pong) with no page: Content-Length 0, no Content-Type', () => {
    const response = buildErrorResponse({ status: 200, serverName: 'x', port: 80, connection: { close: false }, date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) });
    expect(response.statusLine).toBe('HTTP/1.1 200 OK');
    expect(response.body).toBe('');
    expect(response.headers.map(([name]) => name)).toEqual(['Date', 'Server', 'Content-Length']);
    expect(response.headers[2]).toEqual(['Content-Length', '0']);
  });

  it('escapes what ap_escape_html escapes and nothing else', () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe(`&lt;a href=&quot;x&quot;&gt;&amp;'`);
  });

  it('links the signature to a URL ServerAdmin without mailto:', () => {
    const response = buildErrorResponse({ status: 404, serverName: 'x', port: 80, serverSignature: 'EMail', serverAdmin: 'https://example.com/contact' });
    expect(response.body).toContain('<a href="https://example.com/contact">x</a> Port 80');
  });
});
