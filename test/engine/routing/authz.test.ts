import { describe, expect, it } from 'vitest';
import { evaluateAuthz, ipMatches, type AuthzContext } from '../../../sandbox/engine/routing/authz.ts';
import type { RequireContainer, RequireRule } from '../../../sandbox/engine/config/model.ts';

const at = { file: 'httpd.conf', line: 1 };
const rule = (provider: string, args: string[], negated = false): RequireRule => ({ kind: 'rule', negated, provider, args, source: at });
const any = (...children: RequireContainer['children']): RequireContainer => ({ kind: 'any', children, source: null });
const all = (...children: RequireContainer['children']): RequireContainer => ({ kind: 'all', children, source: at });
const context: AuthzContext = { method: 'GET', clientIp: '127.0.0.1', localIp: '127.0.0.1', env: {}, clientHostname: 'localhost' };

describe('evaluateAuthz', () => {
  it('grants when no Require applies', () => {
    expect(evaluateAuthz(null, context).result).toBe('granted');
  });

  it('denies with Require all denied', () => {
    expect(evaluateAuthz(any(rule('all', ['denied'])), context).result).toBe('denied');
  });

  it('denies 127.0.0.1 inside <RequireAll> with Require all granted and Require not ip 127.0.0.1', () => {
    const tree = any(all(rule('all', ['granted']), rule('ip', ['127.0.0.1'], true)));
    expect(evaluateAuthz(tree, context).result).toBe('denied');
  });

  it('grants another client inside the same <RequireAll>', () => {
    const tree = any(all(rule('all', ['granted']), rule('ip', ['127.0.0.1'], true)));
    expect(evaluateAuthz(tree, { ...context, clientIp: '10.1.2.3' }).result).toBe('granted');
  });

  it('treats a lone negated Require as neutral, which the top level turns into a denial', () => {
    expect(evaluateAuthz(any(rule('ip', ['10.0.0.1'], true)), context).result).toBe('neutral');
  });

  it('grants Require local to a loopback client', () => {
    expect(evaluateAuthz(any(rule('local', [])), context).result).toBe('granted');
  });

  it('grants Require host to a client whose reverse name is in the domain', () => {
    const tree = any(rule('host', ['example.org']));
    expect(evaluateAuthz(tree, { ...context, clientHostname: 'ws.example.org' }).result).toBe('granted');
    expect(evaluateAuthz(tree, { ...context, clientHostname: 'badexample.org' }).result).toBe('denied');
  });

  it('records each Require line it evaluated', () => {
    const { steps } = evaluateAuthz(any(rule('ip', ['10.0.0.0/8', '192.168'])), context);
    expect(steps).toEqual([
      { rule: rule('ip', ['10.0.0.0/8', '192.168']), result: 'denied', note: 'client 127.0.0.1 is not in 10.0.0.0/8 192.168' },
    ]);
  });
});

describe('ipMatches (apr_ipsubnet_test)', () => {
  it('matches a CIDR network', () => {
    expect(ipMatches('10.0.0.0/8', '10.200.1.1')).toBe(true);
    expect(ipMatches('10.0.0.0/8', '11.0.0.1')).toBe(false);
  });

  it('matches a partial address as a network of the given octets', () => {
    expect(ipMatches('192.168', '192.168.7.9')).toBe(true);
    expect(ipMatches('192.168', '192.169.0.1')).toBe(false);
  });

  it('matches a dotted netmask', () => {
    expect(ipMatches('172.16.0.0/255.240.0.0', '172.31.255.1')).toBe(true);
  });

  it('matches IPv6 prefixes and an IPv4-mapped client against IPv4 rules', () => {
    expect(ipMatches('2001:db8::/32', '2001:db8:1::5')).toBe(true);
    expect(ipMatches('127.0.0.1', '::ffff:127.0.0.1')).toBe(true);
  });
});

// mod_authz_core's apply_authz_sections() logs every section's result at debug, children before
// their parent, with format_authz_command()'s wording (scenario 563).
describe('evaluateAuthz debug lines (AH01626)', () => {
  it('logs each Require line and container, innermost first, with the arguments as written', () => {
    const lines: string[] = [];
    const log: AuthzContext['log'] = (module, level, code, message, origin) => lines.push(`${module}:${level} ${origin} ${code}: ${message}`);
    const tree = any(all({ ...rule('ip', ['127.0.0.1', '::1']), rawArgs: '127.0.0.1   ::1' }, rule('env', ['blocked'], true)), { kind: 'none', children: [rule('user', ['bob'])], source: at });
    expect(evaluateAuthz(tree, { ...context, log }).result).toBe('granted');
    expect(lines).toEqual([
      'authz_core:debug mod_authz_core.c(815) AH01626: authorization result of Require ip 127.0.0.1   ::1: granted',
      'authz_core:debug mod_authz_core.c(815) AH01626: authorization result of Require not env blocked: neutral',
      'authz_core:debug mod_authz_core.c(815) AH01626: authorization result of <RequireAll>: granted',
      'authz_core:debug mod_authz_core.c(815) AH01626: authorization result of <RequireAny>: granted',
    ]);
    lines.length = 0;
    evaluateAuthz({ kind: 'merged', op: 'and', children: [any(rule('valid-user', []))] }, { ...context, log });
    expect(lines.map((line) => line.slice(line.indexOf('of ') + 3))).toEqual([
      'Require valid-user : denied (no authenticated user yet)',
      '<RequireAny>: denied (no authenticated user yet)',
      'AuthMerging All: denied (no authenticated user yet)',
    ]);
  });
});
