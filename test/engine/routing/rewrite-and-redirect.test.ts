import { describe, expect, it } from 'vitest';
import { routeRequest, type RouteDecision } from '../../../sandbox/engine/routing/index.ts';
import { configFrom, request } from './route-fixtures.ts';
import { logThroughHandler, withoutPhaseDebug } from './route-fixtures.ts';

function backendOf(decision: RouteDecision) {
  if (decision.kind !== 'proxy' || !decision.backend) throw new Error(`expected a proxied request: ${decision.explanation}`);
  return decision.backend;
}

const AUTH_MODULES = ['mpm_event', 'authz_core', 'authz_host', 'authz_user', 'proxy', 'proxy_http', 'proxy_wstunnel', 'rewrite', 'headers', 'alias'];

// One config, measured as a whole on httpd 2.4.71 with Host a.test:8800.
const config = configFrom(
  [
    'RewriteEngine On',
    'RewriteCond %{HTTP:Upgrade} websocket [NC]',
    'RewriteCond %{HTTP:Connection} upgrade [NC]',
    'RewriteRule ^/?(.*) "ws://127.0.0.1:8801/$1" [P,L]',
    'RewriteRule ^/rw/(.*)$ /ws2/$1 [PT]',
    'RewriteRule ^/loc/(.*)$ /elsewhere/$1',
    'RewriteRule ^/red/(.*)$ http://other.test/x/$1 [R=301,L]',
    'RewriteRule ^/self/(.*)$ http://a.test:8800/ws2/$1',
    'RewriteRule ^/q/(.*)$ http://127.0.0.1:8802/q?a=$1 [P,QSA]',
    'RewriteRule ^/f - [F]',
    'ProxyPass /ws2/ http://127.0.0.1:8802/',
    '<Location /both/>',
    '  ProxyPass http://127.0.0.1:8801/',
    '  Redirect https://example.com/moved',
    '</Location>',
    '<Location /auth/>',
    '  Require valid-user',
    '</Location>',
    'ProxyPass /auth/ http://127.0.0.1:8801/',
    'ProxyPass /sv/ http://127.0.0.1:8802/sv/ mapping=servlet',
  ].join('\n'),
  AUTH_MODULES,
);
const host: Array<[string, string]> = [['Host', 'a.test:8800']];

