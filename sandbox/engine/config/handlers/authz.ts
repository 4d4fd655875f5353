/**
 * mod_authz_core's Require, <RequireAll>/<RequireAny>/<RequireNone>/<RequireNotAll> and
 * AuthMerging (mod_authz_core.c add_authz_provider / add_authz_section), with the providers the
 * loaded modules register and their argument checks.
 */
import { isIpv6 } from '../address.ts';
import type { SplitArguments } from '../argument-splitter.ts';
import { sourceOf } from '../directive-node.ts';
import { readWord, skipSpaces } from '../lexer.ts';
import type { DirectoryScope, RequireContainer, RequireNode, Setting } from '../model.ts';
import type { ParseState } from '../parse-state.ts';
import { walkNodes, type CommandContext, type HandlerError, type HandlerTable } from '../process-phase.ts';
import { OR_AUTHCFG } from '../directive-lookup.ts';
import { sectionArgument } from './core-sections.ts';
import { checkExprSyntax } from '../../routing/ap-expr-syntax.ts';
import { stringExprError } from './string-expr.ts';

type Result = HandlerError | string | null;

/** Authz providers and the module that registers each. */
const PROVIDERS: Record<string, string> = {
  all: 'authz_core_module',
  env: 'authz_core_module',
  method: 'authz_core_module',
  expr: 'authz_core_module',
  ip: 'authz_host_module',
  host: 'authz_host_module',
  'forward-dns': 'authz_host_module',
  local: 'authz_host_module',
  user: 'authz_user_module',
  'valid-user': 'authz_user_module',
  group: 'authz_groupfile_module',
  'file-owner': 'authz_owner_module',
  'file-group': 'authz_groupfile_module',
  'dbm-group': 'authz_dbm_module',
  'dbm-file-group': 'authz_dbm_module',
  'dbd-group': 'authz_dbd_module',
  'dbd-login': 'authz_dbd_module',
  'dbd-logout': 'authz_dbd_module',
  'ldap-user': 'authnz_ldap_module',
  'ldap-group': 'authnz_ldap_module',
  'ldap-dn': 'authnz_ldap_module',
  'ldap-attribute': 'authnz_ldap_module',
  'ldap-filter': 'authnz_ldap_module',
  'ldap-search': 'authnz_ldap_module',
  ssl: 'ssl_module',
  'ssl-verify-client': 'ssl_module',
};

/** Providers whose parse_require_line is ap_expr_parse_cmd(..., AP_EXPR_FLAG_STRING_RESULT). */
const STRING_EXPR_PROVIDERS = new Set(['user', 'host', 'forward-dns', 'group', 'dbm-group', 'dbd-group', 'ldap-user', 'ldap-group', 'ldap-dn', 'ldap-attribute', 'ldap-filter', 'ldap-search']);

const HTTP_METHODS = [
  'GET', 'PUT', 'POST', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE',
  'LOCK', 'UNLOCK', 'VERSION-CONTROL', 'CHECKOUT', 'UNCHECKOUT', 'CHECKIN', 'UPDATE', 'LABEL', 'REPORT', 'MKWORKSPACE',
  'MKACTIVITY', 'BASELINE-CONTROL', 'MERGE', 'HEAD',
];

/**
 * A Require tree as mod_authz_core keeps it (authz_section_conf): unlike the model, <RequireNotAll>
 * stays one negated AND section. Only its check_config hook (AH01624) reads it.
 */
interface AuthzSection {
  kind: 'section';
  op: 'and' | 'or';
  negated: boolean;
  children: Array<AuthzSection | { kind: 'rule'; negated: boolean }>;
}

/** Each directory scope's top-level section, in the order httpd's hook visits them (newest first). */
const topSections = new WeakMap<ParseState, Array<AuthzSection>>();
const topSectionOfScope = new WeakMap<DirectoryScope, AuthzSection>();

function topSectionOf(context: CommandContext): AuthzSection {
  let section = topSectionOfScope.get(context.scope);
  if (!section) {
    section = { kind: 'section', op: 'or', negated: false, children: [] };
    topSectionOfScope.set(context.scope, section);
    const list = topSections.get(context.state) ?? [];
    list.unshift(section);
    topSections.set(context.state, list);
  }
  return section;
}

/** The container Require lines currently go into, per directory scope (set by <Require*> sections). */
const currentContainer = new WeakMap<DirectoryScope, { node: RequireContainer; op: 'and' | 'or'; negated: boolean; name: string; httpd: AuthzSection }>();

