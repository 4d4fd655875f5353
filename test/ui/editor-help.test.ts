/**
 * What completion and hover read: the cursor's place in httpd's terms (line-context.ts), the
 * directive docs for every directive of the engine's table in both languages, and the ProxyPass
 * parameter table.
 */
import { describe, expect, it } from 'vitest';
import { directiveTable, findDirectiveInfo } from '../../sandbox/engine/config/index.ts';
import { directiveHover, escapeMarkdown, parameterHover, uniqueDirectives } from '../../sandbox/ui/editor/directive-docs.ts';
import { directiveAt, lineContext, parameterAt } from '../../sandbox/ui/editor/line-context.ts';
import { findProxyParameter, PROXY_PARAMETERS } from '../../sandbox/ui/editor/proxy-parameters.ts';

/** Context at the "|" in the text. */
function at(textWithCursor: string) {
  const offset = textWithCursor.indexOf('|');
  const text = textWithCursor.replace('|', '');
  const before = text.slice(0, offset).split('\n');
  return lineContext(text.split('\n'), before.length, before[before.length - 1].length + 1);
}

describe('lineContext', () => {
  it('knows a directive name is being typed, and sections after "<" or "</"', () => {
    expect(at('    ProxyP|')).toEqual({ kind: 'directive', prefix: 'ProxyP', section: false, closing: false, startColumn: 5 });
    expect(at('<Virtual|')).toEqual({ kind: 'directive', prefix: 'Virtual', section: true, closing: false, startColumn: 2 });
    expect(at('</|')).toEqual({ kind: 'directive', prefix: '', section: true, closing: true, startColumn: 3 });
    expect(at('|')).toMatchObject({ kind: 'directive', prefix: '' });
  });

  it('counts arguments and sees key=value parameters', () => {
    expect(at('ProxyPass /ws/ ws://localhost:8080/ up|')).toEqual({ kind: 'argument', directive: 'ProxyPass', previous: ['/ws/', 'ws://localhost:8080/'], prefix: 'up', startColumn: 37 });
    expect(at('ProxyPass /ws/ ws://localhost:8080/ upgrade=web|')).toMatchObject({
      kind: 'argument',
      parameter: { key: 'upgrade', valuePrefix: 'web', valueStartColumn: 45 },
    });
    expect(at('ProxyPass /ws/ |')).toMatchObject({ kind: 'argument', previous: ['/ws/'], prefix: '' });
  });

  it('follows backslash continuations and quotes, and ignores comments', () => {
    expect(at('ProxyPass /ws/ \\\n    ws://localhost:8080/ \\\n    time|')).toMatchObject({
      kind: 'argument',
      directive: 'ProxyPass',
      previous: ['/ws/', 'ws://localhost:8080/'],
      prefix: 'time',
      startColumn: 5,
    });
    expect(at('Header set X "a b c" |')).toMatchObject({ kind: 'argument', previous: ['set', 'X', '"a b c"'] });
    expect(at('  # ProxyPass |')).toEqual({ kind: 'comment' });
  });
});

describe('directiveAt and parameterAt (hover)', () => {
  const lines = ['<VirtualHost *:80>', '    ProxyPass /ws/ ws://localhost:8080/ timeout=30 \\', '        retry=0', '</VirtualHost>'];
  it('finds directive and section names, not arguments or continued lines', () => {
    expect(directiveAt(lines, 1, 3)).toEqual({ name: '<VirtualHost', startColumn: 2, endColumn: 13 });
    expect(directiveAt(lines, 2, 8)).toEqual({ name: 'ProxyPass', startColumn: 5, endColumn: 14 });
    expect(directiveAt(lines, 2, 20)).toBeNull();
    expect(directiveAt(lines, 3, 10)).toBeNull();
    expect(directiveAt(lines, 4, 4)).toEqual({ name: '<VirtualHost', startColumn: 3, endColumn: 14 });
  });
  it('finds key=value parameters', () => {
    expect(parameterAt(lines[1], 43)).toEqual({ key: 'timeout', startColumn: 41, endColumn: 48 });
    expect(parameterAt(lines[2], 10)).toEqual({ key: 'retry', startColumn: 9, endColumn: 14 });
    expect(parameterAt(lines[1], 8)).toBeNull();
  });
});

describe('directive docs', () => {
  it('has hover text for every directive in the table, in both languages, with its module and manual link', () => {
    for (const info of directiveTable()) {
      for (const locale of ['en', 'ja'] as const) {
        const markdown = directiveHover([info], locale);
        expect(markdown).toContain(escapeMarkdown(info.module));
        if (info.manualUrl) expect(markdown).toContain(`](${info.manualUrl})`);
        expect(markdown).toContain(locale === 'ja' ? (info.support === 'simulated' ? 'シミュレート対象' : '検証のみ') : info.support === 'simulated' ? 'simulated' : 'validated only');
      }
    }
    expect(uniqueDirectives().length).toBeGreaterThan(600);
  });

  it('shows Japanese descriptions on Japanese pages', () => {
    const [proxyPass] = findDirectiveInfo('ProxyPass');
    const ja = directiveHover([proxyPass], 'ja');
    expect(ja).toContain(escapeMarkdown(proxyPass.description.ja ?? ''));
    expect(ja).toContain('サーバー設定');
    expect(ja).toContain('https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass');
    expect(directiveHover(findDirectiveInfo('VirtualHost'), 'en')).toContain('\\<VirtualHost\\>');
  });

  it('escapes Markdown in table text', () => {
    expect(escapeMarkdown('<b>*x*</b> [y](z)')).toBe('\\<b\\>\\*x\\*\\</b\\> \\[y\\]\\(z\\)');
  });

  it('documents the ProxyPass parameters the lessons use', () => {
    for (const key of ['upgrade', 'timeout', 'retry', 'lbmethod', 'connectiontimeout', 'keepalive', 'ping', 'max', 'ttl']) {
      const parameter = findProxyParameter(key);
      expect(parameter, key).toBeDefined();
      expect(parameterHover(parameter!, 'ja')).toContain(escapeMarkdown(parameter!.description.ja));
    }
    expect(new Set(PROXY_PARAMETERS.map((parameter) => parameter.key)).size).toBe(PROXY_PARAMETERS.length);
    expect(findProxyParameter('lbmethod')?.values).toContain('byrequests');
  });
});
