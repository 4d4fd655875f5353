/**
 * mod_rewrite's directives (mod_rewrite.c cmd_rewriteengine / cmd_rewriteoptions /
 * cmd_rewritecond / cmd_rewriterule): mod_rewrite splits its own arguments (parseargline keeps
 * backslashes), parses [flags] with its own rules, and attaches pending RewriteConds to the next
 * RewriteRule of the same scope.
 */
import type { SplitArguments } from '../argument-splitter.ts';
import { atoi } from '../c-numbers.ts';
import { sourceOf } from '../directive-node.ts';
import { isConfigSpace } from '../lexer.ts';
import type { RewriteCondition, RewriteConfig, RewriteFlags, RewriteMapEntry } from '../model.ts';
import { logForServer, type CommandContext, type HandlerError, type HandlerTable } from '../process-phase.ts';
import { compileHttpdRegex } from '../regex.ts';

type Result = HandlerError | string | null;

/** RewriteConds written but not yet claimed by a RewriteRule, per rewrite scope. */
const pendingConditions = new WeakMap<RewriteConfig, RewriteCondition[]>();

/** mod_rewrite parseargline: up to three arguments; null when there is no second argument. */
export function parseRewriteArguments(text: string): { first: string; second: string; third: string | null } | null {
  let position = 0;
  const skip = () => {
    while (position < text.length && isConfigSpace(text[position])) position++;
  };
  const take = (): { value: string; ended: boolean } => {
    const quote = text[position] === '"' || text[position] === "'" ? text[position++] : null;
    const start = position;
    for (; position < text.length; position++) {
      const char = text[position];
      if ((isConfigSpace(char) && quote === null) || char === quote) break;
      if (char === '\\' && isConfigSpace(text[position + 1])) position++;
    }
    const value = text.slice(start, position);
    const ended = position >= text.length;
    if (!ended) position++;
    return { value, ended };
  };
  skip();
  const first = take();
  if (first.ended) return null;
  skip();
  const second = take();
  if (second.ended) return { first: first.value, second: second.value, third: null };
  skip();
  if (position >= text.length) return { first: first.value, second: second.value, third: null };
  const third = take();
  return { first: first.value, second: second.value, third: third.value };
}

/** cmd_parseflagfield: split "[A,B=c]" into key/value pairs, or httpd's error. */
function parseFlagField(field: string): Array<{ key: string; value: string }> | string {
  if (!field.startsWith('[') || !field.endsWith(']') || field.length < 2) return 'bad flag delimiters';
  const inner = `${field.slice(1, -1)},`;
  const flags: Array<{ key: string; value: string }> = [];
  let position = 0;
  while (position < inner.length) {
    while (position < inner.length && isConfigSpace(inner[position])) position++;
    const comma = inner.indexOf(',', position);
    if (position >= inner.length || comma === -1) break;
    let end = comma;
    while (end > position && isConfigSpace(inner[end - 1])) end--;
    const item = inner.slice(position, end);
    const equals = item.indexOf('=');
    flags.push(equals === -1 ? { key: item, value: '' } : { key: item.slice(0, equals), value: item.slice(equals + 1) });
    position = comma + 1;
  }
  return flags;
}

function emptyFlags(): RewriteFlags {
  return {
    proxy: false, last: false, end: false, noCase: false, noEscape: false, passThrough: false, qsAppend: false,
    qsDiscard: false, qsLast: false, chain: false, noSubreq: false, forbidden: false, gone: false, redirect: null,
    next: null, skip: 0, type: null, handler: null, env: [], cookie: [], escapeBackrefs: null, backrefNoPlus: false,
    discardPathInfo: false, raw: [],
  };
}

/**
 * Statuses with a status line in httpd 2.4.71 (status_lines[] behind ap_index_of_response):
 * anything else in [R=...] is refused. 306, 418 and 425 have none, so httpd refuses them too.
 */
export const KNOWN_STATUSES = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402,
  403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 423, 424, 426, 428, 429, 431, 451,
  500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/** cmd_rewriterule_setflag for one flag; null when accepted. */
