/**
 * Character classes httpd uses when it parses a request head (server/gen_test_char.c), over
 * latin1 strings where each character is one byte.
 */

const TOKEN_SPECIALS = "!#$%&'*+-.^_`|~";

/** RFC 7230 tchar: what a method or a header field name may contain. */
export function isTokenChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    (code < 0x80 && TOKEN_SPECIALS.includes(String.fromCharCode(code)))
  );
}

/** VCHAR or obs-text: what a request target and protocol may contain. */
export function isVisibleOrObsText(code: number): boolean {
  return (code >= 0x21 && code <= 0x7e) || code >= 0x80;
}

/** C isspace(): SP, HT, LF, VT, FF, CR. */
export function isCSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** Field content: VCHAR, SP, HT or obs-text (ap_scan_http_field_content stops at anything else). */
export function isFieldContentChar(code: number): boolean {
  return code === 0x09 || (code >= 0x20 && code !== 0x7f);
}

/** Index of the first character at or after `from` that does not satisfy `accept`. */
export function scanWhile(text: string, from: number, accept: (code: number) => boolean): number {
  let index = from;
  while (index < text.length && accept(text.charCodeAt(index))) index++;
  return index;
}

/** Bytes to a string with one character per byte (latin1), so offsets match the wire. */
export function bytesToLatin1(bytes: Uint8Array): string {
  let text = '';
  // Chunked so a long head does not overflow the argument limit of fromCharCode.
  for (let index = 0; index < bytes.length; index += 4096) {
    text += String.fromCharCode(...bytes.subarray(index, index + 4096));
  }
  return text;
}
