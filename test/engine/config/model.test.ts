import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../sandbox/engine/config/index.ts';

const FILE = '/etc/apache2/apache2.conf';
const at = (line: number) => ({ file: FILE, line });

/** LoadModule lines for the MPM, mod_proxy and the named modules. httpd looks directives up only
 * after reading the whole file, so these can come last and leave the line numbers alone. */
const LOADS = (...names: string[]) =>
  ['mpm_event', 'proxy', 'authz_core', ...names].map((name) => `LoadModule ${name}_module /usr/lib/apache2/modules/mod_${name}.so`).join('\n');

function parse(text: string) {
  const result = parseConfig(text, { file: FILE, env: { APACHE_LOG_DIR: '/var/log/apache2' } });
  expect(result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error')).toEqual([]);
  return result.config;
}

describe('the parsed model', () => {
  it('assumes the Debian module set when there is no LoadModule line', () => {
    const config = parse('ServerName x\nListen 80\n');
    expect(config.defaultModules).toBe(true);
    expect(config.modules.map((module) => module.id)).toContain('proxy_wstunnel_module');
    expect(config.modules.find((module) => module.id === 'proxy_module')).toEqual({ id: 'proxy_module', sourceName: 'mod_proxy.c', path: '/usr/lib/apache2/modules/mod_proxy.so', source: null });
    expect(config.global.mpm.module).toBe('event');
  });

  it('records Listen entries and virtual host addresses', () => {
    const config = parse('Listen 80\nListen 127.0.0.1:8443 https\nListen [::1]:81\n<VirtualHost *:80 _default_:* 10.0.0.1>\n</VirtualHost>\n');
    expect(config.listens).toEqual([
      { address: null, port: 80, protocol: null, source: at(1) },
      { address: '127.0.0.1', port: 8443, protocol: 'https', source: at(2) },
      { address: '::1', port: 81, protocol: null, source: at(3) },
    ]);
    expect(config.virtualHosts[0].addresses).toEqual([
      { host: '*', port: 80, raw: '*:80' },
      { host: '_default_', port: '*', raw: '_default_:*' },
      { host: '10.0.0.1', port: null, raw: '10.0.0.1' },
    ]);
  });

  it('keeps the article\'s virtual host: names, proxy rules, Location, logs', () => {
    const config = parse(`Listen 80
<VirtualHost *:80>
    ServerName example.com
    ServerAlias www.example.com
    ProxyRequests Off
    ProxyPreserveHost On
    <Location /ws/>
        ProxyPass ws://localhost:8080/
        ProxyPassReverse ws://localhost:8080/
    </Location>
    ProxyPass / http://localhost:3000/ timeout=30
    ProxyPassReverse / http://localhost:3000/
    ErrorLog \${APACHE_LOG_DIR}/error.log
    CustomLog \${APACHE_LOG_DIR}/access.log combined
    LogLevel warn proxy:trace5
</VirtualHost>
`);
    const host = config.virtualHosts[0];
    expect(host.source).toEqual(at(2));
    expect(host.server.serverName).toEqual({ value: { raw: 'example.com', scheme: null, host: 'example.com', port: null }, source: at(3) });
    expect(host.server.serverAliases).toEqual([{ value: 'www.example.com', source: at(4) }]);
    expect(host.server.proxyRequests).toEqual({ value: false, source: at(5) });
    expect(host.directory.preserveHost).toEqual({ value: true, source: at(6) });
    expect(host.sections).toHaveLength(1);
    const location = host.sections[0];
    expect([location.kind, location.match, location.regex, location.source]).toEqual(['Location', '/ws/', false, at(7)]);
    expect(location.settings.proxyPass).toEqual({
      directive: 'ProxyPass', path: '/ws/', regex: false, target: 'ws://localhost:8080/', params: [], keywords: [], inSection: true,
      effectiveParams: [], sharedWorker: null, source: at(8),
    });
    expect(location.settings.proxyPassReverse).toEqual([{ path: '/ws/', target: 'ws://localhost:8080/', keywords: [], source: at(9) }]);
    expect(host.server.proxyPass).toEqual([
      {
        directive: 'ProxyPass', path: '/', regex: false, target: 'http://localhost:3000/', params: [{ key: 'timeout', value: '30' }], keywords: [],
        inSection: false, effectiveParams: [{ key: 'timeout', value: '30' }], sharedWorker: null, source: at(11),
      },
    ]);
    expect(host.directory.proxyPassReverse).toEqual([{ path: '/', target: 'http://localhost:3000/', keywords: [], source: at(12) }]);
    expect(host.server.errorLog).toEqual({ value: '/var/log/apache2/error.log', source: at(13) });
    expect(host.server.customLogs).toEqual([{ directive: 'CustomLog', target: '/var/log/apache2/access.log', format: 'combined', condition: null, source: at(14) }]);
    expect(host.server.logLevel).toEqual({ level: { value: 'warn', source: at(15) }, modules: [{ module: 'proxy', level: 'trace5', source: at(15) }] });
  });

  it('parses rewrite rules with their conditions and flags', () => {
    const config = parse(`RewriteEngine On
RewriteCond %{HTTP:Upgrade} websocket [NC]
RewriteCond %{HTTP:Connection} !upgrade [NC,OR]
RewriteRule ^/?(.*) "ws://localhost:8080/$1" [P,L,R=301,E=A:b]
${LOADS('rewrite')}
`);
    const rewrite = config.main.server.rewrite;
    expect(rewrite.engine).toEqual({ value: true, source: at(1) });
    const [rule] = rewrite.rules;
    expect(rule.conditions).toEqual([
      { testString: '%{HTTP:Upgrade}', pattern: 'websocket', negated: false, noCase: true, orNext: false, noVary: false, source: at(2) },
      { testString: '%{HTTP:Connection}', pattern: 'upgrade', negated: true, noCase: true, orNext: true, noVary: false, source: at(3) },
    ]);
    expect([rule.pattern, rule.negated, rule.substitution]).toEqual(['^/?(.*)', false, 'ws://localhost:8080/$1']);
    expect(rule.flags).toMatchObject({ proxy: true, last: true, redirect: 301, env: ['A:b'], raw: ['P', 'L', 'R=301', 'E=A:b'] });
  });

  it('refuses [R=n] for codes without a status line in httpd 2.4.71 (306, 418, 425) and accepts 103, 421, 451', () => {
    const errorsFor = (status: number) =>
      parseConfig(`RewriteRule ^/x - [R=${status}]\n${LOADS('rewrite')}\n`, { file: FILE, env: {} })
        .diagnostics.filter((diagnostic) => diagnostic.severity === 'error')
        .map((diagnostic) => diagnostic.message);
    for (const status of [306, 418, 425, 199, 599]) {
      expect(errorsFor(status).join('\n')).toContain(`RewriteRule: invalid HTTP response code '${status}' for flag 'R'`);
    }
    for (const status of [103, 421, 429, 451, 500]) expect(errorsFor(status)).toEqual([]);
  });

  it('builds Require trees, flattening same-kind containers as authz_core does', () => {
    const config = parse(`<Location /admin>
  <RequireAll>
    Require ip 10.0.0.0/8
    Require not ip 10.0.0.99
    <RequireAll>
      Require method GET
    </RequireAll>
  </RequireAll>
</Location>
`);
    expect(config.main.sections[0].settings.authz.root).toEqual({
      kind: 'any',
      source: null,
      children: [
        {
          kind: 'all',
          source: at(2),
          children: [
            { kind: 'rule', negated: false, provider: 'ip', args: ['10.0.0.0/8'], rawArgs: '10.0.0.0/8', source: at(3) },
            { kind: 'rule', negated: true, provider: 'ip', args: ['10.0.0.99'], rawArgs: '10.0.0.99', source: at(4) },
            { kind: 'rule', negated: false, provider: 'method', args: ['GET'], rawArgs: 'GET', source: at(6) },
          ],
        },
      ],
    });
  });

  it('records balancers from <Proxy balancer://>, BalancerMember and ProxySet', () => {
    const config = parse(`LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule lbmethod_bybusyness_module /usr/lib/apache2/modules/mod_lbmethod_bybusyness.so
<Proxy balancer://MyCluster>
    BalancerMember ws://localhost:8080 retry=0
    BalancerMember ws://localhost:8081
    ProxySet lbmethod=bybusyness
</Proxy>
ProxyPass /ws/ balancer://mycluster/ stickysession=ID
`);
    expect(config.main.server.balancers).toEqual([
      {
        name: 'balancer://mycluster',
        members: [
          { url: 'ws://localhost:8080', params: [{ key: 'retry', value: '0' }], source: at(5) },
          { url: 'ws://localhost:8081', params: [], source: at(6) },
        ],
        params: [{ key: 'lbmethod', value: 'bybusyness' }, { key: 'stickysession', value: 'ID' }],
        source: at(5),
      },
    ]);
  });

  it('records header operations, redirects, MPM limits and what it does not simulate', () => {
    const config = parse(`Header always set X-Frame-Options DENY
RequestHeader unset Proxy early
Redirect permanent /old https://example.com/new
StartServers 4
MaxRequestWorkers 150
BufferedLogs On
Options -Indexes
${LOADS('headers', 'alias')}
`);
    expect(config.main.directory.headerOps).toEqual([
      { directive: 'Header', condition: 'always', action: 'set', header: 'X-Frame-Options', value: 'DENY', replacement: null, when: null, source: at(1) },
      { directive: 'RequestHeader', condition: null, action: 'unset', header: 'Proxy', value: null, replacement: null, when: 'early', source: at(2) },
    ]);
    expect(config.main.server.redirects).toEqual([{ directive: 'Redirect', status: 301, path: '/old', regex: false, target: 'https://example.com/new', inSection: false, source: at(3) }]);
    expect(config.global.mpm.startServers).toEqual({ value: 4, source: at(4) });
    expect(config.global.mpm.maxRequestWorkers).toEqual({ value: 150, source: at(5) });
    expect(config.global.bufferedLogs).toEqual({ value: true, source: at(6) });
    // StartServers is validated and stored, but the emulator has no processes to start.
    expect(config.notSimulated).toEqual([
      { name: 'StartServers', args: ['4'], context: 'server', source: at(4) },
      { name: 'Options', args: ['-Indexes'], context: 'server', source: at(7) },
    ]);
  });

  it('records the worker a rule shares and the parameters actually in effect', () => {
    const config = parse('ProxyPass /ws/ http://localhost:8080/ws/ upgrade=websocket\nProxyPass /ws/chat http://localhost:8080/ws/chat timeout=5\n');
    const [, second] = config.main.server.proxyPass;
    expect(second.params).toEqual([{ key: 'timeout', value: '5' }]);
    expect(second.sharedWorker).toBe('http://localhost:8080/ws/');
    expect(second.effectiveParams).toEqual([{ key: 'upgrade', value: 'websocket' }]);
  });

  it('expands Define variables and -D names for IfDefine', () => {
    const result = parseConfig('Define BACKEND localhost:8080\n<IfDefine TLS>\nListen 443\n</IfDefine>\nProxyPass / http://${BACKEND}/\n', { defines: ['TLS'] });
    expect(result.config.defines).toEqual({ TLS: '', BACKEND: 'localhost:8080' });
    expect(result.config.listens.map((entry) => entry.port)).toEqual([443]);
    expect(result.config.main.server.proxyPass[0].target).toBe('http://localhost:8080/');
  });
});
