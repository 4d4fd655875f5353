/**
 * mod_proxy's translate_name phase: proxy_trans() and ap_proxy_trans_match()
 * (modules/proxy/mod_proxy.c).
 *
 * The single ProxyPass of the most specific matching <Location> (dconf->alias, from the location
 * walk that runs before translate_name) is tried first, then the server-level ProxyPass and
 * ProxyPassMatch lines in order (the main server's, then the vhost's). The first that matches
 * wins. A matching "!" declines the whole phase: no later rule is tried, whatever it says.
 * A rule inside a section takes the section's path; it is a regex when it is ProxyPassMatch or the
 * path has fnmatch wildcards ("*", "?", "[") — so ProxyPass in <LocationMatch "^/ws/"> compares
 * "^/ws/" literally and never matches.
 *
 * A matching ws:// rule is also offered to mod_proxy_wstunnel's check_trans hook: without an
 * Upgrade header it answers "not for me" and, unless mod_proxy_http takes over WebSockets
 * (ProxyWebsocketFallbackToProxyHttp On, the default, with mod_proxy_http loaded), the walk moves
 * on to the next rule as if this one had not matched.
 */
import { compileHttpdRegex } from '../config/regex.ts';
import type { ProxyPassRule } from '../config/model.ts';
import type { ErrorLogEntry } from '../logs/error-log.ts';
import { aliasMatch, aliasMatchServlet } from './alias-match.ts';
import { pregsub } from './regex-substitute.ts';
import { hasWildcard } from './section-walk.ts';
import type { ConsideredRule } from './types.ts';

/** What mod_proxy's translate phase needs to know about the request. */
export interface ProxyTranslateInput {
  /** r->uri: decoded, normalised path. */
  uri: string;
  /** r->unparsed_uri: the request-target as received (for nocanon). */
  unparsedUri: string;
  /** The <Location> ProxyPass in effect, if any. */
  sectionRule: ProxyPassRule | null;
  /** Server-level rules in the order mod_proxy tries them. */
  serverRules: readonly ProxyPassRule[];
  /** The client sent an Upgrade header (all mod_proxy_wstunnel's check_trans looks at). */
  hasUpgradeHeader: boolean;
  /** mod_proxy_wstunnel is loaded and does not hand WebSockets to mod_proxy_http. */
  wstunnelClaimsWebSockets: boolean;
  /** Which pass this is: mapping=encoded rules run before decoding, the others after. */
  phase: 'pre-translate' | 'translate';
  client: string;
}

/** Outcome of the proxy translate phase. */
export type ProxyTranslation =
  | {
      kind: 'matched';
      rule: ProxyPassRule;
      /** r->filename: "proxy:" + target URL. */
      filename: string;
      /** nocanon in effect: the backend gets the raw path and query. */
      nocanon: boolean;
      /** mapping=encoded (or servlet, which includes it): the path was matched and is sent still encoded. */
      noencode: boolean;
      /** mapping=servlet: the normalised path (no ";params", "." or ".." segments) that replaces r->uri. */
      servletUri: string | null;
      considered: ConsideredRule[];
      log: ErrorLogEntry[];
    }
  | { kind: 'excluded'; rule: ProxyPassRule; considered: ConsideredRule[]; log: ErrorLogEntry[] }
  | { kind: 'none'; considered: ConsideredRule[]; log: ErrorLogEntry[] };

/** Run proxy_trans() for one phase. */
export function translateProxy(input: ProxyTranslateInput): ProxyTranslation {
  const considered: ConsideredRule[] = [];
  const log: ErrorLogEntry[] = [];
  const candidates = [...(input.sectionRule ? [input.sectionRule] : []), ...input.serverRules];
  for (const rule of candidates) {
    // PROXYPASS_MAP_SERVLET includes the PROXYPASS_MAP_ENCODED bit: both match before decoding.
    const mapping = mappingOf(rule);
    const encoded = mapping === 'encoded' || mapping === 'servlet';
    if ((input.phase === 'pre-translate') !== encoded) continue;
    const outcome = matchRule(rule, input, log);
    if (outcome.kind === 'matched' && declinedByWstunnel(outcome.filename, input)) {
      considered.push({
        ...outcome.considered,
        result: 'skipped',
        note: `${outcome.considered.note}, but mod_proxy_wstunnel only takes requests with an Upgrade header, so the next rule is tried`,
      });
      continue;
    }
    considered.push(outcome.considered);
    if (outcome.kind === 'excluded') return { kind: 'excluded', rule, considered, log };
    if (outcome.kind === 'matched') {
      return {
        kind: 'matched',
        rule,
        filename: outcome.filename,
        nocanon: outcome.nocanon,
        noencode: encoded,
        servletUri: outcome.servletUri,
        considered,
        log,
      };
    }
  }
  return { kind: 'none', considered, log };
}

/** proxy_wstunnel_check_trans(): a ws:// or wss:// URL without an Upgrade header is not for it. */
function declinedByWstunnel(filename: string, input: ProxyTranslateInput): boolean {
  if (!input.wstunnelClaimsWebSockets || input.hasUpgradeHeader) return false;
  return /^proxy:wss?:/i.test(filename);
}

/** True when httpd compiles this rule's path as a regex. */
export function isRegexRule(rule: ProxyPassRule): boolean {
  if (rule.inSection) return rule.directive === 'ProxyPassMatch' || hasWildcard(rule.path);
  return rule.regex;
}

