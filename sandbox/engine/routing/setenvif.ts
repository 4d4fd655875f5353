/**
 * mod_setenvif's match_headers() (modules/metadata/mod_setenvif.c): each SetEnvIf line tests one
 * attribute of the request against its regex and sets or unsets environment variables. The
 * server-level lines run at post_read_request, the merged per-directory lines at header_parser.
 *
 * The attribute is a special name (Remote_Addr, Server_Addr, Remote_Host, Request_URI,
 * Request_Method, Request_Protocol, compared case-insensitively), else a request header, else an
 * environment variable of that name; a name with characters outside [-A-Za-z0-9_] is a regex over
 * header names (the last matching header counts). A missing value is tested as "".
 */
import { compileHttpdRegex } from '../config/regex.ts';
import type { SetEnvIfEntry } from '../config/model.ts';
import { evaluateExpr, type ExprLookup } from './ap-expr.ts';
import type { HeaderTable } from './header-table.ts';
import { pregsub } from './regex-substitute.ts';

/** What match_headers reads from the request. */
export interface SetEnvIfRequest {
  headers: HeaderTable;
  remoteAddress: string;
  localAddress: string;
  /** ap_get_useragent_host(REMOTE_NAME): the IP unless HostnameLookups is on. */
  remoteHost: string;
  /** r->uri at the time the phase runs. */
  uri: string;
  method: string;
  protocol: string;
  expr: ExprLookup;
}

const SPECIALS: Readonly<Record<string, (request: SetEnvIfRequest) => string>> = {
  remote_addr: (request) => request.remoteAddress,
  server_addr: (request) => request.localAddress,
  remote_host: (request) => request.remoteHost,
  request_uri: (request) => request.uri,
  request_method: (request) => request.method,
  request_protocol: (request) => request.protocol,
};

/** Run the lines in order over `env` (r->subprocess_env), which is changed in place. */
export function applySetEnvIf(entries: readonly SetEnvIfEntry[], request: SetEnvIfRequest, env: Record<string, string>): void {
  for (const entry of entries) {
    let matched: RegExpExecArray | null = null;
    let literal = false;
    if (entry.expr !== null) {
      const outcome = evaluateExpr(entry.expr, { ...request.expr, call: (func, arg) => (func === 'env' || func === 'reqenv' ? (env[arg] ?? '') : request.expr.call(func, arg)) });
      if (!outcome.ok || !outcome.value) continue;
      // A true expression sets the values as written (no regex backreferences kept here).
      literal = true;
    } else {
      const value = attributeValue(entry.attribute ?? '', entry.caseInsensitive, request, env);
      const compiled = compileHttpdRegex(entry.regex ?? '', { caseInsensitive: entry.caseInsensitive });
      if (!compiled.ok) continue;
      matched = compiled.regex.exec(value);
      if (!matched) continue;
      // A regex without metacharacters is matched as a plain string: its values are not substituted.
      literal = isPlainPattern(entry.regex ?? '');
    }
    for (const feature of entry.features) {
      if (feature.value === null) delete env[feature.name];
      else env[feature.name] = literal || matched === null ? feature.value : pregsub(feature.value, matched);
    }
  }
}

function attributeValue(attribute: string, caseInsensitive: boolean, request: SetEnvIfRequest, env: Record<string, string>): string {
  const special = SPECIALS[attribute.toLowerCase()];
  if (special) return special(request);
  if (!/^[-A-Za-z0-9_]*$/.test(attribute)) {
    const nameRegex = compileHttpdRegex(attribute, { caseInsensitive });
    if (!nameRegex.ok) return '';
    let value = '';
    for (const [name, headerValue] of request.headers.toPairs()) if (nameRegex.regex.test(name)) value = headerValue;
    return value;
  }
  return request.headers.get(attribute) ?? env[attribute] ?? '';
}

/** non_regex_pattern(): no unescaped regex metacharacter. */
function isPlainPattern(pattern: string): boolean {
  let escaped = false;
  for (const char of pattern) {
    if ('^.$|()[]*+?{}'.includes(char)) {
      if (!escaped) return false;
      escaped = false;
    } else if (char === '\\') {
      escaped = !escaped;
    } else if (escaped) {
      return false;
    }
  }
  return true;
}
