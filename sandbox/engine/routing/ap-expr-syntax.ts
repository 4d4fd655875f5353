/**
 * The config-time check httpd makes on a boolean ap_expr (ap_expr_parse_cmd), with httpd's own
 * wording: `apache2 -t` refuses `<If "%{HTTP_HOST} === 'x'">` with
 * "syntax error, unexpected T_OP_STR_EQ". The evaluator in ap-expr.ts is a subset and reports its
 * own errors; this checker knows the whole grammar, so it accepts every expression httpd accepts
 * that we measured, and reports the first error the way httpd's bison parser does.
 *
 * Why the "expecting ..." lists look as they do: bison names the expected tokens only when there
 * are at most four, and it performs a state's default reduction before reporting, so after a
 * complete expression the only token it still names is the one that closes the enclosing
 * construct ($end at top level, or T_OP_OR/T_OP_AND/')' inside parentheses). Token names are
 * httpd's (T_OP_STR_EQ, T_STR_BEGIN...); the lists below were measured with apache2 2.4.
 */
import { compileHttpdRegex } from '../config/regex.ts';

interface Tok {
  /** httpd's token name ('$end', 'T_ID', "'('"...). */
  name: string;
  text: string;
  /** The lexer's own message, appended after the bison message (T_ERROR). */
  lexError?: string;
  /** For T_REGEX / T_REGEX_I: the pattern. */
  pattern?: string;
  /** The lexer gave up (unterminated string): httpd prints its message alone. */
  abort?: boolean;
}

