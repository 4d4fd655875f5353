/**
 * Where the cursor is in httpd's terms: on a directive's name, or on its Nth argument (and inside
 * a key=value parameter), following httpd's reading rules (comments only at line start,
 * backslash-newline continuation, quotes). Completion and hover ask this. Pure.
 */

export type LineContext =
  | { kind: 'comment' }
  /** Typing the directive name; `section` when after "<" (or "</": `closing`). */
  | { kind: 'directive'; prefix: string; section: boolean; closing: boolean; startColumn: number }
  | {
      kind: 'argument';
      /** The directive, as written ("ProxyPass", "<VirtualHost" for sections). */
      directive: string;
      /** Arguments before the one under the cursor. */
      previous: string[];
      /** The argument being typed, up to the cursor. */
      prefix: string;
      /** 1-based column where the current argument starts on the cursor's physical line. */
      startColumn: number;
      /** When the argument is key=value and the cursor is after "=". */
      parameter?: { key: string; valuePrefix: string; valueStartColumn: number };
    };

/** Lines that join the cursor's line into one logical line (httpd's backslash continuation). */
function logicalStart(lines: readonly string[], lineIndex: number): number {
  let start = lineIndex;
  while (start > 0 && /\\$/.test(lines[start - 1])) start--;
  return start;
}

interface Word {
  text: string;
  /** Index in the joined logical text. */
  start: number;
}

/** Split like ap_getword_conf, keeping positions; an unterminated quote runs to the end. */
function splitWords(text: string): { words: Word[]; endsInWord: boolean } {
  const words: Word[] = [];
  let index = 0;
  while (index < text.length) {
    while (index < text.length && /\s/.test(text[index])) index++;
    if (index >= text.length) break;
    const start = index;
    const quote = text[index] === '"' || text[index] === "'" ? text[index] : null;
    if (quote) {
      index++;
      while (index < text.length && text[index] !== quote) index += text[index] === '\\' ? 2 : 1;
      index++;
    } else {
      while (index < text.length && !/\s/.test(text[index])) index++;
    }
    words.push({ text: text.slice(start, Math.min(index, text.length)), start });
  }
  const endsInWord = text.length > 0 && !/\s/.test(text[text.length - 1]);
  return { words, endsInWord };
}

/**
 * The context at a 1-based (line, column) of the model's lines. The column is the cursor's: the
 * text before it is what counts.
 */
export function lineContext(lines: readonly string[], lineNumber: number, column: number): LineContext {
  const lineIndex = lineNumber - 1;
  const start = logicalStart(lines, lineIndex);
  const before = lines[lineIndex].slice(0, column - 1);
  if (start === lineIndex && /^\s*#/.test(before)) return { kind: 'comment' };
  if (start !== lineIndex && /^\s*#/.test(lines[start])) return { kind: 'comment' };

  // Join the logical line up to the cursor; remember where the cursor's physical line begins.
  let joined = '';
  for (let index = start; index < lineIndex; index++) joined += `${lines[index].replace(/\\$/, '')} `;
  const physicalOffset = joined.length;
  joined += before;

  const { words, endsInWord } = splitWords(joined);
  const current = endsInWord ? words.pop() : undefined;
  const prefix = current?.text ?? '';
  const currentStart = current ? current.start : joined.length;
  const startColumn = Math.max(1, currentStart - physicalOffset + 1);

  if (words.length === 0) {
    const section = /^<\/?/.exec(prefix);
    return {
      kind: 'directive',
      prefix: prefix.replace(/^<\/?/, ''),
      section: section !== null,
      closing: prefix.startsWith('</'),
      startColumn: startColumn + (section ? section[0].length : 0),
    };
  }

  const directive = words[0].text.replace(/>$/, '');
  const previous = words.slice(1).map((word) => word.text);
  const context: LineContext = { kind: 'argument', directive, previous, prefix, startColumn };
  const equals = prefix.indexOf('=');
  if (equals > 0 && /^[A-Za-z][\w-]*$/.test(prefix.slice(0, equals))) {
    context.parameter = { key: prefix.slice(0, equals), valuePrefix: prefix.slice(equals + 1), valueStartColumn: startColumn + equals + 1 };
  }
  return context;
}

/**
 * The directive whose name is under a 1-based position, if the position is on a directive name
 * (not on an argument): for hover. Returns the name as written (sections with their "<").
 */
export function directiveAt(lines: readonly string[], lineNumber: number, column: number): { name: string; startColumn: number; endColumn: number } | null {
  const lineIndex = lineNumber - 1;
  if (logicalStart(lines, lineIndex) !== lineIndex) return null;
  const line = lines[lineIndex];
  const match = /^(\s*)(<\/?)?([A-Za-z][\w:.-]*)/.exec(line);
  if (!match || line.trimStart().startsWith('#')) return null;
  const nameStart = match[1].length + (match[2]?.length ?? 0) + 1;
  const nameEnd = nameStart + match[3].length;
  if (column < nameStart - (match[2]?.length ?? 0) || column > nameEnd) return null;
  return { name: (match[2] ? '<' : '') + match[3], startColumn: nameStart, endColumn: nameEnd };
}

/** The key=value parameter under a 1-based position, for hover. */
export function parameterAt(line: string, column: number): { key: string; startColumn: number; endColumn: number } | null {
  for (const match of line.matchAll(/(?<=\s)([A-Za-z][\w-]*)=\S*/g)) {
    const startColumn = (match.index ?? 0) + 1;
    const endColumn = startColumn + match[1].length;
    if (column >= startColumn && column <= startColumn + match[0].length) return { key: match[1], startColumn, endColumn };
  }
  return null;
}
