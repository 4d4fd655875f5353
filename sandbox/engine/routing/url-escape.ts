/**
 * The two escaping routines routing needs, byte for byte as httpd writes them:
 * - ap_proxy_canonenc_ex() (modules/proxy/proxy_util.c): how mod_proxy re-encodes the decoded
 *   path before sending it to the backend (uppercase hex).
 * - ap_os_escape_path() (server/util.c): how mod_alias and mod_rewrite escape redirect targets
 *   (lowercase hex, from httpd's c2x table).
 * Both work on UTF-8 bytes, since httpd sees the path as bytes.
 */

const CANON_PATH_ALLOWED = "~$-_.+!*'(),;:@&=";
const OS_PATH_ALLOWED = "$-_.+!*'(),:;@&=/~";

/**
 * ap_proxy_canonenc_ex(enc_path) for a reverse proxy: "/" kept, "%" and anything outside the
 * allowed set encoded; nothing is decoded (r->uri is already decoded).
 *
 * With PROXY_CANONENC_NOENCODEDSLASHENCODING (AllowEncodedSlashes NoDecode) every "%" must start
 * a %XX: an encoded slash is kept as written ("%2f" stays lower case), any other "%" becomes "%25".
 * A "%" without two hex digits after it (a decoded "%25zz") fails: null, which httpd answers with
 * 400 and no log line.
 */
export function canonicalisePath(decodedPath: string, keepEncodedSlashes = false): string | null {
  const bytes = utf8Bytes(decodedPath);
  let out = '';
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index];
    const char = String.fromCharCode(byte);
    if (keepEncodedSlashes && char === '%') {
      const hex = String.fromCharCode(bytes[index + 1] ?? 0, bytes[index + 2] ?? 0);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      if (parseInt(hex, 16) === 0x2f) {
        out += `%${hex}`;
        index += 2;
        continue;
      }
    }
    if (char === '/' || isAlnum(byte) || (byte < 128 && CANON_PATH_ALLOWED.includes(char))) out += char;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** ap_os_escape_path(path, partial=1) / ap_escape_uri(). */
export function escapePathForRedirect(path: string): string {
  let out = '';
  for (const byte of utf8Bytes(path)) {
    const char = String.fromCharCode(byte);
    if (isAlnum(byte) || (byte < 128 && byte !== 0 && OS_PATH_ALLOWED.includes(char))) out += char;
    else out += `%${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** True when a query string or raw path holds a control character or space (ap_scan_vchar_obstext stops there). */
export function hasControlOrSpace(text: string): boolean {
  for (const byte of utf8Bytes(text)) if (byte <= 0x20 || byte === 0x7f) return true;
  return false;
}

function isAlnum(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

/**
 * The bytes of a path. Characters below U+0100 stand for single bytes (httpd's decoded %XX);
 * anything wider was typed as Unicode and is taken as UTF-8.
 */
function utf8Bytes(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x100) bytes.push(code);
    else bytes.push(...new TextEncoder().encode(char));
  }
  return bytes;
}
