/**
 * A subset of httpd's expression language (ap_expr, server/util_expr_parse.y and util_expr_eval.c)
 * large enough for the conditions WebSocket configs write in `Require expr`: Origin checks such
 * as `"%{HTTP:Origin} == 'https://example.com'"`, `-z %{HTTP:Origin}`, `in {…}`, regex matches,
 * and boolean combinations. Evaluation reads request data through a lookup callback so the
 * engine keeps one implementation of %{VARIABLE}.
 *
 * Supported: true/false, ! && || and parentheses; unary -z -n -R -T; binary == = != < <= > >=,
 * -eq -ne -lt -le -gt -ge, -ipmatch, -strmatch, -strcmatch, -fnmatch, =~ !~ with /re/ or m#re#
 * (flag i), `in {a, b}`; words as 'single' or "double" quoted strings (with %{…} inside),
 * %{VAR}, %{func:arg}, func('arg') for http, req, req_novary, reqenv, env, osenv, toupper,
 * tolower; word concatenation with ".". Anything else is a parse error, reported, never thrown.
 */
import { compileHttpdRegex } from '../config/regex.ts';
import { ipMatches } from './authz.ts';

/** Reads %{NAME} (request variables) and %{func:arg} / func(arg) values. */
export interface ExprLookup {
  variable(name: string): string;
  call(func: string, arg: string): string | null;
  clientIp: string;
}

export type ExprResult = { ok: true; value: boolean } | { ok: false; error: string };

type Token =
  | { kind: 'op'; text: string }
  | { kind: 'string'; parts: StringPart[] }
  | { kind: 'var'; name: string }
  | { kind: 'regex'; source: string; flags: string }
  | { kind: 'word'; text: string };
type StringPart = { literal: string } | { variable: string };

type Word = (lookup: ExprLookup) => string;
type Condition = (lookup: ExprLookup) => boolean;

const BINARY_STRING = new Set(['==', '=', '!=', '<', '<=', '>', '>=']);
const BINARY_WORD_OPS = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-ipmatch', '-strmatch', '-strcmatch', '-fnmatch']);
const UNARY_OPS = new Set(['-z', '-n', '-R', '-T']);
const FUNCTIONS = new Set(['http', 'req', 'req_novary', 'reqenv', 'env', 'osenv', 'toupper', 'tolower', 'note', 'resp']);

/** Parse and evaluate an expression against one request. */
export function evaluateExpr(text: string, lookup: ExprLookup): ExprResult {
  const parsed = parseExpr(text);
  if (!parsed.ok) return parsed;
  return { ok: true, value: parsed.condition(lookup) };
}

/** Parse an expression once; the returned condition can be evaluated many times. */
export function parseExpr(text: string): { ok: true; condition: Condition } | { ok: false; error: string } {
  const tokens = tokenize(text);
  if ('error' in tokens) return { ok: false, error: tokens.error };
  const parser = new Parser(tokens.tokens);
  try {
    const condition = parser.expression();
    if (!parser.atEnd()) return { ok: false, error: `syntax error, unexpected ${parser.describeNext()}` };
    return { ok: true, condition };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function tokenize(text: string): { tokens: Token[] } | { error: string } {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    if (char === "'" || char === '"') {
      const end = text.indexOf(char, index + 1);
      if (end === -1) return { error: 'unterminated string' };
      tokens.push({ kind: 'string', parts: splitInterpolation(text.slice(index + 1, end)) });
      index = end + 1;
      continue;
    }
    if (text.startsWith('%{', index)) {
      const end = text.indexOf('}', index);
      if (end === -1) return { error: 'unterminated variable' };
      tokens.push({ kind: 'var', name: text.slice(index + 2, end) });
      index = end + 1;
      continue;
    }
    const previous = tokens[tokens.length - 1];
    const expectsRegex = previous?.kind === 'op' && (previous.text === '=~' || previous.text === '!~');
    if (expectsRegex && (char === '/' || (char === 'm' && /[^\w\s]/.test(text[index + 1] ?? '')))) {
      const delimiter = char === '/' ? '/' : text[index + 1];
      const start = char === '/' ? index + 1 : index + 2;
      let end = start;
      // A backslash escapes the delimiter inside the regex, as in /^https:\/\//.
      while (end < text.length && text[end] !== delimiter) end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) return { error: 'unterminated regular expression' };
      const flags = /^i/.test(text.slice(end + 1)) ? 'i' : '';
      tokens.push({ kind: 'regex', source: text.slice(start, end), flags });
      index = end + 1 + flags.length;
      continue;
    }
    const operator = /^(\|\||&&|==|!=|<=|>=|=~|!~|[!<>=(){},.])/.exec(text.slice(index));
    if (operator) {
      tokens.push({ kind: 'op', text: operator[0] });
      index += operator[0].length;
      continue;
    }
    const word = /^-?[A-Za-z0-9_:\-/]+/.exec(text.slice(index));
    if (!word) return { error: `syntax error near '${text.slice(index, index + 10)}'` };
    tokens.push({ kind: 'word', text: word[0] });
    index += word[0].length;
  }
  return { tokens };
}

