/**
 * The lexical layer of httpd's config reader: logical lines (util.c ap_cfg_getline) and word
 * splitting (util.c ap_getword_conf), with positions kept so diagnostics can point at the exact
 * physical line and column of a token.
 *
 * Faithful details that matter to learners:
 * - A backslash right before the newline joins the next physical line; the backslash and newline
 *   are removed and nothing else (the next line's indentation stays inside the logical line).
 * - Leading and trailing white space of the logical line is dropped.
 * - Only a line whose first non-blank character is `#` is a comment. A `#` after a directive is
 *   an ordinary argument, which is why `ProxyPass / http://x/ # note` fails in httpd.
 * - httpd reports a directive at the line number of its LAST physical line (the reader's counter
 *   after the continuation); `httpdLine` keeps that for configtest output, while positions in
 *   diagnostics point at the physical line holding the token.
 */

/** A position in the source text: 1-based line and column. */
export interface TextPosition {
  line: number;
  column: number;
}

/** One logical line after continuation joining and trimming. */
export interface LogicalLine {
  /** The trimmed logical line. */
  text: string;
  /** 1-based number of the first physical line. */
  firstLine: number;
  /** 1-based number of the last physical line: the number httpd prints in its messages. */
  httpdLine: number;
  /** Maps an offset in `text` to its physical position. */
  positionAt(offset: number): TextPosition;
}

/** A word split from a line by ap_getword_conf. */
export interface Word {
  /** The word with quotes removed and `\\` / `\<quote>` escapes resolved. */
  value: string;
  /** Offset of the word's first character (the opening quote for a quoted word). */
  start: number;
  /** Offset just past the word (past the closing quote when there is one). */
  end: number;
}

/** C isspace() in the "C" locale: the only characters httpd treats as blanks. */
export function isConfigSpace(char: string | undefined): boolean {
  return char !== undefined && isSpaceCode(char.charCodeAt(0));
}

/** isspace() on a UTF-16 code unit: space, \t, \n, \v, \f, \r. */
function isSpaceCode(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

interface Segment {
  /** Offset in the untrimmed logical line where this physical piece starts. */
  offset: number;
  line: number;
  /** 0-based column of that offset in the physical line. */
  column: number;
}

/** Split text into logical lines exactly as httpd's config reader does, skipping nothing. */
export function readLogicalLines(text: string): LogicalLine[] {
  const lines: LogicalLine[] = [];
  let cursor = 0;
  let lineNumber = 0;
  while (cursor < text.length) {
    let buffer = '';
    const segments: Segment[] = [];
    const firstLine = lineNumber + 1;
    for (;;) {
      if (cursor >= text.length) {
        // EOF inside a continuation returns what was read; ap_cfg_getline_core counted one more
        // line before it found the end, so httpd reports the directive one line past the file.
        if (segments.length > 0) lineNumber++;
        break;
      }
      lineNumber++;
      const newline = text.indexOf('\n', cursor);
      let chunk = newline === -1 ? text.slice(cursor) : text.slice(cursor, newline + 1);
      cursor = newline === -1 ? text.length : newline + 1;
      // httpd measures the line with strlen(): a NUL byte ends it, and the newline after the
      // NUL is then invisible, so such a line never continues.
      const nul = chunk.indexOf('\0');
      if (nul !== -1) chunk = chunk.slice(0, nul);
      segments.push({ offset: buffer.length, line: lineNumber, column: 0 });
      buffer += chunk;
      if (!buffer.endsWith('\n')) break;
      let end = buffer.length - 1;
      if (end > 0 && buffer[end - 1] === '\r') end--;
      if (end > 0 && buffer[end - 1] === '\\') {
        buffer = buffer.slice(0, end - 1);
        continue;
      }
      break;
    }
    lines.push(makeLogicalLine(buffer, segments, firstLine, lineNumber));
  }
  return lines;
}

function makeLogicalLine(raw: string, segments: Segment[], firstLine: number, lastLine: number): LogicalLine {
  let start = 0;
  while (start < raw.length && isConfigSpace(raw[start])) start++;
  let end = raw.length;
  while (end > start && isConfigSpace(raw[end - 1])) end--;
  const text = raw.slice(start, end);
  const positionAt = (offset: number): TextPosition => {
    const rawOffset = Math.max(0, Math.min(offset, text.length)) + start;
    let segment = segments[0];
    for (const candidate of segments) {
      if (candidate.offset <= rawOffset) segment = candidate;
      else break;
    }
    return { line: segment.line, column: segment.column + (rawOffset - segment.offset) + 1 };
  };
  return { text, firstLine, httpdLine: lastLine, positionAt };
}

/** True for lines httpd skips: empty, or starting with `#`. */
export function isCommentOrBlank(line: string): boolean {
  return line === '' || line[0] === '#';
}

/** Read the next word from `line` at `from`, as ap_getword_conf does; returns null at end of line. */
export function readWord(line: string, from: number): Word | null {
  const length = line.length;
  let position = from;
  while (position < length && isSpaceCode(line.charCodeAt(position))) position++;
  if (position >= length) return null;
  const quote = line[position];
  if (quote === '"' || quote === "'") {
    let end = position + 1;
    while (end < length && line[end] !== quote) {
      if (line[end] === '\\' && end + 1 < length && (line[end + 1] === quote || line[end + 1] === '\\')) end += 2;
      else end++;
    }
    const value = unescapeWord(line.slice(position + 1, end), quote);
    if (end < length) end++; // step over the closing quote
    return { value, start: position, end };
  }
  let end = position;
  while (end < length && !isSpaceCode(line.charCodeAt(end))) end++;
  return { value: unescapeWord(line.slice(position, end), null), start: position, end };
}

/** Offset of the first non-blank character at or after `from` (what getword leaves as "rest"). */
export function skipSpaces(line: string, from: number): number {
  let position = from;
  while (position < line.length && isSpaceCode(line.charCodeAt(position))) position++;
  return position;
}

/** Split `line` into all its words starting at `from`. */
export function readWords(line: string, from = 0): Word[] {
  const words: Word[] = [];
  let position = from;
  for (;;) {
    const word = readWord(line, position);
    if (!word) return words;
    words.push(word);
    position = word.end;
  }
}

function unescapeWord(text: string, quote: string | null): string {
  if (!text.includes('\\')) return text;
  let result = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    const next = text[index + 1];
    if (char === '\\' && (next === '\\' || (quote !== null && next === quote))) {
      result += next;
      index++;
    } else {
      result += char;
    }
  }
  return result;
}
