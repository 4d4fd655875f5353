import { describe, expect, it } from 'vitest';
import { routeRequest, type RouteDecision } from '../../../sandbox/engine/routing/index.ts';
import { configFrom, request } from './route-fixtures.ts';

const MODULES = ['mpm_event', 'authz_core', 'proxy', 'proxy_http', 'socache_shmcb', 'ssl'];

function tlsVhost(name: string, extra = ''): string {
  return `<VirtualHost *:8800>
    ServerName ${name}
    SSLEngine on
    SSLCertificateFile /etc/ssl/cert.pem
    SSLCertificateKeyFile /etc/ssl/key.pem${extra}
    ProxyPass / http://127.0.0.1:8802/${name}/
</VirtualHost>
`;
}

function answer(config: ReturnType<typeof configFrom>, host: string, servername: string | null): { status: number | string; codes: string[] } {
  const decision: RouteDecision = routeRequest(config, request('/', [['Host', host]], { secure: true, tlsServerName: servername }));
  return { status: decision.kind === 'respond' ? decision.status : decision.kind, codes: decision.log.flatMap((entry) => (entry.code ? [entry.code] : [])) };
}

// Each row was measured on httpd 2.4.71 (differential scenarios 320-323).
describe("mod_ssl's SNI checks against the request's Host", () => {
  const config = configFrom(
    [
      tlsVhost('a.test'),
      tlsVhost('same.test', '\n    SSLVerifyClient none\n    SSLHonorCipherOrder on'),
      tlsVhost('ciphers.test', '\n    SSLCipherSuite HIGH:!aNULL'),
      tlsVhost('depth.test', '\n    SSLVerifyDepth 3'),
      tlsVhost('dotted.test').replace('/etc/ssl/cert.pem', '/etc/ssl/./cert.pem'),
      tlsVhost('strict.test', '\n    SSLStrictSNIVHostCheck on'),
    ].join('\n'),
    MODULES,
  );

  it('lets Host pick a vhost whose SSL setup equals the handshake vhost, whatever SNI said', () => {
    expect(answer(config, 'same.test', 'a.test').status).toBe('proxy');
    expect(answer(config, 'same.test', null).status).toBe('proxy');
    expect(answer(config, 'dotted.test', 'a.test').status).toBe('proxy');
    expect(answer(config, 'a.test', 'nobody.test').status).toBe('proxy');
  });

  it('answers 421 (AH02032) when the two setups differ, with or without SNI', () => {
    expect(answer(config, 'ciphers.test', 'a.test')).toEqual({ status: 421, codes: ['AH02032'] });
    expect(answer(config, 'a.test', 'ciphers.test')).toEqual({ status: 421, codes: ['AH02032'] });
    expect(answer(config, 'depth.test', null)).toEqual({ status: 421, codes: ['AH02032'] });
    expect(answer(config, 'ciphers.test', 'nobody.test')).toEqual({ status: 421, codes: ['AH02032'] });
  });

  it('words AH02032 as httpd does, naming the default host when no SNI was sent', () => {
    const decision = routeRequest(config, request('/', [['Host', 'ciphers.test']], { secure: true, tlsServerName: null }));
    expect(decision.log.find((entry) => entry.code === 'AH02032')?.message).toBe(
      "Hostname a.test (default host as no SNI was provided) and hostname ciphers.test provided via HTTP have no compatible SSL setup for policy 'secure'",
    );
  });

  it('refuses clients without SNI on an SSLStrictSNIVHostCheck vhost (403, AH02033), not those with any SNI', () => {
    expect(answer(config, 'strict.test', null)).toEqual({ status: 403, codes: ['AH02033'] });
    expect(answer(config, 'strict.test', 'nobody.test').status).toBe('proxy');
    expect(answer(config, 'strict.test', 'a.test').status).toBe('proxy');
  });

  it('compares only client authentication under SSLVHostSNIPolicy authonly, nothing under insecure', () => {
    const vhosts = [tlsVhost('a.test'), tlsVhost('ciphers.test', '\n    SSLCipherSuite HIGH:!aNULL'), tlsVhost('depth.test', '\n    SSLVerifyDepth 3')].join('\n');
    const authOnly = configFrom(`SSLVHostSNIPolicy authonly\n${vhosts}`, MODULES);
    expect(answer(authOnly, 'ciphers.test', 'a.test').status).toBe('proxy');
    expect(answer(authOnly, 'depth.test', 'a.test').status).toBe(421);
    const insecure = configFrom(`SSLVHostSNIPolicy insecure\n${vhosts}`, MODULES);
    expect(answer(insecure, 'depth.test', 'a.test').status).toBe('proxy');
  });

  it('leaves plain connections and unknown SNI state alone', () => {
    expect(routeRequest(config, request('/', [['Host', 'ciphers.test']])).kind).toBe('proxy');
    expect(routeRequest(config, request('/', [['Host', 'ciphers.test']], { secure: true })).kind).toBe('proxy');
  });
});