describe('mod_rewrite before mod_proxy, measured on httpd 2.4.71', () => {
  it('proxies a WebSocket with [P] when both RewriteCond match, keeping the query', () => {
    const decision = routeRequest(config, request('/socket?x=1', [...host, ['Upgrade', 'websocket'], ['Connection', 'Upgrade']]));
    const backend = backendOf(decision);
    expect(backend.request.requestLine).toBe('GET /socket?x=1 HTTP/1.1');
    expect(backend.upgrade.forwarded).toBe(true);
    expect(decision.matched?.directive).toBe('RewriteRule');
  });

  it('hands a [PT] result to ProxyPass', () => {
    expect(backendOf(routeRequest(config, request('/rw/a?b=1', host))).request.requestLine).toBe('GET /a?b=1 HTTP/1.1');
  });

  it('serves a rewritten local path from the filesystem without consulting ProxyPass', () => {
    const decision = routeRequest(config, request('/loc/z', host));
    expect(decision).toMatchObject({ kind: 'respond', status: 404 });
    expect(withoutPhaseDebug(logThroughHandler(decision))).toEqual([
      { module: 'core', level: 'info', code: 'AH00128', message: 'File does not exist: /var/www/html/elsewhere/z', client: '127.0.0.1:5555' },
    ]);
  });

  it('redirects with [R=301], escaping the path and keeping the query', () => {
    expect(routeRequest(config, request('/red/a%20b?c=d', host))).toMatchObject({
      kind: 'respond',
      status: 301,
      headers: [['Location', 'http://other.test/x/a%20b?c=d']],
    });
  });

  it('redirects (302) to an absolute URL naming the Host the client used, since it is not this server\'s own name and port', () => {
    expect(routeRequest(config, request('/self/p', host))).toMatchObject({
      kind: 'respond',
      status: 302,
      headers: [['Location', 'http://a.test:8800/ws2/p']],
    });
  });

  it('puts the substitution query before the client query with [QSA]', () => {
    expect(backendOf(routeRequest(config, request('/q/v?orig=1', host))).request.requestLine).toBe('GET /q?a=v&orig=1 HTTP/1.1');
  });

  it('answers 403 for [F]', () => {
    expect(routeRequest(config, request('/f', host))).toMatchObject({ kind: 'respond', status: 403 });
  });

  it('lets a Redirect in the same <Location> win over its ProxyPass, appending the query', () => {
    expect(routeRequest(config, request('/both/x?y=1', host))).toMatchObject({
      kind: 'respond',
      status: 302,
      headers: [['Location', 'https://example.com/moved?y=1']],
    });
  });

  it('answers 500 with AH00025 when Require valid-user has no authentication behind it', () => {
    const decision = routeRequest(config, request('/auth/x', host));
    expect(decision).toMatchObject({ kind: 'respond', status: 500 });
    expect(withoutPhaseDebug(decision.log)).toEqual([
      { module: 'core', level: 'crit', code: 'AH00025', message: "configuration error:  couldn't check user: /auth/x", client: '127.0.0.1:5555' },
    ]);
  });

  it.each([
    ['/sv;j=1/a;x=2/../b', 'GET /sv/b HTTP/1.1'],
    ['/sv/a/./c;k=3', 'GET /sv/a/c;k=3 HTTP/1.1'],
  ])('maps %s with mapping=servlet to %s', (target, requestLine) => {
    expect(backendOf(routeRequest(config, request(target, host))).request.requestLine).toBe(requestLine);
  });

  // PROXYPASS_MAP_SERVLET includes PROXYPASS_MAP_ENCODED: the rule matches in pre_translate_name,
  // on the path still encoded, which reaches the backend as received (scenario 532).
  it.each([
    ['/sv/a%3Bb', 'GET /sv/a%3Bb HTTP/1.1'],
    ['/sv/a%2Fb', 'GET /sv/a%2Fb HTTP/1.1'],
    ['/sv/a%20b%25c', 'GET /sv/a%20b%25c HTTP/1.1'],
    ['/sv/%7euser/%41', 'GET /sv/~user/A HTTP/1.1'],
  ])('keeps %s encoded with mapping=servlet: %s', (target, requestLine) => {
    expect(backendOf(routeRequest(config, request(target, host))).request.requestLine).toBe(requestLine);
  });
});