function applyRuleFlag(flags: RewriteFlags, rawKey: string, value: string): string | null {
  const head = rawKey[0]?.toLowerCase() ?? '';
  const key = rawKey.slice(1).toLowerCase();
  const unknown = `unknown flag '${rawKey}'`;
  switch (head) {
    case 'b':
      if (key === '' || key === 'ackrefescaping') flags.escapeBackrefs = value !== '' ? value : true;
      else if (key === 'ne') {
        if (value === '') return "flag 'BNE' wants a list of characters (i.e. [BNE=...])";
      } else if (key === 'np' || key === 'ackrefernoplus') flags.backrefNoPlus = true;
      else if (key === 'ctls') flags.escapeBackrefs = flags.escapeBackrefs ?? true;
      else return unknown;
      return null;
    case 'c':
      if (key === '' || key === 'hain') flags.chain = true;
      else if (key === 'o' || key === 'ookie') flags.cookie.push(value);
      else return unknown;
      return null;
    case 'd':
      if (key === '' || key === 'pi' || key === 'iscardpath') flags.discardPathInfo = true;
      return null;
    case 'e':
      if (key === '' || key === 'nv') flags.env.push(value);
      else if (key === 'nd') flags.end = true;
      else return unknown;
      return null;
    case 'f':
      if (key === '' || key === 'orbidden') flags.forbidden = true;
      else return unknown;
      return null;
    case 'g':
      if (key === '' || key === 'one') flags.gone = true;
      else return unknown;
      return null;
    case 'h':
      if (key === '' || key === 'andler') flags.handler = value;
      else return unknown;
      return null;
    case 'l':
      if (key === '' || key === 'ast') flags.last = true;
      else return unknown;
      return null;
    case 'n':
      if (key === 'e' || key === 'oescape') flags.noEscape = true;
      else if (key === '' || key === 'ext') flags.next = value !== '' ? atoi(value) : 10000;
      else if (key === 's' || key === 'osubreq') flags.noSubreq = true;
      else if (key === 'c' || key === 'ocase') flags.noCase = true;
      else return unknown;
      return null;
    case 'p':
      if (key === '' || key === 'roxy') flags.proxy = true;
      else if (key === 't' || key === 'assthrough') flags.passThrough = true;
      else return unknown;
      return null;
    case 'q':
      if (key === 'sa' || key === 'sappend') flags.qsAppend = true;
      else if (key === 'sd' || key === 'sdiscard') flags.qsDiscard = true;
      else if (key === 'sl' || key === 'slast') flags.qsLast = true;
      else return unknown;
      return null;
    case 'r': {
      if (key !== '' && key !== 'edirect') return unknown;
      let status = 302;
      const lower = value.toLowerCase();
      if (lower === 'permanent') status = 301;
      else if (lower === 'temp') status = 302;
      else if (lower === 'seeother') status = 303;
      else if (/^\d/.test(value)) {
        status = atoi(value);
        if (status !== 500 && !KNOWN_STATUSES.has(status)) return `invalid HTTP response code '${value}' for flag 'R'`;
      }
      flags.redirect = status;
      return null;
    }
    case 's':
      if (key === '' || key === 'kip') flags.skip = atoi(value);
      else return unknown;
      return null;
    case 't':
      if (key === '' || key === 'ype') flags.type = value;
      else return unknown;
      return null;
    case 'u':
      if (key === 'nsafeprefixstat' || key === 'nsafeallow3f' || key === 'nc') return null;
      return unknown;
    default:
      return unknown;
  }
}

function rewriteScope(context: CommandContext): RewriteConfig {
  return context.path === null ? context.server.server.rewrite : context.scope.rewrite;
}

function rewriteEngine(context: CommandContext, args: SplitArguments): Result {
  rewriteScope(context).engine = { value: args.flag === true, source: sourceOf(context.node) };
  return null;
}

const REWRITE_OPTIONS = [
  'inherit', 'inheritbefore', 'inheritdown', 'inheritdownbefore', 'ignoreinherit', 'allownoslash', 'allowanyuri', 'mergebase',
  'ignorecontextinfo', 'legacyprefixdocroot', 'unsafeprefixstat',
];

function rewriteOptions(context: CommandContext, args: SplitArguments): Result {
  for (const word of args.words) {
    const lower = word.value.toLowerCase();
    if (lower.startsWith('maxredirects=')) {
      const message = 'AH00664: RewriteOptions: MaxRedirects option has been removed in favor of the global LimitInternalRecursion directive and will be ignored.';
      logForServer(context, 'rewrite', 'warn', message);
      continue;
    }
    if (!REWRITE_OPTIONS.includes(lower)) return `RewriteOptions: unknown option '${word.value}'`;
    rewriteScope(context).options.push({ value: word.value, source: sourceOf(context.node) });
  }
  return null;
}

function rewriteBase(context: CommandContext, args: SplitArguments): Result {
  if (context.path === null) return 'RewriteBase: only valid in per-directory config files';
  const value = args.words[0].value;
  if (value === '') return 'RewriteBase: empty URL not allowed';
  if (!value.startsWith('/')) return 'RewriteBase: argument is not a valid URL';
  context.scope.rewrite.base = { value, source: sourceOf(context.node) };
  return null;
}

