import { describe, expect, it } from 'vitest';
import { frameChunkedBody, routeRequest, type RouteDecision } from '../../../sandbox/engine/routing/index.ts';
import { configFrom, request } from './route-fixtures.ts';
import { withoutPhaseDebug } from './route-fixtures.ts';
import { runParse } from '../../../sandbox/engine/config/parse-config.ts';

function backendOf(decision: RouteDecision) {
  if (decision.kind !== 'proxy' || !decision.backend) throw new Error(`expected a proxied request: ${decision.explanation}`);
  return decision.backend;
}

const upgradeConfig = configFrom(
  [
    'ProxyPass /ws/ ws://127.0.0.1:8801/',
    'ProxyPass /h/ http://127.0.0.1:8801/h/',
    'ProxyPass /hu/ http://127.0.0.1:8802/hu/ upgrade=websocket',
    'ProxyPass /hs/ http://127.0.0.1:8802/hs/ upgrade=*',
    'ProxyPass /h2/ http://127.0.0.1:8802/h2/ upgrade=h2c',
    'ProxyPass /ha/ http://127.0.0.1:8802/ha/ upgrade=Any',
  ].join('\n'),
);

function tail(target: string, upgradeHeaders: Array<[string, string]>) {
  const headers: Array<[string, string]> = [['Host', 'a.test'], ...upgradeHeaders, ['Sec-WebSocket-Key', 'abc'], ['Sec-WebSocket-Version', '13']];
  const backend = backendOf(routeRequest(upgradeConfig, request(target, headers)));
  return { forwarded: backend.upgrade.forwarded, last: backend.request.headers.slice(-2) };
}

describe('upgrade decision measured on httpd 2.4.71', () => {
  it("counts Firefox's Connection: keep-alive, Upgrade as an upgrade request", () => {
    expect(tail('/ws/', [['Upgrade', 'websocket'], ['Connection', 'keep-alive, Upgrade']])).toEqual({
      forwarded: true,
      last: [['Connection', 'Upgrade'], ['Upgrade', 'websocket']],
    });
  });

  it('forwards an Upgrade header without Connection: Upgrade, keeping its spelling', () => {
    expect(tail('/ws/', [['Upgrade', 'WebSocket']])).toEqual({ forwarded: true, last: [['Connection', 'Upgrade'], ['Upgrade', 'WebSocket']] });
  });

  it.each([
    ['/ws/', 'h2c'],
    ['/ws/', 'websocket, foo'],
    ['/h/', 'websocket'],
    ['/h2/', 'websocket'],
  ])('sends %s with Upgrade: %s as plain HTTP (Connection: Keep-Alive)', (target, upgrade) => {
    const result = tail(target, [['Upgrade', upgrade], ['Connection', 'Upgrade']]);
    expect(result.forwarded).toBe(false);
    expect(result.last[1]).toEqual(['Connection', 'Keep-Alive']);
  });

  it.each(['/hu/', '/hs/'])('forwards the upgrade for %s (upgrade=websocket, upgrade=*)', (target) => {
    expect(tail(target, [['Upgrade', 'websocket'], ['Connection', 'Upgrade']])).toEqual({
      forwarded: true,
      last: [['Connection', 'Upgrade'], ['Upgrade', 'websocket']],
    });
  });

  it.each(['websocket', 'h2c'])('treats upgrade=ANY (any case) as upgrade=*: Upgrade: %s is forwarded', (upgrade) => {
    expect(tail('/ha/', [['Upgrade', upgrade], ['Connection', 'Upgrade']])).toEqual({
      forwarded: true,
      last: [['Connection', 'Upgrade'], ['Upgrade', upgrade]],
    });
  });

  it('explains why http:// without upgrade= makes the WebSocket client fail', () => {
    const backend = backendOf(routeRequest(upgradeConfig, request('/h/', [['Host', 'a.test'], ['Upgrade', 'websocket'], ['Connection', 'Upgrade']])));
    expect(backend.upgrade.reason).toBe(
      'http:// without upgrade= drops the Upgrade header: the backend answers plain HTTP and the WebSocket client fails',
    );
  });

  it('sends a plain GET to a ws:// target as ordinary HTTP through mod_proxy_http', () => {
    const backend = backendOf(routeRequest(upgradeConfig, request('/ws/')));
    expect(backend.module).toBe('proxy_http');
    expect(backend.upgrade).toEqual({
      requested: null,
      forwarded: false,
      sentUpgrade: null,
      reason: 'the client sent no Upgrade header: an ordinary HTTP request',
    });
  });
});

