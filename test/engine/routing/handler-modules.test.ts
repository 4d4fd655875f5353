import { describe, expect, it } from 'vitest';
import { dnsFailureLog, routeRequest, type RouteDecision } from '../../../sandbox/engine/routing/index.ts';
import { configFrom, request, STANDARD_MODULES, websocket, WEBSOCKET_HEADERS } from './route-fixtures.ts';
import { logThroughHandler, withoutPhaseDebug } from './route-fixtures.ts';

function backendOf(decision: RouteDecision) {
  if (decision.kind !== 'proxy' || !decision.backend) throw new Error(`expected a proxied request: ${decision.explanation}`);
  return decision.backend;
}

const WSTUNNEL_ONLY = ['mpm_event', 'authz_core', 'authz_host', 'proxy', 'proxy_wstunnel'];

describe('scheme handlers measured on httpd 2.4.71', () => {
  it('tunnels through mod_proxy_wstunnel when mod_proxy_http is absent, sending Upgrade: WebSocket then Connection: Upgrade', () => {
    const config = configFrom('ProxyPass /ws/ ws://127.0.0.1:8801/', WSTUNNEL_ONLY);
    const backend = backendOf(routeRequest(config, websocket('/ws/')));
    expect(backend.module).toBe('proxy_wstunnel');
    expect(backend.request.headers.slice(-2)).toEqual([
      ['Upgrade', 'WebSocket'],
      ['Connection', 'Upgrade'],
    ]);
  });

  it('skips a ws:// ProxyPass for a plain GET when only mod_proxy_wstunnel is loaded, so the request ends in 404', () => {
    const config = configFrom(['ProxyPass /ws/ ws://127.0.0.1:8801/', 'ProxyPass / ws://127.0.0.1:8802/'].join('\n'), WSTUNNEL_ONLY);
    expect(routeRequest(config, request('/ws/'))).toMatchObject({ kind: 'respond', status: 404 });
  });

  it('still takes the next ws:// rule for a WebSocket when only mod_proxy_wstunnel is loaded', () => {
    const config = configFrom(['ProxyPass /ws/ ws://127.0.0.1:8801/', 'ProxyPass / ws://127.0.0.1:8802/'].join('\n'), WSTUNNEL_ONLY);
    expect(backendOf(routeRequest(config, request('/x', [['Host', 'a.test'], ['Upgrade', 'WebSocket']]))).url).toBe('ws://127.0.0.1:8802/x');
  });

  it('answers 426 with AH02900, after its canonicalising and serving trace lines, when mod_proxy_wstunnel gets Upgrade: h2c', () => {
    const config = configFrom('ProxyPass /ws/ ws://127.0.0.1:8801/', WSTUNNEL_ONLY);
    const decision = routeRequest(config, request('/ws/', [['Host', 'a.test'], ['Upgrade', 'h2c'], ['Connection', 'Upgrade']]));
    expect(decision).toMatchObject({
      kind: 'respond',
      status: 426,
      headers: [
        ['Connection', 'Upgrade'],
        ['Upgrade', 'WebSocket'],
      ],
    });
    expect(withoutPhaseDebug(decision.log)).toEqual([
      { module: 'proxy_wstunnel', level: 'trace1', origin: 'mod_proxy_wstunnel.c(92)', message: 'canonicalising URL //127.0.0.1:8801/', client: '127.0.0.1:5555' },
      { module: 'proxy_wstunnel', level: 'trace1', origin: 'mod_proxy_wstunnel.c(380)', message: 'serving URL ws://127.0.0.1:8801/', client: '127.0.0.1:5555' },
      {
        module: 'proxy_wstunnel',
        level: 'info',
        code: 'AH02900',
        message: 'require upgrade for URL ws://127.0.0.1:8801/ (Upgrade header is h2c, expecting WebSocket)',
        client: '127.0.0.1:5555',
      },
    ]);
  });

  it('lets mod_proxy_wstunnel keep WebSockets when ProxyWebsocketFallbackToProxyHttp is Off', () => {
    const config = configFrom(['ProxyWebsocketFallbackToProxyHttp Off', 'ProxyPass /ws/ ws://127.0.0.1:8801/'].join('\n'));
    expect(backendOf(routeRequest(config, websocket('/ws/'))).module).toBe('proxy_wstunnel');
    expect(routeRequest(config, request('/ws/'))).toMatchObject({ kind: 'respond', status: 404 });
  });

  it('answers 500 with the exact AH01144 text when only mod_proxy is loaded', () => {
    const config = configFrom('ProxyPass /ws/ ws://127.0.0.1:8801/', ['mpm_event', 'authz_core', 'authz_host', 'proxy']);
    const decision = routeRequest(config, websocket('/ws/x'));
    expect(decision).toMatchObject({ kind: 'respond', status: 500, reason: 'no-handler' });
    expect(withoutPhaseDebug(decision.log)).toEqual([
      {
        module: 'proxy',
        level: 'warn',
        code: 'AH01144',
        message:
          "No protocol handler was valid for the URL /ws/x (scheme 'ws'). If you are using a DSO version of mod_proxy, make sure the proxy submodules are included in the configuration using LoadModule.",
        client: '127.0.0.1:5555',
      },
    ]);
  });

  it('declines wss:// without mod_ssl (AH01144) and, with mod_ssl but no SSLProxyEngine, fails after connecting with AH00961', () => {
    const withoutSsl = configFrom('ProxyPass /ws/ wss://127.0.0.1:8443/');
    expect(routeRequest(withoutSsl, websocket('/ws/'))).toMatchObject({ kind: 'respond', status: 500, reason: 'no-handler' });

    const withSsl = configFrom('ProxyPass /ws/ wss://127.0.0.1:8443/', ['mpm_event', 'authz_core', 'authz_host', 'proxy', 'proxy_http', 'ssl']);
    expect(backendOf(routeRequest(withSsl, websocket('/ws/'))).afterConnectFailure).toEqual({
      status: 500,
      reason: 'wss:// means "speak TLS to the backend", which needs SSLProxyEngine on',
      // Measured in test/differential/scenarios/23-wss-without-ssl-proxy-engine: mod_ssl's AH01961 comes first.
      log: [
        { module: 'core', level: 'error', code: 'AH01961', message: ' failed to enable ssl support [Hint: if using mod_ssl, see SSLProxyEngine]', remote: '127.0.0.1:8443' },
        { module: 'proxy', level: 'error', code: 'AH00961', message: 'wss: failed to enable ssl support for 127.0.0.1:8443 (127.0.0.1)' },
      ],
    });
  });

  it('expects TLS to work once SSLProxyEngine is on', () => {
    const config = configFrom(['SSLProxyEngine on', 'ProxyPass /ws/ wss://127.0.0.1:8443/'].join('\n'), ['mpm_event', 'authz_core', 'authz_host', 'proxy', 'proxy_http', 'ssl']);
    const backend = backendOf(routeRequest(config, websocket('/ws/')));
    expect(backend).toMatchObject({ tls: true, afterConnectFailure: null, port: 8443 });
  });
});

