import { describe, expect, it } from 'vitest';
import {
  chooseMember,
  connectFailureLog,
  createBalancerState,
  markMemberFailed,
  markMemberInErrorAfter500,
  isUsable,
  memberRequestFinished,
  planBalancerMember,
  releaseMember,
  routeRequest,
  type ProxyDecision,
} from '../../../sandbox/engine/routing/index.ts';
import { BALANCER_MODULES, configFrom, request } from './route-fixtures.ts';

// Measured on httpd 2.4.71.
const config = configFrom(
  [
    'ProxyPass /b/ balancer://c/',
    '<Proxy balancer://c>',
    'BalancerMember http://127.0.0.1:8801/app',
    'BalancerMember ws://127.0.0.1:8802 loadfactor=2',
    '</Proxy>',
    'ProxyPass /d/ balancer://d/ forcerecovery=Off',
    '<Proxy balancer://d>',
    'BalancerMember http://127.0.0.1:8805 retry=5',
    'BalancerMember http://127.0.0.1:8806',
    '</Proxy>',
  ].join('\n'),
  BALANCER_MODULES,
);

function balancerDecision(target: string, headers: Array<[string, string]> = [['Host', 'a.test']]): ProxyDecision {
  const decision = routeRequest(config, request(target, headers));
  if (decision.kind !== 'proxy' || !decision.balancer) throw new Error(`expected a balancer decision: ${decision.explanation}`);
  return decision;
}

function stateOf(name: string, params: Array<{ key: string; value: string }> = []) {
  const definition = config.main.server.balancers.find((balancer) => balancer.name === name);
  if (!definition) throw new Error(`no balancer ${name} in the test config`);
  return createBalancerState(definition, params);
}

