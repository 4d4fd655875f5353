import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ResponseHeadParser } from '../../../sandbox/engine/http/response-head.ts';
import type { ResponseHeadResult } from '../../../sandbox/engine/http/response-head.ts';
import { renderForTranscript, sameLogLine } from './error-log-rendering.ts';
import type { HttpdTranscript } from './httpd-transcript.ts';
import { RESPONSE_HEAD_CASES } from './response-head-cases.ts';

const fixture: { transcripts: Record<string, HttpdTranscript> } = JSON.parse(
  readFileSync(new URL('./fixtures/httpd-response-head.json', import.meta.url), 'utf8'),
);
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

/** The backend sent `response` and closed, as in the recording. */
function read(name: string, response: string): ResponseHeadResult {
  const parser = new ResponseHeadParser({ path: `/r/${name}`, backendHost: '127.0.0.1', backendPort: 12345 });
  const result = parser.push(bytes(response));
  return result.state === 'incomplete' ? parser.finish() : result;
}

/** Hop-by-hop and framing fields httpd rewrites rather than relays. */
const REWRITTEN = new Set(['content-length', 'transfer-encoding', 'connection', 'upgrade', 'keep-alive']);

describe('ResponseHeadParser against recorded httpd 2.4.71 proxy behaviour', () => {
  for (const [name, response] of Object.entries(RESPONSE_HEAD_CASES)) {
    it(`${name}: reads the backend's head like mod_proxy_http`, () => {
      const transcript = fixture.transcripts[name];
      expect(transcript, `no recording for ${name}`).toBeDefined();
      const clientResponse = transcript.response ?? '';
      const clientStatusLine = clientResponse.split('\r\n')[0];
      const result = read(name, response);

      if (clientStatusLine.startsWith('HTTP/1.1 502')) {
        expect(result.state).toBe('error');
        if (result.state !== 'error') return;
        const proxyError = clientStatusLine === 'HTTP/1.1 502 Proxy Error';
        expect(result.error.proxyErrorReason !== undefined).toBe(proxyError);
        if (proxyError) expect(clientResponse).toContain(`<strong>${result.error.proxyErrorReason}</strong>`);
        const rendered = result.error.log.map((entry) => renderForTranscript(entry).replace(/:\d{4,5}\b/g, ':PORT'));
        expect(rendered.length, rendered.join('\n')).toBe(transcript.log.length);
        rendered.forEach((line, index) => expect(sameLogLine(line, transcript.log[index]), `${line}\n!=\n${transcript.log[index]}`).toBe(true));
      } else if (name.startsWith('http09')) {
        expect(result.state).toBe('http09');
        if (result.state !== 'http09') return;
        expect(`HTTP/1.1 ${result.head.statusLine}`).toBe(clientStatusLine);
        expect(result.head.headers).toEqual([]);
        // The body httpd sends starts with the unparsed first line, without its CRLF.
        const chunkedBody = clientResponse.slice(clientResponse.indexOf('\r\n\r\n') + 4);
        const firstChunk = chunkedBody.slice(chunkedBody.indexOf('\r\n') + 2);
        expect(firstChunk.startsWith(Buffer.from(result.bodyPrefix).toString('latin1'))).toBe(true);
        expect(Buffer.from(result.bodyPrefix).toString('latin1')).toBe(response.slice(0, response.indexOf('\r\n')));
      } else {
        expect(result.state).toBe('complete');
        if (result.state !== 'complete') return;
        expect(`HTTP/1.1 ${result.head.statusLine}`).toBe(clientStatusLine);
        for (const [field, value] of result.head.headers) {
          if (!REWRITTEN.has(field.toLowerCase())) expect(clientResponse).toContain(`\r\n${field}: ${value}\r\n`);
        }
        expect(result.head.log.map((entry) => renderForTranscript(entry).replace(/:\d{4,5}\b/g, ':PORT'))).toEqual(transcript.log);
      }
    });
  }
});