/** The rule as the learner wrote it. */
export function describeProxyPass(rule: ProxyPassRule): string {
  const words: string[] = [rule.directive];
  if (!rule.inSection) words.push(rule.path);
  words.push(rule.target ?? '!');
  for (const param of rule.params) words.push(`${param.key}=${param.value}`);
  words.push(...rule.keywords);
  return words.join(' ');
}

/** mapping=encoded|servlet: a flag of the rule, not a worker parameter (the parser keeps it with the keywords). */
function mappingOf(rule: ProxyPassRule): string | null {
  const keyword = rule.keywords.find((word) => word.toLowerCase().startsWith('mapping='));
  if (keyword) return keyword.slice('mapping='.length).toLowerCase();
  return rule.params.find((param) => param.key === 'mapping')?.value.toLowerCase() ?? null;
}

type RuleOutcome =
  | { kind: 'matched'; filename: string; nocanon: boolean; servletUri: string | null; considered: ConsideredRule }
  | { kind: 'excluded' | 'no-match'; considered: ConsideredRule };

function matchRule(rule: ProxyPassRule, input: ProxyTranslateInput, log: ErrorLogEntry[]): RuleOutcome {
  const text = describeProxyPass(rule);
  const entry = (result: ConsideredRule['result'], note: string): ConsideredRule => ({
    directive: rule.directive,
    text: rule.inSection ? `${text} (in the section for ${rule.path})` : text,
    source: rule.source,
    result,
    note,
  });
  let nocanon = rule.keywords.some((keyword) => keyword.toLowerCase() === 'nocanon');
  const real = rule.target ?? '!';

  let found: string;
  if (isRegexRule(rule)) {
    const compiled = compileHttpdRegex(rule.path);
    if (!compiled.ok) return { kind: 'no-match', considered: entry('skipped', `the pattern does not compile here: ${compiled.reason}`) };
    const match = compiled.regex.exec(input.uri);
    if (!match) return { kind: 'no-match', considered: entry('no-match', `${input.uri} does not match the pattern ${rule.path}`) };
    if (rule.target === null) {
      return { kind: 'excluded', considered: entry('excluded', `${input.uri} matches ${rule.path}, and "!" excludes it from proxying`) };
    }
    let subject = input.uri;
    let groups = match;
    if (nocanon) {
      const rawMatch = compiled.regex.exec(input.unparsedUri);
      if (rawMatch) {
        subject = input.unparsedUri;
        groups = rawMatch;
      } else {
        nocanon = false;
        log.push(nocanonWarning(input.client));
      }
    }
    const substituted = pregsub(real, groups);
    // Without any $N the whole path is appended, so "ProxyPassMatch \.gif$ http://h" keeps the path.
    found = substituted !== real ? substituted : real + subject;
    return {
      kind: 'matched',
      filename: `proxy:${found}`,
      nocanon,
      servletUri: null,
      considered: entry('matched', `${input.uri} matches ${rule.path}`),
    };
  }

  let consumed: number;
  let rest: string;
  let servletUri: string | null = null;
  if (mappingOf(rule) === 'servlet') {
    // The part after the match is taken from the path as received (still encoded: servlet mapping
    // runs in pre_translate_name), not from the normalised one, which replaces r->uri.
    const servlet = aliasMatchServlet(input.uri, rule.path);
    consumed = servlet ? servlet.length : 0;
    rest = servlet ? input.uri.slice(servlet.length) : '';
    servletUri = servlet ? servlet.normalized : null;
    nocanon = false;
  } else {
    consumed = aliasMatch(input.uri, rule.path);
    rest = input.uri.slice(consumed);
  }
  if (consumed === 0) {
    return { kind: 'no-match', considered: entry('no-match', prefixMissReason(input.uri, rule.path)) };
  }
  if (rule.target === null) {
    return { kind: 'excluded', considered: entry('excluded', `${input.uri} starts with ${rule.path}, and "!" excludes it from proxying`) };
  }
  if (nocanon) {
    const rawConsumed = aliasMatch(input.unparsedUri, rule.path);
    if (rawConsumed === consumed) {
      rest = input.unparsedUri.slice(consumed);
    } else {
      nocanon = false;
      log.push(nocanonWarning(input.client));
    }
  }
  return {
    kind: 'matched',
    filename: `proxy:${real}${rest}`,
    nocanon,
    servletUri,
    considered: entry('matched', `${input.uri} starts with ${rule.path}; "${rest}" is appended to ${real}`),
  };
}

function nocanonWarning(client: string): ErrorLogEntry {
  return {
    module: 'proxy',
    level: 'warn',
    code: 'AH01136',
    message: 'Unescaped URL path matched ProxyPass; ignoring unsafe nocanon',
    client,
  };
}

/** Why a prefix rule missed, in words a learner can act on. */
function prefixMissReason(uri: string, prefix: string): string {
  const squeezed = uri.replace(/\/{2,}/g, '/');
  const bare = prefix.replace(/\/{2,}/g, '/');
  if (squeezed.startsWith(bare) && !bare.endsWith('/')) {
    return `${uri} continues ${prefix} with "${squeezed[bare.length]}", not at a "/" boundary`;
  }
  if (bare.startsWith(squeezed) || (bare.endsWith('/') && bare.slice(0, -1) === squeezed)) {
    return `${uri} is shorter than the prefix ${prefix}`;
  }
  return `${uri} does not start with ${prefix}`;
}