describe('balancers measured on httpd 2.4.71', () => {
  it('routes /b/1 to balancer://c with the path after the balancer name', () => {
    expect(balancerDecision('/b/1').balancer).toMatchObject({ name: 'balancer://c', pathSuffix: '/1', lbmethod: 'byrequests' });
  });

  it('spreads requests 2:1 by loadfactor in the order httpd chose: 8802, 8801, 8802, 8802, 8801, 8802', () => {
    const state = stateOf('balancer://c');
    const chosen = Array.from({ length: 6 }, () => {
      const choice = chooseMember(state, 0, '127.0.0.1:5555');
      if (!choice.ok) throw new Error('a member must be available');
      releaseMember(choice.member);
      return choice.member.name;
    });
    expect(chosen).toEqual([
      'ws://127.0.0.1:8802',
      'http://127.0.0.1:8801/app',
      'ws://127.0.0.1:8802',
      'ws://127.0.0.1:8802',
      'http://127.0.0.1:8801/app',
      'ws://127.0.0.1:8802',
    ]);
  });

  it('appends the path to the member URL (/app/2) and forwards the upgrade only to the ws:// member', () => {
    const state = stateOf('balancer://c');
    const decision = balancerDecision('/b/ws', [['Host', 'a.test'], ['Upgrade', 'websocket']]);
    const first = chooseMember(state, 0, '127.0.0.1:5555');
    const second = chooseMember(state, 0, '127.0.0.1:5555');
    if (!first.ok || !second.ok) throw new Error('members must be available');
    const wsPlan = planBalancerMember(decision, first.member, '127.0.0.1:5555');
    const httpPlan = planBalancerMember(decision, second.member, '127.0.0.1:5555');
    if (!wsPlan.ok || !httpPlan.ok) throw new Error('plans must succeed');
    expect([wsPlan.plan.request.requestLine, wsPlan.plan.upgrade.forwarded]).toEqual(['GET /ws HTTP/1.1', true]);
    expect([httpPlan.plan.request.requestLine, httpPlan.plan.upgrade.forwarded]).toEqual(['GET /app/ws HTTP/1.1', false]);
  });

  it('logs AH00957, AH00959 and AH01114 for a refused member, with the member\'s retry= period', () => {
    const state = stateOf('balancer://d', [{ key: 'forcerecovery', value: 'Off' }]);
    const decision = balancerDecision('/d/1');
    const choice = chooseMember(state, 0, '127.0.0.1:5555');
    if (!choice.ok) throw new Error('a member must be available');
    const planned = planBalancerMember(decision, choice.member, '127.0.0.1:5555');
    if (!planned.ok) throw new Error('plan must succeed');
    const lines = connectFailureLog({ plan: planned.plan, resolvedAddress: '127.0.0.1', osError: '(111)Connection refused', client: '127.0.0.1:5555' });
    expect([lines.attempt, ...markMemberFailed(choice.member, 0), lines.handler]).toEqual([
      {
        module: 'proxy',
        level: 'error',
        code: 'AH00957',
        message: 'http: attempt to connect to 127.0.0.1:8805 (127.0.0.1:8805) failed',
        osError: '(111)Connection refused',
        // Source positions measured with ErrorLogFormat's %F (scenario 382).
        origin: 'proxy_util.c(3949)',
      },
      { module: 'proxy', level: 'error', code: 'AH00959', message: 'ap_proxy_connect_backend disabling worker for (127.0.0.1:8805) for 5s' },
      { module: 'proxy_http', level: 'error', code: 'AH01114', message: 'HTTP: failed to make connection to backend: 127.0.0.1', client: '127.0.0.1:5555', origin: 'mod_proxy_http.c(2054)' },
    ]);
  });

  it('fails over to the next member in the same request, then answers 503 with AH01170 when forcerecovery=Off', () => {
    const state = stateOf('balancer://d', [{ key: 'forcerecovery', value: 'Off' }]);
    expect(state.maxAttempts).toBe(1);
    const first = chooseMember(state, 0, '127.0.0.1:5555');
    if (!first.ok) throw new Error('first member must be available');
    markMemberFailed(first.member, 0);
    const second = chooseMember(state, 0, '127.0.0.1:5555');
    if (!second.ok) throw new Error('second member must be available');
    expect(second.member.name).not.toBe(first.member.name);
    markMemberFailed(second.member, 0);
    expect(chooseMember(state, 1000, '127.0.0.1:5555')).toEqual({
      ok: false,
      status: 503,
      reason: 'every member of balancer://d is in error state or out of service',
      log: [{ module: 'proxy_balancer', level: 'error', code: 'AH01170', message: 'balancer://d: All workers are in error state', client: '127.0.0.1:5555' }],
    });
  });

  it('puts a member whose handler answered 500 (a failed TLS handshake) in error without a line, and forcerecovery brings it back (scenario 450)', () => {
    const state = stateOf('balancer://c');
    const first = chooseMember(state, 0, '127.0.0.1:5555');
    if (!first.ok) throw new Error('first member must be available');
    markMemberInErrorAfter500(first.member, 0);
    expect(isUsable(first.member)).toBe(false);
    for (const member of state.members) markMemberInErrorAfter500(member, 0);
    expect(chooseMember(state, 1000, '127.0.0.1:5555').ok).toBe(true);
  });

  it('puts every member back in service when all are in error and forcerecovery is on (the default)', () => {
    const state = stateOf('balancer://c');
    for (const member of state.members) markMemberFailed(member, 0);
    expect(chooseMember(state, 1000, '127.0.0.1:5555').ok).toBe(true);
  });

  it('retries a member once its retry= period has passed', () => {
    const state = stateOf('balancer://d', [{ key: 'forcerecovery', value: 'Off' }]);
    for (const member of state.members) markMemberFailed(member, 0);
    const choice = chooseMember(state, 5001, '127.0.0.1:5555');
    expect(choice.ok && choice.member.name).toBe('http://127.0.0.1:8805');
  });

  it('with retry=0 retries a failed member in the failover attempt of the same request (now > error_time at microsecond precision), so byrequests alternates afterwards', () => {
    const retryZero = configFrom(
      ['ProxyPass /p/ balancer://p/', '<Proxy balancer://p>', 'BalancerMember ws://127.0.0.1:8811 retry=0', 'BalancerMember ws://127.0.0.1:8812 retry=0', '</Proxy>'].join('\n'),
      BALANCER_MODULES,
    );
    const definition = retryZero.main.server.balancers[0];
    const state = createBalancerState(definition);
    const first = chooseMember(state, 1000, '127.0.0.1:5555');
    if (!first.ok) throw new Error('a member must be available');
    expect(first.member.name).toBe('ws://127.0.0.1:8811');
    markMemberFailed(first.member, 1000.2);
    releaseMember(first.member);
    const failover = chooseMember(state, 1000.4, '127.0.0.1:5555');
    if (!failover.ok) throw new Error('a member must be available');
    releaseMember(failover.member);
    const next = [chooseMember(state, 2000, '127.0.0.1:5555'), chooseMember(state, 2001, '127.0.0.1:5555')].map((choice) => choice.ok && choice.member.name);
    expect([failover.member.name, ...next]).toEqual(['ws://127.0.0.1:8812', 'ws://127.0.0.1:8811', 'ws://127.0.0.1:8812']);
  });
});

