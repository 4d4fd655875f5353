/**
 * mod_setenvif's directives (mod_setenvif.c add_setenvif_core / add_setenvifexpr / add_envvars):
 * SetEnvIf, SetEnvIfNoCase, SetEnvIfExpr, BrowserMatch, BrowserMatchNoCase. Outside sections the
 * lines go to the server config (run at post_read_request), inside a section to that section's
 * per-directory config (run at header_parser).
 */
import type { SplitArguments } from '../argument-splitter.ts';
import { sourceOf } from '../directive-node.ts';
import { readWord } from '../lexer.ts';
import type { SetEnvIfEntry } from '../model.ts';
import type { CommandContext, HandlerError, HandlerTable } from '../process-phase.ts';
import { isValidHttpdRegex } from '../regex.ts';
import { checkExprSyntax } from '../../routing/ap-expr-syntax.ts';

type Result = HandlerError | string | null;

/** ap_getword_conf() over RAW_ARGS: the next word and the rest; an empty word ends the list. */
function wordsOf(raw: string): string[] {
  const words: string[] = [];
  let position = 0;
  for (;;) {
    const word = readWord(raw, position);
    if (!word || word.value === '') return words;
    words.push(word.value);
    position = word.end;
  }
}

/** add_envvars(): "name" sets 1, "name=value" sets value, "!name" unsets. */
function features(directive: string, words: string[]): SetEnvIfEntry['features'] | string {
  if (words.length === 0) return `Missing envariable expression for ${directive}`;
  return words.map((word) => {
    const equals = word.indexOf('=');
    if (equals !== -1 && equals < word.length - 1) return { name: word.slice(0, equals), value: word.slice(equals + 1) };
    const name = equals === -1 ? word : word.slice(0, equals);
    return name.startsWith('!') ? { name: name.slice(1), value: null } : { name, value: '1' };
  });
}

function store(context: CommandContext, entry: SetEnvIfEntry): void {
  // cmd->path == NULL: the server config; otherwise the section's per-directory config.
  const list = context.path === null ? (context.server.server.setEnvIf ??= []) : (context.scope.setEnvIf ??= []);
  list.push(entry);
}

function setEnvIfCore(context: CommandContext, attribute: string, rest: string[], caseInsensitive: boolean): Result {
  const directive = context.spec.name;
  const [regex, ...assignments] = rest;
  if (regex === undefined) return `Missing regular expression for ${directive}`;
  if (!isValidHttpdRegex(regex)) return `${directive} regex could not be compiled.`;
  if (!/^[-A-Za-z0-9_]*$/.test(attribute) && !isValidHttpdRegex(attribute)) return `${directive}Header name regex could not be compiled.`;
  const parsed = features(directive, assignments);
  if (typeof parsed === 'string') return parsed;
  store(context, { attribute, regex, caseInsensitive, expr: null, features: parsed, source: sourceOf(context.node) });
  return null;
}

function setEnvIf(context: CommandContext, args: SplitArguments): Result {
  const [attribute, ...rest] = wordsOf(args.raw);
  if (attribute === undefined) return `Missing header-field name for ${context.spec.name}`;
  return setEnvIfCore(context, attribute, rest, context.spec.name === 'SetEnvIfNoCase');
}

function browserMatch(context: CommandContext, args: SplitArguments): Result {
  return setEnvIfCore(context, 'User-Agent', wordsOf(args.raw), context.spec.name === 'BrowserMatchNoCase');
}

function setEnvIfExpr(context: CommandContext, args: SplitArguments): Result {
  const [expr, ...assignments] = wordsOf(args.raw);
  if (expr === undefined) return `Missing expression for ${context.spec.name}`;
  // mod_setenvif parses the expression while reading the config; the checker knows the whole
  // grammar, so only expressions httpd refuses are refused here.
  const exprError = checkExprSyntax(expr);
  if (exprError) return `Could not parse expression "${expr}": ${exprError}`;
  const parsed = features(context.spec.name, assignments);
  if (typeof parsed === 'string') return parsed;
  store(context, { attribute: null, regex: null, caseInsensitive: false, expr, features: parsed, source: sourceOf(context.node) });
  return null;
}

/** Handlers for mod_setenvif. */
export const setEnvIfHandlers: HandlerTable = {
  setenvif: setEnvIf,
  setenvifnocase: setEnvIf,
  setenvifexpr: setEnvIfExpr,
  browsermatch: browserMatch,
  browsermatchnocase: browserMatch,
};
