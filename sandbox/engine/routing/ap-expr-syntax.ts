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
  'HTTP_ACCEPT', 'HTTP_COOKIE', 'HTTP_FORWARDED', 'HTTP_HOST', 'HTTP_PROXY_CONNECTION', 'HTTP_REFERER', 'HTTP_USER_AGENT',
  'API_VERSION', 'AUTH_TYPE', 'CONN_LOG_ID', 'CONN_REMOTE_ADDR', 'CONTENT_TYPE', 'CONTEXT_DOCUMENT_ROOT', 'CONTEXT_PREFIX',
  'CURRENT_URI', 'DOCUMENT_ROOT', 'DOCUMENT_URI', 'HANDLER', 'HTTPS', 'IPV6', 'IS_SUBREQ', 'LAST_MODIFIED', 'PATH_INFO',
  'QUERY_STRING', 'REMOTE_ADDR', 'REMOTE_HOST', 'REMOTE_IDENT', 'REMOTE_PORT', 'REMOTE_USER', 'REQUEST_FILENAME',
  'REQUEST_LOG_ID', 'REQUEST_METHOD', 'REQUEST_SCHEME', 'REQUEST_STATUS', 'REQUEST_URI', 'SCRIPT_FILENAME', 'SCRIPT_GROUP',
  'SCRIPT_USER', 'SERVER_ADDR', 'SERVER_ADMIN', 'SERVER_NAME', 'SERVER_PORT', 'SERVER_PROTOCOL', 'SERVER_PROTOCOL_VERSION',
  'SERVER_PROTOCOL_VERSION_MAJOR', 'SERVER_PROTOCOL_VERSION_MINOR', 'SERVER_SOFTWARE', 'THE_REQUEST', 'TIME', 'TIME_DAY',
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
    if (token.lexError) message += `: ${token.lexError}`;
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
        if (!UNARY.has(token.text.slice(1))) throw new SyntaxFailure(`Unary operator '${token.text}' does not exist`);
        return;
    }
    if (!WORD_START.has(token.name)) this.fail();
    this.word();
    const operator = this.peek();
    if (COMPARISON.has(operator.name)) {
      this.index++;
      this.word();
      if (operator.name === 'T_OP_BINARY' && !BINARY.has(operator.text.slice(1))) throw new SyntaxFailure(`Binary operator '${operator.text}' does not exist`);
      return;
    }
    if (operator.name === 'T_OP_REG' || operator.name === 'T_OP_NRE') {
      this.index++;
      const regex = this.peek();
      if (regex.name !== 'T_REGEX' && regex.name !== 'T_REGEX_I') this.fail(['T_REGEX', 'T_REGEX_I']);
      this.index++;
      const compiled = compileHttpdRegex(regex.pattern ?? '', { caseInsensitive: regex.name === 'T_REGEX_I' });
      if (!compiled.ok && !compiled.unsupported) throw new SyntaxFailure('Failed to compile regular expression');
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
        throw new SyntaxFailure(`List-returning function '${next.text}' does not exist`);
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
        if (!FUNCTIONS.has(token.text.toLowerCase())) throw new SyntaxFailure(`Function '${token.text}' does not exist`);
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
      if (!FUNCTIONS.has(name.text.toLowerCase())) throw new SyntaxFailure(`Function '${name.text}' does not exist`);
      return;
    }
    this.take('T_VAR_END', ['T_VAR_END', "':'"]);
    const upper = name.text.toUpperCase();
    // mod_ssl (and other modules) add SSL_* and similar variables; only core names are known here.
    if (!VARIABLES.has(upper) && !upper.startsWith('SSL_')) throw new SyntaxFailure(`Variable '${name.text}' does not exist`);
  }
}

/** httpd's parse error for a boolean ap_expr, or null when httpd accepts it. */
export function checkExprSyntax(text: string): string | null {
  const tokens = lex(text);
  try {
    new Checker(tokens).root();
    return null;
  } catch (error) {
    if (error instanceof SyntaxFailure) return error.message;
    throw error;
  }
}
