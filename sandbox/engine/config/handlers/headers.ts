/**
 * mod_headers' Header and RequestHeader (mod_headers.c header_cmd / header_inout_cmd), with the
 * action, arity, condition and format-string checks httpd makes.
 */
import type { SplitArguments } from '../argument-splitter.ts';
import { sourceOf } from '../directive-node.ts';
import { readWord, skipSpaces } from '../lexer.ts';
import type { HeaderAction, HeaderOp } from '../model.ts';
import type { CommandContext, HandlerError, HandlerTable } from '../process-phase.ts';
import { isValidHttpdRegex } from '../regex.ts';
import { checkExprSyntax } from '../../routing/ap-expr-syntax.ts';
import { stringExprError } from './string-expr.ts';

type Result = HandlerError | string | null;

const ACTIONS: readonly HeaderAction[] = ['set', 'setifempty', 'add', 'append', 'merge', 'unset', 'echo', 'edit', 'edit*', 'note'];

/** mod_headers' format tags: %D %t %e %s %l %i %b (with an optional {argument}). */
const FORMAT_TAGS = 'Dtesl' + 'ib';

/** parse_format_string: null when the value's % tags are all known. */
export function checkHeaderFormat(value: string): string | null {
  for (let index = 0; index < value.length; index++) {
    if (value[index] !== '%') continue;
    index++;
    if (index >= value.length || value[index] === '%') continue;
    if (value[index] === '{') {
      const close = value.indexOf('}', index);
      index = close === -1 ? value.length : close + 1;
    }
    const tag = value[index] ?? '';
    if (!FORMAT_TAGS.includes(tag) || tag === '') return `Unrecognized header format %${tag}`;
  }
  return null;
}

function header(context: CommandContext, args: SplitArguments): Result {
  const directive = context.spec.name === 'Header' ? 'Header' : 'RequestHeader';
  const raw = args.raw;
  let position = 0;
  const next = (): string | null => {
    const word = readWord(raw, position);
    if (!word) {
      position = raw.length;
      return '';
    }
    position = skipSpaces(raw, word.end);
    return word.value;
  };
  const more = () => position < raw.length;
  let action = next() as string;
  let condition: HeaderOp['condition'] = null;
  if (directive === 'Header') {
    if (action.toLowerCase() === 'always') {
      condition = 'always';
      action = next() as string;
    } else if (action.toLowerCase() === 'onsuccess') {
      condition = 'onsuccess';
      action = next() as string;
    }
  }
  const name = next() as string;
  let value = more() ? next() : null;
  const substitution = more() ? next() : null;
  let envClause = more() ? next() : null;
  if (more()) return `${context.spec.name} has too many arguments`;

  const kind = ACTIONS.find((candidate) => candidate === action.toLowerCase());
  if (!kind) return "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'.";
  let replacement: string | null = null;
  if (kind === 'edit' || kind === 'edit*') {
    if (substitution === null) return 'Header edit requires a match and a substitution';
    if (!isValidHttpdRegex(value ?? '')) return 'Header edit regex could not be compiled';
    replacement = substitution;
  } else {
    if (envClause !== null) return 'Too many arguments to directive';
    envClause = substitution;
  }
  if (kind === 'unset') {
    if (value !== null) {
      if (envClause !== null) return 'header unset takes two arguments';
      envClause = value;
      value = null;
    }
  } else if (kind === 'echo') {
    if (value !== null) {
      if (envClause !== null) return 'Header echo takes two arguments';
      envClause = value;
      value = null;
    }
    if (directive !== 'Header') return 'Header echo only valid on Header directives';
    if (!isValidHttpdRegex(name)) return 'Header echo regex could not be compiled';
  } else if (value === null) {
    return 'Header requires three arguments';
  }
  if (envClause !== null) {
    const lower = envClause.toLowerCase();
    if (lower === 'early') {
      // Kept as written.
    } else if (lower.startsWith('env=')) {
      if (envClause.length === 4 || (envClause[4] === '!' && envClause.length === 5)) {
        return 'error: missing environment variable name. envclause should be in the form env=envar ';
      }
    } else if (lower.startsWith('expr=')) {
      const exprError = checkExprSyntax(envClause.slice(5));
      if (exprError) return `Can't parse envclause/expression: ${exprError}`;
    } else {
      return `Unknown parameter: ${envClause}`;
    }
  }
  const colon = name.indexOf(':');
  const headerName = colon === -1 ? name : name.slice(0, colon);
  // The format tags live in the value, or in the substitution for edit.
  const formatted = kind === 'edit' || kind === 'edit*' ? replacement : kind === 'unset' || kind === 'echo' ? null : value;
  if (formatted !== null && formatted.startsWith('expr=')) {
    // A value (or edit replacement) starting with "expr=" is an ap_expr string, not a format string.
    const exprError = stringExprError(formatted.slice(5), (error) => `Can't parse value expression : ${error}`);
    if (exprError) return exprError;
  } else if (formatted !== null) {
    const formatError = checkHeaderFormat(formatted);
    if (formatError) return formatError;
  }
  context.scope.headerOps.push({
    directive,
    condition,
    action: kind,
    header: headerName,
    value,
    replacement,
    when: envClause,
    source: sourceOf(context.node),
  });
  return null;
}

/** Handlers for mod_headers. */
export const headerHandlers: HandlerTable = {
  header,
  requestheader: header,
};
