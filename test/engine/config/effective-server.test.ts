import { describe, expect, it } from 'vitest';
import { effectiveServer, effectiveServers, parseConfig } from '../../../sandbox/engine/config/index.ts';

const FILE = '/etc/apache2/apache2.conf';
const LOADS = ['mpm_event', 'proxy', 'proxy_http', 'authz_core', 'authz_host', 'alias', 'rewrite', 'headers']
  .map((name) => `LoadModule ${name}_module /usr/lib/apache2/modules/mod_${name}.so`)
  .join('\n');

function servers(body: string) {
  const result = parseConfig(`${body}\n${LOADS}\n`, { file: FILE });
  expect(result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error')).toEqual([]);
  return effectiveServers(result.config);
}

describe('effective server settings', () => {
  it('tries the main server\'s ProxyPass rules before the vhost\'s (merge_proxy_config, measured on 2.4.71)', () => {
    const [, host] = servers('ProxyPass /a http://main/\n<VirtualHost *:80>\nProxyPassInherit Off\nProxyPass /a http://vhost/\n</VirtualHost>');
    expect(host.proxyPass.map((rule) => rule.target)).toEqual(['http://main/', 'http://vhost/']);
  });

  it('tries the vhost\'s Redirects before the main server\'s', () => {
    const [, host] = servers('Redirect /r http://main/\n<VirtualHost *:80>\nRedirect /r http://vhost/\n</VirtualHost>');
    expect(host.redirects.map((rule) => rule.target)).toEqual(['http://vhost/', 'http://main/']);
  });

  it('does not inherit RewriteRules without RewriteOptions Inherit, but inherits the engine state', () => {
    const text = 'RewriteEngine On\nRewriteRule ^/x /y\n<VirtualHost *:80>\n</VirtualHost>\n<VirtualHost *:81>\nRewriteOptions Inherit\nRewriteRule ^/a /b\n</VirtualHost>';
    const [, plain, inheriting] = servers(text);
    expect([plain.rewrite.engine.value, plain.rewrite.rules.length]).toEqual([true, 0]);
    expect(inheriting.rewrite.rules.map((rule) => rule.pattern)).toEqual(['^/a', '^/x']);
  });

  it('treats Timeout 0 in a vhost as unset and falls back to the main server, then to 60', () => {
    const [main, zero, own] = servers('Timeout 30\n<VirtualHost *:80>\nTimeout 0\n</VirtualHost>\n<VirtualHost *:81>\nTimeout 7\n</VirtualHost>');
    expect([main.timeout.value, zero.timeout.value, own.timeout.value]).toEqual([30, 30, 7]);
    expect(servers('Listen 80')[0].timeout).toEqual({ value: 60, source: null });
  });

  it('uses ProxyTimeout when set, else the server Timeout, and says which', () => {
    const [main, host] = servers('Timeout 5\n<VirtualHost *:80>\nProxyTimeout 2\n</VirtualHost>');
    expect([main.proxyTimeout.value, main.proxyTimeoutSet, host.proxyTimeout.value, host.proxyTimeoutSet]).toEqual([5, false, 2, true]);
  });

  it('layers per-directory defaults: headers append, ProxyPreserveHost overrides', () => {
    const [, host] = servers('Header set X-Main 1\nProxyPreserveHost On\n<VirtualHost *:80>\nHeader set X-V 1\nProxyPreserveHost Off\n</VirtualHost>');
    expect(host.directory.headerOps.map((op) => op.header)).toEqual(['X-Main', 'X-V']);
    expect(host.directory.preserveHost.value).toBe(false);
  });

  it('walks the main server\'s sections before the vhost\'s', () => {
    const [, host] = servers('<Location /a>\n</Location>\n<VirtualHost *:80>\n<Location /b>\n</Location>\n</VirtualHost>');
    expect(host.sections.map((section) => section.match)).toEqual(['/a', '/b']);
  });

  it('logs to the main server\'s CustomLogs only when the vhost has none', () => {
    const text = 'CustomLog /var/log/main.log combined\n<VirtualHost *:80>\n</VirtualHost>\n<VirtualHost *:81>\nCustomLog /var/log/v.log common\n</VirtualHost>';
    const [, inheriting, own] = servers(text);
    expect(inheriting.customLogs.map((entry) => entry.target)).toEqual(['/var/log/main.log']);
    expect(own.customLogs.map((entry) => entry.target)).toEqual(['/var/log/v.log']);
  });

  it('drops the main server\'s per-module log levels when a vhost sets its own level', () => {
    const text = 'LogLevel info proxy:trace5\n<VirtualHost *:80>\n</VirtualHost>\n<VirtualHost *:81>\nLogLevel debug\n</VirtualHost>';
    const [, inheriting, own] = servers(text);
    expect([inheriting.logLevel.value, Object.keys(inheriting.moduleLogLevels)]).toEqual(['info', ['proxy']]);
    expect([own.logLevel.value, Object.keys(own.moduleLogLevels)]).toEqual(['debug', []]);
  });

  it('gives httpd\'s defaults with a null source', () => {
    const [main] = servers('Listen 80');
    expect({
      keepAlive: main.keepAlive,
      maxKeepAliveRequests: main.maxKeepAliveRequests,
      keepAliveTimeout: main.keepAliveTimeout,
      addHeaders: main.directory.addHeaders,
      fallback: main.directory.websocketFallbackToProxyHttp,
      logLevel: main.logLevel,
    }).toEqual({
      keepAlive: { value: true, source: null },
      maxKeepAliveRequests: { value: 100, source: null },
      keepAliveTimeout: { value: 5, source: null },
      addHeaders: { value: true, source: null },
      fallback: { value: true, source: null },
      logLevel: { value: 'warn', source: null },
    });
  });

  it('inherits the main server\'s ServerName into a vhost without one', () => {
    const result = parseConfig(`ServerName main.test\n<VirtualHost *:80>\n</VirtualHost>\n${LOADS}`);
    expect(effectiveServer(result.config, result.config.virtualHosts[0]).serverName.value?.host).toBe('main.test');
  });
});
