import { describe, expect, it } from 'vitest';
import { readLogicalLines, readWord, readWords } from '../../../sandbox/engine/config/lexer.ts';

const summary = (text: string) => readLogicalLines(text).map((line) => ({ text: line.text, firstLine: line.firstLine, httpdLine: line.httpdLine }));

describe('readLogicalLines', () => {
  it('joins a backslash-continued line and keeps both line numbers', () => {
    expect(summary('ServerAdmin \\\n  a@b \\\n c\nTimeout 5\n')).toEqual([
      { text: 'ServerAdmin   a@b  c', firstLine: 1, httpdLine: 3 },
      { text: 'Timeout 5', firstLine: 4, httpdLine: 4 },
    ]);
  });

  it('treats CRLF before the newline as part of the line end', () => {
    expect(summary('A \\\r\nB\r\nC\r\n')).toEqual([
      { text: 'A B', firstLine: 1, httpdLine: 2 },
      { text: 'C', firstLine: 3, httpdLine: 3 },
    ]);
  });

  it('continues a comment line onto the next one, as httpd does', () => {
    expect(summary('# note \\\nProxyPass / http://x/\n')).toEqual([{ text: '# note ProxyPass / http://x/', firstLine: 1, httpdLine: 2 }]);
  });

  it('trims blanks and keeps empty lines as empty logical lines', () => {
    expect(summary('  \tListen 80  \n\n')).toEqual([
      { text: 'Listen 80', firstLine: 1, httpdLine: 1 },
      { text: '', firstLine: 2, httpdLine: 2 },
    ]);
  });

  it('ends a line at a NUL byte, which also stops continuation', () => {
    expect(summary('Listen 80\0junk \\\nTimeout 5')).toEqual([
      { text: 'Listen 80', firstLine: 1, httpdLine: 1 },
      { text: 'Timeout 5', firstLine: 2, httpdLine: 2 },
    ]);
  });

  it('keeps a final backslash at end of file', () => {
    expect(summary('Listen 80 \\')).toEqual([{ text: 'Listen 80 \\', firstLine: 1, httpdLine: 1 }]);
  });

  it('maps offsets of a continued line back to physical positions', () => {
    const [line] = readLogicalLines('  ProxyPass / \\\n    http://x/\n');
    expect(line.positionAt(0)).toEqual({ line: 1, column: 3 });
    expect(line.positionAt(line.text.indexOf('http'))).toEqual({ line: 2, column: 5 });
  });
});

describe('readWord (ap_getword_conf)', () => {
  it('splits on blanks and skips leading ones', () => {
    expect(readWords('  ProxyPass   /ws/\thttp://x/ ')).toEqual([
      { value: 'ProxyPass', start: 2, end: 11 },
      { value: '/ws/', start: 14, end: 18 },
      { value: 'http://x/', start: 19, end: 28 },
    ]);
  });

  it('strips double and single quotes and resolves their escapes', () => {
    expect(readWords(`"a b\\"c" 'd\\'e' "x\\\\y" "p\\q"`).map((word) => word.value)).toEqual(['a b"c', "d'e", 'x\\y', 'p\\q']);
  });

  it('reads an unterminated quote to the end of the line', () => {
    expect(readWord('"x.test', 0)).toEqual({ value: 'x.test', start: 0, end: 7 });
  });

  it('returns an empty word for "" and null at the end', () => {
    expect(readWord('""', 0)).toEqual({ value: '', start: 0, end: 2 });
    expect(readWord('   ', 0)).toBeNull();
  });

  it('keeps a # after arguments as an ordinary word', () => {
    expect(readWords('/ http://x/ # note').map((word) => word.value)).toEqual(['/', 'http://x/', '#', 'note']);
  });
});
