import { describe, expect, it } from 'vitest';
import { buildClientResponseHead, routeRequest, type RouteDecision } from '../../../sandbox/engine/routing/index.ts';
import { reverseMapCookie } from '../../../sandbox/engine/routing/response-head.ts';
import type { ProxyPassReverseRule } from '../../../sandbox/engine/config/model.ts';
import { configFrom, request, STANDARD_MODULES } from './route-fixtures.ts';

const options = { date: 'Tue, 24 Nov 2026 13:49:53 GMT', serverBanner: 'Apache/2.4.71 (Debian)', client: '127.0.0.1:5555', uri: '/x' };

function headersFor(config: string, path: string, backendHeaders: [string, string][]): Record<string, string> {
  const modules = [...STANDARD_MODULES, 'proxy_balancer', 'slotmem_shm', 'lbmethod_byrequests'];
  const decision: RouteDecision = routeRequest(configFrom(config, modules), request(path));
  if (decision.kind !== 'proxy') throw new Error(decision.explanation);
  const plan = decision.backend ?? { module: 'proxy_http', upgrade: { forwarded: false, sentUpgrade: null }, responseVia: null };
  const head = buildClientResponseHead(plan as never, decision.responseContext, { status: 302, reason: 'Found', headers: backendHeaders }, options);
  if (head.kind !== 'response') throw new Error('expected a response');
  const out: Record<string, string> = {};
  for (const [name, value] of head.headers) out[name.toLowerCase()] = name.toLowerCase() in out ? `${out[name.toLowerCase()]}, ${value}` : value;
  return out;
}

function cookieRule(kind: 'cookie-domain' | 'cookie-path', backendValue: string, clientValue: string): ProxyPassReverseRule {
  return { kind, target: backendValue, path: clientValue, keywords: [], source: { file: 'x', line: 1 } as never };
}

describe('ProxyPassReverse as measured on httpd 2.4.71 (scenarios 480, 481)', () => {
  it('rewrites Location, Content-Location, URI and Destination, not Refresh or Link', () => {
    const got = headersFor('ProxyPass /app/ http://127.0.0.1:9000/\nProxyPassReverse /app/ http://127.0.0.1:9000/', '/app/x', [
      ['Location', 'http://127.0.0.1:9000/a'],
      ['Destination', 'HTTP://127.0.0.1:9000/d'],
      ['Refresh', '0;url=http://127.0.0.1:9000/r'],
      ['Link', '<http://127.0.0.1:9000/l>'],
    ]);
    expect(got.location).toBe('http://a.test:8800/app/a');
    expect(got.destination).toBe('http://a.test:8800/app/d');
    expect(got.refresh).toBe('0;url=http://127.0.0.1:9000/r');
    expect(got.link).toBe('<http://127.0.0.1:9000/l>');
  });

  it('maps a balancer member URL, with the balancer URL path after it and the "/" prefix edge case', () => {
    const config = [
      '<Proxy balancer://c>',
      '  BalancerMember http://127.0.0.1:9000/base',
      '</Proxy>',
      'ProxyPass /app/ balancer://c/',
      'ProxyPassReverse /app/ balancer://c/inner',
      '<Proxy balancer://w>',
      '  BalancerMember ws://127.0.0.1:9001',
      '</Proxy>',
      'ProxyPassReverse / balancer://w/',
    ].join('\n');
    const got = headersFor(config, '/app/x', [
      ['Location', 'http://127.0.0.1:9000/base/inner/x'],
      ['Content-Location', 'ws://127.0.0.1:9001/a'],
      ['URI', 'http://127.0.0.1:9000/base/other'],
    ]);
    expect(got.location).toBe('http://a.test:8800/app//x');
    expect(got['content-location']).toBe('http://a.test:8800/a');
    expect(got.uri).toBe('http://127.0.0.1:9000/base/other');
  });
});

describe('ProxyPassReverseCookieDomain/Path as measured on httpd 2.4.71 (scenario 482)', () => {
  const rules = [
    cookieRule('cookie-domain', '127.0.0.1', 'public.example'),
    cookieRule('cookie-domain', 'backend.test', 'front.test'),
    cookieRule('cookie-path', '/internal', '/pub'),
    cookieRule('cookie-path', '/Case', '/lower'),
  ];

  it('replaces the whole value when it starts with the backend value', () => {
    expect(reverseMapCookie('a=1; Path=/internal/x; Domain=127.0.0.1', rules)).toBe('a=1; Path=/pub; Domain=public.example');
    expect(reverseMapCookie('e=5; Path=/internalize', rules)).toBe('e=5; Path=/pub');
  });

  it('compares the domain without case and the path with case, attribute names in any case', () => {
    expect(reverseMapCookie('b=2; path=/case/x; DOMAIN=Backend.TEST.example; HttpOnly', rules)).toBe('b=2; path=/case/x; DOMAIN=front.test; HttpOnly');
    expect(reverseMapCookie('c=3;PATH=/Case/y;domain=other.example', rules)).toBe('c=3;PATH=/lower;domain=other.example');
  });

  it('drops trailing blanks of a replaced value, and handles domain before path', () => {
    expect(reverseMapCookie('d=4; Domain=127.0.0.1 ; Path=/internal ; Secure', rules)).toBe('d=4; Domain=public.example; Path=/pub; Secure');
  });

  it('treats a cookie named path like the attribute', () => {
    expect(reverseMapCookie('path=/internal; Max-Age=60', rules)).toBe('path=/pub; Max-Age=60');
  });

  it('leaves a cookie alone when nothing matches', () => {
    expect(reverseMapCookie('x=1; Path=/other; Domain=else.example', rules)).toBe('x=1; Path=/other; Domain=else.example');
  });

  it('rewrites every Set-Cookie of a proxied response, server rules before a <Location>\'s', () => {
    const config = [
      'ProxyPassReverseCookiePath /internal /pub',
      '<Location /loc/>',
      '  ProxyPass http://127.0.0.1:9000/',
      '  ProxyPassReverseCookiePath / /loc/',
      '</Location>',
    ].join('\n');
    const got = headersFor(config, '/loc/x', [['Set-Cookie', 'f=6; Path=/internal/q'], ['Set-Cookie', 'g=7; Path=/other']]);
    expect(got['set-cookie']).toBe('f=6; Path=/pub, g=7; Path=/loc/');
  });
});