describe('mod_alias Redirect and mod_authz, measured on httpd 2.4.71', () => {
  const access = configFrom(
    [
      '<Location /ws/>',
      '  ProxyPass ws://127.0.0.1:8801/',
      '  Require all denied',
      '</Location>',
      '<Location /ip/>',
      '  Require ip 10.0.0.0/8 192.168',
      '</Location>',
      'ProxyPass /ip/ http://127.0.0.1:8801/',
      '<Location /nip2/>',
      '  <RequireAll>',
      '    Require all granted',
      '    Require not ip 127.0.0.1',
      '  </RequireAll>',
      '</Location>',
      '<Location /plain/>',
      '  Require all denied',
      '</Location>',
      '<Proxy "ws://127.0.0.1:8802/*">',
      '  Require all denied',
      '</Proxy>',
      'ProxyPass /px/ ws://127.0.0.1:8802/',
      'ProxyPass /bal/ balancer://mycluster/',
      '<Proxy balancer://mycluster>',
      '  BalancerMember http://127.0.0.1:8801',
      '  Require all denied',
      '</Proxy>',
      'Redirect permanent /old https://example.com/new',
      'Redirect gone /gone-x',
      'Redirect 303 /see http://x.test/other',
      'ProxyPass /old/keep http://127.0.0.1:8801/',
    ].join('\n'),
    ['mpm_event', 'authz_core', 'authz_host', 'proxy', 'proxy_http', 'proxy_wstunnel', 'rewrite', 'headers', 'alias', 'proxy_balancer', 'slotmem_shm', 'lbmethod_byrequests'],
  );

  it.each([
    ['/ws/chat?x=1', 'proxy:ws://127.0.0.1:8801/chat'],
    ['/ip/a', 'proxy:http://127.0.0.1:8801/a'],
    ['/nip2/', '/var/www/html/nip2'],
    ['/plain/x', '/var/www/html/plain'],
    ['/px/q', 'proxy:ws://127.0.0.1:8802/q'],
    ['/bal/z', 'proxy:balancer://mycluster/z'],
  ])('answers %s with 403 and AH01630 naming %s', (target, filename) => {
    const decision = routeRequest(access, request(target));
    expect(decision).toMatchObject({ kind: 'respond', status: 403, reason: 'forbidden' });
    expect(withoutPhaseDebug(decision.log)).toEqual([
      { module: 'authz_core', level: 'error', code: 'AH01630', message: `client denied by server configuration: ${filename}`, client: '127.0.0.1:5555' },
    ]);
  });

  it('lets ProxyPass /old/keep win over Redirect /old, and proxies //a', () => {
    expect(backendOf(routeRequest(access, request('/old/keep/a?b=c'))).request.requestLine).toBe('GET //a?b=c HTTP/1.1');
  });

  it.each([
    ['/old/x%20y?q=1', 301, 'https://example.com/new/x%20y?q=1'],
    ['/see/more', 303, 'http://x.test/other/more'],
  ])('redirects %s with %i to %s', (target, status, location) => {
    expect(routeRequest(access, request(target))).toMatchObject({ kind: 'respond', status, headers: [['Location', location]] });
  });

  it('answers 410 for Redirect gone and 404 for /oldish', () => {
    expect(routeRequest(access, request('/gone-x/1'))).toMatchObject({ kind: 'respond', status: 410, headers: [] });
    expect(routeRequest(access, request('/oldish'))).toMatchObject({ kind: 'respond', status: 404 });
  });

  it('grants Require ip to a client in the network', () => {
    const decision = routeRequest(access, request('/ip/a', [['Host', 'a.test']], { remoteAddress: '192.168.3.4' }));
    expect(decision.kind).toBe('proxy');
  });
});

describe('[P] without a matching worker, measured on httpd 2.4.71', () => {
  it('uses the default reverse worker, which closes the backend connection after the request', () => {
    const rewriteOnly = configFrom(
      ['RewriteEngine On', 'RewriteCond %{QUERY_STRING} (^|&)room=([^&]+)', 'RewriteRule ^/join$ http://127.0.0.1:8802/rooms/%2 [P,QSD]'].join('\n'),
    );
    const backend = backendOf(routeRequest(rewriteOnly, request('/join?room=lobby&x=1', [['Host', 'v.test']])));
    expect(backend.request.requestLine).toBe('GET /rooms/lobby HTTP/1.1');
    expect(backend.worker.isDefault).toBe(true);
    expect(backend.request.headers.at(-1)).toEqual(['Connection', 'close']);
  });
});

