/**
 * The Apache config grammar, run through Monaco's own Monarch lexer in Node: each line's tokens
 * compared with a table of [text, token] pairs (whitespace tokens left out of the tables).
 */
import { describe, expect, it } from 'vitest';
import { apacheMonarch } from '../../sandbox/ui/editor/apache-grammar.ts';
import { tokenizeLines, type TokenTable } from './monarch-harness.ts';

/** Tokens without the ".apache" postfix and without whitespace. */
function table(text: string): TokenTable {
  return tokenizeLines(apacheMonarch, text).map((line) =>
    line.filter(([, type]) => !type.startsWith('white')).map(([text, type]) => [text, type.replace(/\.apache$/, '')] as [string, string]),
  );
}

describe('the Apache config tokenizer', () => {
  it('reads directives, section tags, arguments, URLs, numbers and On/Off', () => {
    expect(
      table(['Listen 80', '<VirtualHost *:80>', '    ServerName example.com', '    ProxyPreserveHost On', '    ProxyRequests off', '</VirtualHost>'].join('\n')),
    ).toEqual([
      [['Listen', 'keyword'], ['80', 'number']],
      [['<', 'delimiter.angle'], ['VirtualHost', 'tag'], ['*:80', 'argument'], ['>', 'delimiter.angle']],
      [['ServerName', 'keyword'], ['example.com', 'argument']],
      [['ProxyPreserveHost', 'keyword'], ['On', 'constant']],
      [['ProxyRequests', 'keyword'], ['off', 'constant']],
      [['</', 'delimiter.angle'], ['VirtualHost', 'tag'], ['>', 'delimiter.angle']],
    ]);
  });

  it('reads ProxyPass URLs and key=value parameters', () => {
    expect(table('ProxyPass /ws/ ws://localhost:8080/ upgrade=websocket timeout=30 connectiontimeout=5s')).toEqual([
      [
        ['ProxyPass', 'keyword'],
        ['/ws/', 'argument'],
        ['ws://localhost:8080/', 'string.url'],
        ['upgrade', 'attribute.name'],
        ['=', 'operator'],
        ['websocket', 'argument'],
        ['timeout', 'attribute.name'],
        ['=', 'operator'],
        ['30', 'number'],
        ['connectiontimeout', 'attribute.name'],
        ['=', 'operator'],
        ['5s', 'argument'],
      ],
    ]);
    expect(table('BalancerMember http://127.0.0.1:3000 retry=0\nProxySet balancer://app lbmethod=byrequests')).toEqual([
      [['BalancerMember', 'keyword'], ['http://127.0.0.1:3000', 'string.url'], ['retry', 'attribute.name'], ['=', 'operator'], ['0', 'number']],
      [['ProxySet', 'keyword'], ['balancer://app', 'string.url'], ['lbmethod', 'attribute.name'], ['=', 'operator'], ['byrequests', 'argument']],
    ]);
  });

  it('treats only a line that starts with # as a comment, as httpd does', () => {
    expect(table('# a comment\n   # indented comment\nProxyPass / http://x/ # not a comment')).toEqual([
      [['# a comment', 'comment']],
      [['# indented comment', 'comment']],
      [['ProxyPass', 'keyword'], ['/', 'argument'], ['http://x/', 'string.url'], ['#', 'argument'], ['not', 'argument'], ['a', 'argument'], ['comment', 'argument']],
    ]);
  });

  it('reads quoted strings with escapes and ${VARS} inside and outside them', () => {
    expect(table('ErrorLog ${APACHE_LOG_DIR}/error.log\nRequestHeader set X-Note "a \\"b\\" ${HOME} c"\nLogFormat \'%h %l\' short')).toEqual([
      [['ErrorLog', 'keyword'], ['${APACHE_LOG_DIR}', 'variable'], ['/error.log', 'argument']],
      [
        ['RequestHeader', 'keyword'],
        ['set', 'argument'],
        ['X-Note', 'argument'],
        ['"', 'string.quote'],
        ['a ', 'string'],
        ['\\"', 'string.escape'],
        ['b', 'string'],
        ['\\"', 'string.escape'],
        [' ', 'string'],
        ['${HOME}', 'variable'],
        [' c', 'string'],
        ['"', 'string.quote'],
      ],
      [['LogFormat', 'keyword'], ["'", 'string.quote'], ['%h %l', 'string'], ["'", 'string.quote'], ['short', 'argument']],
    ]);
  });

  it('continues a directive over a backslash-newline: the next line holds arguments', () => {
    expect(table('ProxyPass /app/ \\\n    http://localhost:3000/ \\\n    timeout=5\nListen 80')).toEqual([
      [['ProxyPass', 'keyword'], ['/app/', 'argument'], ['\\', 'delimiter.continuation']],
      [['http://localhost:3000/', 'string.url'], ['\\', 'delimiter.continuation']],
      [['timeout', 'attribute.name'], ['=', 'operator'], ['5', 'number']],
      [['Listen', 'keyword'], ['80', 'number']],
    ]);
  });

  it('ends an unterminated quote at the end of its line', () => {
    expect(table('Header set X "open\nListen 80')).toEqual([
      [['Header', 'keyword'], ['set', 'argument'], ['X', 'argument'], ['"', 'string.quote'], ['open', 'string']],
      [['Listen', 'keyword'], ['80', 'number']],
    ]);
  });

  it('reads section arguments including <Location> paths and <IfModule> names', () => {
    expect(table('<Location /ws/>\n<IfModule mod_proxy.c>\n<LocationMatch "^/chat/(.*)$">')).toEqual([
      [['<', 'delimiter.angle'], ['Location', 'tag'], ['/ws/', 'argument'], ['>', 'delimiter.angle']],
      [['<', 'delimiter.angle'], ['IfModule', 'tag'], ['mod_proxy.c', 'argument'], ['>', 'delimiter.angle']],
      [['<', 'delimiter.angle'], ['LocationMatch', 'tag'], ['"', 'string.quote'], ['^/chat/(.*)$', 'string'], ['"', 'string.quote'], ['>', 'delimiter.angle']],
    ]);
  });

  it('never throws on arbitrary text', () => {
    const samples = ['<', '</', '<>', '"', "'", '\\', '${', '${}', '=', '==', '<<<<>>>>', '\u0000\u0001', '   \t  ', '0=0=0', '<a b="c\\'];
    for (const sample of samples) expect(() => table(`${sample}\n${sample} ${sample}\nListen ${sample}`)).not.toThrow();
  });
});
