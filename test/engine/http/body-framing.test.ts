import { describe, expect, it } from 'vitest';
import { BodyDecoder, requestBodyFraming, responseBodyFraming } from '../../../sandbox/engine/http/body-framing.ts';
import type { BodyFraming } from '../../../sandbox/engine/http/body-framing.ts';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

/** Feed `text` in one piece and report the progress. */
function decodeWhole(framing: BodyFraming, text: string, strict = true) {
  return new BodyDecoder(framing, { strict }).push(bytes(text));
}

/** Feed `text` a byte at a time; returns the total consumed and the final progress. */
function decodeBytewise(framing: BodyFraming, text: string) {
  const decoder = new BodyDecoder(framing);
  let consumed = 0;
  let last = decoder.push(new Uint8Array(0));
  for (const byte of bytes(text)) {
    last = decoder.push(new Uint8Array([byte]));
    consumed += last.consumed;
    if (last.done || last.error) break;
  }
  return { consumed, done: last.done, error: last.error, payload: decoder.payloadLength };
}

const chunked: BodyFraming = { kind: 'chunked' };

describe('requestBodyFraming', () => {
  it('uses chunked when Transfer-Encoding is present, else Content-Length, else no body', () => {
    expect(requestBodyFraming([['Transfer-Encoding', 'chunked'], ['Content-Length', '5']])).toEqual({ kind: 'chunked' });
    expect(requestBodyFraming([['content-length', '5']])).toEqual({ kind: 'content-length', length: 5 });
    expect(requestBodyFraming([['Content-Length', '0']])).toEqual({ kind: 'none' });
    expect(requestBodyFraming([['Host', 'x']])).toEqual({ kind: 'none' });
  });
});

describe('responseBodyFraming', () => {
  const framing = (status: number, headers: Array<[string, string]>, requestMethod = 'GET') => responseBodyFraming({ status, headers, requestMethod });

  it('gives no body to HEAD answers, 1xx, 204 and 304 whatever they announce', () => {
    expect(framing(200, [['Content-Length', '10']], 'HEAD')).toEqual({ kind: 'none' });
    expect(framing(101, [['Content-Length', '10']])).toEqual({ kind: 'none' });
    expect(framing(204, [['Transfer-Encoding', 'chunked']])).toEqual({ kind: 'none' });
    expect(framing(304, [['Content-Length', '10']])).toEqual({ kind: 'none' });
  });

  it('prefers chunked over Content-Length, and reads until close for other codings or no length', () => {
    expect(framing(200, [['Content-Length', '10'], ['Transfer-Encoding', 'gzip, chunked']])).toEqual({ kind: 'chunked' });
    expect(framing(200, [['Transfer-Encoding', 'gzip']])).toEqual({ kind: 'until-close' });
    expect(framing(200, [])).toEqual({ kind: 'until-close' });
    expect(framing(200, [['Content-Length', 'abc']])).toEqual({ kind: 'until-close' });
    expect(framing(200, [['Content-Length', '2']])).toEqual({ kind: 'content-length', length: 2 });
  });
});

describe('BodyDecoder with Content-Length', () => {
  it('takes exactly the announced bytes and leaves the next message alone', () => {
    expect(decodeWhole({ kind: 'content-length', length: 5 }, 'helloGET / HTTP/1.1')).toEqual({ consumed: 5, done: true });
  });

  it('counts across chunks', () => {
    const decoder = new BodyDecoder({ kind: 'content-length', length: 5 });
    expect(decoder.push(bytes('hel'))).toEqual({ consumed: 3, done: false });
    expect(decoder.push(bytes('loXY'))).toEqual({ consumed: 2, done: true });
    expect(decoder.push(bytes('Z'))).toEqual({ consumed: 0, done: true });
  });

  it('reports a body cut short by a close', () => {
    const decoder = new BodyDecoder({ kind: 'content-length', length: 5 });
    decoder.push(bytes('he'));
    expect(decoder.finish()).toEqual({ consumed: 0, done: false, error: { code: 'BODY_TRUNCATED', message: 'connection closed before the body ended', offset: 2 } });
  });
});

describe('BodyDecoder reading until close', () => {
  it('takes everything and is complete when the sender closes', () => {
    const decoder = new BodyDecoder({ kind: 'until-close' });
    expect(decoder.push(bytes('NOT HTTP AT ALL\r\n'))).toEqual({ consumed: 17, done: false });
    expect(decoder.finish()).toEqual({ consumed: 0, done: true });
  });
});

