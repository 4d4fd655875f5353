/**
 * mod_headers' do_headers_fixup() (modules/metadata/mod_headers.c): apply Header / RequestHeader
 * operations, in order, to a header table. "early" operations run at post_read_request (right
 * after the request is read, from the server-level config), the others in the fixups phase (from
 * the fully merged per-directory config) or, for Header, when the response goes out.
 */
import { compileHttpdRegex } from '../config/regex.ts';
import type { HeaderOp } from '../config/model.ts';
import { parseExpr, parseStringExpr, type ExprLookup } from './ap-expr.ts';
import { HeaderTable, type HeaderPair } from './header-table.ts';
import { pregsub } from './regex-substitute.ts';

/** What format tags, env= / expr= conditions and Header echo read. */
export interface HeaderOpContext {
  env: Readonly<Record<string, string>>;
  /** Request start time in microseconds since the epoch (for %t). */
  requestTimeMicros: number;
  /** The time the operation runs, for %D (the request's age); %D is D=0 without it. */
  nowMicros?: number;
  /** ap_expr's view of the request, for expr= conditions and values; without it they count as false / empty. */
  expr?: ExprLookup;
  /** r->headers_in as the client sent them, for Header echo. */
  requestHeaders?: readonly HeaderPair[];
  /** The machine's load for %l, %i and %b (ap_get_loadavg, ap_get_sload); zeros without it. */
  load?: { average: readonly [number, number, number]; idle: number; busy: number };
  /** ap_ssl_var_lookup() for %{VAR}s (mod_ssl's variables); absent: every variable is unset. */
  sslVar?: (name: string) => string | null;
}

/** Which operations to run. */
export type HeaderOpPhase = 'early' | 'late';

/** Apply the RequestHeader (or Header) operations of one phase to `table`, in order. */
export function applyHeaderOps(
  ops: readonly HeaderOp[],
  directive: 'RequestHeader' | 'Header',
  phase: HeaderOpPhase,
  table: HeaderTable,
  context: HeaderOpContext,
  condition: 'onsuccess' | 'always' = 'onsuccess',
): void {
  for (const op of ops) {
    if (op.directive !== directive) continue;
    if (directive === 'Header' && (op.condition ?? 'onsuccess') !== condition) continue;
    const early = op.when?.toLowerCase() === 'early';
    if (early !== (phase === 'early')) continue;
    if (!early && !conditionHolds(op.when, context)) continue;
    applyOne(op, table, context);
  }
}

/**
 * env=VAR / env=!VAR (the "env=" prefix in any case) and expr=. An expression that fails to
 * evaluate does not skip the operation: httpd logs AH01501 and applies it anyway.
 */
function conditionHolds(when: string | null, context: HeaderOpContext): boolean {
  if (when === null) return true;
  const env = /^env=(!?)(.*)$/is.exec(when);
  if (env) return (env[2] in context.env) !== (env[1] === '!');
  if (/^expr=/i.test(when)) {
    if (!context.expr) return false;
    const parsed = parseExpr(when.slice(5));
    return parsed.ok ? parsed.condition(context.expr) : true;
  }
  return false;
}

function applyOne(op: HeaderOp, table: HeaderTable, context: HeaderOpContext): void {
  const value = () => formatValue(op.value ?? '', context);
  switch (op.action) {
    case 'add':
      table.add(op.header, value());
      break;
    case 'append':
      table.merge(op.header, value());
      break;
    case 'merge': {
      const current = table.get(op.header);
      const next = value();
      if (current === undefined) table.add(op.header, next);
      else if (!mergeTokens(current).includes(next)) table.merge(op.header, next);
      break;
    }
    case 'set':
      table.set(op.header, value());
      break;
    case 'setifempty':
      if (!table.has(op.header)) table.set(op.header, value());
      break;
    case 'unset':
      table.unset(op.header);
      break;
    case 'edit':
    case 'edit*': {
      const compiled = compileHttpdRegex(op.value ?? '');
      if (!compiled.ok || !table.has(op.header)) break;
      // The replacement's tags are expanded before $N, as process_regexp does.
      const replacement = formatValue(op.replacement ?? '', context);
      const edited = table.getAll(op.header).map((current) => editValue(current, compiled.regex, replacement, op.action === 'edit*'));
      table.unset(op.header);
      for (const entry of edited) table.add(op.header, entry);
      break;
    }
    case 'echo': {
      // The header argument is a regex over the request's header names, matched case-sensitively.
      const compiled = compileHttpdRegex(op.header);
      if (!compiled.ok) break;
      for (const [name, headerValue] of context.requestHeaders ?? []) {
        compiled.regex.lastIndex = 0;
        if (compiled.regex.test(name)) table.add(name, headerValue);
      }
      break;
    }
    case 'note':
      // Sets r->notes, which nothing the sandbox shows reads.
      break;
  }
}

