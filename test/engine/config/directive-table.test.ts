import { describe, expect, it } from 'vitest';
import { directiveTable, findDirectiveInfo } from '../../../sandbox/engine/config/index.ts';

describe('the directive table', () => {
  it('describes ProxyPass for the editor in both languages', () => {
    expect(findDirectiveInfo('proxypass')).toEqual([
      {
        name: 'ProxyPass',
        module: 'proxy_module',
        moduleSource: 'mod_proxy.c',
        contexts: ['server config', 'virtual host', 'directory'],
        argsHow: 'RAW_ARGS',
        help: 'a virtual path and a URL',
        description: {
          en: 'Maps a URL path to a backend URL (or excludes it with !).',
          ja: 'URL パスをバックエンドの URL に対応づける(! で除外)。',
        },
        manualUrl: 'https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass',
        support: 'simulated',
      },
    ]);
  });

  it('finds sections with or without the "<"', () => {
    expect(findDirectiveInfo('Location').map((info) => [info.name, info.manualUrl])).toEqual([['<Location', 'https://httpd.apache.org/docs/2.4/mod/core.html#location']]);
  });

  it('knows the MPM directives of every MPM and documents them in mpm_common', () => {
    expect(findDirectiveInfo('MaxRequestWorkers').map((info) => [info.moduleSource, info.contexts, info.manualUrl])).toEqual([
      ['event.c', ['server config'], 'https://httpd.apache.org/docs/2.4/mod/mpm_common.html#maxrequestworkers'],
      ['prefork.c', ['server config'], 'https://httpd.apache.org/docs/2.4/mod/mpm_common.html#maxrequestworkers'],
      ['worker.c', ['server config'], 'https://httpd.apache.org/docs/2.4/mod/mpm_common.html#maxrequestworkers'],
    ]);
  });

  it('does not know ProxyWebsocketIdleTimeout, which 2.4 does not have', () => {
    expect(findDirectiveInfo('ProxyWebsocketIdleTimeout')).toEqual([]);
  });

  it('has a Japanese description for every simulated directive that learners configure', () => {
    const missing = directiveTable()
      .filter((info) => info.support === 'simulated' && info.description.ja === null)
      .map((info) => info.name);
    expect(missing).toEqual([]);
  });
});