describe('RewriteRule inside <Location>, measured on httpd 2.4.71', () => {
  const perDirectory = configFrom(
    [
      '<Location /ws/>',
      '  RewriteEngine On',
      '  RewriteCond %{HTTP:Upgrade} websocket [NC]',
      '  RewriteRule (.*) ws://127.0.0.1:8801/x$1 [P]',
      '</Location>',
      '<Location /w2/>',
      '  RewriteEngine On',
      '  RewriteRule ^/var/www/html/w2/(.*)$ ws://127.0.0.1:8801/$1 [P]',
      '</Location>',
      '<Location /w3/>',
      '  RewriteEngine On',
      '  RewriteRule ^w3/(.*)$ ws://127.0.0.1:8801/$1 [P]',
      '</Location>',
      'ProxyPass /w4/ http://127.0.0.1:8802/',
      '<Location /w4/>',
      '  RewriteEngine On',
      '  RewriteRule ^proxy:http://127\\.0\\.0\\.1:8802/(.*)$ ws://127.0.0.1:8801/$1 [P]',
      '</Location>',
    ].join('\n'),
  );
  const line = (target: string, headers: Array<[string, string]> = []) => {
    const decision = routeRequest(perDirectory, request(target, [['Host', 'a.test'], ...headers]));
    return decision.kind === 'respond' ? decision.status : decision.backend?.request.requestLine;
  };

  it('matches the DocumentRoot path, not the URL, so (.*) captures /var/www/html/ws/a', () => {
    expect(line('/ws/a?q=1', [['Upgrade', 'websocket'], ['Connection', 'Upgrade']])).toBe('GET /x/var/www/html/ws/a?q=1 HTTP/1.1');
  });

  it('leaves the request alone when the condition fails', () => {
    expect(line('/ws/a')).toBe(404);
  });

  it('proxies when the pattern names the filesystem path', () => {
    expect(line('/w2/b?q=2')).toBe('GET /b?q=2 HTTP/1.1');
  });

  it('never matches a pattern written as a relative URL path', () => {
    expect(line('/w3/c')).toBe(404);
  });

  it('re-targets a request ProxyPass already claimed, matching against proxy:URL', () => {
    expect(line('/w4/d?q=4', [['Upgrade', 'websocket']])).toBe('GET /d?q=4 HTTP/1.1');
  });
});

describe('RewriteMap int: functions in substitutions, measured on httpd 2.4.71', () => {
  const mapConfig = configFrom(
    [
      'RewriteEngine On',
      'RewriteMap lc int:tolower',
      'RewriteMap uc int:toupper',
      'RewriteMap esc int:escape',
      'RewriteMap unesc int:unescape',
      'RewriteRule ^/ws/(.*) "ws://127.0.0.1:8801/${lc:$1}" [P,L]',
      'RewriteRule ^/app/(.*) "http://127.0.0.1:8802/${esc:$1}?h=${lc:%{HTTP_HOST}|none}" [P,L]',
      'RewriteRule ^/missing/(.*) "http://127.0.0.1:8802/${nomap:$1|fallback-%{REQUEST_METHOD}}" [P,L]',
      'RewriteRule ^/nodefault/(.*) "http://127.0.0.1:8802/x${nomap:$1}y" [P,L]',
      'RewriteRule ^/nocolon/(.*) "http://127.0.0.1:8802/${lc}/$1" [P,L]',
      'RewriteRule ^/up/(.*) "http://127.0.0.1:8802/${uc:$1}/${unesc:%{QUERY_STRING}}" [P,L,QSD]',
    ].join('\n'),
    ['mpm_event', 'authz_core', 'proxy', 'proxy_http', 'proxy_wstunnel', 'rewrite'],
  );
  const line = (target: string, headers: Array<[string, string]> = host) => backendOf(routeRequest(mapConfig, request(target, headers))).request.requestLine;

  it('lower-cases a back-reference with int:tolower', () => {
    expect(line('/ws/Room/ABC', [...host, ['Upgrade', 'websocket'], ['Connection', 'Upgrade']])).toBe('GET /room/abc HTTP/1.1');
  });

  it('expands %{VAR} inside the key, and mod_proxy escapes the "%" int:escape produced', () => {
    expect(line('/app/a%20b', [['Host', 'MiXed.Example']])).toBe('GET /a%2520b?h=mixed.example HTTP/1.1');
  });

  it('uses the expanded default when the map does not exist, and nothing without a default', () => {
    expect(line('/missing/X')).toBe('GET /fallback-GET HTTP/1.1');
    expect(line('/nodefault/X')).toBe('GET /xy HTTP/1.1');
  });

  it('copies "${" literally when the braces hold no "map:"', () => {
    expect(line('/nocolon/a')).toBe('GET /$%7Blc%7D/a HTTP/1.1');
  });

  it('upper-cases with int:toupper and decodes with int:unescape', () => {
    expect(line('/up/ab?c%2Fd')).toBe('GET /AB/c/d HTTP/1.1');
  });
});