describe('the balancer-manager handler measured on httpd 2.4.71', () => {
  const manager = configFrom(['<Location /manager>', 'SetHandler balancer-manager', '</Location>'].join('\n'), BALANCER_MODULES);

  it('answers a GET itself and logs AH10187 when no Referer names this server (its parameter table always counts as present)', () => {
    const decision = routeRequest(manager, request('/manager', [['Host', 'localhost']]));
    expect(decision).toMatchObject({ kind: 'respond', status: 200, reason: 'handler' });
    expect(decision.log.map((entry) => entry.code)).toContain('AH10187');
  });

  it('logs nothing when the Referer is a page of this server', () => {
    const decision = routeRequest(manager, request('/manager', [['Host', 'localhost'], ['Referer', 'http://localhost/manager']]));
    expect(decision).toMatchObject({ kind: 'respond', status: 200 });
    expect(decision.log.map((entry) => entry.code)).not.toContain('AH10187');
  });

  it('declines other methods (balancer_handler takes GET and POST only), so the default handler answers PUT with 405', () => {
    const decision = routeRequest(manager, { ...request('/manager', [['Host', 'localhost']]), method: 'PUT' });
    expect(decision).toMatchObject({ kind: 'respond', status: 405, reason: 'method-not-allowed' });
  });

  it('answers HEAD too: HEAD is M_GET to balancer_handler (fuzzed on scenario 207)', () => {
    const decision = routeRequest(manager, { ...request('/manager', [['Host', 'localhost']]), method: 'HEAD' });
    expect(decision).toMatchObject({ kind: 'respond', status: 200, reason: 'handler', handler: 'balancer-manager' });
    expect(decision.log.map((entry) => entry.code)).toContain('AH10187');
  });
});

describe('sticky sessions measured on httpd 2.4.71 (scenario 202)', () => {
  const stickyConfig = configFrom(
    [
      '<Proxy balancer://s>',
      'BalancerMember ws://127.0.0.1:8821 route=one',
      'BalancerMember ws://127.0.0.1:8822 route=two',
      '</Proxy>',
      'ProxyPass /s/ balancer://s/',
    ].join('\n'),
    BALANCER_MODULES,
  );
  const sticky = (extra: Array<{ key: string; value: string }>) => createBalancerState(stickyConfig.main.server.balancers[0], [{ key: 'stickysession', value: 'ROUTEID' }, ...extra]);
  const pick = (state: ReturnType<typeof sticky>, url: string, cookie: string | null) => {
    const choice = chooseMember(state, 0, '127.0.0.1:5555', { url, cookie });
    if (choice.ok) releaseMember(choice.member);
    return choice.ok ? choice.member.route : choice.log[0]?.code;
  };

  it('takes the route after the dot from the URL first, then from the cookie, and balances an unknown route', () => {
    const state = sticky([]);
    expect(pick(state, 'balancer://s/room?x=1&ROUTEID=abc.two', 'ROUTEID=abc.one')).toBe('two');
    expect(pick(state, 'balancer://s/', 'other=1; ROUTEID=abc.one')).toBe('one');
    expect(pick(state, 'balancer://s/', 'XROUTEID=abc.two')).toBe('one');
    expect(pick(state, 'balancer://s/', 'ROUTEID=abc.three')).toBe('two');
  });

  it('counts routed requests in byrequests\' lbstatus, so unrouted ones after two routed to "two" both go to "one"', () => {
    const state = sticky([]);
    pick(state, 'balancer://s/', 'ROUTEID=a.two');
    pick(state, 'balancer://s/', 'ROUTEID=a.two');
    expect([pick(state, 'balancer://s/', null), pick(state, 'balancer://s/', null)]).toEqual(['one', 'one']);
  });

  it('fails over from a routed member in error, or answers 503 with AH01167 under nofailover=On', () => {
    const failover = sticky([]);
    markMemberFailed(failover.members[0], 0);
    expect(pick(failover, 'balancer://s/', 'ROUTEID=a.one')).toBe('two');
    const pinned = sticky([{ key: 'nofailover', value: 'On' }]);
    markMemberFailed(pinned.members[0], 0);
    expect(pick(pinned, 'balancer://s/', 'ROUTEID=a.one')).toBe('AH01167');
  });
});