describe('upgrade= lists and environment variables, measured on httpd 2.4.71 (scenarios 535, 536)', () => {
  const config = configFrom(
    [
      'ProxyPass /list/ http://127.0.0.1:8801/list/ upgrade=websocket,h2c',
      'ProxyPass /hu/ http://127.0.0.1:8802/hu/ upgrade=websocket',
      'ProxyPass /wsh2c/ ws://127.0.0.1:8801/ upgrade=h2c',
      'ProxyPass /app10/ http://127.0.0.1:8802/app10/',
      'ProxyPass /ws10/ ws://127.0.0.1:8801/ws10/',
      'ProxyPass /nka/ http://127.0.0.1:8802/nka/',
      'ProxyPass /noc/ http://127.0.0.1:8802/noc/',
      'SetEnvIf Request_URI ^/(app|ws)10/ force-proxy-request-1.0',
      'SetEnvIf Request_URI ^/nka/ proxy-nokeepalive',
      '<Location /noc/>',
      '  Proxy100Continue Off',
      '</Location>',
    ].join('\n'),
    ['mpm_event', 'authz_core', 'proxy', 'proxy_http', 'setenvif'],
  );
  const forwarded = (target: string, upgrade: string) =>
    backendOf(routeRequest(config, request(target, [['Host', 'a.test'], ['Upgrade', upgrade], ['Connection', 'Upgrade']]))).upgrade.forwarded;

  it.each([
    ['/list/', 'websocket', true],
    ['/list/', 'H2C', true],
    ['/list/', 'websocket, h2c', true],
    ['/hu/', 'websocketx', true],
    ['/hu/', 'websocket, h2c', true],
    ['/hu/', 'websock', false],
    ['/list/', 'foo', false],
    ['/wsh2c/', 'websocket', false],
    ['/wsh2c/', 'h2c', true],
  ])('%s with Upgrade: %s forwards the upgrade: %s (ap_find_token compares each listed token\'s length)', (target, upgrade, expected) => {
    expect(forwarded(target, upgrade)).toBe(expected);
  });

  it('sends HTTP/1.0 with no Connection line and no upgrade under force-proxy-request-1.0', () => {
    const backend = backendOf(routeRequest(config, request('/ws10/x', [['Host', 'a.test'], ['Upgrade', 'websocket'], ['Connection', 'Upgrade']])));
    expect(backend.upgrade.forwarded).toBe(false);
    expect(backend.request.requestLine).toBe('GET /ws10/x HTTP/1.0');
    expect(backend.request.headers.map(([name]) => name)).toEqual(['Host', 'X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Server']);
  });

  it('drops Expect: 100-continue under force-proxy-request-1.0 and Proxy100Continue Off', () => {
    for (const target of ['/app10/x', '/noc/x']) {
      const backend = backendOf(routeRequest(config, request(target, [['Host', 'a.test'], ['Expect', '100-continue'], ['Content-Length', '2']], { method: 'POST' })));
      expect(backend.request.headers.some(([name]) => name === 'Expect')).toBe(false);
    }
  });

  it('sends Connection: close under proxy-nokeepalive', () => {
    expect(backendOf(routeRequest(config, request('/nka/x'))).request.headers.at(-1)).toEqual(['Connection', 'close']);
  });
});