function splitInterpolation(text: string): StringPart[] {
  const parts: StringPart[] = [];
  let rest = text;
  for (;;) {
    const start = rest.indexOf('%{');
    const end = start === -1 ? -1 : rest.indexOf('}', start);
    if (start === -1 || end === -1) {
      if (rest) parts.push({ literal: rest });
      return parts;
    }
    if (start > 0) parts.push({ literal: rest.slice(0, start) });
    parts.push({ variable: rest.slice(start + 2, end) });
    rest = rest.slice(end + 1);
  }
}

/** %{NAME} or %{func:arg}. */
function readVariable(name: string, lookup: ExprLookup): string {
  const colon = name.indexOf(':');
  if (colon > 0) {
    const func = name.slice(0, colon).toLowerCase();
    // %{HTTP:Header} is mod_rewrite's spelling; ap_expr reads it as the http() function.
    return lookup.call(func, name.slice(colon + 1)) ?? '';
  }
  return lookup.variable(name);
}

class Parser {
  private index = 0;
  private readonly tokens: Token[];

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  atEnd(): boolean {
    return this.index >= this.tokens.length;
  }

  describeNext(): string {
    const token = this.tokens[this.index];
    if (!token) return 'end of expression';
    return token.kind === 'op' || token.kind === 'word' ? `'${token.text}'` : token.kind;
  }

  private peekOp(text: string): boolean {
    const token = this.tokens[this.index];
    return token !== undefined && (token.kind === 'op' || token.kind === 'word') && token.text === text;
  }

  private expect(text: string): void {
    if (!this.peekOp(text)) throw new Error(`syntax error, expected '${text}' but found ${this.describeNext()}`);
    this.index++;
  }

  expression(): Condition {
    let left = this.conjunction();
    while (this.peekOp('||')) {
      this.index++;
      const right = this.conjunction();
      const previous = left;
      left = (lookup) => previous(lookup) || right(lookup);
    }
    return left;
  }

  private conjunction(): Condition {
    let left = this.negation();
    while (this.peekOp('&&')) {
      this.index++;
      const right = this.negation();
      const previous = left;
      left = (lookup) => previous(lookup) && right(lookup);
    }
    return left;
  }

  private negation(): Condition {
    if (this.peekOp('!')) {
      this.index++;
      const inner = this.negation();
      return (lookup) => !inner(lookup);
    }
    return this.comparison();
  }