/** One value of an edit / edit*: replace the first (or every) match, expanding $N. */
function editValue(current: string, regex: RegExp, replacement: string, everyMatch: boolean): string {
  const global = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : `${regex.flags}g`);
  let out = '';
  let last = 0;
  let match: RegExpExecArray | null;
  while ((match = global.exec(current)) !== null) {
    out += current.slice(last, match.index) + pregsub(replacement, match);
    last = match.index + match[0].length;
    if (match[0].length === 0) global.lastIndex++;
    if (!everyMatch) break;
  }
  return out + current.slice(last);
}

/**
 * The tokens of a header value as hdr_merge compares them (its variant of ap_get_token): split on
 * commas outside double quotes, leading blanks skipped, the rest kept as written.
 */
function mergeTokens(value: string): string[] {
  const tokens: string[] = [];
  let index = 0;
  while (index < value.length) {
    while (index < value.length && /\s/.test(value[index])) index++;
    const start = index;
    while (index < value.length && value[index] !== ',') {
      if (value[index++] === '"') {
        while (index < value.length) if (value[index++] === '"') break;
      }
    }
    tokens.push(value.slice(start, index));
    if (index < value.length) index++;
  }
  return tokens;
}

/** process_tags(): an "expr=" value is an ap_expr string; anything else a format string. */
export function formatValue(value: string, context: HeaderOpContext): string {
  if (value.startsWith('expr=')) {
    const parsed = parseStringExpr(value.slice(5));
    return parsed.ok && context.expr ? parsed.evaluate(context.expr) : '';
  }
  return expandTags(value, context);
}

/**
 * parse_format_string() and the tag handlers: text with \\ \r \n \t escapes, %% and a trailing %
 * as "%", and %D %t %{VAR}e %{VAR}s %l %i %b (any {argument} is read and ignored except by e and s).
 */
function expandTags(value: string, context: HeaderOpContext): string {
  let out = '';
  let index = 0;
  while (index < value.length) {
    const char = value[index];
    if (char === '\\') {
      const next = value[index + 1];
      const escaped = next === '\\' ? '\\' : next === 'r' ? '\r' : next === 'n' ? '\n' : next === 't' ? '\t' : null;
      if (escaped === null) {
        out += '\\';
        index++;
      } else {
        out += escaped;
        index += 2;
      }
      continue;
    }
    if (char !== '%') {
      out += char;
      index++;
      continue;
    }
    index++;
    if (index >= value.length || value[index] === '%') {
      out += '%';
      index++;
      continue;
    }
    let argument = '';
    if (value[index] === '{') {
      const close = value.indexOf('}', index);
      argument = close === -1 ? value.slice(index + 1) : value.slice(index + 1, close);
      index = close === -1 ? value.length : close + 1;
    }
    out += formatTag(value[index] ?? '', argument, context);
    index++;
  }
  return out;
}

function formatTag(tag: string, argument: string, context: HeaderOpContext): string {
  const load = context.load ?? { average: [0, 0, 0] as const, idle: 0, busy: 0 };
  switch (tag) {
    case 't':
      return `t=${Math.floor(context.requestTimeMicros)}`;
    case 'D':
      return `D=${Math.max(0, Math.floor((context.nowMicros ?? context.requestTimeMicros) - context.requestTimeMicros))}`;
    case 'e': {
      const found = context.env[argument];
      // unwrap_header(): line breaks in a variable become spaces.
      return found === undefined ? '(null)' : found.replace(/[\r\n]/g, ' ');
    }
    case 'l':
      return `l=${load.average.map((entry) => entry.toFixed(2)).join('/')}`;
    case 'i':
      return `i=${load.idle}`;
    case 'b':
      return `b=${load.busy}`;
    default: {
      // %s: header_request_ssl_var(), "(null)" for an unset or empty variable.
      const found = context.sslVar?.(argument) ?? null;
      return found === null || found === '' ? '(null)' : found.replace(/[\r\n]/g, ' ');
    }
  }
}