function containerOf(context: CommandContext) {
  return currentContainer.get(context.scope) ?? { node: context.scope.authz.root, op: 'or' as const, negated: false, name: '<RequireAny>', httpd: topSectionOf(context) };
}

function sectionLabel(section: AuthzSection): string {
  if (section.op === 'and') return section.negated ? '<RequireNotAll>' : '<RequireAll>';
  return section.negated ? '<RequireNone>' : '<RequireAny>';
}

/**
 * authz_core_check_section: every section needs one positive child, after pushing a negated child
 * of the other operator's children up a level (De Morgan). Returns the failing section's label.
 */
function onlyNegativeSection(section: AuthzSection, isTopLevel: boolean): string | null {
  for (let index = 0; index < section.children.length; index++) {
    const child = section.children[index];
    if (child.kind !== 'section') continue;
    const failure = onlyNegativeSection(child, false);
    if (failure) return failure;
    if (child.negated && child.op !== section.op) {
      const lifted = child.children.map((grandchild) => ({ ...grandchild, negated: !grandchild.negated }));
      section.children.splice(index, 1, ...lifted);
      index += lifted.length - 1;
    }
  }
  if (section.children.some((child) => !child.negated)) return null;
  return isTopLevel ? '<Directory>, <Location>, or similar' : sectionLabel(section);
}

/** mod_authz_core's check_config hook: AH01624 for the first Require tree with only negative rules. */
export function checkNegativeOnlyAuthz(state: ParseState): string | null {
  for (const section of topSections.get(state) ?? []) {
    if (section.children.length === 0) continue;
    const failure = onlyNegativeSection(section, true);
    if (failure) return `AH01624: ${failure} directive contains only negative authorization directives`;
  }
  return null;
}

/** apr_ipsubnet_create's verdict on "addr[/mask]": null when valid, else the error's text. */
export function checkIpSubnet(text: string): { invalid: true } | { error: string } | null {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const mask = slash === -1 ? null : text.slice(slash + 1);
  if (address.includes(':')) {
    if (!isIpv6(address)) return { error: 'The specified IP address is invalid.' };
    if (mask !== null && !(/^\d+$/.test(mask) && Number(mask) <= 128)) return { error: 'The specified network mask is invalid.' };
    return null;
  }
  // looks_like_ip: an empty address (a bare "/" or "/24") is EINVAL, the message without a reason.
  if (address === '' || !/^[\d.]*$/.test(address)) return { invalid: true };
  const parts = address.split('.');
  if (address === '' || parts.length > 4 || parts.some((part) => part === '' || Number(part) > 255)) return { error: 'The specified IP address is invalid.' };
  if (mask !== null) {
    if (/^\d+$/.test(mask)) {
      if (Number(mask) > 32) return { error: 'The specified network mask is invalid.' };
    } else {
      const maskParts = mask.split('.');
      if (maskParts.length !== 4 || maskParts.some((part) => !/^\d+$/.test(part) || Number(part) > 255)) return { error: 'The specified network mask is invalid.' };
    }
  }
  return null;
}

/** A provider's parse_require_line check. */
function checkProviderArguments(provider: string, args: string): HandlerError | string | null {
  const words: string[] = [];
  for (let word = readWord(args, 0); word && word.value !== ''; word = readWord(args, word.end)) words.push(word.value);
  switch (provider) {
    case 'all':
      return ['granted', 'denied'].includes(args.toLowerCase()) ? null : "Argument for 'Require all' must be 'granted' or 'denied'";
    case 'ip': {
      if (words.length === 0) return "'require ip' requires an argument";
      for (const word of words) {
        const verdict = checkIpSubnet(word);
        if (verdict && 'invalid' in verdict) return `ip address '${word}' appears to be invalid`;
        if (verdict) return `ip address '${word}' appears to be invalid: ${verdict.error}`;
      }
      return null;
    }
    case 'method': {
      const bad = words.find((word) => !HTTP_METHODS.includes(word));
      return bad ? `Invalid Method '${bad}'` : null;
    }
    case 'expr': {
      // authz_core's expr_parse_config drops one pair of surrounding double quotes, then parses.
      const expr = args.length >= 2 && args.startsWith('"') && args.endsWith('"') ? args.slice(1, -1) : args;
      const exprError = checkExprSyntax(expr);
      return exprError ? `Cannot parse expression in require line: ${exprError}` : null;
    }
    default: {
      // These providers' parse_require_line parses the whole rest of the line as a string ap_expr.
      if (!STRING_EXPR_PROVIDERS.has(provider)) return null;
      return stringExprError(args, (error) => `Cannot parse expression in require line: ${error}`);
    }
  }
}

