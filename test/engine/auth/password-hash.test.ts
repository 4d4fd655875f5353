import { describe, expect, it } from 'vitest';
import { md5, md5Crypt, sha1, validatePassword } from '../../../sandbox/engine/auth/password-hash.ts';

const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
const bytes = (text: string) => new TextEncoder().encode(text);

describe('digests', () => {
  it('MD5 matches the RFC 1321 test suite', () => {
    expect(hex(md5(bytes('')))).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(hex(md5(bytes('abc')))).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(hex(md5(bytes('12345678901234567890123456789012345678901234567890123456789012345678901234567890')))).toBe('57edf4a22be3c955ac49da2e2107b67a');
  });
  it('SHA-1 matches the FIPS 180 examples', () => {
    expect(hex(sha1(bytes('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hex(sha1(bytes('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('84983e441c3bd26ebaae4aa1f95129e5e54670f1');
  });
});

describe('validatePassword (apr_password_validate)', () => {
  // Written by Debian's htpasswd 2.4 (-b default, -B, -s) and openssl passwd -1.
  it.each([
    ['wonderland', '$apr1$uGdf/Kvj$5h0Tu82NSbYaNuR63IFvY0'],
    ['builder', '$2y$05$NF7FFsKB03OuI9VMxqueMO7UnrS2A1grJR.fK8mZSV/NWoaRC3Etq'],
    ['secret', '{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ='],
    ['hello', '$1$abcdefgh$rwnEbRiN0agqVgZBovWNQ/'],
  ])('accepts %s against %s and refuses a wrong password', (password, hash) => {
    expect(validatePassword(password, hash)).toBe(true);
    expect(validatePassword(`${password}x`, hash)).toBe(false);
  });
  it('does not compare plain text on Linux', () => {
    expect(validatePassword('plaintext', 'plaintext')).toBe(false);
  });
  it('computes apr1 from the salt of the setting', () => {
    expect(md5Crypt('wonderland', '$apr1$uGdf/Kvj$', '$apr1$')).toBe('$apr1$uGdf/Kvj$5h0Tu82NSbYaNuR63IFvY0');
  });
});
