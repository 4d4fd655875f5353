/**
 * Runs a Monarch grammar with Monaco's own lexer (monarchCompile + MonarchTokenizer) in Node, with
 * the two services it reads stubbed, and returns each line's tokens as [text, type] pairs. Not a
 * test file itself.
 */
import { compile } from 'monaco-editor/editor/standalone/common/monarch/monarchCompile.js';
import { MonarchTokenizer } from 'monaco-editor/editor/standalone/common/monarch/monarchLexer.js';
import type * as Monaco from 'monaco-editor/editor';

export type TokenTable = Array<Array<[text: string, type: string]>>;

const configurationService = {
  getValue: () => 20_000,
  onDidChangeConfiguration: () => ({ dispose() {} }),
};

export function tokenizeLines(grammar: Monaco.languages.IMonarchLanguage, text: string, languageId = 'apacheconf'): TokenTable {
  const lexer = compile(languageId, grammar as never);
  // languageService and themeService are only used for embedded languages and encoded tokens.
  const tokenizer = new MonarchTokenizer({} as never, {} as never, languageId, lexer, configurationService as never);
  let state = tokenizer.getInitialState();
  const lines = text.split('\n');
  return lines.map((line, index) => {
    const result = tokenizer.tokenize(line, index < lines.length - 1, state);
    state = result.endState;
    return result.tokens.map((token, tokenIndex, all) => {
      const end = tokenIndex + 1 < all.length ? all[tokenIndex + 1].offset : line.length;
      return [line.slice(token.offset, end), token.type] as [string, string];
    }).filter(([text]) => text !== "");
  });
}
