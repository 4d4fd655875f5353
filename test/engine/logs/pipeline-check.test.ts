import { describe, expect, it } from 'vitest';
import { pipelineCheckBytes } from '../../../sandbox/engine/logs/access-log.ts';
import { RequestHeadParser } from '../../../sandbox/engine/http/request-head.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('pipelineCheckBytes (what ap_check_pipeline adds to %I)', () => {
  it('adds nothing when no next request is waiting', () => {
    expect(pipelineCheckBytes(bytes(''))).toBe(0);
  });

  it('adds the one byte peeked of a pipelined request (scenario 341: I=41 for a 40-byte head)', () => {
    expect(pipelineCheckBytes(bytes('GET /k2 HTTP/1.1\r\n'))).toBe(1);
  });

  it('counts the reads that take blank lines away before the next request', () => {
    // CR peeked (1), CR LF peeked (2), CR LF read (2), then "G" peeked (1).
    expect(pipelineCheckBytes(bytes('\r\nGET'))).toBe(6);
    // LF peeked (1) and read (1), then "G" peeked (1).
    expect(pipelineCheckBytes(bytes('\nGET'))).toBe(3);
  });
});

describe('RequestHeadParser.timeout (Timeout passed, head incomplete)', () => {
  it('closes without a trace when nothing arrived', () => {
    expect(new RequestHeadParser().timeout()).toEqual({ state: 'abandoned' });
  });

  it('logs a 408 it never sends for a request line still incomplete', () => {
    const parser = new RequestHeadParser();
    parser.push(bytes('GET /app/ HT'));
    const result = parser.timeout();
    expect(result.state).toBe('error');
    if (result.state !== 'error') return;
    expect(result.error).toMatchObject({ status: 408, unanswered: true, consumed: 12, errorLog: [] });
    expect(result.error.theRequest).toBeUndefined();
  });

  it('answers 408 with AH00567 at debug once the request line was read', () => {
    const parser = new RequestHeadParser();
    parser.push(bytes('GET /app/ HTTP/1.1\r\nHost: localhost\r\n'));
    const result = parser.timeout();
    expect(result.state).toBe('error');
    if (result.state !== 'error') return;
    expect(result.error.unanswered).toBeUndefined();
    expect(result.error).toMatchObject({ status: 408, closeConnection: true, consumed: 37, theRequest: 'GET /app/ HTTP/1.1', method: 'GET', path: '/app/' });
    expect(result.error.errorLog.map((entry) => [entry.code, entry.level])).toEqual([['AH00567', 'debug']]);
  });
});
