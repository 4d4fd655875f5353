import { describe, expect, it } from 'vitest';
import type { ErrorLogEntry } from '../../../sandbox/engine/logs/error-log.ts';
import { formatErrorLogLine } from '../../../sandbox/engine/logs/error-log.ts';
import { isLogged } from '../../../sandbox/engine/logs/log-level.ts';
import { chooseMember, createBalancerState, planBalancerMember, routeRequest, type ProxyDecision, type RouteRequest } from '../../../sandbox/engine/routing/index.ts';
import {
  backendStatusLog,
  beforeConnectLog,
  connectedLog,
  proxyStepContext,
  releasedLog,
  requestSentLog,
  sendingRequestLog,
  tunnelEndLog,
  tunnelReadLog,
  tunnelStartLog,
  type ProxyStepContext,
} from '../../../sandbox/engine/routing/proxy-debug-log.ts';
import { wstunnelRoleOf } from '../../../sandbox/engine/routing/wstunnel-log.ts';
import type { HttpdConfig } from '../../../sandbox/engine/config/model.ts';
import { BALANCER_MODULES, configFrom, request, websocket, withoutPhaseDebug } from './route-fixtures.ts';

// Expected lines as httpd 2.4.71 wrote them with `LogLevel warn proxy_wstunnel:trace8 proxy:trace1`.
const CLIENT = '127.0.0.1:5555';
const WSTUNNEL_ONLY = ['mpm_event', 'authz_core', 'authz_host', 'proxy', 'proxy_wstunnel'];

function proxied(config: HttpdConfig, routed: RouteRequest): ProxyDecision {
  const decision = routeRequest(config, routed);
  if (decision.kind !== 'proxy') throw new Error(`expected a proxied request: ${decision.explanation}`);
  return decision;
}

function stepFor(config: HttpdConfig, routed: RouteRequest): ProxyStepContext {
  const decision = proxied(config, routed);
  if (!decision.backend) throw new Error('expected a single backend');
  return proxyStepContext(decision, decision.backend, CLIENT);
}

function wstunnelLines(entries: ErrorLogEntry[]): string[] {
  return entries.filter((entry) => entry.module === 'proxy_wstunnel').map((entry) => `${entry.level} ${entry.origin ?? '-'} ${entry.code ? `${entry.code}: ` : ''}${entry.message}`);
}

/** Everything one proxied WebSocket logs up to the tunnel, in the proxy's order. */
function requestLines(step: ProxyStepContext): ErrorLogEntry[] {
  return [
    ...beforeConnectLog({ ...step, coreUpgrade: [] }, '127.0.0.1'),
    ...connectedLog(step, '127.0.0.1'),
    ...sendingRequestLog(step),
    ...requestSentLog(step),
    ...backendStatusLog(step, 101),
    ...tunnelStartLog(step, 'websocket', step.plan.timeouts.tunnelIdle),
  ];
}

describe("mod_proxy_wstunnel's role", () => {
  it.each([
    [['mpm_event', 'proxy', 'proxy_http'], true, 'not-loaded'],
    [['mpm_event', 'proxy', 'proxy_http', 'proxy_wstunnel'], true, 'falls-back'],
    [['mpm_event', 'proxy', 'proxy_http', 'proxy_wstunnel'], false, 'serves'],
    [WSTUNNEL_ONLY, false, 'serves'],
  ])('with %j loaded and fallback %s it %s', (modules, wstunnelFallsBack, role) => {
    expect(wstunnelRoleOf({ modules: new Set(modules.map((name) => `mod_${name}.c`)), wstunnelFallsBack })).toBe(role);
  });
});

describe('mod_proxy_wstunnel handing WebSockets to mod_proxy_http (the default with both loaded)', () => {
  const config = configFrom('ProxyPass /ws/ ws://127.0.0.1:8801/');

  it('logs only "… fallback" at trace5, each right where its hook runs', () => {
    const step = stepFor(config, websocket('/ws/'));
    const lines = requestLines(step);
    expect(lines.map((entry) => entry.code ?? entry.message).slice(0, 6)).toEqual([
      'check_trans fallback',
      'AH03464',
      'canon fallback',
      'HTTP: canonicalising URL ws://127.0.0.1:8801/',
      'AH01143',
      'handler fallback',
    ]);
    expect(wstunnelLines(lines)).toEqual([
      'trace5 mod_proxy_wstunnel.c(35) check_trans fallback',
      'trace5 mod_proxy_wstunnel.c(72) canon fallback',
      'trace5 mod_proxy_wstunnel.c(364) handler fallback',
    ]);
    expect(wstunnelLines([...tunnelReadLog(step, 'client'), ...tunnelEndLog(step, 'websocket', 'client')])).toEqual([]);
  });

  it('so proxy_wstunnel:trace3 lets none of its lines through', () => {
    const logLevel = { level: 'warn' as const, perModule: { proxy_wstunnel: 'trace3' as const } };
    const lines = requestLines(stepFor(config, websocket('/ws/')));
    expect(lines.filter((entry) => isLogged(logLevel, entry.module, entry.level))).toEqual([]);
  });

  it('does not run check_trans for a RewriteRule [P], only for a ProxyPass', () => {
    const rewrite = configFrom(['RewriteEngine On', 'RewriteRule ^/rw/(.*)$ ws://127.0.0.1:8801/$1 [P]'].join('\n'));
    expect(wstunnelLines(beforeConnectLog(stepFor(rewrite, websocket('/rw/a')), '127.0.0.1'))).toEqual([
      'trace5 mod_proxy_wstunnel.c(72) canon fallback',
      'trace5 mod_proxy_wstunnel.c(364) handler fallback',
    ]);
  });
});

