import { describe, expect, it } from 'vitest';
import { routeRequest, type ProxyDecision, type RouteDecision } from '../../../sandbox/engine/routing/index.ts';
import { bodyLine, CONFIG_FILE, configFrom, request, websocket } from './route-fixtures.ts';
import { logThroughHandler, withoutPhaseDebug } from './route-fixtures.ts';

function proxied(decision: RouteDecision): ProxyDecision {
  if (decision.kind !== 'proxy') throw new Error(`expected a proxy decision, got ${decision.kind} ${decision.explanation}`);
  return decision;
}

function backendOf(decision: RouteDecision) {
  const backend = proxied(decision).backend;
  if (!backend) throw new Error('expected a single backend');
  return backend;
}

describe('routeRequest: path mapping measured on httpd 2.4.71', () => {
  it('sends //chat to the backend when ProxyPass /ws has no trailing slash', () => {
    const config = configFrom('ProxyPass /ws ws://127.0.0.1:8801/');
    const backend = backendOf(routeRequest(config, websocket('/ws/chat')));
    expect(backend.url).toBe('ws://127.0.0.1:8801//chat');
    expect(backend.request).toEqual({
      requestLine: 'GET //chat HTTP/1.1',
      headers: [
        ['Host', '127.0.0.1:8801'],
        ['Sec-WebSocket-Key', 'abc'],
        ['Sec-WebSocket-Version', '13'],
        ['X-Forwarded-For', '127.0.0.1'],
        ['X-Forwarded-Host', 'a.test'],
        ['X-Forwarded-Server', 'main.test'],
        ['Connection', 'Upgrade'],
        ['Upgrade', 'websocket'],
      ],
      bodyFraming: 'none',
    });
  });

  it('answers 404 for /wsx and names the closest ProxyPass and its line', () => {
    const config = configFrom('ProxyPass /ws ws://127.0.0.1:8801/');
    const decision = routeRequest(config, request('/wsx'));
    expect(decision).toMatchObject({ kind: 'respond', status: 404, reason: 'not-found' });
    expect(decision.explanation).toBe(
      `no ProxyPass matched /wsx; closest: ProxyPass /ws ws://127.0.0.1:8801/ on line ${bodyLine(1)} (/wsx continues /ws with "x", not at a "/" boundary): 404`,
    );
    expect(withoutPhaseDebug(logThroughHandler(decision))).toEqual([
      { module: 'core', level: 'info', code: 'AH00128', message: 'File does not exist: /var/www/html/wsx', client: '127.0.0.1:5555' },
    ]);
  });

  it('takes the first matching server-level ProxyPass, so ProxyPass / before /ws/ sends the upgrade to the app over plain HTTP', () => {
    const config = configFrom(['ProxyPass / http://127.0.0.1:8802/', 'ProxyPass /ws/ ws://127.0.0.1:8801/'].join('\n'));
    const decision = routeRequest(config, websocket('/ws/'));
    const backend = backendOf(decision);
    expect(backend.url).toBe('http://127.0.0.1:8802/ws/');
    expect(backend.upgrade.forwarded).toBe(false);
    expect(backend.request.headers.at(-1)).toEqual(['Connection', 'Keep-Alive']);
    expect(decision.matched).toEqual({ directive: 'ProxyPass', text: 'ProxyPass / http://127.0.0.1:8802/', source: { file: CONFIG_FILE, line: bodyLine(1) } });
  });

  it('sends /room/1 when the longer ProxyPass comes first', () => {
    const config = configFrom(['ProxyPass /ws/ ws://127.0.0.1:8801/', 'ProxyPass / http://127.0.0.1:8802/'].join('\n'));
    expect(backendOf(routeRequest(config, websocket('/ws/room/1'))).request.requestLine).toBe('GET /room/1 HTTP/1.1');
  });

  it('checks a <Location> ProxyPass before every server-level one', () => {
    const config = configFrom(['ProxyPass / http://127.0.0.1:8802/', '<Location /ws/>', '  ProxyPass ws://127.0.0.1:8801/', '</Location>'].join('\n'));
    const backend = backendOf(routeRequest(config, websocket('/ws/')));
    expect(backend.url).toBe('ws://127.0.0.1:8801/');
    expect(backend.upgrade.forwarded).toBe(true);
  });

  it('uses the ProxyPass of the last matching <Location> in config order', () => {
    const config = configFrom(
      ['<Location /ws/>', 'ProxyPass ws://127.0.0.1:8801/', '</Location>', '<Location /ws/admin/>', 'ProxyPass ws://127.0.0.1:8802/adm/', '</Location>'].join('\n'),
    );
    expect(backendOf(routeRequest(config, request('/ws/admin/x'))).url).toBe('ws://127.0.0.1:8802/adm/x');
    expect(backendOf(routeRequest(config, request('/ws/x'))).url).toBe('ws://127.0.0.1:8801/x');
  });

  it('lets ProxyPass ! in a <Location> stop the server-level rules too', () => {
    const config = configFrom(['<Location /a/b/>', 'ProxyPass !', '</Location>', 'ProxyPass /a/ ws://127.0.0.1:8801/server-a/'].join('\n'));
    const decision = routeRequest(config, request('/a/b/c'));
    expect(decision).toMatchObject({ kind: 'respond', status: 404 });
    expect(decision.considered.map((rule) => rule.result)).toEqual(['excluded']);
  });

  it('answers 404 for /ws/admin when ProxyPass /ws/admin ! comes first', () => {
    const config = configFrom(['ProxyPass /ws/admin !', 'ProxyPass /ws/ ws://127.0.0.1:8801/'].join('\n'));
    const decision = routeRequest(config, websocket('/ws/admin'));
    expect(decision).toMatchObject({ kind: 'respond', status: 404 });
    expect(decision.explanation).toBe(`ProxyPass /ws/admin ! on line ${bodyLine(1)} excludes /ws/admin from proxying, and nothing else serves it: 404`);
  });

  it('appends the whole path for a ProxyPass in <LocationMatch> with a regex, and never matches a pattern without wildcards', () => {
    const config = configFrom(
      ['<LocationMatch "^/lm/(.*)$">', 'ProxyPass ws://127.0.0.1:8801/', '</LocationMatch>', '<LocationMatch "^/lx/">', 'ProxyPass ws://127.0.0.1:8801/', '</LocationMatch>'].join('\n'),
    );
    expect(backendOf(routeRequest(config, request('/lm/chat?q=1'))).request.requestLine).toBe('GET //lm/chat?q=1 HTTP/1.1');
    expect(routeRequest(config, request('/lx/chat'))).toMatchObject({ kind: 'respond', status: 404 });
  });

  it('substitutes $N in ProxyPassMatch and encodes a "?" from the substitution', () => {
    const config = configFrom(['ProxyPassMatch ^/m/(.*)/(.*)$ http://127.0.0.1:8801/m2/$2?x=$1', 'ProxyPassMatch ^/plain/ http://127.0.0.1:8801/base'].join('\n'));
    expect(backendOf(routeRequest(config, request('/m/one/two?k=v'))).request.requestLine).toBe('GET /m2/two%3Fx=one?k=v HTTP/1.1');
    expect(backendOf(routeRequest(config, request('/plain/rest'))).request.requestLine).toBe('GET /base/plain/rest HTTP/1.1');
  });

  it('forwards the query string even with noquery, as httpd 2.4.71 did', () => {
    const config = configFrom('ProxyPass /q/ http://127.0.0.1:8801/q/ noquery');
    expect(backendOf(routeRequest(config, request('/q/x?y=1'))).request.requestLine).toBe('GET /q/x?y=1 HTTP/1.1');
  });
});

