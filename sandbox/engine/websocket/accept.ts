/**
 * The Sec-WebSocket-Accept computation of RFC 6455 section 4.2.2, in plain TypeScript so the
 * engine can run it in the browser as well as in Node (no node:crypto, no SubtleCrypto: the latter
 * is async and missing on plain-http pages).
 */

/** The GUID every WebSocket server appends to the client's key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Base64 of 16 bytes: 22 significant characters and "==" (the same test the ws library applies). */
const WEBSOCKET_KEY_PATTERN = /^[+/0-9A-Za-z]{22}==$/;

/** Whether a Sec-WebSocket-Key value is a well-formed base64-encoded 16-byte nonce. */
export function isValidWebSocketKey(key: string): boolean {
  return WEBSOCKET_KEY_PATTERN.test(key);
}

/** The Sec-WebSocket-Accept value a server must answer for a given Sec-WebSocket-Key. */
export function computeWebSocketAccept(key: string): string {
  return encodeBase64(sha1(asciiBytes(key + WEBSOCKET_GUID)));
}

/** SHA-1 digest (FIPS 180-4) of a byte array. */
export function sha1(message: Uint8Array): Uint8Array {
  // Pad: 0x80, zeros up to 56 mod 64, then the bit length as a 64-bit big-endian integer.
  const paddedLength = (((message.length + 8) >>> 6) + 1) << 6;
  const padded = new Uint8Array(paddedLength);
  padded.set(message);
  padded[message.length] = 0x80;
  const view = new DataView(padded.buffer);
  const bitLength = message.length * 8;
  view.setUint32(paddedLength - 8, Math.floor(bitLength / 0x100000000));
  view.setUint32(paddedLength - 4, bitLength >>> 0);

  let h0 = 0x67452301;
  let h1 = 0xefcdab89;
  let h2 = 0x98badcfe;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0;
  const w = new Uint32Array(80);

  for (let block = 0; block < paddedLength; block += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(block + t * 4);
    for (let t = 16; t < 80; t++) w[t] = rotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const temp = (rotateLeft(a, 5) + f + e + k + w[t]) >>> 0;
      e = d;
      d = c;
      c = rotateLeft(b, 30);
      b = a;
      a = temp;
    }
    h0 = (h0 + a) >>> 0;
    h1 = (h1 + b) >>> 0;
    h2 = (h2 + c) >>> 0;
    h3 = (h3 + d) >>> 0;
    h4 = (h4 + e) >>> 0;
  }

  const digest = new Uint8Array(20);
  const digestView = new DataView(digest.buffer);
  [h0, h1, h2, h3, h4].forEach((word, index) => digestView.setUint32(index * 4, word));
  return digest;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (RFC 4648 section 4) with "=" padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let index = 0; index < bytes.length; index += 3) {
    const remaining = bytes.length - index;
    const triple = (bytes[index] << 16) | ((remaining > 1 ? bytes[index + 1] : 0) << 8) | (remaining > 2 ? bytes[index + 2] : 0);
    out += BASE64_ALPHABET[(triple >>> 18) & 63];
    out += BASE64_ALPHABET[(triple >>> 12) & 63];
    out += remaining > 1 ? BASE64_ALPHABET[(triple >>> 6) & 63] : '=';
    out += remaining > 2 ? BASE64_ALPHABET[triple & 63] : '=';
  }
  return out;
}

function rotateLeft(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

/** Header values are ASCII; anything wider is reduced to its low byte, as a byte-oriented server would see it. */
function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index) & 0xff;
  return bytes;
}
