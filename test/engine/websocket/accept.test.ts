import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeWebSocketAccept, encodeBase64, isValidWebSocketKey, sha1 } from '../../../sandbox/engine/websocket/accept.ts';

const bytesOf = (text: string) => new TextEncoder().encode(text);
const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('computeWebSocketAccept', () => {
  it('gives the RFC 6455 section 1.3 example answer', () => {
    expect(computeWebSocketAccept('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('agrees with node:crypto for random keys', () => {
    for (let round = 0; round < 50; round++) {
      const key = randomBytes(16).toString('base64');
      const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      expect(computeWebSocketAccept(key)).toBe(expected);
    }
  });
});

describe('sha1', () => {
  it('matches the FIPS 180 test vectors', () => {
    expect(hexOf(sha1(bytesOf('')))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(hexOf(sha1(bytesOf('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hexOf(sha1(bytesOf('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    );
  });

  it('agrees with node:crypto at every length around the 64-byte block and padding edges', () => {
    for (let length = 0; length <= 130; length++) {
      const message = randomBytes(length);
      expect(hexOf(sha1(new Uint8Array(message)))).toBe(createHash('sha1').update(message).digest('hex'));
    }
  });
});

describe('encodeBase64', () => {
  it('pads one- and two-byte tails like RFC 4648', () => {
    expect(encodeBase64(bytesOf(''))).toBe('');
    expect(encodeBase64(bytesOf('f'))).toBe('Zg==');
    expect(encodeBase64(bytesOf('fo'))).toBe('Zm8=');
    expect(encodeBase64(bytesOf('foo'))).toBe('Zm9v');
    expect(encodeBase64(bytesOf('foobar'))).toBe('Zm9vYmFy');
    expect(encodeBase64(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('+/+/');
  });
});

describe('isValidWebSocketKey', () => {
  it('accepts base64 of exactly 16 bytes', () => {
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe(true);
    expect(isValidWebSocketKey(randomBytes(16).toString('base64'))).toBe(true);
  });

  it('rejects other lengths, missing padding and foreign characters', () => {
    expect(isValidWebSocketKey('')).toBe(false);
    expect(isValidWebSocketKey(randomBytes(15).toString('base64'))).toBe(false);
    expect(isValidWebSocketKey(randomBytes(17).toString('base64'))).toBe(false);
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25jZQ')).toBe(false);
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25jZQ==\r')).toBe(false);
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25j-Q==')).toBe(false);
  });
});
