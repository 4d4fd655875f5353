import { describe, expect, it } from 'vitest';
import { routeRequest } from '../../../sandbox/engine/routing/index.ts';
import { configFrom, request } from './route-fixtures.ts';

const MODULES = ['mpm_event', 'authz_core', 'authz_host', 'authz_user', 'proxy', 'proxy_http', 'proxy_wstunnel', 'rewrite', 'headers', 'alias'];

// Measured as a whole on httpd 2.4.71 (client 127.0.0.1).
const config = configFrom(
  [
    '<Location />',
    '  Require all denied',
    '</Location>',
    '<Location /ok/>',
    '  Require all granted',
    '  ProxyPass http://127.0.0.1:8801/',
    '</Location>',
    '<Location /and/>',
    '  AuthMerging And',
    '  Require ip 10.0.0.0/8',
    '  ProxyPass http://127.0.0.1:8801/',
    '</Location>',
    '<Location /or/>',
    '  AuthMerging Or',
    '  Require ip 127.0.0.1',
    '  ProxyPass http://127.0.0.1:8801/',
    '</Location>',
    '<LocationMatch "^/ok/deny">',
    '  Require all denied',
    '</LocationMatch>',
    '<Location /none/>',
    '  <RequireAll>',
    '    Require all granted',
    '    <RequireNone>',
    '      Require ip 10.0.0.0/8',
    '    </RequireNone>',
    '  </RequireAll>',
    '  ProxyPass http://127.0.0.1:8801/',
    '</Location>',
    '<Location /meth/>',
    '  Require method POST',
    '  ProxyPass http://127.0.0.1:8801/',
    '</Location>',
    '<Location /local/>',
    '  Require local',
    '  RequestHeader set X-Loc loc',
    '  ProxyPass http://127.0.0.1:8801/',
    '</Location>',
    'RequestHeader set X-Srv srv',
  ].join('\n'),
  MODULES,
);

function outcome(target: string, method = 'GET'): number | string {
  const decision = routeRequest(config, request(target, [['Host', 'a.test']], { method }));
  return decision.kind === 'respond' ? decision.status : (decision.backend?.request.requestLine ?? 'balancer');
}

describe('authorization merged over <Location> sections, measured on httpd 2.4.71', () => {
  it.each([
    ['/ok/x', 'GET', 'GET /x HTTP/1.1'],
    ['/ok/deny', 'GET', 403],
    ['/and/x', 'GET', 403],
    ['/or/x', 'GET', 'GET /x HTTP/1.1'],
    ['/none/x', 'GET', 'GET /x HTTP/1.1'],
    ['/meth/x', 'GET', 403],
    ['/meth/x', 'POST', 'POST /x HTTP/1.1'],
    ['/local/x', 'GET', 'GET /x HTTP/1.1'],
    ['/other', 'GET', 403],
  ])('%s %s → %s', (target, method, expected) => {
    expect(outcome(target, method)).toBe(expected);
  });

  it('applies the server RequestHeader before the <Location> one', () => {
    const decision = routeRequest(config, request('/local/x', [['Host', 'a.test']]));
    expect(decision.kind === 'proxy' && decision.backend?.request.headers.slice(1, 3)).toEqual([
      ['X-Srv', 'srv'],
      ['X-Loc', 'loc'],
    ]);
  });
});
