/**
 * The Apache httpd config language for Monaco: a Monarch tokenizer and the language
 * configuration (comments, brackets, folding on section tags). Pure data, no Monaco import at run
 * time, so test/ui/apache-grammar.test.ts can tokenize with Monaco's Monarch lexer in Node.
 *
 * It follows httpd's reader (server/util.c ap_cfg_getline, ap_getword_conf):
 *  - only a line whose first non-blank character is "#" is a comment; a "#" later on a line is an
 *    argument (httpd passes it to the directive, which then usually refuses it);
 *  - a backslash at the end of a line continues the directive on the next line, so the next
 *    line's first word is an argument, not a directive;
 *  - arguments may be quoted with "..." or '...', with backslash escapes;
 *  - ${NAME} is expanded everywhere, quoted or not.
 * Directive names are case-insensitive, as are On/Off.
 */
import type * as Monaco from 'monaco-editor/editor';

export const APACHE_TOKEN_POSTFIX = '.apache';

/** Schemes ProxyPass and friends take; a word starting with one is shown as a URL. */
const URL_PATTERN = /(?:wss?|https?|h2c?|fcgi|ajp|scgi|uwsgi|balancer|unix|ftp):\/\/[^\s"'\\$]*/;

/** The rules shared by every place arguments appear. */
const argumentRules: Monaco.languages.IMonarchLanguageRule[] = [
  [/\\\n/, 'delimiter.continuation'],
  [/\n/, { token: 'white', next: '@popall' }],
  [/[ \t\r\f\v]+/, 'white'],
  [/"/, { token: 'string.quote', next: '@doubleQuoted' }],
  [/'/, { token: 'string.quote', next: '@singleQuoted' }],
  [/\$\{[^}\s]*\}/, 'variable'],
  [URL_PATTERN, 'string.url'],
  [/(on|off)(?=[\s>]|$)/, 'constant'],
  [/([a-z][\w-]*)(=)/, ['attribute.name', 'operator']],
  [/[+-]?\d+(?:\.\d+)?(?=[\s>]|$)/, 'number'],
  [/\\./, 'argument'],
  [/[^\s"'\\$>]+/, 'argument'],
  [/[$\\]/, 'argument'],
];

export const apacheMonarch: Monaco.languages.IMonarchLanguage = {
  defaultToken: 'invalid',
  tokenPostfix: APACHE_TOKEN_POSTFIX,
  ignoreCase: true,
  includeLF: true,
  tokenizer: {
    root: [
      [/^([ \t]*)(#.*)/, ['white', 'comment']],
      [/\s+/, 'white'],
      [/(<\/?)([a-z][\w:.-]*)/, ['delimiter.angle', { token: 'tag', next: '@sectionArguments' }]],
      [/[a-z][\w-]*/, { token: 'keyword', next: '@arguments' }],
      [/[^\s]+/, { token: 'invalid', next: '@arguments' }],
    ],
    arguments: [...argumentRules],
    sectionArguments: [[/>/, { token: 'delimiter.angle', next: '@pop' }], ...argumentRules],
    doubleQuoted: [
      [/\\\n/, 'delimiter.continuation'],
      [/\n/, { token: 'white', next: '@popall' }],
      [/\$\{[^}\s]*\}/, 'variable'],
      [/\\./, 'string.escape'],
      [/"/, { token: 'string.quote', next: '@pop' }],
      [/[^"\\$\n]+/, 'string'],
      [/[$\\]/, 'string'],
    ],
    singleQuoted: [
      [/\\\n/, 'delimiter.continuation'],
      [/\n/, { token: 'white', next: '@popall' }],
      [/\$\{[^}\s]*\}/, 'variable'],
      [/\\./, 'string.escape'],
      [/'/, { token: 'string.quote', next: '@pop' }],
      [/[^'\\$\n]+/, 'string'],
      [/[$\\]/, 'string'],
    ],
  },
};

export const apacheLanguageConfiguration: Monaco.languages.LanguageConfiguration = {
  comments: { lineComment: '#' },
  brackets: [],
  autoClosingPairs: [
    { open: '"', close: '"', notIn: ['string'] },
    { open: "'", close: "'", notIn: ['string'] },
    { open: '${', close: '}' },
  ],
  surroundingPairs: [
    { open: '"', close: '"' },
    { open: "'", close: "'" },
  ],
  // Directive names, section names, ProxyPass keys: letters, digits, "_" and "-".
  wordPattern: /[A-Za-z_][\w-]*/,
  folding: {
    markers: { start: /^\s*<[A-Za-z]/, end: /^\s*<\// },
  },
  indentationRules: {
    increaseIndentPattern: /^\s*<[A-Za-z][^>]*>\s*$/,
    decreaseIndentPattern: /^\s*<\//,
  },
  onEnterRules: [],
};