// ssl_proxy_section_post_config + ssl_config_perdir_merge, measured in differential scenario 590.
describe('SSLProxy* settings in <Proxy> sections', () => {
  const SSL_MODULES = ['mpm_event', 'authz_core', 'authz_host', 'proxy', 'proxy_http', 'ssl'];
  const checksFor = (body: string, path: string, host?: string) => {
    const decision = routeRequest(configFrom(body, SSL_MODULES), host === undefined ? websocket(path) : request(path, [['Host', host], ...WEBSOCKET_HEADERS], {}));
    if (decision.kind !== 'proxy') throw new Error(`expected a proxy decision, got ${decision.kind}`);
    return { engine: decision.prepared.sslProxyEngine, checks: decision.prepared.sslProxy };
  };
  const routes = [
    'SSLProxyEngine on',
    'SSLProxyCheckPeerExpire off',
    '<Proxy "wss://127.0.0.1:8443/off/">',
    'SSLProxyCheckPeerName off',
    'SSLProxyVerify require',
    'SSLProxyCACertificateFile /etc/ca.pem',
    '</Proxy>',
    '<Proxy "wss://127.0.0.1:8443/off/deeper/">',
    'SSLProxyCheckPeerCN on',
    '</Proxy>',
    'ProxyPass /off/ wss://127.0.0.1:8443/off/',
    'ProxyPass /ws/ wss://127.0.0.1:8443/',
  ].join('\n');

  it("applies a matching section's settings over the server's", () => {
    expect(checksFor(routes, '/off/')).toEqual({
      engine: true,
      checks: { verify: 'require', checkPeerName: false, checkPeerCN: null, checkPeerExpire: false, caCertificateFile: '/etc/ca.pem', protocol: null },
    });
    expect(checksFor(routes, '/ws/x').checks).toEqual({ verify: null, checkPeerName: null, checkPeerCN: null, checkPeerExpire: false, caCertificateFile: null, protocol: null });
  });

  it("uses the last matching section's context whole: an earlier section's settings do not add up", () => {
    expect(checksFor(routes, '/off/deeper/').checks).toEqual({ verify: null, checkPeerName: null, checkPeerCN: true, checkPeerExpire: false, caCertificateFile: null, protocol: null });
  });

  it('merges a main-server section with the main server, not with the vhost that uses it', () => {
    const body = [
      'Listen 127.0.0.1:8800',
      '<Proxy "wss://127.0.0.1:8443/">',
      'SSLProxyCheckPeerCN on',
      '</Proxy>',
      '<VirtualHost *:8800>',
      'ServerName v.test',
      'SSLProxyEngine on',
      'SSLProxyCheckPeerName off',
      'ProxyPass /ws/ wss://127.0.0.1:8443/',
      '</VirtualHost>',
    ].join('\n');
    expect(checksFor(body, '/ws/', 'v.test')).toEqual({
      engine: false,
      checks: { verify: null, checkPeerName: null, checkPeerCN: true, checkPeerExpire: null, caCertificateFile: null, protocol: null },
    });
  });
});

