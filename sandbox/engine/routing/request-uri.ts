/**
 * From the raw request-target to r->uri and r->args, the way httpd 2.4 does it before any module
 * sees the request: ap_parse_uri() (server/protocol.c) splits the target, then
 * ap_process_request_internal() (server/request.c) normalises the path with ap_normalize_path()
 * (merge slashes, remove "." and "..", decode unreserved %XX) and unescapes it with
 * ap_unescape_url_ex() (server/util.c), where AllowEncodedSlashes decides what %2F does.
 */
import type { AllowEncodedSlashes } from '../config/model.ts';
import type { ErrorLogEntry } from '../logs/error-log.ts';
import { parseRequestTarget as parseUriParts } from '../http/request-target.ts';

/** The request-target split into what httpd keeps. */
export interface ParsedTarget {
  /** The target exactly as received (r->unparsed_uri). */
  unparsedUri: string;
  /** Host from an absolute-form target whose scheme is the connection's (r->hostname); null otherwise. */
  hostname: string | null;
  /** Port written in that absolute-form target, or null. */
  port: number | null;
  /** That port as written (r->parsed_uri.port_str, "" for "http://h:/"), or null. */
  portText: string | null;
  /** The target's scheme as written (r->parsed_uri.scheme), or null for an origin-form target. */
  scheme: string | null;
  /** Scheme (lower-cased), host and port of a target with a scheme (for forward proxying), or null. */
  absolute: { scheme: string; host: string; port: number | null } | null;
  /** The path as received, still encoded (r->parsed_uri.path), or "*" for "OPTIONS *". */
  rawPath: string;
  /** Query string without "?" (r->args), null when absent. */
  args: string | null;
}

/** Result of turning the raw path into r->uri. */
export type UriResult =
  | { ok: true; uri: string; normalizedRaw: string }
  | { ok: false; status: 400 | 404; log: ErrorLogEntry[] };

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Split a request-target like ap_parse_uri() (apr_uri_parse); returns null when it would fail. */
export function parseRequestTarget(target: string, secure: boolean, method: string): ParsedTarget | null {
  if (target.replace(/^\/+(?=\/)/, '') === '*') {
    return { unparsedUri: target, hostname: null, port: null, portText: null, scheme: null, absolute: null, rawPath: '*', args: null };
  }
  // CONNECT's authority form is left to mod_proxy_connect, which is not emulated.
  if (method === 'CONNECT' && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(target)) return null;
  const parts = parseUriParts(target);
  if (parts === null) return null;
  if (parts.port !== undefined && parts.port !== '' && !(Number(parts.port) >= 0 && Number(parts.port) <= 65535)) return null;

  const scheme = parts.scheme ?? null;
  const portNumber = parts.port !== undefined && parts.port !== '' ? Number(parts.port) : null;
  let hostname: string | null = null;
  let port: number | null = null;
  let portText: string | null = null;
  // Only an absolute URI in the connection's own scheme names the host (ap_parse_uri).
  if (scheme !== null && scheme.toLowerCase() === (secure ? 'https' : 'http') && parts.hostname !== undefined) {
    hostname = parts.hostname;
    port = portNumber;
    portText = parts.port ?? null;
  }
  const absolute = scheme === null ? null : { scheme: scheme.toLowerCase(), host: parts.hostname ?? '', port: portNumber };
  const rawPath = parts.path ?? (method === 'OPTIONS' ? '*' : '/');
  return { unparsedUri: target, hostname, port, portText, scheme, absolute, rawPath, args: parts.query ?? null };
}

/**
 * ap_normalize_path() with AP_NORMALIZE_NOT_ABOVE_ROOT | AP_NORMALIZE_DECODE_UNRESERVED and,
 * when MergeSlashes is on, AP_NORMALIZE_MERGE_SLASHES. Returns null where httpd returns failure
 * (bad %-escape, a path not starting with "/", ".." above the root).
 */
export function normalizePath(path: string, mergeSlashes: boolean): string | null {
  const result = normalizePathReportingFailure(path, mergeSlashes, true);
  return result.ok ? result.path : null;
}

/**
 * ap_normalize_path() as it leaves the buffer: on a ".." above the root or a bad escape it still
 * normalises the rest and reports failure, which the second pass after decoding %2F ignores.
 * That second pass runs without AP_NORMALIZE_DECODE_UNRESERVED: a "%41" that came from "%2541"
 * stays as it is.
 */
