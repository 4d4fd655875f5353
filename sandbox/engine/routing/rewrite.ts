/**
 * Server-context mod_rewrite, as hook_uri2file() / apply_rewrite_list() / apply_rewrite_rule() /
 * apply_rewrite_cond() / do_expand() in modules/mappers/mod_rewrite.c run it during translate_name,
 * before mod_proxy's ProxyPass (mod_proxy orders itself after mod_rewrite).
 *
 * Each rule's pattern is matched against the current path (r->uri, then whatever earlier rules
 * rewrote it to); its conditions are then evaluated in order ([OR] chains, %N from the last
 * matching regex condition); the substitution expands $N, %N and %{VAR}. [P] hands the URL to
 * mod_proxy and stops, as do [L] and [END]; [F] and [G] answer 403 and 410; [R] redirects; [C]
 * skips the rest of a chain on a miss; [S=n] skips rules.
 */
import { compileHttpdRegex } from '../config/regex.ts';
import type { RewriteCondition, RewriteMapEntry, RewriteRuleEntry } from '../config/model.ts';
import type { ErrorLogEntry } from '../logs/error-log.ts';
import { HeaderTable } from './header-table.ts';
import { escapePathForRedirect } from './url-escape.ts';
import type { ConsideredRule } from './types.ts';

/** What %{VAR} lookups and the rules see of the request. */
export interface RewriteRequest {
  method: string;
  /** r->uri */
  uri: string;
  /** r->args */
  args: string | null;
  /** r->the_request: the request line as received. */
  theRequest: string;
  protocol: string;
  headers: HeaderTable;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  secure: boolean;
  /** ap_get_server_name(): the name used in self-referential URLs. */
  serverName: string;
  /** ap_get_server_port() */
  serverPort: number;
  serverAdmin: string;
  documentRoot: string;
  /** RewriteMap entries of the request's server, for ${map:key|default}. */
  maps: Readonly<Record<string, RewriteMapEntry>>;
  env: Record<string, string>;
  client: string;
  /** ap_matches_request_vhost(): whether host:port names this server (for reducing own URLs to paths). */
  isThisServer: (host: string, port: number) => boolean;
}

/** What the rewrite engine decided. */
export type RewriteOutcome =
  | { kind: 'none' }
  /** [P]: proxy to this URL (r->filename without "proxy:"), with the query in args. */
  | { kind: 'proxy'; url: string; args: string | null; noEscape: boolean; rule: RewriteRuleEntry }
  | { kind: 'redirect'; status: number; location: string; rule: RewriteRuleEntry }
  | { kind: 'status'; status: number; rule: RewriteRuleEntry }
  /** Rewritten to a local path: httpd serves it from the filesystem, ProxyPass is not consulted. */
  | { kind: 'local'; path: string; args: string | null; rule: RewriteRuleEntry }
  /** [PT]: the new path goes on to mod_proxy and mod_alias as if requested. */
  | { kind: 'pass-through'; uri: string; args: string | null; rule: RewriteRuleEntry };

/** Rules evaluated, with the outcome and any log lines. */
export interface RewriteResult {
  outcome: RewriteOutcome;
  considered: ConsideredRule[];
  log: ErrorLogEntry[];
}

/**
 * Per-directory context (RewriteRule inside a <Location>), run by hook_fixup(): rules see
 * r->filename (the DocumentRoot path, or "proxy:..." for a proxied request) with the section's
 * path stripped when it is a prefix, and relative substitutions get that path prepended.
 */
export interface PerDirectoryContext {
  /** dconf->directory: the last merged section's path, with a trailing "/". */
  directory: string;
  /** r->filename when the rules start. */
  filename: string;
  /** r->filename is "proxy:..." (then nothing is stripped). */
  proxied: boolean;
}