describe('workers measured on httpd 2.4.71', () => {
  const config = configFrom(
    [
      'ProxyPass /a/ http://127.0.0.1:8801/',
      'ProxyPass /b/ http://127.0.0.1:8801/b/ upgrade=websocket',
      'ProxyPass /c/ http://127.0.0.1:8802/c/ upgrade=websocket',
      'ProxyPass /d/ http://127.0.0.1:8802/',
    ].join('\n'),
  );
  const upgrade = (target: string) => backendOf(routeRequest(config, request(target, [['Host', 'a.test'], ['Upgrade', 'websocket']])));

  it('ignores upgrade= on a ProxyPass whose URL shares an earlier worker (AH01146)', () => {
    expect(upgrade('/b/x').upgrade.forwarded).toBe(false);
    expect(upgrade('/b/x').worker.name).toBe('http://127.0.0.1:8801/');
  });

  it('applies the parameters of the longest worker matching the final URL, whichever ProxyPass matched', () => {
    const backend = upgrade('/d/c/x');
    expect(backend.url).toBe('http://127.0.0.1:8802/c/x');
    expect(backend.worker.name).toBe('http://127.0.0.1:8802/c/');
    expect(backend.upgrade.forwarded).toBe(true);
    expect(upgrade('/d/x').upgrade.forwarded).toBe(false);
  });
});

describe('timeouts', () => {
  it('closes an idle tunnel after Timeout when it is larger than ProxyTimeout (Timeout 5, ProxyTimeout 2: 5 s)', () => {
    const config = configFrom(['Timeout 5', 'ProxyTimeout 2', 'ProxyPass /ws/ ws://127.0.0.1:8801/'].join('\n'));
    expect(backendOf(routeRequest(config, websocket('/ws/'))).timeouts).toEqual({
      connect: 2,
      backend: 2,
      tunnelIdle: 5,
      explanation: 'tunnel idle timeout = max(Timeout 5, ProxyTimeout 2) = 5s; connect 2s',
    });
  });

  it('closes an idle tunnel after ProxyTimeout when it is larger (Timeout 2, ProxyTimeout 4: 4 s)', () => {
    const config = configFrom(['Timeout 2', 'ProxyTimeout 4', 'ProxyPass /ws/ ws://127.0.0.1:8801/'].join('\n'));
    expect(backendOf(routeRequest(config, websocket('/ws/'))).timeouts.tunnelIdle).toBe(4);
  });

  it('prefers timeout= and connectiontimeout= on the ProxyPass', () => {
    const config = configFrom(['Timeout 2', 'ProxyPass /ws/ ws://127.0.0.1:8801/ timeout=30 connectiontimeout=3'].join('\n'));
    expect(backendOf(routeRequest(config, websocket('/ws/'))).timeouts).toMatchObject({ connect: 3, backend: 30, tunnelIdle: 30 });
  });
});