describe('BodyDecoder with chunked framing', () => {
  const wikipedia = '4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n';

  it('finds the end of a chunked body and stops before the next message', () => {
    expect(decodeWhole(chunked, `${wikipedia}HTTP/1.1 200 OK\r\n`)).toEqual({ consumed: wikipedia.length, done: true });
  });

  it('gives the same boundary a byte at a time, and counts only payload bytes as payload', () => {
    expect(decodeBytewise(chunked, `${wikipedia}NEXT`)).toEqual({ consumed: wikipedia.length, done: true, error: undefined, payload: 23 });
  });

  it('accepts extensions, trailers, leading zeros and up to ten blanks after the size', () => {
    const body = '004;name=value\r\nabcd\r\n2          \r\nef\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n';
    expect(decodeWhole(chunked, body)).toEqual({ consumed: body.length, done: true });
  });

  it('refuses eleven blanks after the size', () => {
    expect(decodeWhole(chunked, '2           \r\nab\r\n0\r\n\r\n').error?.code).toBe('CHUNK_SIZE_INVALID');
  });

  it('refuses a size line that does not start with a hex digit', () => {
    expect(decodeWhole(chunked, '\r\n')).toEqual({
      consumed: 1,
      done: false,
      error: {
        code: 'CHUNK_SIZE_INVALID',
        message: 'chunk size must start with a hex digit',
        offset: 0,
        status: 400,
        errorLog: { code: 'AH01590', message: 'Error reading/parsing chunk  ', osError: '(22)Invalid argument' },
      },
    });
    expect(decodeWhole(chunked, ' 1\r\nx\r\n0\r\n\r\n').error?.code).toBe('CHUNK_SIZE_INVALID');
  });

  it('refuses a bare LF in strict mode and accepts it otherwise', () => {
    expect(decodeWhole(chunked, '1\nx\r\n0\r\n\r\n').error?.code).toBe('CHUNK_CRLF_EXPECTED');
    expect(decodeWhole(chunked, '1\nx\n0\n\n', false)).toEqual({ consumed: 7, done: true });
  });

  it('refuses data that is not followed by CRLF', () => {
    expect(decodeWhole(chunked, '1\r\nxy\r\n').error).toMatchObject({ code: 'CHUNK_CRLF_EXPECTED', message: 'CRLF expected after chunk data', offset: 4 });
  });

  it('refuses sizes beyond a signed 64-bit length', () => {
    expect(decodeWhole(chunked, '7fffffffffffffff\r\n').error).toBeUndefined();
    expect(decodeWhole(chunked, '8000000000000000\r\n').error?.code).toBe('CHUNK_SIZE_OVERFLOW');
    expect(decodeWhole(chunked, '00000000000000000001\r\nx\r\n0\r\n\r\n').done).toBe(true);
  });

  it('refuses control characters in an extension and over-long size lines', () => {
    expect(decodeWhole(chunked, '1;a\x01\r\nx\r\n0\r\n\r\n').error?.code).toBe('CHUNK_SIZE_INVALID');
    const decoder = new BodyDecoder(chunked, { lineLimit: 10 });
    expect(decoder.push(bytes('1;abcdefghijk\r\n')).error?.code).toBe('CHUNK_LINE_TOO_LONG');
  });

  it('is truncated when the sender closes mid-body', () => {
    const decoder = new BodyDecoder(chunked);
    decoder.push(bytes('5\r\nab'));
    expect(decoder.finish().error?.code).toBe('BODY_TRUNCATED');
  });
});

describe('BodyDecoder verdicts measured on httpd 2.4.71 (chunked POST through mod_proxy_http)', () => {
  // Each body was sent as a chunked request to a ProxyPass location; httpd's answer is on the right.
  const measured: Array<[string, string, 'ok' | 400 | 413]> = [
    ['plain', '4\r\nWiki\r\n0\r\n\r\n', 'ok'],
    ['bare LF after the size', '4\nWiki\r\n0\r\n\r\n', 400],
    ['bare LF after the data', '4\r\nWiki\n0\r\n\r\n', 400],
    ['ten blanks after the size', '4          \r\nWiki\r\n0\r\n\r\n', 'ok'],
    ['eleven blanks after the size', '4           \r\nWiki\r\n0\r\n\r\n', 400],
    ['an extension', '4;a=b\r\nWiki\r\n0\r\n\r\n', 'ok'],
    ['a bad hex digit', '4x\r\nWiki\r\n0\r\n\r\n', 400],
    ['a size past 2^63 - 1', '8000000000000000\r\nWiki\r\n0\r\n\r\n', 413],
    ['a trailer', '4\r\nWiki\r\n0\r\nX-T: 1\r\n\r\n', 'ok'],
    ['a blank before the size', ' 4\r\nWiki\r\n0\r\n\r\n', 400],
  ];
  for (const [name, body, verdict] of measured) {
    it(`${name}: ${verdict === 'ok' ? 'accepted' : verdict}`, () => {
      const progress = decodeWhole(chunked, body);
      if (verdict === 'ok') expect(progress).toEqual({ consumed: body.length, done: true });
      else expect(progress.error?.status).toBe(verdict);
    });
  }
});

describe('BodyDecoder with a payloadLimit (LimitRequestBody on a chunked body)', () => {
  const body = new TextEncoder().encode('6\r\n012345\r\n6\r\n6789ab\r\n0\r\n\r\n');

  it('stops right after the chunk data that passed the limit, as ap_http_filter does (AH01591 at 12 of 10)', () => {
    const decoder = new BodyDecoder({ kind: 'chunked' }, { payloadLimit: 10 });
    const progress = decoder.push(body);
    // "6\r\n012345\r\n6\r\n6789ab": the second chunk's CRLF is never read.
    expect(progress).toMatchObject({ consumed: 20, done: false, error: { code: 'BODY_OVER_LIMIT', status: 413 } });
    expect(decoder.payloadLength).toBe(12);
  });

  it('reads a body at the limit whole, and 0 means no limit', () => {
    expect(new BodyDecoder({ kind: 'chunked' }, { payloadLimit: 12 }).push(body)).toEqual({ consumed: body.length, done: true });
    expect(new BodyDecoder({ kind: 'chunked' }, { payloadLimit: 0 }).push(body)).toEqual({ consumed: body.length, done: true });
  });
});