  private comparison(): Condition {
    if (this.peekOp('(')) {
      this.index++;
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    if (this.peekOp('true')) {
      this.index++;
      return () => true;
    }
    if (this.peekOp('false')) {
      this.index++;
      return () => false;
    }
    const token = this.tokens[this.index];
    if (token?.kind === 'word' && UNARY_OPS.has(token.text)) {
      this.index++;
      const operand = this.word();
      switch (token.text) {
        case '-z':
          return (lookup) => operand(lookup) === '';
        case '-n':
          return (lookup) => operand(lookup) !== '';
        case '-T':
          return (lookup) => !['', '0', 'off', 'false', 'no'].includes(operand(lookup).toLowerCase());
        default:
          return (lookup) => ipMatches(operand(lookup), lookup.clientIp);
      }
    }
    const left = this.word();
    const operator = this.tokens[this.index];
    if (!operator) throw new Error('syntax error, unexpected end of expression');
    const text = operator.kind === 'op' || operator.kind === 'word' ? operator.text : '';
    this.index++;
    if (text === '=~' || text === '!~') {
      const regex = this.tokens[this.index++];
      if (regex?.kind !== 'regex') throw new Error('syntax error, expected a regular expression');
      const compiled = compileHttpdRegex(regex.source, { caseInsensitive: regex.flags === 'i' });
      if (!compiled.ok) throw new Error(`invalid regular expression ${regex.source}`);
      const pattern = compiled.regex;
      return (lookup) => pattern.test(left(lookup)) === (text === '=~');
    }
    if (text === 'in') {
      this.expect('{');
      const items: Word[] = [this.word()];
      while (this.peekOp(',')) {
        this.index++;
        items.push(this.word());
      }
      this.expect('}');
      return (lookup) => {
        const value = left(lookup);
        return items.some((item) => item(lookup) === value);
      };
    }
    const right = this.word();
    if (BINARY_STRING.has(text)) {
      return (lookup) => {
        const a = left(lookup);
        const b = right(lookup);
        if (text === '==' || text === '=') return a === b;
        if (text === '!=') return a !== b;
        if (text === '<') return a < b;
        if (text === '<=') return a <= b;
        if (text === '>') return a > b;
        return a >= b;
      };
    }
    if (BINARY_WORD_OPS.has(text)) {
      return (lookup) => {
        const a = left(lookup);
        const b = right(lookup);
        const [x, y] = [Number.parseInt(a, 10) || 0, Number.parseInt(b, 10) || 0];
        switch (text) {
          case '-eq': return x === y;
          case '-ne': return x !== y;
          case '-lt': return x < y;
          case '-le': return x <= y;
          case '-gt': return x > y;
          case '-ge': return x >= y;
          case '-ipmatch': return ipMatches(b, a);
          case '-strcmatch': return globMatch(b, a, true);
          case '-fnmatch': return globMatch(b, a, false, true);
          default: return globMatch(b, a, false);
        }
      };
    }
    throw new Error(`syntax error, unexpected ${text ? `'${text}'` : operator.kind}`);
  }

  /** A word, with "." concatenation. */
  private word(): Word {
    let result = this.atom();
    while (this.peekOp('.')) {
      this.index++;
      const next = this.atom();
      const previous = result;
      result = (lookup) => previous(lookup) + next(lookup);
    }
    return result;
  }

  private atom(): Word {
    const token = this.tokens[this.index++];
    if (!token) throw new Error('syntax error, unexpected end of expression');
    if (token.kind === 'string') {
      const parts = token.parts;
      return (lookup) => parts.map((part) => ('literal' in part ? part.literal : readVariable(part.variable, lookup))).join('');
    }
    if (token.kind === 'var') {
      const name = token.name;
      return (lookup) => readVariable(name, lookup);
    }
    if (token.kind === 'word' && FUNCTIONS.has(token.text.toLowerCase()) && this.peekOp('(')) {
      this.index++;
      const argument = this.word();
      this.expect(')');
      const func = token.text.toLowerCase();
      return (lookup) => lookup.call(func, argument(lookup)) ?? '';
    }
    if (token.kind === 'word' && /^\d+$/.test(token.text)) {
      const value = token.text;
      return () => value;
    }
    throw new Error(`syntax error, unexpected ${token.kind === 'op' || token.kind === 'word' ? `'${token.text}'` : token.kind}`);
  }
}

/** -strmatch (case-sensitive), -strcmatch (case-insensitive) and -fnmatch ("/" not matched by *). */
function globMatch(pattern: string, text: string, caseInsensitive: boolean, pathname = false): boolean {
  const any = pathname ? '[^/]*' : '.*';
  const single = pathname ? '[^/]' : '.';
  const source = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, any).replace(/\?/g, single);
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's').test(text);
}

/**
 * A string expression (AP_EXPR_FLAG_STRING_RESULT, as `Header set X "expr=…"` uses): literal
 * text with %{VAR} and %{func:arg} interpolated. Only the syntax check the sandbox can make is
 * reported: an unterminated %{.
 */
export function parseStringExpr(text: string): { ok: true; evaluate: (lookup: ExprLookup) => string } | { ok: false; error: string } {
  const opening = text.lastIndexOf('%{');
  if (opening !== -1 && text.indexOf('}', opening) === -1) return { ok: false, error: 'syntax error, unexpected end of file' };
  const parts = splitInterpolation(text);
  return { ok: true, evaluate: (lookup) => parts.map((part) => ('literal' in part ? part.literal : readVariable(part.variable, lookup))).join('') };
}
