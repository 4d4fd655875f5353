import { describe, expect, it } from 'vitest';
import { canonicalisePath, escapePathForRedirect } from '../../../sandbox/engine/routing/url-escape.ts';

describe('canonicalisePath (ap_proxy_canonenc_ex, enc_path)', () => {
  it('re-encodes what httpd 2.4.71 re-encoded for the backend', () => {
    expect(canonicalisePath('/a b')).toBe('/a%20b');
    expect(canonicalisePath('/a?b#c')).toBe('/a%3Fb%23c');
    expect(canonicalisePath('/a\'b"c<>')).toBe("/a'b%22c%3C%3E");
    expect(canonicalisePath('/a%b')).toBe('/a%25b');
    expect(canonicalisePath('/a\\b')).toBe('/a%5Cb');
  });

  it('leaves the characters httpd leaves alone', () => {
    expect(canonicalisePath("/a:b@c!$&()*,;=+~-_.'")).toBe("/a:b@c!$&()*,;=+~-_.'");
  });

  it('encodes bytes above 0x7F with uppercase hex', () => {
    expect(canonicalisePath('/\u00e3\u0081\u0082')).toBe('/%E3%81%82');
  });
});

describe('escapePathForRedirect (ap_os_escape_path)', () => {
  it('escapes a space with lowercase hex and keeps slashes', () => {
    expect(escapePathForRedirect('/new/x y')).toBe('/new/x%20y');
    expect(escapePathForRedirect('/a"b')).toBe('/a%22b');
  });
});
