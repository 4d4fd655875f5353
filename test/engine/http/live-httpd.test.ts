/**
 * Differential check against the httpd installed on this machine: the same raw requests go to a
 * real httpd and through the emulator's head reader and error pages, and the bytes must agree
 * (Date aside). Skipped where /usr/sbin/apache2 is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildErrorResponse, serializeResponse } from '../../../sandbox/engine/http/error-page.ts';
import { parseRequestHead } from '../../../sandbox/engine/http/request-head.ts';
import { renderForTranscript, sameLogLine } from './error-log-rendering.ts';
import { recordTranscript } from './httpd-transcript.ts';
import { hasRealApache, startThrowawayHttpd } from './throwaway-httpd.ts';
import type { ThrowawayHttpd } from './throwaway-httpd.ts';

const CASES: Record<string, string> = {
  'request line one byte over the limit': `GET /${'a'.repeat(8192 - 14)} HTTP/1.1\r\nHost: a.test\r\n\r\n`,
  'field line one byte over the limit': `GET / HTTP/1.1\r\nHost: a.test\r\nX-Long: ${'b'.repeat(8184)}\r\n\r\n`,
  '101 fields': `GET / HTTP/1.1\r\nHost: a.test\r\n${'X: v\r\n'.repeat(100)}\r\n`,
  'HTTP/1.1 without Host': 'GET /ws/ HTTP/1.1\r\nUpgrade: websocket\r\n\r\n',
  'two Host headers': 'GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n',
  'fold before the first field': 'GET / HTTP/1.1\r\n Host: a.test\r\n\r\n',
  'invalid method token': 'GE(T / HTTP/1.1\r\nHost: a.test\r\n\r\n',
  'unknown Expect': 'GET / HTTP/1.1\r\nHost: A.Test:8080\r\nExpect: 200-ok\r\n\r\n',
};

describe.skipIf(!hasRealApache)('request heads and error pages, live against real httpd', () => {
  let httpd: ThrowawayHttpd;
  beforeAll(async () => {
    httpd = await startThrowawayHttpd({ extraConfig: 'ServerTokens OS\nServerSignature On', logLevel: 'debug' });
  });
  afterAll(async () => {
    await httpd?.stop();
  });

  for (const [name, request] of Object.entries(CASES)) {
    it(`${name}: same answer and same log lines`, async () => {
      const transcript = await recordTranscript(httpd, request);
      const result = parseRequestHead(new Uint8Array(Buffer.from(request, 'latin1')));
      expect(result.state).toBe('error');
      if (result.state !== 'error') return;
      const { error } = result;
      const response = buildErrorResponse({
        status: error.status,
        serverName: error.hostname ?? 'localhost',
        port: error.hostPort ?? 80,
        errorNotes: error.errorNotes,
        expect: error.status === 417 ? '200-ok' : undefined,
        connection: { close: error.closeConnection },
        serverSignature: 'On',
        serverTokens: 'OS',
        date: new Date(0),
      });
      const emulated = Buffer.from(serializeResponse(response)).toString('latin1').replace(/^Date: .*$/m, 'Date: <date>');
      expect(emulated).toBe(transcript.response);
      const rendered = error.errorLog.map(renderForTranscript);
      expect(rendered.length, `${rendered.join('\n')}\n--- httpd:\n${transcript.log.join('\n')}`).toBe(transcript.log.length);
      rendered.forEach((line, index) => expect(sameLogLine(line, transcript.log[index]), `${line}\n!=\n${transcript.log[index]}`).toBe(true));
    });
  }
});
