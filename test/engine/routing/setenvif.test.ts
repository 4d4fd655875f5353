import { describe, expect, it } from 'vitest';
import { runParse } from '../../../sandbox/engine/config/parse-config.ts';
import { routeRequest } from '../../../sandbox/engine/routing/index.ts';
import { applySetEnvIf } from '../../../sandbox/engine/routing/setenvif.ts';
import { HeaderTable } from '../../../sandbox/engine/routing/header-table.ts';
import type { SetEnvIfEntry } from '../../../sandbox/engine/config/model.ts';
import { configFrom, request, STANDARD_MODULES, websocket } from './route-fixtures.ts';

const MODULES = [...STANDARD_MODULES, 'setenvif'];

// The shapes of differential scenario 228, measured on httpd 2.4.71.
const config = configFrom(
  [
    'SetEnvIf Origin "^https://(www\\.)?example\\.com$" origin_ok',
    'SetEnvIfNoCase Origin "^https://partner\\.example$" origin_ok',
    'SetEnvIf Request_URI "^/ws/blocked" blocked_path',
    'SetEnvIf X-Debug "^1$" !origin_ok',
    '<Location /ws/>',
    '  Require env origin_ok',
    '  ProxyPass ws://127.0.0.1:8801/',
    '</Location>',
    '<Location /ws/blocked/>',
    '  <RequireAll>',
    '    Require env origin_ok',
    '    Require not env blocked_path',
    '  </RequireAll>',
    '</Location>',
    '<Location /dir/>',
    '  SetEnvIf Request_URI "^/dir/ok" dir_ok',
    '  Require env dir_ok',
    '  ProxyPass ws://127.0.0.1:8801/',
    '</Location>',
  ].join('\n'),
  MODULES,
);

function status(target: string, extra: Array<[string, string]> = []): number | 'proxy' {
  const decision = routeRequest(config, websocket(target, extra));
  return decision.kind === 'respond' ? decision.status : 'proxy';
}

describe('mod_setenvif feeding Require env', () => {
  it.each([
    ['/ws/room', [['Origin', 'https://example.com']], 'proxy'],
    ['/ws/room', [['Origin', 'https://www.example.com']], 'proxy'],
    // SetEnvIf is case-sensitive, SetEnvIfNoCase is not.
    ['/ws/room', [['Origin', 'https://EXAMPLE.com']], 403],
    ['/ws/room', [['Origin', 'https://PARTNER.example']], 'proxy'],
    ['/ws/room', [], 403],
    // A later line with !name unsets what an earlier one set.
    ['/ws/room', [['Origin', 'https://example.com'], ['X-Debug', '1']], 403],
    ['/ws/blocked/x', [['Origin', 'https://example.com']], 403],
  ] as Array<[string, Array<[string, string]>, number | 'proxy']>)('%s %j -> %s', (target, headers, expected) => {
    expect(status(target, headers)).toBe(expected);
  });

  it('runs per-directory lines at header_parser, on the decoded path', () => {
    expect(status('/dir/ok')).toBe('proxy');
    expect(status('/dir/%6Fk')).toBe('proxy');
    expect(status('/dir/no')).toBe(403);
  });

  it('runs server-level lines at post_read_request, on the path as sent', () => {
    const raw = configFrom(
      ['SetEnvIf Request_URI "^/a/%62" encoded', '<Location /a/>', '  Require env encoded', '  ProxyPass ws://127.0.0.1:8801/', '</Location>'].join('\n'),
      MODULES,
    );
    expect(routeRequest(raw, websocket('/a/%62')).kind).toBe('proxy');
    expect((routeRequest(raw, websocket('/a/b')) as { status?: number }).status).toBe(403);
  });

  it('adds the main server lines before the vhost ones', () => {
    const vhosts = configFrom(
      [
        'Listen 8800',
        'SetEnvIf Remote_Addr "^127\\." trusted',
        '<VirtualHost *:8800>',
        '  ServerName a.test',
        '  SetEnvIf X-Block "^1$" !trusted',
        '  <Location /ws/>',
        '    Require env trusted',
        '    ProxyPass ws://127.0.0.1:8801/',
        '  </Location>',
        '</VirtualHost>',
      ].join('\n'),
      MODULES,
    );
    expect(routeRequest(vhosts, websocket('/ws/x')).kind).toBe('proxy');
    expect(routeRequest(vhosts, websocket('/ws/x', [['X-Block', '1']])).kind).toBe('respond');
  });
});

describe('applySetEnvIf', () => {
  const entry = (fields: Partial<SetEnvIfEntry>): SetEnvIfEntry => ({
    attribute: 'Origin',
    regex: '.',
    caseInsensitive: false,
    expr: null,
    features: [],
    source: { file: 'f', line: 1 },
    ...fields,
  });
  const run = (entries: SetEnvIfEntry[], headers: Array<[string, string]>, env: Record<string, string> = {}) => {
    applySetEnvIf(
      entries,
      {
        headers: new HeaderTable(headers),
        remoteAddress: '127.0.0.1',
        localAddress: '127.0.0.1',
        remoteHost: '127.0.0.1',
        uri: '/',
        method: 'GET',
        protocol: 'HTTP/1.1',
        expr: { clientIp: '127.0.0.1', variable: () => '', call: () => null },
      },
      env,
    );
    return env;
  };

  it('substitutes $n from a regex match, but not for a plain pattern', () => {
    expect(run([entry({ regex: '^https://([a-z]+)\\.', features: [{ name: 'site', value: '$1' }] })], [['Origin', 'https://chat.example']])).toEqual({ site: 'chat' });
    expect(run([entry({ regex: 'chat', features: [{ name: 'site', value: '$0' }] })], [['Origin', 'https://chat.example']])).toEqual({ site: '$0' });
  });

  it('tests a missing header as the empty string, and falls back to an environment variable', () => {
    expect(run([entry({ regex: '^$', features: [{ name: 'no_origin', value: '1' }] })], [])).toEqual({ no_origin: '1' });
    expect(run([entry({ attribute: 'flag', regex: '^y', features: [{ name: 'seen', value: '1' }] })], [], { flag: 'yes' })).toEqual({ flag: 'yes', seen: '1' });
  });

  it('treats an attribute with regex characters as a pattern over header names (the last match counts)', () => {
    const env = run([entry({ attribute: '^X-.*', regex: '^2$', features: [{ name: 'two', value: '1' }] })], [['X-A', '1'], ['X-B', '2']]);
    expect(env).toEqual({ two: '1' });
  });
});

describe('mod_setenvif directives in the config test', () => {
  const parse = (line: string) =>
    runParse(['LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so', 'LoadModule setenvif_module /usr/lib/apache2/modules/mod_setenvif.so', line].join('\n'), { file: '/etc/apache2/apache2.conf' })
      .diagnostics.filter((diagnostic) => diagnostic.severity === 'error')
      .map((diagnostic) => diagnostic.message);
  it('reports what add_setenvif_core reports', () => {
    expect(parse('SetEnvIf Origin')).toContain('Missing regular expression for SetEnvIf');
    expect(parse('SetEnvIf Origin ^x')).toContain('Missing envariable expression for SetEnvIf');
    expect(parse('SetEnvIfNoCase Origin "(" x')).toContain('SetEnvIfNoCase regex could not be compiled.');
    expect(parse('SetEnvIf Origin ^x ok')).toEqual([]);
  });
});
