import { describe, expect, it } from 'vitest';
import { routeRequest, type RouteDecision } from '../../../sandbox/engine/routing/index.ts';
import { configFrom, request, websocket } from './route-fixtures.ts';

/** The request line the backend would receive, or the status the client gets. */
function outcome(decision: RouteDecision): string | number {
  if (decision.kind === 'proxy') {
    if (!decision.backend) throw new Error('expected a single backend');
    return decision.backend.request.requestLine;
  }
  return decision.status;
}

const ROUTES = `
<Location "/c/deny%2Fme">
    Require all denied
</Location>
<Location "/c/deny/me">
    Require all denied
</Location>
ProxyPass /c/ http://127.0.0.1:8802/c/
ProxyPass /n/ http://127.0.0.1:8802/n/ nocanon
ProxyPassMatch "^/m/(.*)$" http://127.0.0.1:8802/m/$1
ProxyPass /wsn/ ws://127.0.0.1:8801/wsn/ nocanon
RewriteEngine On
RewriteRule "^/r/(.*)$" http://127.0.0.1:8802/r/$1 [P]
`;

function route(mode: string, target: string, ws = false) {
  const config = configFrom(`AllowEncodedSlashes ${mode}\n${ROUTES}`);
  return outcome(routeRequest(config, ws ? websocket(target) : request(target)));
}

// Each row was measured on httpd 2.4.71 (differential scenarios 260-262).
describe('AllowEncodedSlashes on proxied routes', () => {
  it('NoDecode keeps %2F encoded all the way to the backend', () => {
    expect(route('NoDecode', '/c/a%2Fb')).toBe('GET /c/a%2Fb HTTP/1.1');
    expect(route('NoDecode', '/c/a%2fb')).toBe('GET /c/a%2fb HTTP/1.1');
    expect(route('NoDecode', '/c/a%252Fb')).toBe('GET /c/a%2Fb HTTP/1.1');
    expect(route('NoDecode', '/c/a%2541')).toBe('GET /c/a%2541 HTTP/1.1');
    expect(route('NoDecode', '/m/a%252Fb')).toBe('GET /m/a%2Fb HTTP/1.1');
    expect(route('NoDecode', '/r/a%2Fb')).toBe('GET /r/a%2Fb HTTP/1.1');
    expect(route('NoDecode', '/wsn/room%2F1', true)).toBe('GET /wsn/room%2F1 HTTP/1.1');
  });

  it('NoDecode answers 400 when a decoded "%" does not start a %XX escape', () => {
    expect(route('NoDecode', '/c/a%25zzb')).toBe(400);
  });

  it('NoDecode matches <Location> against the still-encoded path', () => {
    expect(route('NoDecode', '/c/deny%2Fme')).toBe(403);
  });

  it('On decodes %2F, so <Location /c/deny/me> covers /c/deny%2Fme', () => {
    expect(route('On', '/c/a%2Fb')).toBe('GET /c/a/b HTTP/1.1');
    expect(route('On', '/c/a%252Fb')).toBe('GET /c/a%252Fb HTTP/1.1');
    expect(route('On', '/c/a%2541')).toBe('GET /c/a%2541 HTTP/1.1');
    expect(route('On', '/c/deny%2Fme')).toBe(403);
  });

  it('nocanon sends the path as received whatever the mode allows through', () => {
    expect(route('On', '/n/a%2Fb')).toBe('GET /n/a%2Fb HTTP/1.1');
    expect(route('NoDecode', '/n/a%252Fb')).toBe('GET /n/a%252Fb HTTP/1.1');
  });

  it('Off answers 404 to %2F before any route, and %00 is 404 in every mode', () => {
    expect(route('Off', '/n/a%2Fb')).toBe(404);
    expect(route('Off', '/wsn/room%2F1', true)).toBe(404);
    for (const mode of ['On', 'Off', 'NoDecode']) expect(route(mode, '/c/a%00b')).toBe(404);
  });

  it('is not inherited by a virtual host (httpd 2.4 merge_core_dir_configs)', () => {
    const config = configFrom(`AllowEncodedSlashes NoDecode
<VirtualHost *:8800>
    ServerName a.test
    ProxyPass /c/ http://127.0.0.1:8802/c/
</VirtualHost>
<VirtualHost *:8800>
    ServerName b.test
    AllowEncodedSlashes On
    ProxyPass /c/ http://127.0.0.1:8802/c/
</VirtualHost>`);
    expect(outcome(routeRequest(config, request('/c/a%2Fb', [['Host', 'a.test']])))).toBe(404);
    expect(outcome(routeRequest(config, request('/c/a%2Fb', [['Host', 'b.test']])))).toBe('GET /c/a/b HTTP/1.1');
  });
});

// Found while measuring scenarios 260-262: the /m/ route's backend saw "Connection: close".
describe('ProxyPassMatch worker whose URL substitutes $N', () => {
  function connectionHeader(body: string, target: string) {
    const decision = routeRequest(configFrom(body), request(target));
    if (decision.kind !== 'proxy' || !decision.backend) throw new Error('expected a single backend');
    return decision.backend.request.headers.find(([name]) => name === 'Connection')?.[1];
  }

  it('does not reuse backend connections by default', () => {
    expect(connectionHeader('ProxyPassMatch "^/m/(.*)$" http://127.0.0.1:8802/m/$1', '/m/longer-than-the-worker-name')).toBe('close');
  });

  it('reuses them with an explicit enablereuse=on, and without $N', () => {
    expect(connectionHeader('ProxyPassMatch "^/m/(.*)$" http://127.0.0.1:8802/m/$1 enablereuse=on', '/m/longer-than-the-worker-name')).toBe('Keep-Alive');
    expect(connectionHeader('ProxyPassMatch "^/m/" http://127.0.0.1:8802/m/', '/m/longer-than-the-worker-name')).toBe('Keep-Alive');
  });
});