/** Run server-context rewriting for one request, or per-directory rewriting when `perDir` is given. */
export function applyServerRewrite(rules: readonly RewriteRuleEntry[], request: RewriteRequest, perDir: PerDirectoryContext | null = null): RewriteResult {
  const considered: ConsideredRule[] = [];
  const log: ErrorLogEntry[] = [];
  let filename = perDir ? perDir.filename : request.uri;
  let args = request.args;
  let changed: RewriteRuleEntry | null = null;
  let noEscape = false;
  let rounds = 1;

  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index];
    const attempt = applyRule(rule, filename, args, request, perDir);
    considered.push({
      directive: 'RewriteRule',
      text: describeRewriteRule(rule),
      source: rule.source,
      result: attempt.kind === 'no-match' ? 'no-match' : 'matched',
      note: attempt.note,
    });
    if (attempt.kind === 'no-match') {
      // A chained rule that misses skips the rest of its chain.
      while (index < rules.length && rules[index].flags.chain) index++;
      continue;
    }
    if (attempt.kind === 'forbidden-qmark') {
      log.push({
        module: 'rewrite',
        level: 'error',
        code: 'AH10508',
        message: 'Unsafe URL with %3f URL rewritten without UnsafeAllow3F',
        client: request.client,
      });
      return { outcome: { kind: 'status', status: 403, rule }, considered, log };
    }
    if (attempt.kind === 'status') return { outcome: { kind: 'status', status: attempt.status, rule }, considered, log };
    if (attempt.kind === 'substituted') {
      filename = attempt.filename;
      args = attempt.args;
      changed = rule;
      noEscape = rule.flags.noEscape;
    }
    if (rule.flags.passThrough) {
      return { outcome: { kind: 'pass-through', uri: filename, args, rule }, considered, log };
    }
    if (rule.flags.end || rule.flags.proxy || rule.flags.last) break;
    if (rule.flags.next !== null) {
      if (++rounds >= rule.flags.next) {
        log.push({
          module: 'rewrite',
          level: 'error',
          code: 'AH02596',
          message: `RewriteRule '${rule.pattern}' and URI '${request.uri}' exceeded maximum number of rounds (${rule.flags.next}) via the [N] flag`,
          client: request.client,
        });
        return { outcome: { kind: 'status', status: 500, rule }, considered, log };
      }
      index = -1;
      continue;
    }
    index += rule.flags.skip;
  }

  if (!changed) return { outcome: { kind: 'none' }, considered, log };
  return { outcome: finish(changed, filename, args, noEscape), considered, log };
}

/** The rule as written, for explanations. */
export function describeRewriteRule(rule: RewriteRuleEntry): string {
  const flags = rule.flags.raw.length > 0 ? ` [${rule.flags.raw.join(',')}]` : '';
  return `RewriteRule ${rule.negated ? '!' : ''}${rule.pattern} ${rule.substitution}${flags}`;
}

type RuleAttempt =
  | { kind: 'no-match'; note: string }
  | { kind: 'matched-no-substitution'; note: string }
  | { kind: 'status'; status: number; note: string }
  | { kind: 'forbidden-qmark'; note: string }
  | { kind: 'substituted'; filename: string; args: string | null; note: string };

