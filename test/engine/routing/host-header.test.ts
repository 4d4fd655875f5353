import { describe, expect, it } from 'vitest';
import { parseHostHeader } from '../../../sandbox/engine/routing/host-header.ts';

describe('parseHostHeader (fix_hostname, strict)', () => {
  it('lower-cases the name and splits off the port', () => {
    expect(parseHostHeader('A.Test:8800')).toEqual({ ok: true, hostname: 'a.test', port: 8800, ipv6: false });
  });

  it('strips one trailing dot', () => {
    expect(parseHostHeader('b.test.')).toEqual({ ok: true, hostname: 'b.test', port: null, ipv6: false });
  });

  it('accepts underscores, as httpd 2.4.71 did for a_b.test', () => {
    expect(parseHostHeader('a_b.test')).toMatchObject({ ok: true, hostname: 'a_b.test' });
  });

  it('rejects two Host headers folded into one value, as httpd answered 400', () => {
    expect(parseHostHeader('a.test, b.test')).toEqual({
      ok: false,
      code: 'AH00550',
      message: 'Client sent malformed Host header: a.test, b.test',
    });
  });

  it('rejects a.test:x and a..test', () => {
    expect(parseHostHeader('a.test:x').ok).toBe(false);
    expect(parseHostHeader('a..test').ok).toBe(false);
  });

  it('rejects a purely numeric host with AH02416', () => {
    expect(parseHostHeader('8800')).toMatchObject({ ok: false, code: 'AH02416' });
  });

  it('accepts a bracketed IPv6 literal with a port', () => {
    expect(parseHostHeader('[::1]:8803')).toEqual({ ok: true, hostname: '::1', port: 8803, ipv6: true });
  });

  it('rejects a dotted quad that is not four numbers', () => {
    expect(parseHostHeader('1.2.3').ok).toBe(false);
  });

  it('rejects a top-level label starting with a digit', () => {
    expect(parseHostHeader('example.1com').ok).toBe(false);
  });
});
