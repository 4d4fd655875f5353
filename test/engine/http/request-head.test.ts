import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RequestHeadParser, parseRequestHead } from '../../../sandbox/engine/http/request-head.ts';
import type { RequestHeadResult } from '../../../sandbox/engine/http/request-head.ts';
import { renderForTranscript, sameLogLine } from './error-log-rendering.ts';
import type { HttpdTranscript } from './httpd-transcript.ts';
import { REQUEST_HEAD_CASES } from './request-head-cases.ts';

const fixture: { transcripts: Record<string, HttpdTranscript> } = JSON.parse(
  readFileSync(new URL('./fixtures/httpd-request-head.json', import.meta.url), 'utf8'),
);
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

function run(request: string, halfClose = false): RequestHeadResult {
  const parser = new RequestHeadParser();
  const result = parser.push(bytes(request));
  return halfClose && result.state === 'incomplete' ? parser.finish() : result;
}

/** Statuses httpd gives while reading the head; anything else came from serving an accepted request. */
const HEAD_STATUSES = new Set([400, 414, 417]);

describe('RequestHeadParser against recorded httpd 2.4.71 transcripts', () => {
  for (const [name, testCase] of Object.entries(REQUEST_HEAD_CASES)) {
    const transcript = fixture.transcripts[name];
    it(`${name}: answers and logs like httpd`, () => {
      expect(transcript, `fixture has no transcript for ${name}; run record-httpd-request-head.ts`).toBeDefined();
      const result = run(testCase.request, testCase.halfClose);
      const statusLine = transcript.response?.startsWith('HTTP/') ? transcript.response.split('\r\n')[0] : null;
      const status = statusLine === null ? null : Number(statusLine.split(' ')[1]);

      if (transcript.stillWaiting) {
        // httpd was still reading; what it logged came from our hang-up, not from the request.
        expect(result).toEqual({ state: 'incomplete' });
      } else if (transcript.response === null) {
        expect(result).toEqual({ state: 'abandoned' });
      } else if (status !== null && HEAD_STATUSES.has(status)) {
        expect(result.state).toBe('error');
        if (result.state !== 'error') return;
        expect(result.error.status).toBe(status);
        const rendered = result.error.errorLog.map(renderForTranscript);
        expect(rendered.length, `log lines:\n${rendered.join('\n')}\nrecorded:\n${transcript.log.join('\n')}`).toBe(transcript.log.length);
        rendered.forEach((line, index) => expect(sameLogLine(line, transcript.log[index]), `${line}\n!=\n${transcript.log[index]}`).toBe(true));
        const notes = /<br \/>\n(.*)<\/p>/.exec(transcript.response)?.[1];
        expect(result.error.errorNotes ?? '').toBe(notes ?? '');
      } else {
        expect(result.state, JSON.stringify(result).slice(0, 400)).toBe('complete');
        if (result.state !== 'complete') return;
        expect(result.head.log.map(renderForTranscript)).toEqual(transcript.log);
        expect(result.head.http09).toBe(statusLine === null);
      }
    });
  }
});