describe('tunnel idle timeout of mod_proxy_wstunnel', () => {
  it('has none when ProxyWebsocketFallbackToProxyHttp is Off (measured: still open after 7 s with Timeout 2)', () => {
    const config = configFrom(['Timeout 2', 'ProxyWebsocketFallbackToProxyHttp Off', 'ProxyPass /ws/ ws://127.0.0.1:8807/'].join('\n'));
    expect(backendOf(routeRequest(config, websocket('/ws/'))).timeouts).toEqual({
      connect: 2,
      backend: 2,
      tunnelIdle: null,
      explanation: 'mod_proxy_wstunnel polls the tunnel without a timeout; connect 2s, backend Timeout 2',
    });
  });
});

describe('ProxyRequests On, measured on httpd 2.4.71', () => {
  const config = configFrom(['ProxyRequests On', '<Proxy *>', '  Require ip 127.0.0.1', '</Proxy>', 'ProxyPass /ws/ ws://127.0.0.1:8801/'].join('\n'));

  it('forwards an absolute-URI request for another host as a forward proxy, path untouched, no X-Forwarded-*, Connection: close', () => {
    const backend = backendOf(routeRequest(config, request('http://127.0.0.1:8802/fwd/a%20b?q=1', [['Host', '127.0.0.1:8802'], ['X-Forwarded-For', '1.1.1.1']])));
    expect(backend.request).toEqual({
      requestLine: 'GET /fwd/a%20b?q=1 HTTP/1.1',
      headers: [
        ['Host', '127.0.0.1:8802'],
        ['X-Forwarded-For', '1.1.1.1'],
        ['Connection', 'close'],
      ],
      bodyFraming: 'none',
    });
  });

  it('forward-proxies even its own ServerName when the port differs from the ServerName\'s (then DNS decides: AH00898)', () => {
    const decision = routeRequest(config, request('http://main.test:8800/ws/x', [['Host', 'main.test']]));
    const backend = backendOf(decision);
    expect([backend.host, backend.port]).toEqual(['main.test', 8800]);
    expect(dnsFailureLog(backend, decision.uri ?? '', '127.0.0.1:5555')).toEqual({
      status: 500,
      entry: {
        module: 'proxy',
        level: 'error',
        code: 'AH00898',
        message: 'DNS lookup failure for: main.test returned by http://main.test:8800/ws/x',
        osError: '(EAI 2)Name or service not known',
        client: '127.0.0.1:5555',
      },
    });
  });

  it('still reverse-proxies origin-form requests', () => {
    expect(backendOf(routeRequest(config, request('/ws/local'))).request.requestLine).toBe('GET /local HTTP/1.1');
  });
});

