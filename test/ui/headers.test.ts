/** Heads from the tap: parsing, the client-vs-backend diff with its reasons, Sec-WebSocket-Accept. */
import { describe, expect, it } from 'vitest';
import { checkAccept, diffHeads, parseHead, parseHeaderLines, statusOf } from '../../sandbox/ui/headers.ts';

const clientHead =
  'GET /ws/chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nKeep-Alive: timeout=5\r\nX-Custom: a\r\nX-Custom: b\r\n\r\n';
const backendHead =
  'GET /chat HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Custom: a, b\r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Host: example.com\r\nX-Forwarded-Server: example.com\r\n\r\n';

describe('parseHead', () => {
  it('splits the start line and the fields, joining folded lines', () => {
    expect(parseHead('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nX-Long: a\r\n  b\r\n\r\n')).toEqual({
      startLine: 'HTTP/1.1 101 Switching Protocols',
      headers: [
        ['Upgrade', 'websocket'],
        ['X-Long', 'a b'],
      ],
    });
    expect(statusOf('HTTP/1.1 503 Service Unavailable\r\n')).toBe(503);
    expect(statusOf('garbage')).toBeNull();
  });
});

describe('diffHeads', () => {
  it('explains what Apache changed between the two hops', () => {
    const diff = diffHeads(clientHead, backendHead);
    expect(diff.targetChanged).toBe(true);
    const byName = Object.fromEntries(diff.rows.map((row) => [row.name.toLowerCase(), row]));
    expect(byName.host).toMatchObject({ kind: 'changed', client: 'example.com', backend: 'localhost:8080', note: 'host-rewritten' });
    expect(byName['x-forwarded-for']).toMatchObject({ kind: 'added', backend: '127.0.0.1', note: 'x-forwarded-added' });
    expect(byName['keep-alive']).toMatchObject({ kind: 'removed', note: 'hop-by-hop-removed' });
    expect(byName.upgrade).toMatchObject({ kind: 'same', note: null });
    expect(byName['x-custom']).toMatchObject({ kind: 'same' });
    expect(diff.rows.map((row) => row.name)).toEqual([
      'Host', 'Upgrade', 'Connection', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Keep-Alive', 'X-Custom', 'X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Server',
    ]);
  });

  it('notes a preserved Host and headers named in Connection as hop-by-hop', () => {
    const diff = diffHeads('GET / HTTP/1.1\r\nHost: a\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\n\r\n', 'GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive\r\n\r\n');
    const byName = Object.fromEntries(diff.rows.map((row) => [row.name.toLowerCase(), row]));
    expect(byName.host.note).toBe('host-preserved');
    expect(byName['x-hop']).toMatchObject({ kind: 'removed', note: 'hop-by-hop-removed' });
    expect(byName.connection).toMatchObject({ kind: 'changed', note: 'connection-re-sent' });
    expect(diff.targetChanged).toBe(false);
  });
});

describe('checkAccept', () => {
  const answer = (accept?: string) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${accept ? `Sec-WebSocket-Accept: ${accept}\r\n` : ''}\r\n`;

  it('verifies the RFC 6455 example', () => {
    expect(checkAccept(clientHead, answer('s3pPLMBiTxaQ9kYGzzhZRbK+xOo='))).toEqual({
      kind: 'match',
      key: 'dGhlIHNhbXBsZSBub25jZQ==',
      expected: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
      got: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    });
  });

  it('reports a wrong or missing accept, a missing or malformed key, and non-upgrades', () => {
    expect(checkAccept(clientHead, answer('AAAAAAAAAAAAAAAAAAAAAAAAAAA='))).toMatchObject({ kind: 'mismatch', expected: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=' });
    expect(checkAccept(clientHead, answer())).toMatchObject({ kind: 'missing' });
    expect(checkAccept('GET / HTTP/1.1\r\nHost: a\r\n\r\n', answer('x'))).toEqual({ kind: 'no-key' });
    expect(checkAccept('GET / HTTP/1.1\r\nSec-WebSocket-Key: short\r\n\r\n', answer('x'))).toEqual({ kind: 'invalid-key', key: 'short' });
    expect(checkAccept(clientHead, 'HTTP/1.1 200 OK\r\n\r\n')).toEqual({ kind: 'not-websocket' });
  });
});

describe('parseHeaderLines', () => {
  it('reads "Name: value" lines and reports the others by line number', () => {
    expect(parseHeaderLines('X-A: 1\n\nX-B:two words\nnot a header\nBad Name: x\n: empty')).toEqual({
      headers: { 'X-A': '1', 'X-B': 'two words' },
      errors: [4, 5, 6],
    });
    expect(parseHeaderLines('X-Evil: <img src=x onerror=alert(1)>').headers).toEqual({ 'X-Evil': '<img src=x onerror=alert(1)>' });
  });
});