function applyRule(rule: RewriteRuleEntry, filename: string, args: string | null, request: RewriteRequest, perDir: PerDirectoryContext | null): RuleAttempt {
  const compiled = compileHttpdRegex(rule.pattern, { caseInsensitive: rule.flags.noCase });
  if (!compiled.ok) return { kind: 'no-match', note: `the pattern does not compile here: ${compiled.reason}` };
  // Per-directory rules do not see the section's own path prefix.
  const subject = perDir && !perDir.proxied && filename.startsWith(perDir.directory) ? filename.slice(perDir.directory.length) : filename;
  const match = compiled.regex.exec(subject);
  if (Boolean(match) === rule.negated) {
    return { kind: 'no-match', note: `${subject} ${rule.negated ? 'matches' : 'does not match'} ${rule.pattern}` };
  }
  const ruleRefs = rule.negated ? null : match;
  const conditions = evaluateConditions(rule.conditions, ruleRefs, request, filename);
  if (!conditions.passed) return { kind: 'no-match', note: conditions.note };

  if (rule.substitution === '-') {
    if (rule.flags.forbidden) return { kind: 'status', status: 403, note: `${filename} matches ${rule.pattern}; [F] answers 403` };
    if (rule.flags.gone) return { kind: 'status', status: 410, note: `${filename} matches ${rule.pattern}; [G] answers 410` };
    if (rule.flags.redirect !== null && (rule.flags.redirect < 300 || rule.flags.redirect > 399)) {
      return { kind: 'status', status: rule.flags.redirect, note: `[R=${rule.flags.redirect}] answers ${rule.flags.redirect}` };
    }
    return { kind: 'matched-no-substitution', note: `${filename} matches ${rule.pattern}; "-" leaves the path unchanged` };
  }
  if (rule.flags.forbidden) return { kind: 'status', status: 403, note: `${filename} matches ${rule.pattern}; [F] answers 403` };
  if (rule.flags.gone) return { kind: 'status', status: 410, note: `${filename} matches ${rule.pattern}; [G] answers 410` };

  const expanded = expand(rule.substitution, { rule: ruleRefs, condition: conditions.refs }, request, filename, rule);
  if (expanded.unsafeQuestionMark) return { kind: 'forbidden-qmark', note: 'a back-reference put "?" into the path' };
  let result = expanded.text;
  const absolute = isAbsoluteUri(result);
  if (!absolute && !result.startsWith('/')) {
    if (perDir && !perDir.proxied) result = `${perDir.directory}${result}`;
    else if (!perDir && !rule.flags.proxy && rule.flags.redirect === null) result = `/${result}`;
  }
  const split = splitQuery(result, args, rule);
  let target = split.filename;
  if ((rule.flags.proxy || rule.flags.redirect !== null) && !isAbsoluteUri(target)) {
    target = qualify(target, request);
  }
  if (!rule.flags.proxy && rule.flags.redirect === null) target = reduceToLocalPath(target, request);
  return {
    kind: 'substituted',
    filename: target,
    args: split.args,
    note: `${filename} matches ${rule.pattern}; rewritten to ${target}${split.args !== null ? `?${split.args}` : ''}`,
  };
}

function evaluateConditions(
  conditions: readonly RewriteCondition[],
  ruleRefs: RegExpExecArray | null,
  request: RewriteRequest,
  filename: string,
): { passed: boolean; refs: RegExpExecArray | null; note: string } {
  let refs: RegExpExecArray | null = null;
  for (let index = 0; index < conditions.length; index++) {
    const condition = conditions[index];
    const input = expand(condition.testString, { rule: ruleRefs, condition: refs }, request, filename, null).text;
    const result = testCondition(condition, input);
    if (result.refs) refs = result.refs;
    if (condition.orNext) {
      if (!result.matched) continue;
      while (index < conditions.length && conditions[index].orNext) index++;
      continue;
    }
    if (!result.matched) {
      return {
        passed: false,
        refs,
        note: `RewriteCond ${condition.testString} ${condition.negated ? '!' : ''}${condition.pattern} failed ("${input}")`,
      };
    }
  }
  return { passed: true, refs, note: '' };
}

