import { describe, expect, it } from 'vitest';
import { serverBalancers } from '../../../sandbox/engine/config/balancer-merge.ts';
import { chooseMember, createBalancerState, routeRequest } from '../../../sandbox/engine/routing/index.ts';
import { BALANCER_MODULES, configFrom, request } from './route-fixtures.ts';

// Measured on httpd 2.4.71 (differential scenario 300).
const config = configFrom(
  [
    '<Proxy balancer://cluster>',
    'BalancerMember http://127.0.0.1:8801',
    'BalancerMember http://127.0.0.1:8802',
    'ProxySet failonstatus=502',
    '</Proxy>',
    'ProxyPass /main/ balancer://cluster/',
    '<VirtualHost *:8800>',
    'ServerName own.test',
    'ProxyPass /own/ balancer://cluster/own/ failonstatus=500 lbmethod=bybusyness',
    '</VirtualHost>',
    '<VirtualHost *:8800>',
    'ServerName nobal.test',
    'BalancerInherit Off',
    'ProxyPass /own/ balancer://cluster/own/',
    '</VirtualHost>',
    '<VirtualHost *:8800>',
    'ServerName neither.test',
    'BalancerInherit Off',
    'ProxyPassInherit Off',
    'ProxyPass /own/ balancer://cluster/own/',
    '</VirtualHost>',
    '<VirtualHost *:8800>',
    'ServerName mine.test',
    '<Proxy balancer://cluster>',
    'BalancerMember http://127.0.0.1:8803',
    '</Proxy>',
    '</VirtualHost>',
  ].join('\n'),
  [...BALANCER_MODULES, 'lbmethod_bybusyness'],
);

const membersOf = (vhost: number) =>
  serverBalancers(config.main, config.virtualHosts[vhost]).map((balancer) => [balancer.name, balancer.members.map((member) => member.url)]);

describe('balancers in virtual hosts (merge_balancers)', () => {
  it("gives a vhost ProxyPass's empty balancer the main server's members", () => {
    expect(membersOf(0)).toEqual([['balancer://cluster', ['http://127.0.0.1:8801', 'http://127.0.0.1:8802']]]);
  });

  it('still inherits with only one of BalancerInherit / ProxyPassInherit Off', () => {
    expect(membersOf(1)).toEqual([['balancer://cluster', ['http://127.0.0.1:8801', 'http://127.0.0.1:8802']]]);
  });

  it('keeps only its own (empty) balancer with both Off', () => {
    expect(membersOf(2)).toEqual([['balancer://cluster', []]]);
  });

  it("replaces a vhost's own same-named balancer's members with the main server's", () => {
    expect(membersOf(3)).toEqual([['balancer://cluster', ['http://127.0.0.1:8801', 'http://127.0.0.1:8802']]]);
  });

  it("keeps the vhost's own balancer settings and adds its failonstatus codes to the main server's", () => {
    const [merged] = serverBalancers(config.main, config.virtualHosts[0]);
    const state = createBalancerState(merged);
    expect(state.lbmethod).toBe('bybusyness');
    expect(state.failOnStatus).toEqual([500, 502]);
    expect(createBalancerState(config.main.server.balancers[0]).lbmethod).toBe('byrequests');
  });

  it('shares the members array, so copies built on it share member state', () => {
    const mainDefinition = config.main.server.balancers[0];
    const [vhostDefinition] = serverBalancers(config.main, config.virtualHosts[0]);
    expect(vhostDefinition.members).toBe(mainDefinition.members);
    const main = createBalancerState(mainDefinition);
    const vhost = createBalancerState(vhostDefinition, [], 'hb.dat', main.members);
    const picks = [main, vhost, main, vhost].map((state) => {
      const choice = chooseMember(state, 0, '127.0.0.1');
      if (!choice.ok) throw new Error(choice.reason);
      return choice.member.url;
    });
    expect(picks).toEqual(['http://127.0.0.1:8801', 'http://127.0.0.1:8802', 'http://127.0.0.1:8801', 'http://127.0.0.1:8802']);
  });

  it('routes an inherited ProxyPass in a vhost to the inherited balancer', () => {
    const decision = routeRequest(config, request('/main/x', [['Host', 'own.test']]));
    expect(decision.kind).toBe('proxy');
    if (decision.kind === 'proxy') expect(decision.balancer?.name).toBe('balancer://cluster');
  });
});
