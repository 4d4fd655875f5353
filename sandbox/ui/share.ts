/**
 * Share links: the learner's config travels in the URL fragment as base64url of its UTF-8 bytes
 * (RFC 4648 section 5, no padding), so it never reaches a server log and survives any static host.
 * Pure functions, no DOM.
 */

/** The fragment parameter that carries a config: `#wslab-config=<base64url>`. */
export const SHARE_HASH_KEY = 'wslab-config';

/** Longest config a link may carry (UTF-8 bytes); browsers accept far longer URLs, people do not. */
export const MAX_SHARED_CONFIG_BYTES = 64 * 1024;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Map([...ALPHABET].map((character, index) => [character, index]));

/** base64url (no padding) of UTF-8 text. */
export function encodeBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let out = '';
  for (let index = 0; index < bytes.length; index += 3) {
    const remaining = bytes.length - index;
    const triple = (bytes[index] << 16) | ((remaining > 1 ? bytes[index + 1] : 0) << 8) | (remaining > 2 ? bytes[index + 2] : 0);
    out += ALPHABET[(triple >>> 18) & 63] + ALPHABET[(triple >>> 12) & 63];
    if (remaining > 1) out += ALPHABET[(triple >>> 6) & 63];
    if (remaining > 2) out += ALPHABET[triple & 63];
  }
  return out;
}

/**
 * UTF-8 text from base64url; also accepts standard base64 and "=" padding (links pasted through
 * tools that "fix" them). Returns null for anything that is not valid base64 of valid UTF-8.
 */
export function decodeBase64Url(encoded: string): string | null {
  const clean = encoded.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (clean.length % 4 === 1) return null;
  const bytes = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let byteIndex = 0;
  for (let index = 0; index < clean.length; index += 4) {
    const values = [0, 1, 2, 3].map((offset) => (index + offset < clean.length ? LOOKUP.get(clean[index + offset]) : 0));
    if (values.some((value) => value === undefined)) return null;
    const [a, b, c, d] = values as number[];
    const triple = (a << 18) | (b << 12) | (c << 6) | d;
    const chunk = Math.min(3, Math.floor(((clean.length - index) * 3) / 4));
    if (chunk >= 1) bytes[byteIndex++] = (triple >>> 16) & 255;
    if (chunk >= 2) bytes[byteIndex++] = (triple >>> 8) & 255;
    if (chunk >= 3) bytes[byteIndex++] = triple & 255;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, byteIndex));
  } catch {
    return null;
  }
}

/** The fragment (with "#") that carries a config. */
export function shareHash(config: string): string {
  return `#${SHARE_HASH_KEY}=${encodeBase64Url(config)}`;
}

/** A full share link: the page URL without its fragment, plus the config fragment. */
export function shareLink(pageUrl: string, config: string): string {
  const hashIndex = pageUrl.indexOf('#');
  return (hashIndex === -1 ? pageUrl : pageUrl.slice(0, hashIndex)) + shareHash(config);
}

export type SharedConfig = { kind: 'none' } | { kind: 'config'; config: string } | { kind: 'invalid'; reason: 'encoding' | 'too-large' };

/** Read a config from a location hash ("#wslab-config=..."; other fragments are ignored). */
export function readSharedConfig(hash: string): SharedConfig {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  let encoded: string | null = null;
  for (const part of fragment.split('&')) {
    const equals = part.indexOf('=');
    if (equals !== -1 && safeDecode(part.slice(0, equals)) === SHARE_HASH_KEY) encoded = part.slice(equals + 1);
  }
  if (encoded === null) return { kind: 'none' };
  if (encoded.length > (MAX_SHARED_CONFIG_BYTES * 4) / 3 + 4) return { kind: 'invalid', reason: 'too-large' };
  let raw = encoded;
  try {
    raw = decodeURIComponent(encoded);
  } catch {
    return { kind: 'invalid', reason: 'encoding' };
  }
  const config = decodeBase64Url(raw);
  if (config === null) return { kind: 'invalid', reason: 'encoding' };
  return { kind: 'config', config };
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** The hash with the config parameter removed ("" when nothing else was in it). */
export function hashWithoutSharedConfig(hash: string): string {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  const rest = fragment.split('&').filter((part) => part !== '' && safeDecode(part.split('=')[0]) !== SHARE_HASH_KEY);
  return rest.length > 0 ? `#${rest.join('&')}` : '';
}