function require(context: CommandContext, args: SplitArguments): Result {
  const first = readWord(args.raw, 0);
  let providerName = first?.value ?? '';
  let rest = first ? skipSpaces(args.raw, first.end) : args.raw.length;
  let negated = false;
  if (providerName.toLowerCase() === 'not') {
    const next = readWord(args.raw, rest);
    providerName = next?.value ?? '';
    rest = next ? skipSpaces(args.raw, next.end) : args.raw.length;
    negated = true;
  }
  const providerArgs = args.raw.slice(rest);
  const provider = providerName.toLowerCase();
  const module = PROVIDERS[provider];
  // Provider names are matched exactly as registered (lower-case).
  if (module === undefined || provider !== providerName || !context.state.loadedIds.has(module)) return `Unknown Authz provider: ${providerName}`;
  const argumentError = checkProviderArguments(provider, providerArgs);
  if (argumentError) return argumentError;
  const container = containerOf(context);
  if (negated && container.op === 'or') return `negative Require directive has no effect in ${container.name} directive`;
  container.httpd.children.push({ kind: 'rule', negated });
  const words: string[] = [];
  for (let word = readWord(providerArgs, 0); word && word.value !== ''; word = readWord(providerArgs, word.end)) words.push(word.value);
  container.node.children.push({ kind: 'rule', negated, provider, args: words, rawArgs: providerArgs, source: sourceOf(context.node) });
  return null;
}

function requireSection(context: CommandContext, args: SplitArguments): Result {
  const name = context.spec.name;
  const end = args.raw.lastIndexOf('>');
  if (end === -1) return `${name}> directive missing closing '>'`;
  const inner = sectionArgument(context, args.raw);
  if (typeof inner !== 'string') return inner;
  if (inner !== '') return `${name}> directive doesn't take additional arguments`;
  const lower = name.toLowerCase();
  const op: 'and' | 'or' = lower === '<requireall' || lower === '<requirenotall' ? 'and' : 'or';
  const negated = lower === '<requirenotall' || lower === '<requirenone';
  const label = `${name}>`;
  const node: RequireContainer = { kind: op === 'and' ? 'all' : 'any', children: [], source: sourceOf(context.node) };
  const httpdSection: AuthzSection = { kind: 'section', op, negated, children: [] };
  const previous = currentContainer.get(context.scope);
  currentContainer.set(context.scope, { node, op, negated, name: label, httpd: httpdSection });
  walkNodes(context.node.children, {
    state: context.state,
    server: context.server,
    virtualHost: context.virtualHost,
    path: context.path,
    override: OR_AUTHCFG,
    limited: true,
    scope: context.scope,
    section: context.section,
  });
  if (previous) currentContainer.set(context.scope, previous);
  else currentContainer.delete(context.scope);
  if (node.children.length === 0) return `${label} directive contains no authorization directives`;
  // httpd makes the enclosing (or the scope's default) section only once the nested one has rules.
  const parent = containerOf(context);
  if (negated && parent.op === 'or') return `${label} directive has no effect in ${parent.name} directive`;
  // "Be associative": a plain section with its parent's operator hands its children up.
  if (!negated && op === parent.op) parent.httpd.children.push(...httpdSection.children);
  else parent.httpd.children.push(httpdSection);
  let added: RequireNode[];
  if (!negated && op === parent.op) added = node.children;
  else if (negated) {
    // <RequireNone> is NOT(any); <RequireNotAll> is NOT(all), kept as a "none" around one "all".
    added = op === 'or' ? [{ kind: 'none', children: node.children, source: node.source }] : [{ kind: 'none', children: [node], source: node.source }];
  } else added = [node];
  parent.node.children.push(...added);
  return null;
}

function authMerging(context: CommandContext, args: SplitArguments): Result {
  const value = args.words[0].value.toLowerCase();
  if (value !== 'off' && value !== 'and' && value !== 'or') return `${context.spec.name} must be one of: Off | And | Or`;
  const merging: Setting<'off' | 'and' | 'or'> = { value, source: sourceOf(context.node) };
  context.scope.authz.merging = merging;
  return null;
}

/** Handlers for mod_authz_core. */
export const authzHandlers: HandlerTable = {
  require,
  '<requireall': requireSection,
  '<requireany': requireSection,
  '<requirenone': requireSection,
  '<requirenotall': requireSection,
  authmerging: authMerging,
};
