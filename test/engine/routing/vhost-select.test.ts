import { describe, expect, it } from 'vitest';
import { routeRequest } from '../../../sandbox/engine/routing/index.ts';
import { configFrom, request } from './route-fixtures.ts';

// Measured on httpd 2.4.71: each vhost proxies / to a path naming it.
const config = configFrom(
  [
    'Listen 127.0.0.1:8803',
    'Listen 127.0.0.1:8804',
    '<VirtualHost *:8803>',
    '  ServerName a.test',
    '  ProxyPass / http://127.0.0.1:8801/a/',
    '</VirtualHost>',
    '<VirtualHost *:8803>',
    '  ServerName b.test',
    '  ServerAlias *.b.test c?.test',
    '  ProxyPass / http://127.0.0.1:8801/b/',
    '</VirtualHost>',
    '<VirtualHost 127.0.0.1:8804>',
    '  ServerName ip1.test',
    '  ProxyPass / http://127.0.0.1:8801/ip1/',
    '</VirtualHost>',
    '<VirtualHost *:8804>',
    '  ServerName star.test',
    '  ProxyPass / http://127.0.0.1:8801/star/',
    '</VirtualHost>',
    '<VirtualHost 127.0.0.1:8804>',
    '  ServerName ip2.test',
    '  ProxyPass / http://127.0.0.1:8801/ip2/',
    '</VirtualHost>',
  ].join('\n'),
);

function landing(port: number, host: string | null, target = '/p', httpVersion = '1.1'): string | number {
  const headers: Array<[string, string]> = host === null ? [] : [['Host', host]];
  const decision = routeRequest(config, request(target, headers, { localPort: port, httpVersion }));
  if (decision.kind === 'respond') return decision.status;
  return decision.backend?.request.requestLine.split(' ')[1] ?? 'balancer';
}

describe('virtual host selection measured on httpd 2.4.71', () => {
  it.each([
    ['a.test', '/a/p'],
    ['b.test', '/b/p'],
    ['B.TEST', '/b/p'],
    ['x.b.test', '/b/p'],
    ['b.test.', '/b/p'],
    ['c1.test', '/b/p'],
    ['c12.test', '/a/p'],
    ['a.test:9999', '/a/p'],
    ['nomatch', '/a/p'],
    ['star.test', '/a/p'],
  ])('on *:8803 sends Host %s to %s', (host, path) => {
    expect(landing(8803, host)).toBe(path);
  });

  it.each([
    ['a.test', '/ip1/p'],
    ['star.test', '/ip1/p'],
    ['ip2.test', '/ip2/p'],
    ['nomatch', '/ip1/p'],
  ])('on 127.0.0.1:8804 considers only the IP-specific vhosts: Host %s goes to %s', (host, path) => {
    expect(landing(8804, host)).toBe(path);
  });

  it('lets the main server answer on a port no vhost listens on', () => {
    expect(landing(8800, 'a.test')).toBe(404);
  });

  it('answers 400 for an HTTP/1.1 request without Host', () => {
    expect(landing(8803, null)).toBe(400);
  });

  it('uses the host of an absolute-form target instead of the Host header', () => {
    expect(landing(8803, 'a.test', 'http://b.test/p')).toBe('/b/p');
  });

  it('sends an HTTP/1.0 request without Host to the first vhost', () => {
    expect(landing(8803, null, '/p', '1.0')).toBe('/a/p');
  });

  it.each([['a.test, b.test'], ['a..test'], ['a.test:x']])('answers 400 for Host %s', (host) => {
    expect(landing(8803, host)).toBe(400);
  });

  it('accepts a_b.test and [::1]:8803 and sends them to the default vhost', () => {
    expect(landing(8803, 'a_b.test')).toBe('/a/p');
    expect(landing(8803, '[::1]:8803')).toBe('/a/p');
  });

  it('explains which name matched', () => {
    const decision = routeRequest(config, request('/p', [['Host', 'x.b.test']], { localPort: 8803 }));
    expect(decision.server).toMatchObject({ virtualHostIndex: 1, serverName: 'b.test', reason: 'Host x.b.test matched ServerAlias *.b.test' });
  });

  it('lets a main-server ProxyPass / pre-empt every vhost ProxyPass, as the main server\'s rules come first', () => {
    const inherited = configFrom(
      ['Listen 127.0.0.1:8803', 'ProxyPass / http://127.0.0.1:8801/main/', '<VirtualHost *:8803>', '  ServerName a.test', '  ProxyPass / http://127.0.0.1:8801/a/', '</VirtualHost>'].join('\n'),
    );
    const decision = routeRequest(inherited, request('/p', [['Host', 'a.test']], { localPort: 8803 }));
    expect(decision.kind === 'proxy' && decision.backend?.request.requestLine).toBe('GET /main/p HTTP/1.1');
  });
});

describe('ProxyPassInherit, measured on httpd 2.4.71', () => {
  it('does not stop a main-server ProxyPass from applying in a vhost (it only governs worker inheritance)', () => {
    const config = configFrom(
      [
        'Listen 127.0.0.1:8803',
        'ProxyPass /mainonly/ http://127.0.0.1:8801/mo/',
        '<VirtualHost *:8803>',
        '  ServerName v.test',
        '  ProxyPassInherit Off',
        '  ProxyPass /mainonly/ http://127.0.0.1:8802/vmo/',
        '</VirtualHost>',
      ].join('\n'),
    );
    const decision = routeRequest(config, request('/mainonly/x', [['Host', 'v.test']], { localPort: 8803 }));
    expect(decision.kind === 'proxy' && decision.backend?.url).toBe('http://127.0.0.1:8801/mo/x');
  });
});

describe('vhosts without ServerName, measured on httpd 2.4.71', () => {
  const nameless = configFrom(
    [
      'Listen 127.0.0.1:8803',
      'Listen 127.0.0.1:8804',
      'Listen 127.0.0.1:8805',
      '<VirtualHost *:8803>',
      '  ProxyPass / http://127.0.0.1:8801/nameless/',
      '</VirtualHost>',
      '<VirtualHost 127.0.0.1:8804>',
      '  ProxyPass / http://127.0.0.1:8801/ipnameless/',
      '</VirtualHost>',
      '<VirtualHost _default_:8805>',
      '  ServerName dflt.test',
      '  ProxyPass / http://127.0.0.1:8801/dflt/',
      '</VirtualHost>',
      '<VirtualHost localhost:8805>',
      '  ServerName lh.test',
      '  ProxyPass / http://127.0.0.1:8801/lh/',
      '</VirtualHost>',
    ].join('\n'),
  );
  const forwardedServer = (port: number, host: string) => {
    const decision = routeRequest(nameless, request('/a', [['Host', host]], { localPort: port }));
    if (decision.kind !== 'proxy' || !decision.backend) throw new Error(decision.explanation);
    return [decision.backend.request.requestLine, decision.backend.request.headers.find(([name]) => name === 'X-Forwarded-Server')?.[1]];
  };

  it('names a wildcard vhost after the main server', () => {
    expect(forwardedServer(8803, 'anything')).toEqual(['GET /nameless/a HTTP/1.1', 'main.test']);
  });

  it('names an IP vhost after the reverse DNS of its address', () => {
    expect(forwardedServer(8804, 'anything')).toEqual(['GET /ipnameless/a HTTP/1.1', 'localhost']);
  });

  it('prefers the IP-specific localhost vhost over _default_ for every Host', () => {
    expect(forwardedServer(8805, 'dflt.test')).toEqual(['GET /lh/a HTTP/1.1', 'lh.test']);
  });
});