describe('backend request head measured on httpd 2.4.71', () => {
  const config = configFrom(
    [
      'ProxyPass /ws/ ws://127.0.0.1:8801/',
      'ProxyPass /p/ http://127.0.0.1:8801/ keepalive=Off',
      '<Location /ph/>',
      'ProxyPreserveHost On',
      'ProxyAddHeaders Off',
      'ProxyPass http://127.0.0.1:8802/',
      '</Location>',
      'RequestHeader set X-Set one',
      'RequestHeader append Accept two',
      'RequestHeader add X-Add three',
      'RequestHeader unset X-Remove',
      'RequestHeader set X-Early early early',
    ].join('\n'),
  );

  it('removes hop-by-hop headers, merges X-Forwarded-*, decrements Max-Forwards and applies RequestHeader in httpd order', () => {
    const headers: Array<[string, string]> = [
      ['X-First', '1'],
      ['Host', 'a.test:8800'],
      ['Connection', 'Upgrade, X-Foo'],
      ['X-Foo', '1'],
      ['Keep-Alive', '300'],
      ['TE', 'trailers'],
      ['Trailer', 'x'],
      ['Proxy-Connection', 'keep-alive'],
      ['Proxy-Authorization', 'Basic x'],
      ['Upgrade', 'websocket'],
      ['Accept', 'a'],
      ['X-Forwarded-For', '10.0.0.1'],
      ['X-Remove', 'r'],
      ['X-Dup', '1'],
      ['Accept', 'b'],
      ['X-Forwarded-Host', 'orig'],
      ['Sec-WebSocket-Key', 'k'],
      ['Expect', '100-continue'],
      ['Via', '1.1 other'],
      ['Max-Forwards', '5'],
    ];
    expect(backendOf(routeRequest(config, request('/ws/', headers))).request.headers).toEqual([
      ['Host', '127.0.0.1:8801'],
      ['X-First', '1'],
      ['Proxy-Authorization', 'Basic x'],
      ['Accept', 'a, b, two'],
      ['X-Forwarded-For', '10.0.0.1, 127.0.0.1'],
      ['X-Dup', '1'],
      ['X-Forwarded-Host', 'orig, a.test:8800'],
      ['Sec-WebSocket-Key', 'k'],
      ['Expect', '100-continue'],
      ['Via', '1.1 other'],
      ['Max-Forwards', '4'],
      ['X-Early', 'early'],
      ['X-Set', 'one'],
      ['X-Add', 'three'],
      ['X-Forwarded-Server', 'main.test'],
      ['Connection', 'Upgrade'],
      ['Upgrade', 'websocket'],
    ]);
  });

  it('moves Content-Length after the other headers, just before Connection', () => {
    const backend = backendOf(
      routeRequest(config, request('/p/x', [['Host', 'a.test'], ['Content-Length', '5'], ['Content-Type', 'text/plain']], { method: 'POST' })),
    );
    expect(backend.request).toEqual({
      requestLine: 'POST /x HTTP/1.1',
      headers: [
        ['Host', '127.0.0.1:8801'],
        ['Content-Type', 'text/plain'],
        ['X-Early', 'early'],
        ['X-Set', 'one'],
        ['Accept', 'two'],
        ['X-Add', 'three'],
        ['X-Forwarded-For', '127.0.0.1'],
        ['X-Forwarded-Host', 'a.test'],
        ['X-Forwarded-Server', 'main.test'],
        ['Content-Length', '5'],
        ['Connection', 'Keep-Alive'],
      ],
      bodyFraming: 'content-length',
    });
  });

  it('keeps the client Host as sent with ProxyPreserveHost On and adds no X-Forwarded-* with ProxyAddHeaders Off', () => {
    const backend = backendOf(routeRequest(config, request('/ph/', [['Host', 'A.Test:8800'], ['X-Forwarded-For', '9.9.9.9']])));
    expect(backend.request.headers).toEqual([
      ['Host', 'A.Test:8800'],
      ['X-Forwarded-For', '9.9.9.9'],
      ['X-Early', 'early'],
      ['X-Set', 'one'],
      ['Accept', 'two'],
      ['X-Add', 'three'],
      ['Connection', 'Keep-Alive'],
    ]);
  });

  it('falls back to the ServerName with AH01092 for an HTTP/1.0 request without Host under ProxyPreserveHost', () => {
    const decision = routeRequest(config, request('/ph/', [], { httpVersion: '1.0' }));
    expect(backendOf(decision).request.headers[0]).toEqual(['Host', 'main.test']);
    expect(withoutPhaseDebug(decision.log)).toEqual([
      {
        module: 'proxy',
        level: 'warn',
        code: 'AH01092',
        message: 'no HTTP 0.9 request (with no host line) on incoming request and preserve host set forcing hostname to be main.test for uri /ph/',
        client: '127.0.0.1:5555',
      },
    ]);
  });
});

describe('chunked request bodies', () => {
  it('sends Content-Length: 0 for an empty chunked body with a WebSocket upgrade, as httpd 2.4.71 did', () => {
    const config = configFrom('ProxyPass /ws/ ws://127.0.0.1:8801/');
    const headers: Array<[string, string]> = [['Host', 'a.test'], ['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Transfer-Encoding', 'chunked']];
    const backend = backendOf(routeRequest(config, request('/ws/x', headers)));
    expect(backend.request.bodyFraming).toBe('chunked');
    expect(frameChunkedBody(backend.request, { bytes: 0, complete: true })).toEqual([
      ['Host', '127.0.0.1:8801'],
      ['X-Forwarded-For', '127.0.0.1'],
      ['X-Forwarded-Host', 'a.test'],
      ['X-Forwarded-Server', 'main.test'],
      ['Content-Length', '0'],
      ['Connection', 'Upgrade'],
      ['Upgrade', 'websocket'],
    ]);
  });

  it('streams with Transfer-Encoding: chunked when the body did not arrive within the prefetch', () => {
    const config = configFrom('ProxyPass /p/ http://127.0.0.1:8801/');
    const backend = backendOf(routeRequest(config, request('/p/x', [['Host', 'a.test'], ['Transfer-Encoding', 'chunked']], { method: 'POST' })));
    expect(frameChunkedBody(backend.request, { bytes: 20000, complete: false }).slice(-2)).toEqual([
      ['Transfer-Encoding', 'chunked'],
      ['Connection', 'Keep-Alive'],
    ]);
  });
});