function normalizePathReportingFailure(path: string, mergeSlashes: boolean, decodeUnreserved: boolean): { path: string; ok: boolean } {
  if (path === '*') return { path, ok: true };
  if (!path.startsWith('/')) return { path, ok: false };
  const chars = path.split('');
  let ok = true;
  let read = 1;
  const out: string[] = ['/'];
  const at = (index: number) => (index < chars.length ? chars[index] : '');
  while (read < chars.length) {
    if (decodeUnreserved && chars[read] === '%') {
      if (isHex(at(read + 1)) && isHex(at(read + 2))) {
        const decoded = String.fromCharCode(parseInt(chars[read + 1] + chars[read + 2], 16));
        if (UNRESERVED.test(decoded)) {
          read += 2;
          chars[read] = decoded;
        }
      } else {
        ok = false;
      }
    }
    if (out.length === 0 || out[out.length - 1] === '/') {
      if (mergeSlashes && chars[read] === '/') {
        while (at(read) === '/') read++;
        continue;
      }
      if (chars[read] === '.') {
        if (isSlashOrEnd(at(read + 1))) {
          read++;
          if (read < chars.length) read++;
          continue;
        }
        // "/.%2e/" counts as "/../": only the first dot was decoded above.
        let next = -1;
        if (at(read + 1) === '.') next = read + 1;
        else if (decodeUnreserved && at(read + 1) === '%' && at(read + 2) === '2' && (at(read + 3) === 'e' || at(read + 3) === 'E')) next = read + 3;
        if (next > 0 && isSlashOrEnd(at(next + 1))) {
          if (out.length > 1) {
            do {
              out.pop();
            } while (out.length > 0 && out[out.length - 1] !== '/');
          } else {
            ok = false;
          }
          read = next + 1;
          if (read < chars.length) read++;
          continue;
        }
      }
    }
    out.push(chars[read]);
    read++;
  }
  return { path: out.join(''), ok };
}

/**
 * ap_unescape_url_ex() with AP_UNESCAPE_URL_KEEP_UNRESERVED and, unless AllowEncodedSlashes,
 * AP_UNESCAPE_URL_FORBID_SLASHES: 400 for a bad escape, 404 for an encoded NUL or slash.
 */
export function unescapePath(path: string, allowEncodedSlashes: boolean, decodeEncodedSlashes: boolean): { path: string; status: 200 | 400 | 404 } {
  let out = '';
  let badEscape = false;
  let badPath = false;
  for (let index = 0; index < path.length; index++) {
    const char = path[index];
    if (char !== '%') {
      out += char;
      continue;
    }
    if (!isHex(path[index + 1] ?? '') || !isHex(path[index + 2] ?? '')) {
      badEscape = true;
      out += '%';
      continue;
    }
    const decoded = String.fromCharCode(parseInt(path.slice(index + 1, index + 3), 16));
    if (decoded === '\0' || (!allowEncodedSlashes && decoded === '/')) {
      badPath = true;
      out += decoded;
      index += 2;
    } else if (UNRESERVED.test(decoded) || (allowEncodedSlashes && !decodeEncodedSlashes && decoded === '/')) {
      out += path.slice(index, index + 3);
      index += 2;
    } else {
      out += decoded;
      index += 2;
    }
  }
  return { path: out, status: badEscape ? 400 : badPath ? 404 : 200 };
}

/** The whole path pipeline of ap_process_request_internal(): normalise, then unescape. */
export function resolveUri(
  parsed: ParsedTarget,
  options: { mergeSlashes: boolean; allowEncodedSlashes: AllowEncodedSlashes; client: string },
): UriResult {
  // core.c set_allow2f(): On also decodes (the 2.0/2.2 meaning), NoDecode allows without decoding.
  const allowEncodedSlashes = options.allowEncodedSlashes !== 'off';
  const decodeEncodedSlashes = options.allowEncodedSlashes === 'on';
  const normalized = normalizePath(parsed.rawPath, options.mergeSlashes);
  if (normalized === null) {
    return {
      ok: false,
      status: 400,
      log: [{ module: 'core', level: 'error', code: 'AH10244', message: `invalid URI path (${parsed.unparsedUri})`, client: options.client }],
    };
  }
  const unescaped = unescapePath(normalized, allowEncodedSlashes, decodeEncodedSlashes);
  if (unescaped.status === 400) return { ok: false, status: 400, log: [] };
  if (unescaped.status === 404) {
    // An encoded NUL is refused in every mode; only Off says so in the log (in words about %2f).
    const log: ErrorLogEntry[] = allowEncodedSlashes
      ? []
      : [
          {
            module: 'core',
            level: 'info',
            code: 'AH00026',
            message: `found %2f (encoded '/') in URI path (${parsed.unparsedUri}), returning 404`,
            client: options.client,
          },
        ];
    return { ok: false, status: 404, log };
  }
  let uri = unescaped.path;
  if (decodeEncodedSlashes) {
    // Decoding %2F may have made new "//", "/./" or "/../" segments; httpd ignores this pass's result.
    uri = normalizePathReportingFailure(uri, options.mergeSlashes, false).path;
  }
  return { ok: true, uri, normalizedRaw: normalized };
}

function isHex(char: string): boolean {
  return /^[0-9A-Fa-f]$/.test(char);
}

function isSlashOrEnd(char: string): boolean {
  return char === '/' || char === '';
}