describe('RequestHeadParser results', () => {
  it('returns the method, target, version and fields in order with their case, and the raw head', () => {
    const request = 'GET /ws/chat?room=1 HTTP/1.1\r\nHost: Example.com:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Empty:\r\n\r\n';
    const result = parseRequestHead(bytes(`${request}BODY`));
    expect(result.state).toBe('complete');
    if (result.state !== 'complete') return;
    expect(result.head).toEqual({
      method: 'GET',
      target: '/ws/chat?room=1',
      version: 'HTTP/1.1',
      versionNumber: 1001,
      http09: false,
      path: '/ws/chat',
      query: 'room=1',
      headers: [
        ['Host', 'Example.com:8080'],
        ['Upgrade', 'websocket'],
        ['Connection', 'Upgrade'],
        ['X-Empty', ''],
      ],
      hostname: 'example.com',
      hostPort: 8080,
      rawHead: bytes(request),
      consumed: request.length,
      closeAfterResponse: false,
      log: [],
    });
  });

  it('joins obs-fold continuations with one space and drops trailing blanks', () => {
    const result = parseRequestHead(bytes('GET / HTTP/1.1\r\nHost: x\r\nX-Fold: a \t\r\n \t b\t\r\n\r\n'));
    expect(result.state === 'complete' && result.head.headers).toEqual([
      ['Host', 'x'],
      ['X-Fold', 'a b'],
    ]);
  });

  it('collapses leading slashes in the path but keeps the target as sent', () => {
    const result = parseRequestHead(bytes('GET //chat HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(result.state === 'complete' && [result.head.target, result.head.path]).toEqual(['//chat', '/chat']);
  });

  it('takes the host from an absolute-form target over the Host header', () => {
    const result = parseRequestHead(bytes('GET http://LocalHost:8080/x HTTP/1.1\r\nHost: other\r\n\r\n'));
    expect(result.state === 'complete' && [result.head.hostname, result.head.hostPort, result.head.path]).toEqual(['localhost', 8080, '/x']);
  });

  it('takes an empty authority (http:///x) as a present, empty host name, so HTTP/1.1 with Host is complete (scenario 534)', () => {
    const result = parseRequestHead(bytes('GET http:///x HTTP/1.1\r\nHost: other\r\n\r\n'));
    expect(result.state === 'complete' && [result.head.hostname, result.head.path]).toEqual(['', '/x']);
  });

  it('marks a request with both Content-Length and Transfer-Encoding to close after the response', () => {
    const result = parseRequestHead(bytes('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n'));
    expect(result.state === 'complete' && result.head.closeAfterResponse).toBe(true);
  });

  it('gives the same answer when the head arrives one byte at a time', () => {
    const request = '\r\nGET /a HTTP/1.1\r\nHost: x\r\nX-Fold: 1\r\n 2\r\n\r\n';
    const parser = new RequestHeadParser();
    const states: string[] = [];
    for (const byte of bytes(request)) states.push(parser.push(new Uint8Array([byte])).state);
    expect(states.slice(0, -1).every((state) => state === 'incomplete')).toBe(true);
    expect(parser.push(new Uint8Array(0))).toEqual(parseRequestHead(bytes(request)));
  });

  it('stops at the end of the head and leaves later bytes unread', () => {
    const parser = new RequestHeadParser();
    const first = parser.push(bytes('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next'));
    expect(first.state === 'complete' && first.head.consumed).toBe(27);
    expect(parser.push(bytes(' HTTP/1.1\r\n'))).toBe(first);
  });

  it('answers a field line that is one byte too long with 400, AH00561 and the error note, as soon as its LF arrives', () => {
    const parser = new RequestHeadParser();
    expect(parser.push(bytes(`GET / HTTP/1.1\r\nHost: x\r\nX-Long: ${'b'.repeat(8184)}`)).state).toBe('incomplete');
    const result = parser.push(bytes('\r\n'));
    expect(result.state === 'error' && result.error).toMatchObject({
      status: 400,
      reason: 'FIELD_TOO_LONG',
      errorLogCode: 'AH00561',
      errorLogMessage: 'Request header exceeds LimitRequestFieldSize: X-Long',
      errorNotes: 'Size of a request header field exceeds server limit.',
      consumed: 25 + 8192 + 2,
    });
  });

  it('answers an over-long request line with 414 and AH00565 at level info', () => {
    const result = parseRequestHead(bytes(`GET /${'a'.repeat(8180)} HTTP/1.1\r\n`));
    expect(result.state === 'error' && result.error).toMatchObject({
      status: 414,
      reason: 'REQUEST_LINE_TOO_LONG',
      errorLogCode: 'AH00565',
      errorLogMessage: "request failed: client's request-line exceeds LimitRequestLine (longer than 8190)",
      errorLog: [{ module: 'core', level: 'info', code: 'AH00565' }],
    });
  });

  it('applies configured limits', () => {
    const parser = new RequestHeadParser({ limits: { requestLine: 20, fields: 1 } });
    const result = parser.push(bytes('GET /0123456789 HTTP/1.1\r\n'));
    expect(result.state === 'error' && result.error.errorLogMessage).toBe(
      "request failed: client's request-line exceeds LimitRequestLine (longer than 20)",
    );
    const tooMany = new RequestHeadParser({ limits: { fields: 1 } }).push(bytes('GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\n\r\n'));
    expect(tooMany.state === 'error' && tooMany.error.reason).toBe('TOO_MANY_FIELDS');
  });

  it('reports the missing Host of an HTTP/1.1 request with the path httpd quotes', () => {
    const result = parseRequestHead(bytes('GET /ws/?x=1 HTTP/1.1\r\n\r\n'));
    expect(result.state === 'error' && [result.error.status, result.error.errorLogCode, result.error.errorLogMessage]).toEqual([
      400,
      'AH00569',
      'client sent HTTP/1.1 request without hostname (see RFC2616 section 14.23): /ws/',
    ]);
  });

  it('keeps the host of a 417 so the error page can name it, and keeps the connection open', () => {
    const result = parseRequestHead(bytes('GET / HTTP/1.1\r\nHost: Example.COM:8080\r\nExpect: foo\r\n\r\n'));
    expect(result.state === 'error' && [result.error.status, result.error.hostname, result.error.hostPort, result.error.closeConnection]).toEqual([
      417,
      'example.com',
      8080,
      false,
    ]);
  });

  it('closes the connection after every 400 and 414', () => {
    for (const request of ['GET / HTTP/1.1\r\n\r\n', 'G@T / HTTP/1.1\r\n\r\n', `GET /${'a'.repeat(9000)} HTTP/1.1\r\n`]) {
      const result = parseRequestHead(bytes(request));
      expect(result.state === 'error' && result.error.closeConnection).toBe(true);
    }
  });

  it('is abandoned when the client leaves before a request line', () => {
    const parser = new RequestHeadParser();
    parser.push(bytes('\r\nGET'));
    expect(parser.finish()).toEqual({ state: 'abandoned' });
  });
});