describe('ProxyVia measured on httpd 2.4.71', () => {
  const planFor = (via: string, target: string, headers: Array<[string, string]>, overrides = {}) => {
    const config = configFrom([`ProxyVia ${via}`, 'ServerName proxy.test', 'ProxyPass /ws/ ws://127.0.0.1:8801/'].join('\n'));
    return backendOf(routeRequest(config, request(target, headers, overrides)));
  };
  const viaOf = (plan: ReturnType<typeof planFor>) => plan.request.headers.find(([name]) => name === 'Via')?.[1];

  it("appends the server's own name and the Host's port towards the backend and the client (On)", () => {
    const plan = planFor('On', '/ws/', [['Host', 'a.test:8443'], ['Via', '1.1 edge'], ['Upgrade', 'websocket'], ['Connection', 'Upgrade']]);
    expect(viaOf(plan)).toBe('1.1 edge, 1.1 proxy.test:8443');
    expect(plan.responseVia).toBe('1.1 proxy.test:8443');
  });

  it('names AP_SERVER_BASEVERSION under Full, the client protocol, and leaves the default port out', () => {
    const plan = planFor('Full', '/ws/', [], { httpVersion: '1.0' });
    expect(viaOf(plan)).toBe('1.0 proxy.test (Apache/2.4.71)');
  });

  it("drops the client's Via under Block and adds none", () => {
    const plan = planFor('Block', '/ws/', [['Host', 'a.test'], ['Via', '1.1 edge']]);
    expect(viaOf(plan)).toBeUndefined();
    expect(plan.responseVia).toBeNull();
  });
});

describe('ProxyVia in a virtual host', () => {
  const config = configFrom(
    [
      'ProxyVia Full',
      '<VirtualHost *:8800>',
      '  ServerName a.test',
      '  ProxyVia On',
      '  ProxyPass /ws/ ws://127.0.0.1:8801/',
      '</VirtualHost>',
      '<VirtualHost *:8800>',
      '  ServerName b.test',
      '  ProxyPass /ws/ ws://127.0.0.1:8802/',
      '</VirtualHost>',
    ].join('\n'),
  );
  const viaFor = (host: string) => backendOf(routeRequest(config, request('/ws/', [['Host', host]]))).responseVia;

  it("uses the vhost's own ProxyVia, else the main server's; no port for a Host without one", () => {
    expect(viaFor('a.test')).toBe('1.1 a.test');
    expect(viaFor('b.test:8080')).toBe('1.1 b.test:8080 (Apache/2.4.71)');
  });
});

describe('ProxyVia and TraceEnable in a virtual host from an Included file', () => {
  // The vhost's own settings belong to the server_rec its <VirtualHost> made, wherever the lines are.
  const files: Record<string, string> = {
    '/etc/apache2/apache2.conf': [
      'LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so',
      'LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so',
      'ServerName main.test',
      'ProxyVia Full',
      'Include /etc/apache2/sites-enabled/ws.conf',
      '<VirtualHost *:8800>',
      '  ServerName later.test',
      '  ProxyPass /ws/ ws://127.0.0.1:8802/',
      '</VirtualHost>',
    ].join('\n'),
    '/etc/apache2/sites-enabled/ws.conf': ['<VirtualHost *:8800>', '  ServerName ws.test', '  ProxyVia On', '  TraceEnable off', '  ProxyPass /ws/ ws://127.0.0.1:8801/', '</VirtualHost>'].join('\n'),
  };
  const config = runParse(files['/etc/apache2/apache2.conf'], {
    file: '/etc/apache2/apache2.conf',
    fileSystem: { readFile: (path) => files[path] ?? null, listDirectory: () => null },
  }).config;
  const decide = (host: string, method = 'GET') => routeRequest(config, request('/ws/', [['Host', host]], { method }));

  it("applies the included vhost's ProxyVia to it and the main server's to the vhost after it", () => {
    expect(backendOf(decide('ws.test')).responseVia).toBe('1.1 ws.test');
    expect(backendOf(decide('later.test')).responseVia).toBe('1.1 later.test (Apache/2.4.71)');
  });

  it("applies the included vhost's TraceEnable off to TRACE there only", () => {
    expect(decide('ws.test', 'TRACE')).toMatchObject({ kind: 'respond', status: 405 });
    expect(decide('later.test', 'TRACE').kind).toBe('proxy');
  });
});
