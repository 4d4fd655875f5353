/**
 * apr_password_validate() for the hashes htpasswd writes: `$apr1$` (APR's MD5 crypt, htpasswd's
 * default), `$2y$`/`$2a$`/`$2b$` (bcrypt, -B) and `{SHA}` (base64 SHA-1, -s). Anything else goes to
 * the system crypt() in APR on Linux; of those only glibc's `$1$` MD5 crypt is computed here (the
 * same algorithm as apr1 with another magic). A plain-text line is not accepted on Linux (APR
 * compares plain text only on Windows, NetWare and BeOS).
 *
 * MD5 and SHA-1 are written out because the engine runs in the browser too: node:crypto is not
 * available there and WebCrypto's digest is asynchronous and has no MD5.
 */
import bcrypt from 'bcryptjs';

/** Whether `password` matches the htpasswd `hash` (apr_password_validate() == APR_SUCCESS). */
export function validatePassword(password: string, hash: string): boolean {
  if (hash.startsWith('$apr1$')) return md5Crypt(password, hash, '$apr1$') === hash;
  if (hash.startsWith('$1$')) return md5Crypt(password, hash, '$1$') === hash;
  if (/^\$2[aby]\$/.test(hash)) {
    try {
      return bcrypt.compareSync(password, hash);
    } catch {
      return false;
    }
  }
  if (hash.startsWith('{SHA}')) return bytesToBase64(sha1(utf8(password))) === hash.slice(5);
  return false;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64[(n >> 18) & 63] + BASE64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? BASE64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? BASE64[n & 63] : '=';
  }
  return out;
}

/** MD5 (RFC 1321). */
export function md5(message: Uint8Array): Uint8Array {
  const shifts = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const constants = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);
  const padded = new Uint8Array(((message.length + 8) >> 6) * 64 + 64);
  padded.set(message);
  padded[message.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, (message.length * 8) >>> 0, true);
  view.setUint32(padded.length - 4, Math.floor(message.length / 2 ** 29), true);
  let a0 = 0x67452301;
  let b0 = 0xefcdab89;
  let c0 = 0x98badcfe;
  let d0 = 0x10325476;
  for (let block = 0; block < padded.length; block += 64) {
    const words = Array.from({ length: 16 }, (_, i) => view.getUint32(block + i * 4, true));
    let [a, b, c, d] = [a0, b0, c0, d0];
    for (let i = 0; i < 64; i++) {
      const round = i >> 4;
      let f: number;
      let g: number;
      if (round === 0) [f, g] = [(b & c) | (~b & d), i];
      else if (round === 1) [f, g] = [(d & b) | (~d & c), (5 * i + 1) % 16];
      else if (round === 2) [f, g] = [b ^ c ^ d, (3 * i + 5) % 16];
      else [f, g] = [c ^ (b | ~d), (7 * i) % 16];
      const sum = (a + f + constants[i] + words[g]) >>> 0;
      const shift = shifts[round * 4 + (i % 4)];
      [a, d, c] = [d, c, b];
      b = (b + ((sum << shift) | (sum >>> (32 - shift)))) >>> 0;
    }
    a0 = (a0 + a) >>> 0;
    b0 = (b0 + b) >>> 0;
    c0 = (c0 + c) >>> 0;
    d0 = (d0 + d) >>> 0;
  }
  const out = new Uint8Array(16);
  const outView = new DataView(out.buffer);
  [a0, b0, c0, d0].forEach((word, i) => outView.setUint32(i * 4, word, true));
  return out;
}

/** SHA-1 (FIPS 180-4). */
export function sha1(message: Uint8Array): Uint8Array {
  const padded = new Uint8Array(((message.length + 8) >> 6) * 64 + 64);
  padded.set(message);
  padded[message.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(message.length / 2 ** 29), false);
  view.setUint32(padded.length - 4, (message.length * 8) >>> 0, false);
  const state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Array<number>(80);
  for (let block = 0; block < padded.length; block += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(block + i * 4, false);
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
      w[i] = ((x << 1) | (x >>> 31)) >>> 0;
    }
    let [a, b, c, d, e] = state;
    for (let i = 0; i < 80; i++) {
      let f: number;
      let k: number;
      if (i < 20) [f, k] = [(b & c) | (~b & d), 0x5a827999];
      else if (i < 40) [f, k] = [b ^ c ^ d, 0x6ed9eba1];
      else if (i < 60) [f, k] = [(b & c) | (b & d) | (c & d), 0x8f1bbcdc];
      else [f, k] = [b ^ c ^ d, 0xca62c1d6];
      const temp = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) >>> 0;
      [e, d, c, b, a] = [d, c, ((b << 30) | (b >>> 2)) >>> 0, a, temp];
    }
    state[0] = (state[0] + a) >>> 0;
    state[1] = (state[1] + b) >>> 0;
    state[2] = (state[2] + c) >>> 0;
    state[3] = (state[3] + d) >>> 0;
    state[4] = (state[4] + e) >>> 0;
  }
  const out = new Uint8Array(20);
  const outView = new DataView(out.buffer);
  state.forEach((word, i) => outView.setUint32(i * 4, word, false));
  return out;
}

const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Poul-Henning Kamp's MD5 crypt as apr_md5_encode() computes it: the salt is what follows the
 * magic up to the next "$" (at most 8 characters), then 1000 rounds of MD5.
 */
export function md5Crypt(password: string, setting: string, magic: '$apr1$' | '$1$'): string {
  const rest = setting.slice(magic.length);
  const end = rest.indexOf('$');
  const salt = (end === -1 ? rest : rest.slice(0, end)).slice(0, 8);
  const pw = utf8(password);
  const saltBytes = utf8(salt);
  const magicBytes = utf8(magic);
  let alternate = md5(concat(pw, saltBytes, pw));
  const parts: Uint8Array[] = [pw, magicBytes, saltBytes];
  for (let left = pw.length; left > 0; left -= 16) parts.push(alternate.subarray(0, Math.min(left, 16)));
  for (let bits = pw.length; bits > 0; bits >>= 1) parts.push(bits & 1 ? new Uint8Array([0]) : pw.subarray(0, 1));
  let digest = md5(concat(...parts));
  for (let round = 0; round < 1000; round++) {
    const step: Uint8Array[] = [];
    step.push(round & 1 ? pw : digest);
    if (round % 3) step.push(saltBytes);
    if (round % 7) step.push(pw);
    step.push(round & 1 ? digest : pw);
    digest = md5(concat(...step));
  }
  alternate = digest;
  const encode = (a: number, b: number, c: number, count: number) => {
    let value = (alternate[a] << 16) | (alternate[b] << 8) | alternate[c];
    let out = '';
    for (let i = 0; i < count; i++) {
      out += CRYPT_ALPHABET[value & 63];
      value >>= 6;
    }
    return out;
  };
  const encoded =
    encode(0, 6, 12, 4) + encode(1, 7, 13, 4) + encode(2, 8, 14, 4) + encode(3, 9, 15, 4) + encode(4, 10, 5, 4) + encodeLast(alternate[11]);
  return `${magic}${salt}$${encoded}`;
}

function encodeLast(byte: number): string {
  return CRYPT_ALPHABET[byte & 63] + CRYPT_ALPHABET[(byte >> 6) & 63];
}