function testCondition(condition: RewriteCondition, input: string): { matched: boolean; refs: RegExpExecArray | null } {
  const pattern = condition.pattern;
  const compare = (a: string, b: string) => (condition.noCase ? a.toLowerCase().localeCompare(b.toLowerCase()) : a < b ? -1 : a > b ? 1 : 0);
  let matched: boolean;
  let refs: RegExpExecArray | null = null;
  const integer = /^-(eq|ne|lt|le|gt|ge)$/.exec(pattern.split(/\s/)[0] ?? '');
  if (pattern.startsWith('=')) {
    // cmd_rewritecond: the operand "" (two quote characters) stands for the empty string.
    const operand = pattern.slice(1) === '""' ? '' : pattern.slice(1);
    matched = condition.noCase ? input.toLowerCase() === operand.toLowerCase() : input === operand;
  }
  else if (pattern.startsWith('<=')) matched = compare(input, pattern.slice(2)) <= 0;
  else if (pattern.startsWith('>=')) matched = compare(input, pattern.slice(2)) >= 0;
  else if (pattern.startsWith('<')) matched = compare(input, pattern.slice(1)) < 0;
  else if (pattern.startsWith('>')) matched = compare(input, pattern.slice(1)) > 0;
  else if (integer) {
    const left = parseInt(input, 10) || 0;
    const right = parseInt(pattern.slice(integer[0].length).trim(), 10) || 0;
    matched = { eq: left === right, ne: left !== right, lt: left < right, le: left <= right, gt: left > right, ge: left >= right }[integer[1] as 'eq'];
  } else if (/^-[dfFslLhxU]$/.test(pattern)) {
    // The sandbox has no filesystem behind DocumentRoot: nothing exists.
    matched = false;
  } else {
    const compiled = compileHttpdRegex(pattern, { caseInsensitive: condition.noCase });
    const match = compiled.ok ? compiled.regex.exec(input) : null;
    matched = match !== null;
    if (match && !condition.negated) refs = match;
  }
  return { matched: condition.negated ? !matched : matched, refs };
}

/** do_expand(): $N, %N, %{VAR} and backslash escapes. */
function expand(
  template: string,
  refs: { rule: RegExpExecArray | null; condition: RegExpExecArray | null },
  request: RewriteRequest,
  filename: string,
  rule: RewriteRuleEntry | null,
): { text: string; unsafeQuestionMark: boolean } {
  let out = '';
  // Which "?" starts the query decides whether it is safe: a literal one is, one that came out
  // of an expansion (a decoded %3f) is not. Only the first counts, or the last with [QSL].
  let tracking = rule !== null;
  const state: { questionMark: 'none' | 'literal' | 'expanded' } = { questionMark: 'none' };
  const noteQuestionMark = (kind: 'literal' | 'expanded') => {
    if (!tracking) return;
    state.questionMark = kind;
    if (!rule?.flags.qsLast) tracking = false;
  };
  for (let index = 0; index < template.length; index++) {
    const char = template[index];
    const next = template[index + 1];
    if (char === '\\') {
      if (next !== undefined) {
        out += next;
        index++;
      } else out += char;
      continue;
    }
    if ((char === '%' || char === '$') && next === '{') {
      const close = findClosingCurly(template, index + 2);
      const colon = char === '$' && close >= 0 ? findCharInCurlies(template, index + 2, ':') : -1;
      // An unclosed "%{" or a "${" without "map:" is copied as the two characters.
      if (close < 0 || (char === '$' && colon < 0)) {
        out += char + next;
        index++;
        continue;
      }
      let value: string;
      if (char === '%') value = lookupVariable(template.slice(index + 2, close), request, filename);
      else {
        // The key and the default are expanded themselves (nested %{VAR}, $N, %N).
        const body = template.slice(colon + 1, close);
        const bar = findCharInCurlies(body, 0, '|');
        const key = bar < 0 ? body : body.slice(0, bar);
        const fallback = bar < 0 ? '' : body.slice(bar + 1);
        const found = lookupMap(request.maps[template.slice(index + 2, colon)], expand(key, refs, request, filename, rule).text);
        value = found ?? (fallback !== '' ? expand(fallback, refs, request, filename, rule).text : '');
      }
      if (value.includes('?')) noteQuestionMark('expanded');
      out += value;
      index = close;
      continue;
    }
    if ((char === '$' || char === '%') && next !== undefined && next >= '0' && next <= '9') {
      const source = char === '$' ? refs.rule : refs.condition;
      let value = source?.[Number(next)] ?? '';
      if (rule?.flags.escapeBackrefs && value !== '') value = escapeBackref(value, rule);
      if (value.includes('?')) noteQuestionMark('expanded');
      out += value;
      index++;
      continue;
    }
    if (char === '?') noteQuestionMark('literal');
    out += char;
  }
  const unsafe = state.questionMark === 'expanded';
  return { text: out, unsafeQuestionMark: unsafe };
}

