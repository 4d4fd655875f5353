import { describe, expect, it } from 'vitest';
import { routeRequest } from '../../../sandbox/engine/routing/index.ts';
import { BALANCER_MODULES, configFrom, request } from './route-fixtures.ts';

const config = configFrom(
  [
    'Listen 127.0.0.1:8803',
    '<Location "/[a-c]*">',
    '  ProxyPass http://127.0.0.1:8801/',
    '</Location>',
    '<LocationMatch "^/(?<name>[a-z]+)/x">',
    '  Require all granted',
    '</LocationMatch>',
    'RewriteEngine On',
    'RewriteCond %{HTTP:X-Test} ^(.*)$',
    'RewriteRule ^/r/(.*) http://127.0.0.1:8802/$1?%1 [P,B]',
    'ProxyPass /ws/ ws://127.0.0.1:8801/',
    'ProxyPassMatch ^/m/(.*)$ http://127.0.0.1:8801/$1',
    'ProxyPass /b/ balancer://c/',
    '<Proxy balancer://c>',
    '  BalancerMember http://127.0.0.1:8801',
    '</Proxy>',
    '<VirtualHost *:8803>',
    '  ServerName v.test',
    '  ServerAlias *.v.test',
    '</VirtualHost>',
  ].join('\n'),
  BALANCER_MODULES,
);

/** A small deterministic generator, so a failure can be replayed. */
function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  return { next, pick };
}

const PIECES = ['/', '//', '/ws', '/ws/', '/m/', '/r/', '/b/', '%', '%2', '%2F', '%00', '%zz', '..', '.', '?', '#', ';', '*', 'ü', '\u0000', ' ', 'a', 'Z', '[', ']', ':', '@', 'http://', 'v.test', '~'];
const HOSTS = ['a.test', '', 'x.v.test', 'a..b', '[::1]', '[::1', '1.2.3', '300.1.1.1', 'h:99999', 'ä.test', 'a.test, b.test', '0'];
const METHODS = ['GET', 'POST', 'OPTIONS', 'TRACE', 'CONNECT', 'BREW'];

describe('routeRequest on arbitrary input', () => {
  it('never throws and always answers with a proxy plan or a status', () => {
    const random = generator(20261124);
    for (let round = 0; round < 300; round++) {
      const target = Array.from({ length: 1 + Math.floor(random.next() * 6) }, () => random.pick(PIECES)).join('');
      const headers: Array<[string, string]> = [['Host', random.pick(HOSTS)]];
      if (random.next() < 0.5) headers.push(['Upgrade', random.pick(['websocket', 'h2c', '', 'WebSocket, x'])]);
      if (random.next() < 0.3) headers.push(['Content-Length', random.pick(['0', '-1', 'abc', '5, 5'])]);
      if (random.next() < 0.3) headers.push(['X-Test', random.pick(['a?b', 'x y', '%3f'])]);
      if (random.next() < 0.2) headers.push(['Max-Forwards', random.pick(['0', '1', 'x'])]);
      const decision = routeRequest(
        config,
        request(target, headers, { method: random.pick(METHODS), localPort: random.pick([8800, 8803]), httpVersion: random.pick(['1.1', '1.0', 'HTTP/1.1', '2.0']) }),
      );
      if (decision.kind === 'respond') expect(decision.status).toBeGreaterThanOrEqual(200);
      else expect(decision.backend !== null || decision.balancer !== null).toBe(true);
    }
  });
});
