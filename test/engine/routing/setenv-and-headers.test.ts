import { describe, expect, it } from 'vitest';
import { routeRequest } from '../../../sandbox/engine/routing/index.ts';
import { configFrom, STANDARD_MODULES, websocket } from './route-fixtures.ts';

// Shapes of differential scenarios 360-363, measured on httpd 2.4.71.
const config = configFrom(
  [
    'SetEnv OUTER outer',
    'SetEnv CANCELLED yes',
    'RequestHeader set X-Early early early',
    'Header always set X-Early-Always yes early',
    'ProxyPass /ws/ ws://127.0.0.1:8801/',
    '<Location /ws/>',
    '  UnsetEnv CANCELLED',
    '  RequestHeader set X-Env "%{OUTER}e|%{CANCELLED}e"',
    "  RequestHeader set X-Ws yes \"expr=%{HTTP:Upgrade} == 'websocket'\"",
    '  RequestHeader set X-Not-Ws yes "expr=%{HTTP:Upgrade} == \'h2c\'"',
    '  RequestHeader append X-Early late',
    '</Location>',
  ].join('\n'),
  [...STANDARD_MODULES, 'env'],
);

describe('SetEnv / UnsetEnv and RequestHeader on a routed request', () => {
  it('applies SetEnv in fixups, before RequestHeader reads it, and UnsetEnv cancels an inherited one', () => {
    const decision = routeRequest(config, websocket('/ws/chat'));
    expect(decision.kind).toBe('proxy');
    const headers = new Map((decision.responseContext.requestHeaders ?? []).map(([name, value]) => [name.toLowerCase(), value]));
    expect(headers.get('x-env')).toBe('outer|(null)');
    expect(headers.get('x-ws')).toBe('yes');
    expect(headers.has('x-not-ws')).toBe(false);
    expect(headers.get('x-early')).toBe('early, late');
  });

  it("keeps what 'Header always … early' put in err_headers_out for the response", () => {
    const decision = routeRequest(config, websocket('/ws/chat'));
    expect(decision.responseContext.earlyErrorHeaders).toEqual([['X-Early-Always', 'yes']]);
  });
});

// server/request.c ap_process_request_internal, measured in differential scenario 691: an error
// httpd sends before the location walk still has the server's own per-directory config.
describe("the server's own Header operations on errors before the location walk", () => {
  const config = configFrom(
    ['Header always set X-Always yes', 'ProxyPass /app/ http://127.0.0.1:3000/', '<Location /app/>', 'Header always set X-Location-Always yes', '</Location>'].join('\n'),
    [...STANDARD_MODULES, 'headers'],
  );
  const headersOf = (target: string) => {
    const decision = routeRequest(config, { ...websocket(target), headers: [['Host', 'a.test']] });
    return { status: decision.kind === 'respond' ? decision.status : decision.kind, headers: decision.responseContext.headerOps.map((op) => op.header) };
  };

  it('keeps the server-level "Header always" for the 400 of a bad %-escape or a ".." above the root', () => {
    expect(headersOf('/app/%zz')).toEqual({ status: 400, headers: ['X-Always'] });
    expect(headersOf('/../app/x')).toEqual({ status: 400, headers: ['X-Always'] });
  });

  it('drops the <Location> merged for pre_translate_name before the encoded-slash 404', () => {
    expect(headersOf('/app/a%2Fb')).toEqual({ status: 404, headers: ['X-Always'] });
  });

  it('merges the <Location> for a request that gets through', () => {
    expect(headersOf('/app/x')).toEqual({ status: 'proxy', headers: ['X-Always', 'X-Location-Always'] });
  });
});
