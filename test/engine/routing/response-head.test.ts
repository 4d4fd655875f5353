import { describe, expect, it } from 'vitest';
import { buildClientResponseHead, routeRequest, type RouteDecision } from '../../../sandbox/engine/routing/index.ts';
import { configFrom, request, websocket } from './route-fixtures.ts';

function proxied(decision: RouteDecision) {
  if (decision.kind !== 'proxy' || !decision.backend) throw new Error(`expected a proxied request: ${decision.explanation}`);
  return { plan: decision.backend, context: decision.responseContext };
}

const options = { date: 'Tue, 24 Nov 2026 13:49:53 GMT', serverBanner: 'Apache/2.4.71 (Debian)', client: '127.0.0.1:5555', uri: '/ws/' };

describe('client response heads measured on httpd 2.4.71', () => {
  it('relays a 101 without Date or Server, moving Connection and Upgrade to the end', () => {
    const { plan, context } = proxied(routeRequest(configFrom('ProxyPass /ws/ ws://127.0.0.1:8801/'), websocket('/ws/')));
    const head = buildClientResponseHead(
      plan,
      context,
      {
        status: 101,
        reason: 'Switching Protocols',
        headers: [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Accept', 'fake'], ['X-Backend', '8801']],
      },
      options,
    );
    expect(head).toEqual({
      kind: 'response',
      status: 101,
      reason: 'Switching Protocols',
      headers: [['Sec-WebSocket-Accept', 'fake'], ['X-Backend', '8801'], ['Connection', 'Upgrade'], ['Upgrade', 'websocket']],
      tunnel: true,
      log: [],
    });
  });

  it('answers 502 when the backend switches to a protocol the client did not ask for', () => {
    const { plan, context } = proxied(routeRequest(configFrom('ProxyPass /ws/ ws://127.0.0.1:8801/'), websocket('/ws/')));
    const head = buildClientResponseHead(plan, context, { status: 101, reason: 'Switching Protocols', headers: [['Upgrade', 'h2c']] }, options);
    expect(head).toEqual({
      kind: 'error',
      status: 502,
      reason: 'Unexpected Upgrade: h2c (expecting websocket)',
      log: [{ module: 'proxy', level: 'error', code: 'AH00898', message: 'Unexpected Upgrade: h2c (expecting websocket) returned by /ws/', client: '127.0.0.1:5555' }],
    });
  });

  it('rewrites Location through ProxyPassReverse, keeps the backend Server, strips hop-by-hop headers and puts Header always first', () => {
    const config = configFrom(
      ['ProxyPass /app/ http://127.0.0.1:8801/', 'ProxyPassReverse /app/ http://127.0.0.1:8801/', 'Header set X-Out yes', 'Header always set X-Always 1'].join('\n'),
    );
    const { plan, context } = proxied(routeRequest(config, request('/app/x', [['Host', 'a.test:8800']])));
    const backendHeaders: Array<[string, string]> = [
      ['Content-Type', 'text/plain'],
      ['Location', 'http://127.0.0.1:8801/next?q=1'],
      ['Content-Location', 'http://127.0.0.1:8801/next?q=1'],
      ['Server', 'BackendServer/1'],
      ['Content-Length', '10'],
      ['X-Backend', '8801'],
      ['Keep-Alive', 'timeout=5'],
      ['Connection', 'close, X-Drop'],
      ['X-Drop', '1'],
    ];
    const head = buildClientResponseHead(plan, context, { status: 302, reason: 'Found', headers: backendHeaders }, { ...options, uri: '/app/x' });
    expect(head).toMatchObject({
      kind: 'response',
      status: 302,
      headers: [
        ['Date', 'Tue, 24 Nov 2026 13:49:53 GMT'],
        ['Server', 'BackendServer/1'],
        ['X-Always', '1'],
        ['Content-Type', 'text/plain'],
        ['Location', 'http://a.test:8800/app/next?q=1'],
        ['Content-Location', 'http://a.test:8800/app/next?q=1'],
        ['Content-Length', '10'],
        ['X-Backend', '8801'],
        ['X-Out', 'yes'],
      ],
    });
  });

  it('keeps the Upgrade of a final answer when the worker may upgrade to it (scenario 561)', () => {
    const answer = (config: string, path: string, upgrade: string) => {
      const { plan, context } = proxied(routeRequest(configFrom(config), websocket(path)));
      const headers: Array<[string, string]> = [['Content-Length', '0'], ['Upgrade', upgrade], ['Connection', 'Upgrade']];
      const head = buildClientResponseHead(plan, context, { status: 426, reason: 'Upgrade Required', headers }, { ...options, uri: path });
      return head.kind === 'response' ? head.headers.slice(2) : head;
    };
    // ws:// defaults to WebSocket; upgrade= lists what may come back; http:// without upgrade= none.
    expect(answer('ProxyPass /ws/ ws://127.0.0.1:8801/', '/ws/', 'WebSocket')).toEqual([['Content-Length', '0'], ['Connection', 'Upgrade'], ['Upgrade', 'WebSocket']]);
    expect(answer('ProxyPass /ws/ ws://127.0.0.1:8801/', '/ws/', 'h2c')).toEqual([['Content-Length', '0']]);
    expect(answer('ProxyPass /up/ http://127.0.0.1:8801/ upgrade=websocket', '/up/', 'h2c')).toEqual([['Content-Length', '0']]);
    expect(answer('ProxyPass /up/ http://127.0.0.1:8801/ upgrade=*', '/up/', 'h2c')).toEqual([['Content-Length', '0'], ['Connection', 'Upgrade'], ['Upgrade', 'h2c']]);
    expect(answer('ProxyPass /p/ http://127.0.0.1:8801/', '/p/', 'websocket')).toEqual([['Content-Length', '0']]);
  });

  it('moves the backend Set-Cookie headers after the others, before Via (scenario 561)', () => {
    const { plan, context } = proxied(routeRequest(configFrom('ProxyVia On\nProxyPass /app/ http://127.0.0.1:8801/'), request('/app/x')));
    const headers: Array<[string, string]> = [['Set-Cookie', 'a=1'], ['Content-Type', 'text/plain'], ['Set-Cookie', 'b=2'], ['Content-Length', '2']];
    const head = buildClientResponseHead(plan, context, { status: 200, reason: 'OK', headers }, { ...options, uri: '/app/x' });
    expect(head.kind === 'response' ? head.headers.slice(2).map(([name]) => name) : head).toEqual(['Content-Type', 'Content-Length', 'Set-Cookie', 'Set-Cookie', 'Via']);
  });

  it('leaves a Location that does not start with the ProxyPassReverse URL alone', () => {
    const config = configFrom(['ProxyPass /app/ http://127.0.0.1:8801/', 'ProxyPassReverse /app/ http://127.0.0.1:8801/'].join('\n'));
    const { plan, context } = proxied(routeRequest(config, request('/app/x', [['Host', 'a.test']])));
    const head = buildClientResponseHead(plan, context, { status: 302, reason: 'Found', headers: [['Location', '/rel']] }, options);
    expect(head.kind === 'response' && head.headers).toEqual([
      ['Date', 'Tue, 24 Nov 2026 13:49:53 GMT'],
      ['Server', 'Apache/2.4.71 (Debian)'],
      ['Location', '/rel'],
    ]);
  });
});
