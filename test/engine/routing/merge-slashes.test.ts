import { describe, expect, it } from 'vitest';
import { routeRequest, type RouteDecision } from '../../../sandbox/engine/routing/index.ts';
import { configFrom, request, websocket } from './route-fixtures.ts';

/** The path the backend would receive, or the status the client gets. */
function outcome(decision: RouteDecision): string | number {
  if (decision.kind === 'proxy') {
    if (!decision.backend) throw new Error('expected a single backend');
    return decision.backend.request.requestLine.split(' ')[1];
  }
  return decision.status;
}

const ROUTES = `
<Location /loc/a>
    ProxyPass http://127.0.0.1:8802/loc-a/
</Location>
<LocationMatch "^/lm2//x">
    ProxyPass http://127.0.0.1:8802/lm2-double
</LocationMatch>
ProxyPass /lm2/ http://127.0.0.1:8802/lm2-prefix/
ProxyPass /pp/ http://127.0.0.1:8802/pp/
ProxyPassMatch "^/pm/(.*)$" http://127.0.0.1:8802/pm/$1
ProxyPass /ws/ ws://127.0.0.1:8801/ws/
RewriteEngine On
RewriteRule "^/rw/a/b$" http://127.0.0.1:8802/rw-merged [P]
RewriteRule "^/rw/a//b$" http://127.0.0.1:8802/rw-double [P]
`;

function route(setting: string, target: string, ws = false) {
  const config = configFrom(`${setting}\n${ROUTES}`);
  return outcome(routeRequest(config, ws ? websocket(target) : request(target)));
}

// Each row was measured on httpd 2.4.71 (differential scenarios 302 and 303).
describe('MergeSlashes', () => {
  it('On (the default) merges every run of slashes before anything matches', () => {
    expect(route('', '/pp/x//y///z')).toBe('/pp/x/y/z');
    expect(route('MergeSlashes On', '/pm//x//y')).toBe('/pm/x/y');
    expect(route('', '/rw/a//b')).toBe('/rw-merged');
    expect(route('', '/loc//a//b')).toBe('/loc-a//b');
  });

  it('Off keeps them in what the backend receives after a ProxyPass prefix', () => {
    expect(route('MergeSlashes Off', '/pp//x//y')).toBe('/pp/x//y');
    expect(route('MergeSlashes Off', '/pp/x//y///z')).toBe('/pp/x//y///z');
    expect(route('MergeSlashes Off', '/loc//a//b')).toBe('/loc-a///b');
    expect(route('MergeSlashes Off', '/ws//chat//room', true)).toBe('/ws/chat//room');
  });

  it('Off still resolves dot segments', () => {
    expect(route('MergeSlashes Off', '/pp//x/./y/..//z')).toBe('/pp/x//z');
  });

  it('Off lets ProxyPassMatch and RewriteRule patterns see the doubled slashes', () => {
    expect(route('MergeSlashes Off', '/pm//x//y')).toBe('/pm//x//y');
    expect(route('MergeSlashes Off', '/rw/a//b')).toBe('/rw-double');
  });

  it('Off does not change <LocationMatch>: the location walk always merges', () => {
    expect(route('MergeSlashes Off', '/lm2//x')).toBe('/lm2-prefix/x');
  });

  it('a vhost takes the main server setting unless it sets its own', () => {
    const vhosts = `<VirtualHost *:8800>\nServerName inherit.test\n</VirtualHost>\n<VirtualHost *:8800>\nServerName on.test\nMergeSlashes On\n</VirtualHost>`;
    const config = configFrom(`MergeSlashes Off\nProxyPass /pp/ http://127.0.0.1:8802/pp/\n${vhosts}`);
    expect(outcome(routeRequest(config, request('/pp/x//y', [['Host', 'inherit.test']])))).toBe('/pp/x//y');
    expect(outcome(routeRequest(config, request('/pp/x//y', [['Host', 'on.test']])))).toBe('/pp/x/y');
  });
});