describe('absolute-form targets without a forward proxy, measured on httpd 2.4.71 (scenario 534)', () => {
  const config = configFrom(['ProxyPass /ws/ ws://127.0.0.1:8801/', 'ProxyPass /app/ http://127.0.0.1:8802/'].join('\n'));

  it.each(['ws://a.test/ws/', 'wss://a.test/ws/', 'ftp://a.test/app/x', 'httpx://a.test/app/x'])(
    'answers 400 for %s: ap_post_read_request serves only http and https targets',
    (target) => {
      const decision = routeRequest(config, request(target, [['Host', 'a.test'], ['Upgrade', 'websocket'], ['Connection', 'Upgrade']]));
      expect(decision).toMatchObject({ kind: 'respond', status: 400, reason: 'bad-request' });
      expect(decision.log).toEqual([]);
    },
  );

  it('serves http:/app/x (a scheme without an authority) by its path, with the Host header', () => {
    const backend = backendOf(routeRequest(config, request('http:/app/x', [['Host', 'a.test']])));
    expect(backend.request.requestLine).toBe('GET /x HTTP/1.1');
    expect(backend.request.headers).toContainEqual(['X-Forwarded-Host', 'a.test']);
  });

  it('replaces Host with the target\'s host as fix_hostname() left it: lower case, no trailing dot, the port as written', () => {
    const upper = backendOf(routeRequest(config, request('HTTP://LOCALHOST/app/x', [['Host', 'other.test']])));
    expect(upper.request.headers).toContainEqual(['X-Forwarded-Host', 'localhost']);
    const dotted = backendOf(routeRequest(config, request('http://Localhost.:8080/app/x', [['Host', 'other.test']])));
    expect(dotted.request.headers).toContainEqual(['X-Forwarded-Host', 'localhost:8080']);
  });

  it('takes http:///app/x (empty authority) as an empty host name: served, Host replaced by ""', () => {
    const backend = backendOf(routeRequest(config, request('http:///app/x', [['Host', 'a.test']])));
    expect(backend.request.requestLine).toBe('GET /x HTTP/1.1');
    expect(backend.request.headers).toContainEqual(['X-Forwarded-Host', '']);
  });
});

describe('a target URL whose port is not a number, measured on httpd 2.4.71', () => {
  it('treats "127.0.0.1:8802room" as a host name, which then fails DNS with AH00898 (500)', () => {
    const config = configFrom(['<Location /chat/>', '  ProxyPass ws://127.0.0.1:8802', '</Location>'].join('\n'));
    const decision = routeRequest(config, websocket('/chat/room'));
    const backend = backendOf(decision);
    expect([backend.url, backend.host, backend.port]).toEqual(['ws://[127.0.0.1:8802room]/', '127.0.0.1:8802room', 80]);
    expect(dnsFailureLog(backend, decision.uri ?? '', '127.0.0.1:5555').entry.message).toBe('DNS lookup failure for: 127.0.0.1:8802room returned by /chat/room');
  });
});

// Measured in test/differential/scenarios/105-server-status-and-catch-all.
describe('SetHandler server-status', () => {
  const body = [
    'ProxyPass /server-status !',
    'ProxyPass / http://127.0.0.1:3000/',
    '<Location /server-status>',
    '    SetHandler server-status',
    '</Location>',
    '<Location /status-behind-catch-all>',
    '    SetHandler server-status',
    '</Location>',
  ].join('\n');

  it('lets mod_status answer a path the ProxyPass rules exclude', () => {
    const decision = routeRequest(configFrom(body, [...STANDARD_MODULES, 'status']), request('/server-status?auto'));
    expect(decision).toMatchObject({ kind: 'respond', status: 200, reason: 'handler', handler: 'server-status' });
  });

  it('leaves a path the catch-all ProxyPass claims to the backend', () => {
    const decision = routeRequest(configFrom(body, [...STANDARD_MODULES, 'status']), request('/status-behind-catch-all'));
    expect(decision.kind).toBe('proxy');
  });

  it('serves HEAD (M_GET) but declines POST, which the default handler answers 404 for the missing file (fuzzed on scenario 105)', () => {
    const config = configFrom(body, [...STANDARD_MODULES, 'status']);
    expect(routeRequest(config, request('/server-status', [['Host', 'a.test']], { method: 'HEAD' }))).toMatchObject({ status: 200, handler: 'server-status' });
    const post = routeRequest(config, request('/server-status/x', [['Host', 'a.test']], { method: 'POST' }));
    expect(post).toMatchObject({ kind: 'respond', status: 404, reason: 'not-found', localFilename: '/var/www/html/server-status' });
    expect(withoutPhaseDebug(logThroughHandler(post)).map((entry) => entry.code)).toEqual(['AH00128']);
  });

  it('answers 404 when mod_status is not loaded, the handler having nobody to run it', () => {
    const decision = routeRequest(configFrom(body.replace(/SetHandler server-status/g, 'SetHandler server-info')), request('/server-status'));
    expect(decision).toMatchObject({ kind: 'respond', status: 404, reason: 'not-found' });
  });
});