describe('mod_proxy_wstunnel serving the WebSocket itself (ProxyWebsocketFallbackToProxyHttp Off)', () => {
  const config = configFrom(['<Location /legacy/>', 'ProxyWebsocketFallbackToProxyHttp Off', 'ProxyPass ws://127.0.0.1:8802/', '</Location>'].join('\n'));

  it('canonicalises the URL without its query, serves the canonical one, then sends the request and polls', () => {
    const step = stepFor(config, websocket('/legacy/x?a=b'));
    expect(wstunnelLines(requestLines(step))).toEqual([
      'trace1 mod_proxy_wstunnel.c(92) canonicalising URL //127.0.0.1:8802/x',
      'trace1 mod_proxy_wstunnel.c(380) serving URL ws://127.0.0.1:8802/x?a=b',
      'debug mod_proxy_wstunnel.c(397) AH02451: serving URL ws://127.0.0.1:8802/x?a=b',
      'trace2 mod_proxy_wstunnel.c(191) sending request',
      'trace2 mod_proxy_wstunnel.c(219) setting up poll()',
      // The backend's 101 is the first thing its poll loop reads.
      'trace1 mod_proxy_wstunnel.c(264) AH02445: woke from poll(), i=1',
      'trace1 mod_proxy_wstunnel.c(273) AH02446: sock was readable',
    ]);
  });

  it('puts its lines between mod_proxy\'s, which name the handler "WS" (but resolve "ws")', () => {
    const lines = requestLines(stepFor(config, websocket('/legacy/')));
    expect(lines.map((entry) => entry.code ?? entry.message)).toEqual([
      'AH03464',
      'canonicalising URL //127.0.0.1:8802/',
      'AH01143',
      'serving URL ws://127.0.0.1:8802/',
      'AH02451',
      'AH00942',
      'AH00944',
      'AH10479',
      'AH00947',
      'AH02824',
      'AH00962',
      'sending request',
      'setting up poll()',
      'AH02445',
      'AH02446',
    ]);
    const message = (code: string) => lines.find((entry) => entry.code === code)?.message;
    expect(message('AH00942')).toBe('WS: has acquired connection for (127.0.0.1:8802)');
    expect(message('AH10479')).toBe('ws: 127.0.0.1 resolved to 127.0.0.1:8802');
    expect(message('AH02824')).toBe('WS: connection established with 127.0.0.1:8802 (127.0.0.1:8802)');
  });

  it('logs a wakeup per read on either side, and the read that ended the loop before cleaning up', () => {
    const step = stepFor(config, websocket('/legacy/'));
    expect(wstunnelLines([...tunnelReadLog(step, 'client'), ...tunnelReadLog(step, 'backend')])).toEqual([
      'trace1 mod_proxy_wstunnel.c(264) AH02445: woke from poll(), i=1',
      'trace1 mod_proxy_wstunnel.c(299) AH02448: client was readable',
      'trace1 mod_proxy_wstunnel.c(264) AH02445: woke from poll(), i=1',
      'trace1 mod_proxy_wstunnel.c(273) AH02446: sock was readable',
    ]);
    expect(wstunnelLines([...tunnelEndLog(step, 'WebSocket', 'backend'), ...releasedLog(step)])).toEqual([
      'trace1 mod_proxy_wstunnel.c(264) AH02445: woke from poll(), i=1',
      'trace1 mod_proxy_wstunnel.c(273) AH02446: sock was readable',
      'trace2 mod_proxy_wstunnel.c(331) finished with poll() - cleaning up',
    ]);
    expect(releasedLog(step)[0].message).toBe('WS: has released connection for (127.0.0.1:8802)');
  });

  it('logs nothing more when the proxy itself cuts the tunnel, as a stopping httpd never returns from poll()', () => {
    expect(tunnelEndLog(stepFor(config, websocket('/legacy/')), 'WebSocket', null)).toEqual([]);
  });

  it('writes mod_proxy_http\'s lines for neither the request nor the tunnel', () => {
    const step = stepFor(config, websocket('/legacy/'));
    const modules = new Set([...requestLines(step), ...tunnelEndLog(step, 'WebSocket', 'client')].map((entry) => entry.module));
    expect([...modules].sort()).toEqual(['proxy', 'proxy_wstunnel']);
  });

  it('formats a poll line byte for byte as httpd does', () => {
    const [woke] = tunnelReadLog(stepFor(config, websocket('/legacy/')), 'client');
    const epochMicros = Date.UTC(2026, 10, 24, 15, 40, 41) * 1000 + 94445;
    expect(formatErrorLogLine(woke, epochMicros, { pid: 22186, tid: 22243 })).toBe(
      '[Tue Nov 24 15:40:41.094445 2026] [proxy_wstunnel:trace1] [pid 22186:tid 22243] mod_proxy_wstunnel.c(264): [client 127.0.0.1:5555] AH02445: woke from poll(), i=1',
    );
  });

  it('declines an http:// URL at debug (AH02450) before mod_proxy_http serves it', () => {
    const app = configFrom(['<Location /app/>', 'ProxyWebsocketFallbackToProxyHttp Off', 'ProxyPass http://127.0.0.1:8803/', '</Location>'].join('\n'));
    const step = stepFor(app, request('/app/'));
    expect(wstunnelLines(beforeConnectLog(step, '127.0.0.1'))).toEqual(['debug mod_proxy_wstunnel.c(376) AH02450: declining URL http://127.0.0.1:8803/']);
    expect(wstunnelLines([...sendingRequestLog(step), ...backendStatusLog(step, 200)])).toEqual([]);
  });

  it('logs its canonicalising and serving lines before AH02900 when the Upgrade header is not WebSocket', () => {
    const decision = routeRequest(config, request('/legacy/', [['Host', 'a.test'], ['Upgrade', 'foo'], ['Connection', 'Upgrade']]));
    expect(decision).toMatchObject({ kind: 'respond', status: 426 });
    expect(wstunnelLines(decision.log)).toEqual([
      'trace1 mod_proxy_wstunnel.c(92) canonicalising URL //127.0.0.1:8802/',
      'trace1 mod_proxy_wstunnel.c(380) serving URL ws://127.0.0.1:8802/',
      'info - AH02900: require upgrade for URL ws://127.0.0.1:8802/ (Upgrade header is foo, expecting WebSocket)',
    ]);
  });
});

