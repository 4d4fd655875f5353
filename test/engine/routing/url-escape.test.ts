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

describe('canonicalisePath with PROXY_CANONENC_NOENCODEDSLASHENCODING (AllowEncodedSlashes NoDecode)', () => {
  it('keeps an encoded slash as written, in either case', () => {
    expect(canonicalisePath('/a%2Fb', true)).toBe('/a%2Fb');
    expect(canonicalisePath('/a%2fb', true)).toBe('/a%2fb');
  });

  it('encodes any other "%" as %25 and leaves the hex digits after it', () => {
    expect(canonicalisePath('/a%41', true)).toBe('/a%2541');
    expect(canonicalisePath('/a%5Cb c', true)).toBe('/a%255Cb%20c');
  });

  it('fails on a "%" without two hex digits after it', () => {
    expect(canonicalisePath('/a%zzb', true)).toBeNull();
    expect(canonicalisePath('/a%2', true)).toBeNull();
  });
});

