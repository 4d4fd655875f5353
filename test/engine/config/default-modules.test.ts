import { describe, expect, it } from 'vitest';
import { configtest, DEFAULT_MODULE_NAMES, httpdPreamble, parseConfig } from '../../../sandbox/engine/config/index.ts';

describe('the default module set', () => {
  it('is Debian\'s default-enabled modules plus proxy, proxy_http and proxy_wstunnel, in load order', () => {
    expect(DEFAULT_MODULE_NAMES).toEqual([
      'access_compat', 'alias', 'auth_basic', 'authn_core', 'authn_file', 'authz_core', 'authz_host', 'authz_user', 'autoindex',
      'deflate', 'dir', 'env', 'filter', 'mime', 'mpm_event', 'negotiation', 'proxy', 'proxy_http', 'proxy_wstunnel', 'reqtimeout',
      'setenvif', 'status',
    ]);
  });

  it('applies only when the text has no LoadModule line at all', () => {
    expect(parseConfig('ProxyPass / http://x/\n').diagnostics.filter((diagnostic) => diagnostic.severity === 'error')).toEqual([]);
    const explicit = configtest('LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\nServerName x\nProxyPass / http://x/\n', { file: '/tmp/x.conf' });
    expect(explicit.stderr).toBe(
      "AH00526: Syntax error on line 3 of /tmp/x.conf:\nInvalid command 'ProxyPass', perhaps misspelled or defined by a module not included in the server configuration\n",
    );
  });

  it('writes a preamble that loads the same modules from Debian\'s paths', () => {
    const preamble = httpdPreamble({ runtimeDirectory: '/tmp/run/' });
    const lines = preamble.trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('LoadModule'))).toHaveLength(DEFAULT_MODULE_NAMES.length);
    expect(lines).toContain('LoadModule proxy_wstunnel_module /usr/lib/apache2/modules/mod_proxy_wstunnel.so');
    expect(lines.slice(-6)).toEqual([
      'TypesConfig /etc/mime.types',
      '# Where a standalone httpd keeps its files',
      'DefaultRuntimeDir /tmp/run',
      'PidFile /tmp/run/httpd.pid',
      'Mutex file:/tmp/run default',
      'ErrorLog /tmp/run/error.log',
    ]);
    const parsed = parseConfig(`${preamble}ServerName x\nListen 80\n`, { modulePaths: 'debian' });
    expect(parsed.config.defaultModules).toBe(false);
    expect(parsed.diagnostics).toEqual([]);
  });

  it('can leave the modules out for configs that load their own', () => {
    expect(httpdPreamble({ runtimeDirectory: '/tmp/run', modules: false, user: 'www-data', group: 'www-data' })).toBe(
      '# Where a standalone httpd keeps its files\nDefaultRuntimeDir /tmp/run\nPidFile /tmp/run/httpd.pid\nMutex file:/tmp/run default\nErrorLog /tmp/run/error.log\nUser www-data\nGroup www-data\n',
    );
  });
});