describe('routeRequest: path canonicalisation measured on httpd 2.4.71', () => {
  const config = configFrom('ProxyPass /ws/ http://127.0.0.1:8801/');
  const line = (target: string) => backendOf(routeRequest(config, request(target))).request.requestLine;

  it.each([
    ['/ws/a%20b', 'GET /a%20b HTTP/1.1'],
    ['/ws/%7euser/%41', 'GET /~user/A HTTP/1.1'],
    ['/ws/a%3Fb%23c', 'GET /a%3Fb%23c HTTP/1.1'],
    ['/ws/./chat', 'GET /chat HTTP/1.1'],
    ['/ws//chat', 'GET /chat HTTP/1.1'],
    ['/ws/a+b;c=d', 'GET /a+b;c=d HTTP/1.1'],
    ['/ws/\u00c3\u00bc/x', 'GET /%C3%BC/x HTTP/1.1'],
    ['/ws/a%25b', 'GET /a%25b HTTP/1.1'],
    ['/ws/a\'b"c<>', "GET /a'b%22c%3C%3E HTTP/1.1"],
    ['/ws/%e3%81%82', 'GET /%E3%81%82 HTTP/1.1'],
    ['/ws/a:b@c!$&()*,;=', 'GET /a:b@c!$&()*,;= HTTP/1.1'],
    ['http://a.test/ws/abs', 'GET /abs HTTP/1.1'],
    ['/ws/a%5cb', 'GET /a%5Cb HTTP/1.1'],
  ])('sends %s as %s', (target, requestLine) => {
    expect(line(target)).toBe(requestLine);
  });

  it.each([
    ['/ws/a%2Fb', 404],
    ['/ws/../x', 404],
    ['/ws/x/../../y', 404],
    ['/ws/%2e%2e/x', 404],
    ['/ws/a%00b', 404],
    ['/ws/%zz', 400],
    ['/../x', 400],
  ])('answers %s with %i', (target, status) => {
    expect(routeRequest(config, request(target))).toMatchObject({ kind: 'respond', status });
  });

  it('logs AH10244 with the raw target for a bad escape', () => {
    expect(routeRequest(config, request('/ws/%zz')).log).toEqual([
      { module: 'core', level: 'error', code: 'AH10244', message: 'invalid URI path (/ws/%zz)', client: '127.0.0.1:5555' },
    ]);
  });
});