/** Lexer errors httpd reports alone, without a bison message. */
class LexAbort {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

const UNARY = new Set(['d', 'e', 'f', 's', 'L', 'h', 'F', 'U', 'A', 'n', 'z', 'T', 'R']);
const BINARY = new Set(['ipmatch', 'strmatch', 'strcmatch', 'fnmatch']);
const INT_OPS: Record<string, string> = { eq: 'T_OP_EQ', ne: 'T_OP_NE', lt: 'T_OP_LT', le: 'T_OP_LE', gt: 'T_OP_GT', ge: 'T_OP_GE' };
/** String functions of core ap_expr plus those modules commonly register (unknown ones are refused). */
const FUNCTIONS = new Set(['req', 'http', 'req_novary', 'resp', 'reqenv', 'osenv', 'note', 'env', 'tolower', 'toupper', 'escape', 'unescape', 'file', 'filemod', 'filesize', 'base64', 'unbase64', 'md5', 'sha1', 'ldap']);
/** Variables util_expr_eval.c provides (matched case-insensitively, as httpd does). */
const VARIABLES = new Set([
  'HTTP_ACCEPT', 'HTTP_COOKIE', 'HTTP_FORWARDED', 'HTTP_HOST', 'HTTP_PROXY_CONNECTION', 'HTTP_REFERER', 'HTTP_USER_AGENT', 'HTTP2',
  'API_VERSION', 'AUTH_TYPE', 'CONN_LOG_ID', 'CONN_REMOTE_ADDR', 'CONTENT_TYPE', 'CONTEXT_DOCUMENT_ROOT', 'CONTEXT_PREFIX',
  'DOCUMENT_ROOT', 'DOCUMENT_URI', 'HANDLER', 'HTTPS', 'IPV6', 'IS_SUBREQ', 'LAST_MODIFIED', 'PATH_INFO',
  'QUERY_STRING', 'REMOTE_ADDR', 'REMOTE_HOST', 'REMOTE_IDENT', 'REMOTE_PORT', 'REMOTE_USER', 'REQUEST_FILENAME',
  'REQUEST_LOG_ID', 'REQUEST_METHOD', 'REQUEST_SCHEME', 'REQUEST_STATUS', 'REQUEST_URI', 'SCRIPT_FILENAME', 'SCRIPT_GROUP',
  'SCRIPT_USER', 'SERVER_ADMIN', 'SERVER_NAME', 'SERVER_PORT', 'SERVER_PROTOCOL',
  'SERVER_SOFTWARE', 'THE_REQUEST', 'TIME', 'TIME_DAY',
  'TIME_HOUR', 'TIME_MIN', 'TIME_MON', 'TIME_SEC', 'TIME_WDAY', 'TIME_YEAR',
]);

function lex(text: string): Tok[] {
  const tokens: Tok[] = [];
  try {
    lexInto(text, tokens);
  } catch (error) {
    if (!(error instanceof LexAbort)) throw error;
    // Tokens before the abort are still parsed first: an earlier syntax error wins, as in httpd,
    // whose parser pulls tokens one at a time.
    tokens.push({ name: 'T_ERROR', text: '', lexError: error.message, abort: true });
  }
  return tokens;
}

function lexInto(text: string, tokens: Tok[]): Tok[] {
  let i = 0;
  const push = (name: string, value = '') => tokens.push({ name, text: value });
  /** %{NAME} or %{func:arg}; i points after "%{". */
  const variable = (quote: string | null) => {
    push('T_VAR_BEGIN', '%{');
    const name = /^[A-Za-z0-9_]*/.exec(text.slice(i))![0];
    if (name) push('T_ID', name);
    i += name.length;
    if (i >= text.length) {
      tokens.push({ name: 'T_ERROR', text: '', lexError: 'Unterminated string or variable' });
      return false;
    }
    if (text[i] === '}') {
      push('T_VAR_END', '}');
      i++;
      return true;
    }
    if (text[i] === ':') {
      const end = text.indexOf('}', i + 1);
      if (end === -1 || (quote !== null && text.indexOf(quote, i + 1) !== -1 && text.indexOf(quote, i + 1) < end)) throw new LexAbort('Unterminated string or variable');
      push("':'", ':');
      push('T_STRING', text.slice(i + 1, end));
      push('T_VAR_END', '}');
      i = end + 1;
      return true;
    }
    tokens.push({ name: 'T_ERROR', text: text[i], lexError: `Invalid character in variable name '${text[i]}'` });
    return false;
  };
  while (i < text.length) {
    const c = text[i];
    const rest = text.slice(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      push('T_STR_BEGIN', c);
      i++;
      let literal = '';
      for (;;) {
        if (i >= text.length) throw new LexAbort('Unterminated string or variable');
        if (text[i] === c) {
          if (literal) push('T_STRING', literal);
          push('T_STR_END', c);
          i++;
          break;
        }
        if (text.startsWith('%{', i)) {
          if (literal) push('T_STRING', literal);
          literal = '';
          i += 2;
          if (!variable(c)) return tokens;
          continue;
        }
        literal += text[i] === '\\' && i + 1 < text.length ? text[++i] : text[i];
        i++;
      }
      continue;
    }
    if (rest.startsWith('%{')) {
      i += 2;
      if (!variable(null)) return tokens;
      continue;
    }
    const previous = tokens[tokens.length - 1]?.name;
    const regexStart = c === '/' ? '/' : c === 'm' && /^m[^\w\s]/.test(rest) && (previous === 'T_OP_REG' || previous === 'T_OP_NRE' || !/^m\w/.test(rest)) ? rest[1] : null;
    if (regexStart !== null && (c === '/' || previous === 'T_OP_REG' || previous === 'T_OP_NRE')) {
      let j = i + (c === '/' ? 1 : 2);
      while (j < text.length && text[j] !== regexStart) j += text[j] === '\\' ? 2 : 1;
      // An unterminated regex is not a token at all: the parser sees the end of input.
      if (j >= text.length) return tokens;
      const pattern = text.slice(i + (c === '/' ? 1 : 2), j);
      const insensitive = text[j + 1] === 'i';
      tokens.push({ name: insensitive ? 'T_REGEX_I' : 'T_REGEX', text: '', pattern });
      i = j + 1 + (insensitive ? 1 : 0);
      continue;
    }
    const two = rest.slice(0, 2);
    const op2: Record<string, string> = { '==': 'T_OP_STR_EQ', '!=': 'T_OP_STR_NE', '<=': 'T_OP_STR_LE', '>=': 'T_OP_STR_GE', '=~': 'T_OP_REG', '!~': 'T_OP_NRE', '||': 'T_OP_OR', '&&': 'T_OP_AND' };
    if (op2[two]) {
      push(op2[two], two);
      i += 2;
      continue;
    }
    const op1: Record<string, string> = { '=': 'T_OP_STR_EQ', '<': 'T_OP_STR_LT', '>': 'T_OP_STR_GT', '!': 'T_OP_NOT', '.': 'T_OP_CONCAT', '(': "'('", ')': "')'", '{': "'{'", '}': "'}'", ',': "','" };
    if (op1[c]) {
      push(op1[c], c);
      i++;
      continue;
    }
    const backref = /^\$[0-9]/.exec(rest);
    if (backref) {
      push('T_REGEX_BACKREF', backref[0]);
      i += 2;
      continue;
    }
    const digits = /^-?[0-9]+/.exec(rest);
    if (digits) {
      push('T_DIGIT', digits[0]);
      i += digits[0].length;
      continue;
    }
    const dashed = /^-([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (dashed) {
      const name = dashed[1];
      push(INT_OPS[name] ?? (name.length === 1 ? 'T_OP_UNARY' : 'T_OP_BINARY'), dashed[0]);
      i += dashed[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (id) {
      const word = id[0];
      const keywords: Record<string, string> = {
        true: 'T_TRUE', false: 'T_FALSE', in: 'T_OP_IN', eq: 'T_OP_STR_EQ', ne: 'T_OP_STR_NE', lt: 'T_OP_STR_LT', le: 'T_OP_STR_LE', gt: 'T_OP_STR_GT', ge: 'T_OP_STR_GE', and: 'T_OP_AND', or: 'T_OP_OR',
      };
      push(keywords[word] ?? 'T_ID', word);
      i += word.length;
      continue;
    }
    tokens.push({ name: 'T_ERROR', text: c, lexError: `Parse error near '${c}'` });
    return tokens;
  }
  return tokens;
}

class SyntaxFailure {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

const WORD_START = new Set(['T_DIGIT', 'T_STR_BEGIN', 'T_VAR_BEGIN', 'T_REGEX_BACKREF', 'T_ID']);
const COMPARISON = new Set(['T_OP_STR_EQ', 'T_OP_STR_NE', 'T_OP_STR_LT', 'T_OP_STR_LE', 'T_OP_STR_GT', 'T_OP_STR_GE', 'T_OP_EQ', 'T_OP_NE', 'T_OP_LT', 'T_OP_LE', 'T_OP_GT', 'T_OP_GE', 'T_OP_BINARY']);

class Checker {
  private index = 0;
  private readonly tokens: Tok[];
  /**
   * ctx->error2: an unknown variable, function or operator is only recorded where the grammar
   * reduces it, and parsing goes on; a later syntax error then carries it after a colon, and
   * without one it is the whole message. A later lookup failure replaces an earlier one.
   */
  error2: string | null = null;
  constructor(tokens: Tok[]) {
    this.tokens = tokens;
  }

  private peek(): Tok {
    return this.tokens[this.index] ?? { name: '$end', text: '' };
  }

  private fail(expected: string[] = []): never {
    const token = this.peek();
    if (token.abort) throw new SyntaxFailure(token.lexError ?? '');
    let message = `syntax error, unexpected ${token.name}`;
    if (expected.length > 0 && expected.length <= 4) message += `, expecting ${expected.join(' or ')}`;
    // The lexer's PERROR sets error2 too, over any lookup failure before it.
    const error2 = token.lexError ?? this.error2;
    if (error2) message += `: ${error2}`;
    throw new SyntaxFailure(message);
  }

  private take(name: string, expected: string[] = [name]): Tok {
    if (this.peek().name !== name) this.fail(expected);
    return this.tokens[this.index++];
  }

  root(): void {
    this.expr();
    if (this.peek().name !== '$end') this.fail(['$end']);
  }

  /** expr := or-chain; the caller checks what may follow. */
  private expr(): void {
    this.chain('T_OP_OR', () => this.conjunction());
  }

  private conjunction(): void {
    this.chain('T_OP_AND', () => this.unary());
  }

  /** item (operator item)*: the shape of ||, &&, string concatenation's '.' and a list's ','. */
  private chain(operator: string, item: () => void): void {
    item();
    while (this.peek().name === operator) {
      this.index++;
      item();
    }
  }

  private unary(): void {
    const token = this.peek();
    switch (token.name) {
      case 'T_TRUE':
      case 'T_FALSE':
        this.index++;
        return;
      case 'T_OP_NOT':
        this.index++;
        this.unary();
        return;
      case "'('":
        this.index++;
        this.expr();
        this.take("')'", ['T_OP_OR', 'T_OP_AND', "')'"]);
        return;
      case 'T_OP_UNARY':
        this.index++;
        this.word();
        if (!UNARY.has(token.text.slice(1))) this.error2 = `Unary operator '${token.text}' does not exist`;
        return;
    }
    if (!WORD_START.has(token.name)) this.fail();
    this.word();
    const operator = this.peek();
    if (COMPARISON.has(operator.name)) {
      this.index++;
      this.word();
      if (operator.name === 'T_OP_BINARY' && !BINARY.has(operator.text.slice(1))) this.error2 = `Binary operator '${operator.text}' does not exist`;
      return;
    }
    if (operator.name === 'T_OP_REG' || operator.name === 'T_OP_NRE') {
      this.index++;
      const regex = this.peek();
      if (regex.name !== 'T_REGEX' && regex.name !== 'T_REGEX_I') this.fail(['T_REGEX', 'T_REGEX_I']);
      this.index++;
      const compiled = compileHttpdRegex(regex.pattern ?? '', { caseInsensitive: regex.name === 'T_REGEX_I' });
      // ctx->error and YYERROR: the parse ends here, with error2 (if any) after it.
      if (!compiled.ok && !compiled.unsupported) throw new SyntaxFailure(`Failed to compile regular expression${this.error2 ? `: ${this.error2}` : ''}`);
      return;
    }
    if (operator.name === 'T_OP_IN') {
      this.index++;
      const next = this.peek();
      if (next.name === "'{'") {
        this.index++;
        if (!WORD_START.has(this.peek().name)) this.fail();
        this.chain("','", () => this.word());
        this.take("'}'", ["'}'", "','"]);
        return;
      }
      if (next.name === 'T_ID') {
        this.index++;
        this.take("'('");
        this.word();
        this.take("')'", ['T_OP_CONCAT', "')'"]);
        // Core ap_expr registers no list function; mod_ssl's PeerExtList needs mod_ssl loaded.
        this.error2 = `List-returning function '${next.text}' does not exist`;
        return;
      }
      this.fail(['T_ID', "'{'"]);
    }
    this.fail();
  }

  /** word := atom ('.' atom)* */
  private word(): void {
    this.chain('T_OP_CONCAT', () => this.atom());
  }

  private atom(): void {
    const token = this.peek();
    switch (token.name) {
      case 'T_DIGIT':
      case 'T_REGEX_BACKREF':
        this.index++;
        return;
      case 'T_STR_BEGIN':
        this.index++;
        while (this.peek().name !== 'T_STR_END') {
          if (this.peek().name === 'T_STRING') this.index++;
          else if (this.peek().name === 'T_VAR_BEGIN') this.variable();
          else this.fail();
        }
        this.index++;
        return;
      case 'T_VAR_BEGIN':
        this.variable();
        return;
      case 'T_ID': {
        this.index++;
        this.take("'('");
        this.word();
        this.take("')'", ['T_OP_CONCAT', "')'"]);
        if (!FUNCTIONS.has(token.text.toLowerCase())) this.error2 = `Function '${token.text}' does not exist`;
        return;
      }
    }
    this.fail();
  }

  private variable(): void {
    this.index++;
    const name = this.take('T_ID');
    if (this.peek().name === "':'") {
      this.index += 2;
      this.take('T_VAR_END');
      if (!FUNCTIONS.has(name.text.toLowerCase())) this.error2 = `Function '${name.text}' does not exist`;
      return;
    }
    this.take('T_VAR_END', ['T_VAR_END', "':'"]);
    const upper = name.text.toUpperCase();
    // mod_ssl (and other modules) add SSL_* and similar variables; only core names are known here.
    if (!VARIABLES.has(upper) && !upper.startsWith('SSL_')) this.error2 = `Variable '${name.text}' does not exist`;
  }
}

/** httpd's parse error for a boolean ap_expr, or null when httpd accepts it. */
export function checkExprSyntax(text: string): string | null {
  const tokens = lex(text);
  try {
    const checker = new Checker(tokens);
    checker.root();
    return checker.error2;
  } catch (error) {
    if (error instanceof SyntaxFailure) return error.message;
    throw error;
  }
}

/**
 * A string-mode token (util_expr_scan.l with AP_EXPR_FLAG_STRING_RESULT): the lexer starts in its
 * `str` state, where only `%{`, `$N` and backslash escapes mean anything.
 */
type StringTok = { name: 'T_STRING' | 'T_VAR_BEGIN' | 'T_REGEX_BACKREF' | 'T_ID' | 'T_VAR_END' | "':'" | '$end'; text: string } | { name: 'T_ERROR'; text: ''; error: string };

/** flex matched nothing (a quote inside %{func:...}, a trailing backslash): httpd exits with "flex scanner jammed". */
export class ExprScannerJammed {
  readonly message = 'flex scanner jammed';
}

/**
 * A pull lexer over `text` in string mode, with flex's state stack (str, var, vararg). Errors are
 * T_ERROR tokens carrying the lexer's message (httpd's PERROR, which sets ctx->error2).
 */
function stringLexer(text: string): () => StringTok {
  const stack: Array<'str' | 'var' | 'vararg'> = ['str'];
  let i = 0;
  let buffer = '';
  let ended = false;
  const state = () => stack[stack.length - 1];
  const error = (message: string): StringTok => ({ name: 'T_ERROR', text: '', error: message });
  const flush = (): StringTok => {
    const token: StringTok = { name: 'T_STRING', text: buffer };
    buffer = '';
    return token;
  };
  /** A backslash escape in str or vararg: null when it only appended to the buffer. */
  const escape = (): StringTok | null => {
    const rest = text.slice(i + 1);
    const digits = /^[0-9]+/.exec(rest)?.[0] ?? '';
    const octal = /^[0-7]{1,3}/.exec(rest)?.[0] ?? '';
    // flex takes the longest match; on a tie the octal rule, listed first, wins.
    if (digits.length > octal.length) {
      i += 1 + digits.length;
      return error('Bad escape sequence');
    }
    if (octal) {
      i += 1 + octal.length;
      const value = Number.parseInt(octal, 8);
      if (value > 0xff) return error('Escape sequence out of bound');
      buffer += String.fromCharCode(value);
      return null;
    }
    if (i + 1 >= text.length) throw new ExprScannerJammed();
    const escaped: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
    buffer += escaped[text[i + 1]] ?? text[i + 1];
    i += 2;
    return null;
  };
  return () => {
    for (;;) {
      if (ended) return { name: '$end', text: '' };
      const mode = state();
      if (i >= text.length) {
        if (mode !== 'str') return error('Unterminated string or variable');
        // End of input in a string expression ends its last string part, even an empty one.
        ended = true;
        return flush();
      }
      const c = text[i];
      if (mode === 'var') {
        const id = /^[a-zA-Z][a-zA-Z0-9_]*/.exec(text.slice(i));
        if (id) {
          i += id[0].length;
          return { name: 'T_ID', text: id[0] };
        }
        i++;
        if (c === '}') {
          stack.pop();
          return { name: 'T_VAR_END', text: '}' };
        }
        if (c === ':') {
          stack[stack.length - 1] = 'vararg';
          return { name: "':'", text: ':' };
        }
        if (c === '\n') return error('Unterminated string or variable');
        return error(`Invalid character in variable name '${c}'`);
      }
      if (c === '\n') return error('Unterminated string or variable');
      if (c === '\\') {
        const token = escape();
        if (token) return token;
        continue;
      }
      if (c === '$' && /[0-9]/.test(text[i + 1] ?? '')) {
        if (buffer) return flush();
        i += 2;
        return { name: 'T_REGEX_BACKREF', text: text.slice(i - 2, i) };
      }
      if (c === '%' && text[i + 1] === '{') {
        if (buffer) return flush();
        i += 2;
        stack.push('var');
        return { name: 'T_VAR_BEGIN', text: '%{' };
      }
      if (mode === 'vararg') {
        if (c === '}') {
          if (buffer) return flush();
          i++;
          stack.pop();
          return { name: 'T_VAR_END', text: '}' };
        }
        // No vararg rule matches a quote.
        if (c === '"' || c === "'") throw new ExprScannerJammed();
      }
      buffer += c;
      i++;
    }
  };
}

/**
 * httpd's parse error for a string ap_expr (AP_EXPR_FLAG_STRING_RESULT: `Header set X "expr=..."`,
 * ErrorDocument, a one-argument Redirect or Alias in a <Location>, AuthName, Require user/host
 * lines), or null when httpd accepts it. Throws ExprScannerJammed where httpd's lexer jams.
 *
 * The grammar is `string := (T_STRING | var | T_REGEX_BACKREF)+`, `var := %{ T_ID } | %{ T_ID : string }`.
 * As in httpd, an unknown variable or function only records its message (ctx->error2) and parsing
 * goes on: a later lexer error replaces it, a later syntax error is printed with it appended. A
 * lexer error where a string must start aborts the parse without a bison message.
 */
export function checkStringExprSyntax(text: string): string | null {
  const next = stringLexer(text);
  let error2: string | null = null;
  let current: StringTok = { name: '$end', text: '' };
  /** The lookahead; read through a function so narrowing never outlives an advance(). */
  const token = (): StringTok => current;
  const advance = () => {
    current = next();
    if (current.name === 'T_ERROR') error2 = current.error;
  };
  const syntaxError = (expected: string[]) => {
    const message = `syntax error, unexpected ${token().name}${expected.length > 0 && expected.length <= 4 ? `, expecting ${expected.join(' or ')}` : ''}`;
    return error2 ? `${message}: ${error2}` : message;
  };
  const STRING_START = ['T_ERROR', 'T_STRING', 'T_REGEX_BACKREF', 'T_VAR_BEGIN'];
  const startsPart = () => ['T_STRING', 'T_REGEX_BACKREF', 'T_VAR_BEGIN'].includes(token().name);
  /** One string from token(); an error message, or null with token() at what follows it. */
  const parseString = (follow: string): string | null => {
    // A lexer error where a string must start aborts the parse (rule `string: T_ERROR`).
    if (token().name === 'T_ERROR') return error2;
    if (!startsPart()) return syntaxError(STRING_START);
    for (;;) {
      if (token().name === 'T_VAR_BEGIN') {
        advance();
        if (token().name !== 'T_ID') return syntaxError(['T_ID']);
        const name = token().text;
        advance();
        if (token().name === 'T_VAR_END') {
          const upper = name.toUpperCase();
          if (!VARIABLES.has(upper) && !upper.startsWith('SSL_')) error2 = `Variable '${name}' does not exist`;
        } else if (token().name === "':'") {
          advance();
          const failure = parseString('T_VAR_END');
          if (failure !== null) return failure;
          if (!FUNCTIONS.has(name.toLowerCase())) error2 = `Function '${name}' does not exist`;
        } else {
          return syntaxError(['T_VAR_END', "':'"]);
        }
      }
      // Consume the part's last token (T_STRING, T_REGEX_BACKREF or the var's T_VAR_END).
      advance();
      if (token().name === follow) return null;
      if (!startsPart()) return syntaxError(follow === '$end' ? ['$end'] : ['T_STRING', 'T_REGEX_BACKREF', 'T_VAR_BEGIN', 'T_VAR_END']);
    }
  };
  advance();
  return parseString('$end') ?? error2;
}