// ssl_hook_Access, the ssl authz provider and ap_ssl_var_lookup, measured in differential scenario 595.
describe("mod_ssl's access checks and variables", () => {
  const SSL_MODULES = ['mpm_event', 'authz_core', 'authz_host', 'proxy', 'proxy_http', 'ssl', 'headers'];
  const config = configFrom(
    [
      '<Location /need/>',
      'SSLRequireSSL',
      'Require all granted',
      'ProxyPass ws://127.0.0.1:8080/need/',
      '</Location>',
      '<Location /req/>',
      'Require ssl',
      'ProxyPass ws://127.0.0.1:8080/req/',
      '</Location>',
      '<Location /proto/>',
      'RequestHeader set X-Proto "%{SSL_PROTOCOL}s|%{HTTPS}s|%{REQUEST_METHOD}s|%{NOPE}s"',
      'ProxyPass ws://127.0.0.1:8080/proto/',
      '</Location>',
      '<Location /cert/>',
      'SSLVerifyClient require',
      'ProxyPass ws://127.0.0.1:8080/cert/',
      '</Location>',
    ].join('\n'),
    SSL_MODULES,
  );
  const over = (secure: boolean, tlsProtocol: string | null = secure ? 'TLSv1.3' : null) => ({ secure, tlsProtocol });
  const route = (path: string, tls: ReturnType<typeof over>) => routeRequest(config, request(path, [['Host', 'a.test'], ...WEBSOCKET_HEADERS], tls));

  it('answers a plain request under SSLRequireSSL 403 with AH02219 naming r->filename, and lets TLS through', () => {
    const plain = route('/need/', over(false));
    expect(plain).toMatchObject({ kind: 'respond', status: 403 });
    expect(plain.log).toContainEqual(expect.objectContaining({ module: 'ssl', level: 'error', code: 'AH02219', message: 'access to proxy:ws://127.0.0.1:8080/need/ failed, reason: SSL connection required' }));
    expect(route('/need/', over(true)).kind).toBe('proxy');
  });

  it('grants Require ssl over TLS only', () => {
    expect(route('/req/', over(false))).toMatchObject({ kind: 'respond', status: 403 });
    expect(route('/req/', over(true)).kind).toBe('proxy');
  });

  it('expands %{VAR}s from mod_ssl: HTTPS off/on, SSL_PROTOCOL unset on plain', () => {
    const header = (decision: RouteDecision) => (decision.kind === 'proxy' ? decision.prepared.headers.find(([name]) => name === 'X-Proto')?.[1] : undefined);
    expect(header(route('/proto/', over(false)))).toBe('(null)|off|GET|(null)');
    expect(header(route('/proto/', over(true)))).toBe('TLSv1.3|on|GET|(null)');
  });

  it('refuses a section SSLVerifyClient on TLS 1.3 (no post-handshake authentication) with AH10158, not on TLS 1.2 or plain', () => {
    const refused = route('/cert/', over(true));
    expect(refused).toMatchObject({ kind: 'respond', status: 403 });
    expect(refused.log).toContainEqual(expect.objectContaining({ code: 'AH10158', message: 'cannot perform post-handshake authentication' }));
    expect(route('/cert/', over(true, 'TLSv1.2')).kind).toBe('proxy');
    expect(route('/cert/', over(false)).kind).toBe('proxy');
  });

  it('leaves every %{VAR}s unset without mod_ssl', () => {
    const bare = configFrom(['<Location /p/>', 'RequestHeader set X-Proto "%{HTTPS}s"', 'ProxyPass ws://127.0.0.1:8080/p/', '</Location>'].join('\n'));
    const decision = routeRequest(bare, websocket('/p/'));
    expect(decision.kind === 'proxy' ? decision.prepared.headers.find(([name]) => name === 'X-Proto')?.[1] : null).toBe('(null)');
  });
});