describe('OPTIONS * measured on httpd 2.4.71', () => {
  const config = configFrom(['ProxyPass / http://127.0.0.1:8801/', '<Location />', '  Require all denied', '</Location>'].join('\n'));

  it('answers 200 itself (http_send_options at map_to_storage), before ProxyPass and access checks', () => {
    expect(routeRequest(config, request('*', [['Host', 'a.test']], { method: 'OPTIONS' }))).toMatchObject({ kind: 'respond', status: 200, reason: 'answered-locally', headers: [] });
  });

  it('still proxies OPTIONS on a path', () => {
    expect(routeRequest(configFrom('ProxyPass / http://127.0.0.1:8801/'), request('/x', [['Host', 'a.test']], { method: 'OPTIONS' }))).toMatchObject({ kind: 'proxy' });
  });
});

describe('TRACE measured on httpd 2.4.71', () => {
  const trace = (config: ReturnType<typeof configFrom>, target: string) => routeRequest(config, request(target, [['Host', 'a.test']], { method: 'TRACE' }));

  it('echoes a TRACE nothing proxies (TraceEnable on by default) and proxies one ProxyPass claims', () => {
    const config = configFrom('ProxyPass /app/ http://127.0.0.1:8801/');
    expect(trace(config, '/nothing')).toMatchObject({ kind: 'respond', status: 200, reason: 'trace' });
    expect(trace(config, '/app/x')).toMatchObject({ kind: 'proxy' });
  });

  it('answers 405 with an empty Allow under TraceEnable off: core for a local path, mod_proxy (AH01139) for a proxied one', () => {
    const config = configFrom(['TraceEnable off', 'ProxyPass /app/ http://127.0.0.1:8801/'].join('\n'));
    expect(trace(config, '/nothing')).toMatchObject({ kind: 'respond', status: 405, headers: [['Allow', '']] });
    const proxied = trace(config, '/app/x');
    expect(proxied).toMatchObject({ kind: 'respond', status: 405, headers: [['Allow', '']] });
    expect(proxied.log.map((entry) => entry.code)).toContain('AH01139');
  });
});

