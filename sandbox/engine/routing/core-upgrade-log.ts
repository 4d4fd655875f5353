/**
 * core_upgrade_handler() (server/core.c), the first handler of every request that reaches the
 * handler phase: a request whose Connection lists "upgrade" and whose Upgrade header is not empty
 * has its Upgrade offers parsed with ap_parse_token_list_strict() and handed to
 * ap_select_protocol() (server/protocol.c), which logs AH03155 at debug on the connection. An
 * offer list that does not parse logs AH02910 instead. Nothing selects "websocket" (no module
 * proposes it), so the request then goes on to its real handler (mod_proxy, the default handler).
 */
import type { ErrorLogEntry } from '../logs/error-log.ts';
import { hasToken, HeaderTable, type HeaderPair } from './header-table.ts';

/** The debug lines core_upgrade_handler writes for a request with these headers (r->headers_in). */
export function coreUpgradeHandlerLog(headers: readonly HeaderPair[], serverHostname: string, protocols: readonly string[], client: string): ErrorLogEntry[] {
  const table = new HeaderTable(headers);
  const upgrade = table.get('Upgrade');
  if (!upgrade || !hasToken(table.get('Connection'), 'upgrade')) return [];
  const parsed = parseTokenListStrict(upgrade);
  if ('error' in parsed) {
    return [{ module: 'core', level: 'debug', origin: 'core.c(5594)', client, code: 'AH02910', message: `parsing Upgrade header: ${parsed.error}` }];
  }
  if (parsed.tokens.length === 0) return [];
  return [
    {
      module: 'core',
      level: 'debug',
      origin: 'protocol.c(2462)',
      client,
      code: 'AH03155',
      // ap_log_cerror(c): the connection's base server logs it, not the request's vhost.
      connectionScoped: true,
      message: `select protocol from ${protocols.join(',')}, choices=${parsed.tokens.join(',')} for server ${serverHostname}`,
    },
  ];
}

const TOKEN_CHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;

/** ap_parse_token_list_strict() without skip_invalid: tokens split at commas, spaces around them dropped. */
export function parseTokenListStrict(text: string): { tokens: string[] } | { error: string } {
  const tokens: string[] = [];
  let inLeadingSpace = true;
  let trailingSpace = 0;
  let begin = 0;
  for (let index = 0; index <= text.length; index++) {
    const char = index < text.length ? text[index] : '\0';
    if (TOKEN_CHAR.test(char)) {
      inLeadingSpace = false;
      if (trailingSpace > 0) return { error: 'Encountered illegal whitespace in token' };
    } else if (char === ' ' || char === '\t') {
      if (inLeadingSpace) begin++;
      else trailingSpace++;
    } else if (char === ',' || char === '\0') {
      if (!inLeadingSpace) tokens.push(text.slice(begin, index - trailingSpace));
      begin = index + 1;
      inLeadingSpace = true;
      trailingSpace = 0;
    } else {
      return { error: `Encountered illegal separator '\\x${(char.charCodeAt(0) & 0xff).toString(16).padStart(2, '0')}'` };
    }
  }
  return { tokens };
}
