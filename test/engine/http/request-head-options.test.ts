import { describe, expect, it } from 'vitest';
import { parseRequestHead } from '../../../sandbox/engine/http/request-head.ts';

const bytes = (text: string) => Uint8Array.from(text, (character) => character.charCodeAt(0));

describe('request head under configured limits and HttpProtocolOptions (server/protocol.c)', () => {
  it('reads a request line up to limit + 1 bytes and refuses limit + 2 with 414 and AH00565 (measured: scenario 660)', () => {
    const line = (length: number) => `GET /${'a'.repeat(length - 'GET / HTTP/1.1'.length)} HTTP/1.1\r\nHost: x\r\n\r\n`;
    expect(parseRequestHead(bytes(line(61)), { limits: { requestLine: 60 } }).state).toBe('complete');
    const refused = parseRequestHead(bytes(line(62)), { limits: { requestLine: 60 } });
    expect(refused.state === 'error' && [refused.error.status, refused.error.errorLogCode, refused.error.errorLogMessage]).toEqual([
      414,
      'AH00565',
      "request failed: client's request-line exceeds LimitRequestLine (longer than 60)",
    ]);
  });

  it('refuses a field count over LimitRequestFields with 400 and AH00563', () => {
    const head = 'GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n';
    expect(parseRequestHead(bytes(head), { limits: { fields: 3 } }).state).toBe('complete');
    const refused = parseRequestHead(bytes(head), { limits: { fields: 2 } });
    expect(refused.state === 'error' && [refused.error.status, refused.error.errorLogCode]).toEqual([400, 'AH00563']);
  });

  it('Require1.0 refuses a simple request with AH02401 at protocol.c(935), answered as HTTP/1.0', () => {
    const refused = parseRequestHead(bytes('GET /app/x\r\n'), { rejectHttp09: true });
    expect(refused.state === 'error' && [refused.error.status, refused.error.errorLogCode, refused.error.errorLog[0].origin]).toEqual([400, 'AH02401', 'protocol.c(935)']);
    expect(parseRequestHead(bytes('GET /app/x\r\n')).state).toBe('complete');
  });

  it('RegisteredMethods answers an unknown method (exact case) 501 with AH02423 and closes', () => {
    const options = { registeredMethodsOnly: true, registeredMethods: ['FROB'] };
    const refused = parseRequestHead(bytes('get /x HTTP/1.1\r\nHost: x\r\n\r\n'), options);
    expect(refused.state === 'error' && [refused.error.status, refused.error.errorLogMessage, refused.error.closeConnection]).toEqual([
      501,
      "HTTP Request Line; Unrecognized HTTP method: 'get' (disallowed by RegisteredMethods)",
      true,
    ]);
    for (const method of ['GET', 'HEAD', 'PATCH', 'BASELINE-CONTROL', 'FROB']) {
      expect(parseRequestHead(bytes(`${method} /x HTTP/1.1\r\nHost: x\r\n\r\n`), options).state).toBe('complete');
    }
  });
});