function rewriteCond(context: CommandContext, args: SplitArguments): Result {
  const parsed = parseRewriteArguments(args.raw);
  if (!parsed) return `RewriteCond: bad argument line '${args.raw}'`;
  const condition: RewriteCondition = {
    testString: parsed.first,
    pattern: parsed.second,
    negated: false,
    noCase: false,
    orNext: false,
    noVary: false,
    source: sourceOf(context.node),
  };
  if (parsed.third !== null) {
    const flags = parseFlagField(parsed.third);
    if (typeof flags === 'string') return `RewriteCond: ${flags}`;
    for (const { key } of flags) {
      const lower = key.toLowerCase();
      if (lower === 'nocase' || lower === 'nc') condition.noCase = true;
      else if (lower === 'ornext' || lower === 'or') condition.orNext = true;
      else if (lower === 'novary' || lower === 'nv') condition.noVary = true;
      else return `RewriteCond: unknown flag '${key}'`;
    }
  }
  let pattern = parsed.second;
  if (pattern.startsWith('!')) {
    condition.negated = true;
    pattern = pattern.slice(1);
  }
  condition.pattern = pattern;
  const regex = parsed.first.toLowerCase() !== 'expr' && isRegexPattern(pattern);
  const stringCompare = /^[<>=]/.test(pattern) && pattern.length > 1;
  if (condition.noCase && !regex && !stringCompare && parsed.first.toLowerCase() !== 'expr') {
    const shown = nonRegexOperand(pattern);
    const message = `AH00665: RewriteCond: NoCase option for non-regex pattern '${shown}' is not supported and will be ignored. (${context.node.file}:${context.node.line.httpdLine})`;
    logForServer(context, 'rewrite', 'warn', message);
    condition.noCase = false;
  }
  const scope = rewriteScope(context);
  const pending = pendingConditions.get(scope) ?? [];
  pending.push(condition);
  pendingConditions.set(scope, pending);
  if (regex) {
    const compiled = compileHttpdRegex(pattern, { caseInsensitive: condition.noCase });
    if (!compiled.ok && !compiled.unsupported) return `RewriteCond: cannot compile regular expression '${pattern}'`;
  }
  return null;
}

/** The part of a non-regex CondPattern httpd prints: integer comparisons drop their "-lt". */
function nonRegexOperand(pattern: string): string {
  if (pattern[0] === '-' && pattern.length > 3 && ['lt', 'le', 'gt', 'ge', 'eq', 'ne'].includes(pattern.slice(1, 3))) return pattern.slice(3);
  return pattern;
}

/** Whether a CondPattern is a regex (not -f, -d, =, <, >, -lt... forms). */
export function isRegexPattern(pattern: string): boolean {
  if (pattern.length < 2) return true;
  if (pattern[0] === '-') {
    if (pattern.length === 2) return !'fsdxhLlUF'.includes(pattern[1]);
    if (pattern.length > 3) return !['lt', 'le', 'gt', 'ge', 'eq', 'ne'].includes(pattern.slice(1, 3));
    return true;
  }
  return !'<>='.includes(pattern[0]);
}

function rewriteRule(context: CommandContext, args: SplitArguments): Result {
  const parsed = parseRewriteArguments(args.raw);
  if (!parsed) return `RewriteRule: bad argument line '${args.raw}'`;
  const flags = emptyFlags();
  if (parsed.third !== null) {
    const list = parseFlagField(parsed.third);
    if (typeof list === 'string') return `RewriteRule: ${list}`;
    for (const { key, value } of list) {
      const error = applyRuleFlag(flags, key, value);
      if (error) return `RewriteRule: ${error}`;
      flags.raw.push(value === '' ? key : `${key}=${value}`);
    }
  }
  let pattern = parsed.first;
  let negated = false;
  if (pattern.startsWith('!')) {
    negated = true;
    pattern = pattern.slice(1);
  }
  const compiled = compileHttpdRegex(pattern, { caseInsensitive: flags.noCase });
  if (!compiled.ok && !compiled.unsupported) return `RewriteRule: cannot compile regular expression '${pattern}'`;
  const scope = rewriteScope(context);
  const conditions = pendingConditions.get(scope) ?? [];
  pendingConditions.delete(scope);
  scope.rules.push({ pattern, negated, substitution: parsed.second, flags, conditions, source: sourceOf(context.node) });
  return null;
}

/** The internal map functions mod_rewrite registers (int:NAME). */
export const INTERNAL_MAP_FUNCTIONS = ['toupper', 'tolower', 'escape', 'unescape'];

/**
 * cmd_rewritemap: the map goes to the server's config wherever the directive is written. int:
 * maps must name a registered function; other kinds are kept by name (their files are not read).
 */
function rewriteMap(context: CommandContext, args: SplitArguments): Result {
  const [name, source] = args.words.map((word) => word.value);
  let entry: RewriteMapEntry = { kind: 'external', source };
  if (source.toLowerCase().startsWith('int:')) {
    const func = source.slice(4);
    if (!INTERNAL_MAP_FUNCTIONS.includes(func)) return `RewriteMap: internal map not found:${func}`;
    entry = { kind: 'internal', source: func };
  }
  context.server.server.rewrite.maps[name] = entry;
  return null;
}

/** Handlers for mod_rewrite (RewriteMap evaluates int: maps only). */
export const rewriteHandlers: HandlerTable = {
  rewriteengine: rewriteEngine,
  rewriteoptions: rewriteOptions,
  rewritebase: rewriteBase,
  rewritecond: rewriteCond,
  rewriterule: rewriteRule,
  rewritemap: rewriteMap,
};
