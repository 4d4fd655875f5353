/**
 * httpd compiles its regular expressions with PCRE2 (ap_pregcomp, extended syntax). The sandbox
 * runs them as JavaScript RegExps, so this module translates the PCRE constructs JavaScript
 * spells differently and reports the ones it cannot express.
 */

/** A compiled httpd regex, or why it could not be compiled. */
export type CompiledRegex =
  | { ok: true; regex: RegExp }
  /** `unsupported`: valid PCRE that JavaScript cannot run; httpd itself would accept it. */
  | { ok: false; reason: string; unsupported: boolean };

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'A-Za-z0-9',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: ' \\t',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '\\x21-\\x7E',
  lower: 'a-z',
  print: '\\x20-\\x7E',
  punct: '!-\\/:-@\\[-`{-~',
  space: ' \\t\\n\\r\\f\\v',
  upper: 'A-Z',
  word: 'A-Za-z0-9_',
  xdigit: '0-9A-Fa-f',
};

/** Compile an httpd (PCRE) pattern as a JavaScript RegExp; `caseInsensitive` adds the i flag. */
export function compileHttpdRegex(pattern: string, options: { caseInsensitive?: boolean } = {}): CompiledRegex {
  let flags = options.caseInsensitive ? 'i' : '';
  let source = pattern;
  // A leading (?i) / (?s) / (?m) applies to the whole pattern in PCRE; JavaScript takes flags.
  const leading = /^\(\?([imsx]+)\)/.exec(source);
  if (leading) {
    if (leading[1].includes('x')) return { ok: false, reason: 'extended mode (?x) is not supported', unsupported: true };
    for (const flag of leading[1]) if (!flags.includes(flag)) flags += flag;
    source = source.slice(leading[0].length);
  }
  const translated = translate(source);
  if (typeof translated !== 'string') return { ok: false, reason: translated.reason, unsupported: translated.unsupported };
  try {
    return { ok: true, regex: new RegExp(translated, flags) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error), unsupported: false };
  }
}

/** Would httpd's ap_pregcomp accept this pattern? */
export function isValidHttpdRegex(pattern: string): boolean {
  const compiled = compileHttpdRegex(pattern);
  return compiled.ok || compiled.unsupported;
}

function translate(source: string): string | { reason: string; unsupported: boolean } {
  let out = '';
  let inClass = false;
  for (let index = 0; index < source.length; index++) {
    const char = source[index];
    if (char === '\\') {
      const next = source[index + 1];
      if (next === undefined) return { reason: '\\ at end of pattern', unsupported: false };
      if (!inClass && next === 'A') out += '^';
      else if (!inClass && (next === 'z' || next === 'Z')) out += '$';
      else if (next === 'h') out += inClass ? ' \\t' : '[ \\t]';
      else if (next === 'Q') {
        const end = source.indexOf('\\E', index + 2);
        const literal = source.slice(index + 2, end === -1 ? source.length : end);
        out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        index = end === -1 ? source.length : end + 1;
        continue;
      } else out += char + next;
      index++;
      continue;
    }
    if (inClass) {
      if (char === '[' && source[index + 1] === ':') {
        const end = source.indexOf(':]', index + 2);
        const name = end === -1 ? '' : source.slice(index + 2, end);
        if (name in POSIX_CLASSES) {
          out += POSIX_CLASSES[name];
          index = end + 1;
          continue;
        }
        if (end !== -1) return { reason: `unknown POSIX class name "${name}"`, unsupported: false };
      }
      if (char === ']' && !classJustOpened(out)) inClass = false;
      out += char === '[' ? '\\[' : char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      out += char;
      if (source[index + 1] === '^') {
        out += '^';
        index++;
      }
      // A "]" right after "[" or "[^" is a literal in PCRE; JavaScript needs it escaped.
      if (source[index + 1] === ']') {
        out += '\\]';
        index++;
      }
      continue;
    }
    if (char === '(' && source[index + 1] === '?') {
      const rest = source.slice(index + 2);
      if (rest.startsWith('P<')) {
        out += '(?<';
        index += 3;
        continue;
      }
      if (rest.startsWith('P=')) {
        const end = source.indexOf(')', index);
        out += `\\k<${source.slice(index + 4, end)}>`;
        index = end;
        continue;
      }
      if (rest.startsWith('>')) return { reason: 'atomic groups (?>...) are not supported', unsupported: true };
      if (/^[imsx-]+[:)]/.test(rest)) return { reason: 'inline option groups are not supported', unsupported: true };
    }
    if ((char === '+' || char === '?' || char === '*' || char === '}') && source[index + 1] === '+') {
      return { reason: 'possessive quantifiers are not supported', unsupported: true };
    }
    out += char;
  }
  if (inClass) return { reason: 'missing terminating ] for character class', unsupported: false };
  return out;
}

function classJustOpened(out: string): boolean {
  return out.endsWith('[') || out.endsWith('[^');
}