describe('failonstatus measured on httpd 2.4.71 (scenario 203)', () => {
  const config503 = configFrom(
    ['<Proxy balancer://f>', 'BalancerMember http://127.0.0.1:8831/a', 'BalancerMember http://127.0.0.1:8831/b', 'ProxySet failonstatus=503', '</Proxy>', 'ProxyPass /f/ balancer://f/'].join('\n'),
    BALANCER_MODULES,
  );

  it('puts the member that answered a listed status into error (AH01174), so the next requests go to the other one', () => {
    const state = createBalancerState(config503.main.server.balancers[0]);
    expect(state.failOnStatus).toEqual([503]);
    const first = chooseMember(state, 0, '127.0.0.1:5555');
    if (!first.ok) throw new Error('a member must be available');
    releaseMember(first.member);
    expect(memberRequestFinished(state, first.member, 503, 1, '127.0.0.1:5555')).toEqual([
      {
        module: 'proxy_balancer',
        level: 'error',
        code: 'AH01174',
        message: "balancer://f: Forcing worker (http://127.0.0.1:8831/a) into error state due to status code 503 matching 'failonstatus' balancer parameter",
        client: '127.0.0.1:5555',
      },
    ]);
    const next = [chooseMember(state, 2, '127.0.0.1:5555'), chooseMember(state, 3, '127.0.0.1:5555')].map((choice) => choice.ok && choice.member.name);
    expect(next).toEqual(['http://127.0.0.1:8831/b', 'http://127.0.0.1:8831/b']);
  });

  it('leaves a member alone for a status that is not listed', () => {
    const state = createBalancerState(config503.main.server.balancers[0]);
    expect(memberRequestFinished(state, state.members[0], 200, 1, '127.0.0.1:5555')).toEqual([]);
    expect(state.members[0].errorSinceMs).toBeNull();
  });
});

describe('lbmethod=heartbeat measured on httpd 2.4.71 (scenario 209)', () => {
  it('answers 503 with AH01213 then AH01170 when no heartbeat data can be read', () => {
    const heartbeatConfig = configFrom(
      ['<Proxy balancer://hb>', 'BalancerMember ws://127.0.0.1:8841', 'ProxySet lbmethod=heartbeat', '</Proxy>', 'ProxyPass /hb/ balancer://hb/'].join('\n'),
      [...BALANCER_MODULES, 'lbmethod_heartbeat'],
    );
    const state = createBalancerState(heartbeatConfig.main.server.balancers[0], [], '/run/apache2/hb.dat');
    const choice = chooseMember(state, 0, '127.0.0.1:5555');
    expect(choice.ok).toBe(false);
    expect(choice.log.map((entry) => entry.code)).toEqual(['AH01213', 'AH01170']);
    expect(choice.log[0].message).toBe("lb_heartbeat: Unable to read heartbeats at '/run/apache2/hb.dat'");
  });
});