/** find_closing_curly(): the "}" closing the "{" before `from`, counting nested braces; -1 if none. */
function findClosingCurly(text: string, from: number): number {
  let depth = 1;
  for (let index = from; index < text.length; index++) {
    if (text[index] === '}' && --depth === 0) return index;
    if (text[index] === '{') depth++;
  }
  return -1;
}

/** find_char_in_curlies(): `char` at brace depth 1 before the closing "}"; -1 if none. */
function findCharInCurlies(text: string, from: number, char: string): number {
  let depth = 1;
  for (let index = from; index < text.length; index++) {
    if (text[index] === char && depth === 1) return index;
    if (text[index] === '}' && --depth === 0) return -1;
    if (text[index] === '{') depth++;
  }
  return -1;
}

/**
 * lookup_map(): int: functions answer every key; a map that does not exist, or one backed by a
 * file or program the sandbox does not read, finds nothing (null), so the default applies.
 */
function lookupMap(map: RewriteMapEntry | undefined, key: string): string | null {
  if (!map || map.kind !== 'internal') return null;
  switch (map.source) {
    case 'toupper':
      return asciiCase(key, 'upper');
    case 'tolower':
      return asciiCase(key, 'lower');
    case 'escape':
      return escapePathForRedirect(key);
    case 'unescape':
      return unescapeMapKey(key);
    default:
      return null;
  }
}

/**
 * ap_unescape_url() in place: every valid %XX is decoded (an encoded "/" too), a bad escape stays
 * as written, and a decoded NUL ends the C string.
 */
function unescapeMapKey(key: string): string {
  const decoded = key.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const nul = decoded.indexOf('\0');
  return nul === -1 ? decoded : decoded.slice(0, nul);
}

/** ap_str_toupper/tolower: ASCII letters only, whatever the locale. */
function asciiCase(text: string, to: 'upper' | 'lower'): string {
  return text.replace(to === 'upper' ? /[a-z]+/g : /[A-Z]+/g, (run) => (to === 'upper' ? run.toUpperCase() : run.toLowerCase()));
}

