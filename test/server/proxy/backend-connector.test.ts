import net from 'node:net';
import type { PeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { certificateNamesHost, commonNameMatches, connectBackend, describeOsError } from '../../../sandbox/server/proxy/backend-connector.ts';

const certificate = (subjectaltname: string | undefined, cn = 'fallback.example') => ({ subjectaltname, subject: { CN: cn } }) as unknown as PeerCertificate;

describe('describeOsError', () => {
  it.each([
    ['ECONNREFUSED', '(111)Connection refused'],
    ['ETIMEDOUT', '(110)Connection timed out'],
    ['ECONNRESET', '(104)Connection reset by peer'],
    ['APR_TIMEUP', '(70007)The timeout specified has expired'],
    ['EWHATEVER', '(-1)EWHATEVER'],
  ])('%s → %s', (code, text) => {
    expect(describeOsError(code)).toBe(text);
  });
});

describe('certificateNamesHost', () => {
  it('matches a DNS subjectAltName, case-insensitively', () => {
    expect(certificateNamesHost(certificate('DNS:backend.example, DNS:other.example'), 'Backend.Example')).toBe(true);
  });

  it('lets a wildcard cover exactly one label', () => {
    const wildcard = certificate('DNS:*.example.com');
    expect([certificateNamesHost(wildcard, 'ws.example.com'), certificateNamesHost(wildcard, 'a.ws.example.com'), certificateNamesHost(wildcard, 'example.com')]).toEqual([true, false, false]);
  });

  it('never matches an IP address, even one listed as an IP SAN', () => {
    expect(certificateNamesHost(certificate('IP Address:127.0.0.1, DNS:localhost'), '127.0.0.1')).toBe(false);
  });

  it('falls back to the CN only when there is no DNS name', () => {
    expect(certificateNamesHost(certificate(undefined, 'cn.example'), 'cn.example')).toBe(true);
    expect(certificateNamesHost(certificate('DNS:san.example', 'cn.example'), 'cn.example')).toBe(false);
  });
});

describe('commonNameMatches (SSLProxyCheckPeerCN on by itself)', () => {
  it('compares the subject CN, with "*." matching the host from its first dot', () => {
    expect(commonNameMatches(certificate('DNS:san.example', 'CN.example'), 'cn.example')).toBe(true);
    expect(commonNameMatches(certificate(undefined, '*.example.com'), 'ws.example.com')).toBe(true);
    expect(commonNameMatches(certificate(undefined, '*.example.com'), 'a.ws.example.com')).toBe(false);
    expect(commonNameMatches(certificate(undefined, 'localhost'), '127.0.0.1')).toBe(false);
  });
});

describe('connectBackend', () => {
  it('connects to a listening backend', async () => {
    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const result = await connectBackend({ host: '127.0.0.1', port, tls: false }, 2_000);
      expect(result.ok && [result.address, result.port]).toEqual(['127.0.0.1', port]);
      if (result.ok) result.socket.destroy();
    } finally {
      server.close();
    }
  });

  it('reports a refused connection as httpd words it', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const result = await connectBackend({ host: '127.0.0.1', port, tls: false }, 2_000);
    expect(result).toEqual({ ok: false, failure: { kind: 'connect', address: '127.0.0.1', port, osError: '(111)Connection refused' } });
  });

  it('reports a TLS handshake failure against a plain backend as kind "tls"', async () => {
    const server = net.createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const result = await connectBackend({ host: '127.0.0.1', port, tls: true }, 2_000);
      expect(result.ok ? 'connected' : result.failure.kind).toBe('tls');
    } finally {
      server.close();
    }
  });
});
