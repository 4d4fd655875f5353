/**
 * mod_headers' do_headers_fixup() (modules/metadata/mod_headers.c): apply Header / RequestHeader
 * operations, in order, to a header table. "early" operations run at post_read_request (right
 * after the request is read, from the server-level config), the others in the fixups phase (from
 * the fully merged per-directory config) or, for Header, when the response goes out.
 */
import { compileHttpdRegex } from '../config/regex.ts';
import type { HeaderOp } from '../config/model.ts';
import { HeaderTable } from './header-table.ts';
import { pregsub } from './regex-substitute.ts';

/** What %{...}e style tags and env= conditions can read. */
export interface HeaderOpContext {
  env: Readonly<Record<string, string>>;
  /** Request start time in microseconds since the epoch (for %t). */
  requestTimeMicros: number;
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

/** env=VAR / env=!VAR; expressions are not evaluated by the sandbox and count as false. */
function conditionHolds(when: string | null, context: HeaderOpContext): boolean {
  if (when === null) return true;
  const env = /^env=(!?)(.*)$/i.exec(when);
  if (env) return (env[2] in context.env) !== (env[1] === '!');
  return false;
}

function applyOne(op: HeaderOp, table: HeaderTable, context: HeaderOpContext): void {
  const value = () => expandTags(op.value ?? '', context);
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
      else if (!splitTokens(current).includes(next)) table.merge(op.header, next);
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
      const replacement = op.replacement ?? '';
      const edited = table.getAll(op.header).map((current) => editValue(current, compiled.regex, replacement, op.action === 'edit*'));
      table.unset(op.header);
      for (const entry of edited) table.add(op.header, entry);
      break;
    }
    case 'echo':
    case 'note':
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

/** The comma-separated tokens of a header value, as hdr_merge compares them. */
function splitTokens(value: string): string[] {
  return value.split(',').map((token) => token.trim());
}

/** process_tags(): %{VAR}e, %t, %D and %% in a header value. */
function expandTags(value: string, context: HeaderOpContext): string {
  return value.replace(/%(%|\{([^}]*)\}([a-zA-Z])|[tD])/g, (whole, _all: string, name: string | undefined, tag: string | undefined) => {
    if (whole === '%%') return '%';
    if (whole === '%t') return `t=${Math.floor(context.requestTimeMicros)}`;
    if (whole === '%D') return 'D=0';
    if (tag === 'e' && name !== undefined) return context.env[name] ?? '(null)';
    return '(null)';
  });
}
