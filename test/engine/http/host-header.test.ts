import { describe, expect, it } from 'vitest';
import { checkHost } from '../../../sandbox/engine/http/host-header.ts';

describe('checkHost', () => {
  it('lower-cases the name, drops a trailing dot and splits the port', () => {
    expect(checkHost('Example.COM.:8080')).toEqual({ ok: true, hostname: 'example.com', port: 8080, ipv6: false });
    expect(checkHost('localhost')).toEqual({ ok: true, hostname: 'localhost', port: undefined, ipv6: false });
  });

  it('accepts bracketed IPv6 literals with and without a port', () => {
    expect(checkHost('[::1]:8080')).toEqual({ ok: true, hostname: '::1', port: 8080, ipv6: true });
    expect(checkHost('[FE80::1]')).toEqual({ ok: true, hostname: 'fe80::1', port: undefined, ipv6: true });
    expect(checkHost('[::ffff:127.0.0.1]')).toEqual({ ok: true, hostname: '::ffff:127.0.0.1', port: undefined, ipv6: true });
  });

  it('refuses bad IPv6 literals and zone ids with AH00550 only', () => {
    expect(checkHost('[::1')).toEqual({ ok: false, log: [{ code: 'AH00550', message: 'Client sent malformed Host header: [::1' }] });
    expect(checkHost('[fe80::1%eth0]')).toEqual({ ok: false, log: [{ code: 'AH00550', message: 'Client sent malformed Host header: [fe80::1%eth0]' }] });
    expect(checkHost('[1:2:3:4:5:6:7:8:9]').ok).toBe(false);
  });

  it('refuses ports outside 1-65535', () => {
    expect(checkHost('a.test:0')).toEqual({ ok: false, log: [{ code: 'AH00550', message: 'Client sent malformed Host header: a.test:0' }] });
    expect(checkHost('a.test:65536').ok).toBe(false);
    expect(checkHost('a.test:65535')).toMatchObject({ ok: true, port: 65535 });
  });

  it('accepts exact dotted quads and refuses leading zeros or missing parts', () => {
    expect(checkHost('127.0.0.1')).toMatchObject({ ok: true, hostname: '127.0.0.1' });
    expect(checkHost('127.0.0.01')).toEqual({
      ok: false,
      log: [
        { code: 'AH02415', message: "[strict] Invalid host name '127.0.0.01'" },
        { code: 'AH00550', message: 'Client sent malformed Host header: 127.0.0.01' },
      ],
    });
  });

  it('accepts underscores (httpd is lenient there) but not other punctuation', () => {
    expect(checkHost('my_host.test')).toMatchObject({ ok: true, hostname: 'my_host.test' });
    expect(checkHost('a!b.test').ok).toBe(false);
  });

  it('treats an empty value as no host and a host from the target without port splitting', () => {
    expect(checkHost('')).toEqual({ ok: true, ipv6: false });
    expect(checkHost('::1', true)).toEqual({ ok: true, hostname: '::1', port: undefined, ipv6: true });
  });
});