describe('ResponseHeadParser results', () => {
  it('returns status, reason, ordered fields and where the body starts', () => {
    const head = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';
    const parser = new ResponseHeadParser({ path: '/ws/', backendHost: 'localhost', backendPort: 8080, requestedUpgrade: 'WebSocket' });
    const result = parser.push(bytes(`${head}\x81\x05Hello`));
    expect(result.state === 'complete' && result.head).toEqual({
      version: 'HTTP/1.1',
      versionNumber: 1001,
      status: 101,
      statusLine: '101 Switching Protocols',
      headers: [
        ['Upgrade', 'websocket'],
        ['Connection', 'Upgrade'],
        ['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
      ],
      rawHead: bytes(head),
      consumed: head.length,
      lengthDropped: false,
      backendCloses: true,
      log: [],
    });
  });

  it('waits for the byte after a field line, since it may start a fold', () => {
    const parser = new ResponseHeadParser({ path: '/', backendHost: 'b', backendPort: 1 });
    expect(parser.push(bytes('HTTP/1.1 200 OK\r\nX-Fold: a\r\n')).state).toBe('incomplete');
    const result = parser.push(bytes('\tb\r\n\r\n'));
    expect(result.state === 'complete' && result.head.headers).toEqual([['X-Fold', 'a\tb']]);
  });

  it('gives the same head when the response arrives one byte at a time', () => {
    const response = 'HTTP/1.0 302 Found\r\nLocation: http://localhost:3000/elsewhere\r\n  (folded)\r\n\r\n';
    const parser = new ResponseHeadParser({ path: '/', backendHost: 'b', backendPort: 1 });
    let result: ResponseHeadResult = { state: 'incomplete' };
    for (const byte of bytes(response)) result = parser.push(new Uint8Array([byte]));
    const whole = new ResponseHeadParser({ path: '/', backendHost: 'b', backendPort: 1 }).push(bytes(response));
    expect(result).toEqual(whole);
    expect(result.state === 'complete' && [result.head.headers, result.head.backendCloses]).toEqual([
      [['Location', 'http://localhost:3000/elsewhere  (folded)']],
      true,
    ]);
  });

  it('accepts a 101 only for the Upgrade the client asked for', () => {
    const parser = new ResponseHeadParser({ path: '/ws/', backendHost: 'b', backendPort: 1, requestedUpgrade: 'websocket' });
    const result = parser.push(bytes('HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n'));
    expect(result.state === 'error' && [result.error.reason, result.error.proxyErrorReason]).toEqual([
      'UNEXPECTED_UPGRADE',
      'Unexpected Upgrade: h2c (expecting websocket)',
    ]);
  });

  it('leaves out AH01105 when the client connection already served a request', () => {
    const parser = new ResponseHeadParser({ path: '/', backendHost: 'b', backendPort: 1, clientKeepalives: 2 });
    const result = parser.finish();
    expect(result.state === 'error' && result.error.log.map((entry) => entry.code)).toEqual(['AH01102', 'AH00898']);
  });

  // Scenarios 400 and 401: a backend slower than the backend timeout is 502 with AH01102 and
  // AH00898, the first caused by APR_TIMEUP, not a hang-up's 20014/70014.
  it('logs a silent backend as a timeout before the status line', () => {
    const parser = new ResponseHeadParser({ path: '/p/delay/2000', backendHost: '127.0.0.1', backendPort: 3000, clientKeepalives: 0 });
    const result = parser.timeout();
    expect(result.state).toBe('error');
    if (result.state !== 'error') return;
    expect(result.error.proxyErrorReason).toBe('Error reading from remote server');
    expect(result.error.log.filter((entry) => entry.level === 'error').map((entry) => [entry.code, entry.osError, entry.message])).toEqual([
      ['AH01102', '(70007)The timeout specified has expired', 'error reading status line from remote server 127.0.0.1:3000'],
      ['AH00898', undefined, 'Error reading from remote server returned by /p/delay/2000'],
    ]);
    // At debug level, as httpd 2.4.71 logs it: "read timeout" right after AH01102.
    expect(result.error.log.map((entry) => [entry.code, entry.level, entry.message, entry.origin])).toEqual([
      ['AH01102', 'error', 'error reading status line from remote server 127.0.0.1:3000', undefined],
      ['AH01103', 'debug', 'read timeout', 'mod_proxy_http.c(1116)'],
      ['AH01105', 'debug', 'NOT Closing connection to client although reading from backend server 127.0.0.1:3000 failed.', 'mod_proxy_http.c(1187)'],
      ['AH00898', 'error', 'Error reading from remote server returned by /p/delay/2000', undefined],
    ]);
  });

  it('says "read timeout" only for a timeout, not for a backend that hung up', () => {
    const parser = new ResponseHeadParser({ path: '/', backendHost: 'b', backendPort: 1, clientKeepalives: 0 });
    const result = parser.finish();
    expect(result.state === 'error' && result.error.log.map((entry) => entry.code)).toEqual(['AH01102', 'AH01105', 'AH00898']);
  });

  it('logs a timeout among the header lines as AH10404 with APR_TIMEUP', () => {
    const parser = new ResponseHeadParser({ path: '/', backendHost: 'b', backendPort: 1 });
    expect(parser.push(bytes('HTTP/1.1 200 OK\r\nX-A: 1\r\n')).state).toBe('incomplete');
    const result = parser.timeout();
    // Then the same AH01106 as a head cut short by a hang-up (r->headers_out is NULL either way).
    expect(result.state === 'error' && result.error.log.map((entry) => [entry.code, entry.osError])).toEqual([
      ['AH10404', '(70007)The timeout specified has expired'],
      ['AH01106', undefined],
    ]);
  });

  it('keeps a settled result when the timer fires late', () => {
    const parser = new ResponseHeadParser({ path: '/', backendHost: 'b', backendPort: 1 });
    const complete = parser.push(bytes('HTTP/1.1 204 No Content\r\n\r\n'));
    expect(parser.timeout()).toBe(complete);
  });
});