describe('mod_proxy_wstunnel without mod_proxy_http', () => {
  it('declines an http:// URL (AH02450) before mod_proxy answers 500 with AH01144', () => {
    const config = configFrom('ProxyPass /app/ http://127.0.0.1:8803/', WSTUNNEL_ONLY);
    const decision = routeRequest(config, request('/app/'));
    expect(decision).toMatchObject({ kind: 'respond', status: 500 });
    expect(withoutPhaseDebug(decision.log).map((entry) => entry.code)).toEqual(['AH02450', 'AH01144']);
  });
});

describe('mod_proxy_wstunnel behind a balancer', () => {
  const config = configFrom(
    [
      '<Proxy balancer://c>',
      'BalancerMember ws://127.0.0.1:8801',
      '</Proxy>',
      'ProxyPass /bal/ balancer://c/',
      '<Location /legacybal/>',
      'ProxyWebsocketFallbackToProxyHttp Off',
      'ProxyPass balancer://c/',
      '</Location>',
    ].join('\n'),
    BALANCER_MODULES,
  );

  function memberStep(target: string): ProxyStepContext {
    const decision = proxied(config, websocket(target));
    const definition = config.main.server.balancers.find((balancer) => balancer.name === 'balancer://c');
    if (!definition) throw new Error('no balancer://c in the test config');
    const choice = chooseMember(createBalancerState(definition), 0, CLIENT);
    if (!choice.ok) throw new Error('a member must be available');
    const planned = planBalancerMember(decision, choice.member, CLIENT);
    if (!planned.ok) throw new Error(`the member plan failed: ${planned.reason}`);
    return proxyStepContext(decision, planned.plan, CLIENT);
  }

  it('canonicalises the member URL with the path and no query, and runs the "balancer" scheme handler', () => {
    const lines = beforeConnectLog(memberStep('/legacybal/a?q=1'), '127.0.0.1');
    expect(wstunnelLines(lines)).toEqual([
      'trace1 mod_proxy_wstunnel.c(92) canonicalising URL //127.0.0.1:8801/a',
      'trace1 mod_proxy_wstunnel.c(380) serving URL ws://127.0.0.1:8801/a?q=1',
      'debug mod_proxy_wstunnel.c(397) AH02451: serving URL ws://127.0.0.1:8801/a?q=1',
    ]);
    expect(lines.find((entry) => entry.code === 'AH01143')?.message).toBe('Running scheme balancer handler (attempt 0)');
  });

  it('falls back twice at canon time: once for balancer://, once for the member', () => {
    const lines = beforeConnectLog({ ...memberStep('/bal/a?q=1'), coreUpgrade: [] }, '127.0.0.1');
    expect(lines.map((entry) => entry.code ?? entry.message).slice(0, 6)).toEqual([
      'check_trans fallback',
      'AH03464',
      'canon fallback',
      'canon fallback',
      'HTTP: canonicalising URL ws://127.0.0.1:8801/a',
      'AH01143',
    ]);
  });
});