/** [B]: escape back-references like escape_backref() (all non-alphanumerics, or only the listed ones). */
function escapeBackref(value: string, rule: RewriteRuleEntry): string {
  const only = typeof rule.flags.escapeBackrefs === 'string' ? rule.flags.escapeBackrefs : null;
  let out = '';
  for (const char of value) {
    const needs = only !== null ? only.includes(char) : !/[A-Za-z0-9_.~-]/.test(char);
    if (char === ' ' && !rule.flags.backrefNoPlus && (only === null || only.includes(' '))) out += '+';
    else if (needs) out += `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return out;
}

/** lookup_variable() for the variables a WebSocket proxy config uses. */
export function lookupVariable(name: string, request: RewriteRequest, filename: string): string {
  const colon = name.indexOf(':');
  if (colon > 0) {
    const kind = name.slice(0, colon).toUpperCase();
    const key = name.slice(colon + 1);
    if (kind === 'HTTP') return request.headers.get(key) ?? '';
    if (kind === 'ENV') return request.env[key] ?? '';
    return '';
  }
  const upper = name.toUpperCase();
  if (upper.startsWith('HTTP_') && upper !== 'HTTPS') {
    const header = upper.slice(5).replace(/_/g, '-');
    return request.headers.get(header) ?? '';
  }
  switch (upper) {
    case 'REQUEST_URI':
      return request.uri;
    case 'REQUEST_FILENAME':
    case 'SCRIPT_FILENAME':
      return filename;
    case 'QUERY_STRING':
      return request.args ?? '';
    case 'REQUEST_METHOD':
      return request.method;
    case 'REQUEST_SCHEME':
      return request.secure ? 'https' : 'http';
    case 'THE_REQUEST':
      return request.theRequest;
    case 'SERVER_PROTOCOL':
      return request.protocol;
    case 'HTTPS':
      return request.secure ? 'on' : 'off';
    case 'REMOTE_ADDR':
      return request.remoteAddress;
    case 'REMOTE_HOST':
      return request.remoteAddress;
    case 'REMOTE_PORT':
      return String(request.remotePort);
    case 'SERVER_ADDR':
      return request.localAddress;
    case 'SERVER_PORT':
      return String(request.serverPort);
    case 'SERVER_NAME':
      return request.serverName;
    case 'SERVER_ADMIN':
      return request.serverAdmin;
    case 'DOCUMENT_ROOT':
      return request.documentRoot;
    case 'SERVER_SOFTWARE':
      return 'Apache/2.4.71 (Debian)';
    case 'IS_SUBREQ':
      return 'false';
    default:
      return request.env[name] ?? '';
  }
}

/** splitout_queryargs(): the substitution's query replaces (or with [QSA] precedes) the request's. */
function splitQuery(result: string, args: string | null, rule: RewriteRuleEntry): { filename: string; args: string | null } {
  let current = rule.flags.qsDiscard ? null : args;
  const schemeEnd = isAbsoluteUri(result) ? result.indexOf('://') + 3 : 0;
  const at = rule.flags.qsLast ? result.lastIndexOf('?') : result.indexOf('?', schemeEnd);
  if (at < schemeEnd || at < 0) return { filename: result, args: current };
  const query = result.slice(at + 1);
  if (rule.flags.qsAppend) {
    if (query !== '') current = current !== null ? `${query}&${current}` : `${query}&`;
  } else {
    current = query;
  }
  if (current !== null) {
    if (current === '') current = null;
    else if (current.endsWith('&')) current = current.slice(0, -1);
  }
  return { filename: result.slice(0, at), args: current };
}

/** fully_qualify_uri(): make a path absolute with this server's scheme, name and port. */
function qualify(path: string, request: RewriteRequest): string {
  const scheme = request.secure ? 'https' : 'http';
  const defaultPort = request.secure ? 443 : 80;
  const port = request.serverPort === defaultPort ? '' : `:${request.serverPort}`;
  return `${scheme}://${request.serverName}${port}${path.startsWith('/') ? '' : '/'}${path}`;
}

/** is_absolute_uri(): a scheme mod_rewrite knows, followed by "://" (or "mailto:" etc.). */
function isAbsoluteUri(text: string): boolean {
  return /^(https?|wss?|ftp|gopher|ldap|nntp|news|balancer|fcgi|scgi|ajp|h2c?|unix|uwsgi):\/\//i.test(text) || /^(mailto|news):/i.test(text);
}

function finish(rule: RewriteRuleEntry, filename: string, args: string | null, noEscape: boolean): RewriteOutcome {
  if (rule.flags.proxy) return { kind: 'proxy', url: filename, args, noEscape, rule };
  if (rule.flags.redirect !== null || isAbsoluteUri(filename)) {
    const status = rule.flags.redirect ?? 302;
    const escaped = noEscape ? filename : escapeAbsoluteUri(filename);
    const location = args !== null ? `${escaped}?${args}` : escaped;
    return { kind: 'redirect', status, location, rule };
  }
  return { kind: 'local', path: filename, args, rule };
}

/** reduce_uri(): "http://this-server[:port]/x" becomes the local path "/x". */
function reduceToLocalPath(url: string, request: RewriteRequest): string {
  const scheme = request.secure ? 'https' : 'http';
  const match = new RegExp(`^${scheme}://([^/:]*)(?::(\\d*))?(/.*)?$`, 'i').exec(url);
  if (!match) return url;
  const port = match[2] ? Number(match[2]) : request.secure ? 443 : 80;
  if (!request.isThisServer(match[1], port)) return url;
  return match[3] ?? '/';
}

/** escape_absolute_uri(): escape the path part of an absolute URL for a redirect. */
function escapeAbsoluteUri(url: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*)(.*)$/.exec(url);
  if (!match) return url;
  return match[1] + escapePathForRedirect(match[2]);
}