// core.c default_handler for a path no module claims, measured in differential scenario 690.
describe("routeRequest: core's default handler by method", () => {
  const config = configFrom(
    ['<VirtualHost *:8800>', 'ServerName a.test', 'ProxyPass /ws/ ws://127.0.0.1:8801/', '</VirtualHost>', '<VirtualHost *:8800>', 'ServerName notrace.test', 'TraceEnable off', '</VirtualHost>'].join('\n'),
  );
  const local = (method: string, target = '/nothing/here', host = 'a.test') => routeRequest(config, request(target, [['Host', host]], { method }));
  const codes = (decision: RouteDecision) => withoutPhaseDebug(logThroughHandler(decision)).map((entry) => entry.code);

  it('answers OPTIONS itself with 200 and the methods it serves, TRACE included while TraceEnable is on', () => {
    const decision = local('OPTIONS');
    expect(decision).toMatchObject({ kind: 'respond', status: 200, reason: 'answered-locally', headers: [['Allow', 'GET,POST,OPTIONS,HEAD,TRACE']], localFilename: '/var/www/html/nothing' });
    expect(codes(decision)).toEqual([]);
  });

  it('leaves TRACE out of Allow under TraceEnable off', () => {
    expect(local('OPTIONS', '/x', 'notrace.test')).toMatchObject({ status: 200, headers: [['Allow', 'GET,POST,OPTIONS,HEAD']] });
  });

  it('still proxies OPTIONS for a ProxyPass path', () => {
    expect(local('OPTIONS', '/ws/room').kind).toBe('proxy');
  });

  it('answers other registered methods 405 with Allow and no log line', () => {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'PROPFIND']) {
      const decision = local(method);
      expect(decision).toMatchObject({ status: 405, reason: 'method-not-allowed', headers: [['Allow', 'GET,POST,OPTIONS,HEAD,TRACE']] });
      expect(codes(decision)).toEqual([]);
    }
  });

  it('answers a method the registry does not know 501 with AH00135 quoting the request line', () => {
    const decision = local('FOO');
    expect(decision).toMatchObject({ status: 501, reason: 'method-not-allowed', headers: [['Allow', 'GET,POST,OPTIONS,HEAD,TRACE']] });
    expect(withoutPhaseDebug(logThroughHandler(decision))).toEqual([
      { module: 'core', level: 'error', code: 'AH00135', message: 'Invalid method in request FOO /nothing/here HTTP/1.1', client: '127.0.0.1:5555' },
    ]);
  });

  it('answers GET, HEAD and POST of a missing file 404 with AH00128 for the whole path, r->filename up to the first missing component', () => {
    for (const method of ['GET', 'HEAD', 'POST']) {
      const decision = local(method, '/nothing/here');
      expect(decision).toMatchObject({ status: 404, reason: 'not-found', localFilename: '/var/www/html/nothing' });
      expect(withoutPhaseDebug(logThroughHandler(decision))).toEqual([{ module: 'core', level: 'info', code: 'AH00128', message: 'File does not exist: /var/www/html/nothing/here', client: '127.0.0.1:5555' }]);
    }
  });

  it('answers the DocumentRoot directory itself (/, //) 404 with AH00129', () => {
    for (const target of ['/', '//', '/?a=1']) {
      const decision = local('GET', target);
      expect(decision).toMatchObject({ status: 404, localFilename: '/var/www/html/' });
      expect(withoutPhaseDebug(logThroughHandler(decision))).toEqual([{ module: 'core', level: 'info', code: 'AH00129', message: 'Attempt to serve directory: /var/www/html/', client: '127.0.0.1:5555' }]);
    }
  });
});

// The access phase (mod_authz_core) and the handler phase (core_upgrade_handler first) write
// their debug lines before the default handler's AH00128 (measured in scenario 563).
describe('routeRequest: access and handler phase debug lines', () => {
  it('logs AH01628, AH03155 and AH00128 in that order for a WebSocket to a path nothing serves', () => {
    const decision = routeRequest(configFrom('ProxyPass /ws/ ws://127.0.0.1:8801/'), websocket('/nothing'));
    expect(logThroughHandler(decision).map((entry) => `${entry.code} ${entry.origin ?? ''} ${entry.message}`)).toEqual([
      'AH01628 mod_authz_core.c(843) authorization result: granted (no directives)',
      'AH03155 protocol.c(2462) select protocol from , choices=websocket for server main.test',
      'AH00128  File does not exist: /var/www/html/nothing',
    ]);
  });
});

// core's default_handler reads and discards the body under LimitRequestBody before it looks for
// the file (scenario 664): the decision carries the limit and holds AH00128 back until then.
describe('routeRequest: the default handler and LimitRequestBody', () => {
  it('reads the body under httpd\'s 1 GiB default when no LimitRequestBody applies', () => {
    const decision = routeRequest(configFrom('ProxyPass /app/ http://127.0.0.1:3000/'), request('/nothing'));
    expect(decision).toMatchObject({ kind: 'respond', status: 404, discardBodyFirst: { limitBytes: 2 ** 30 } });
    expect(decision.log.map((entry) => entry.code)).not.toContain('AH00128');
  });

  it('takes the nearest LimitRequestBody: a <Location>\'s over the server\'s, 0 for none', () => {
    const config = configFrom('LimitRequestBody 10\n<Location /small/>\nLimitRequestBody 4\n</Location>\n<Location /big/>\nLimitRequestBody 0\n</Location>');
    const limitOf = (path: string) => {
      const decision = routeRequest(config, request(path));
      return decision.kind === 'respond' ? decision.discardBodyFirst?.limitBytes : undefined;
    };
    expect([limitOf('/x'), limitOf('/small/x'), limitOf('/big/x')]).toEqual([10, 4, 0]);
  });
});
