import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer } from '../../../sandbox/server/backends/app-server.ts';
import type { RunningBackend } from '../../../sandbox/server/backends/echo-server.ts';
import { checkedConfig, RawClient, startTestProxy } from './proxy-harness.ts';
import type { TestProxy } from './proxy-harness.ts';

// Backends that fail or misbehave, and the worker state they leave behind (measured on httpd
// 2.4.71: differential scenarios 240-243).
const MODULES = ['mpm_event', 'authz_core', 'proxy', 'proxy_http', 'proxy_wstunnel'].map((name) => `LoadModule ${name}_module /usr/lib/apache2/modules/mod_${name}.so`).join('\n');

function upgradeRequest(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
}

async function exchange(port: number, request: string): Promise<{ text: string; closed: boolean }> {
  const client = await RawClient.open(port);
  try {
    client.write(request);
    await client.waitFor((received) => /\r\n0\r\n\r\n$/.test(received.toString('latin1')), 3000);
    return { text: client.received.toString('latin1'), closed: client.ended || client.closed };
  } finally {
    client.destroy();
  }
}

describe('backend failures', () => {
  let app: RunningBackend;
  let proxy: TestProxy;
  const deadPort = 1; // nothing listens on port 1

  beforeAll(async () => {
    app = await startAppServer({ port: 0 });
    proxy = await startTestProxy(
      checkedConfig(
        [
          MODULES,
          'ServerName localhost',
          'Listen 127.0.0.1:8000',
          'ProxyWebsocketFallbackToProxyHttp Off',
          `ProxyPass /ignoring/ http://127.0.0.1:${deadPort}/ignoring/`,
          `ProxyPass /strict/ http://127.0.0.1:${deadPort}/strict/ status=-I retry=30`,
          `ProxyPass /http/ http://127.0.0.1:${app.port}/`,
          `ProxyPass /wt/ ws://127.0.0.1:${app.port}/`,
        ].join('\n') + '\n',
      ),
    );
  });
  afterAll(async () => {
    await proxy.close();
    await app.close();
  });

  it('a worker outside a balancer tries the backend on every request (no AH00959, no AH00940)', async () => {
    proxy.sink.errorLines.length = 0;
    for (let attempt = 0; attempt < 2; attempt++) expect((await exchange(proxy.port, 'GET /ignoring/ HTTP/1.1\r\nHost: localhost\r\n\r\n')).text).toMatch(/^HTTP\/1\.1 503 /);
    const codes = proxy.errorLines().map((line) => /AH\d{5}/.exec(line)?.[0]);
    expect(codes).toEqual(['AH00957', 'AH01114', 'AH00957', 'AH01114']);
  });

  it('status=-I: the failed connect disables the worker, the next request gets 503 AH00940 without a connect', async () => {
    proxy.sink.errorLines.length = 0;
    for (let attempt = 0; attempt < 2; attempt++) expect((await exchange(proxy.port, 'GET /strict/ HTTP/1.1\r\nHost: localhost\r\n\r\n')).text).toMatch(/^HTTP\/1\.1 503 /);
    const lines = proxy.errorLines();
    expect(lines.map((line) => /AH\d{5}/.exec(line)?.[0])).toEqual(['AH00957', 'AH00959', 'AH01114', 'AH00940']);
    expect(lines[1]).toContain(`AH00959: ap_proxy_connect_backend disabling worker for (127.0.0.1:${deadPort}) for 30s`);
    expect(lines[3]).toContain(`AH00940: http: disabled connection for (127.0.0.1:${deadPort})`);
  });

  it('mod_proxy_http takes an answer without a status line for HTTP/0.9: 200, chunked to an HTTP/1.1 client', async () => {
    const { text } = await exchange(proxy.port, 'GET /http/garbage HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toContain('\r\nTransfer-Encoding: chunked\r\n');
    expect(text).not.toMatch(/\r\nConnection: close\r\n/i);
    expect(text.endsWith('\r\n\r\n19\r\nthis is not HTTP at all\r\n\r\n0\r\n\r\n')).toBe(true);
  });

  it('mod_proxy_wstunnel relays whatever the backend answers, as it came, and sends nothing when it hangs up', async () => {
    const garbage = await exchange(proxy.port, upgradeRequest('/wt/garbage'));
    expect(garbage.text).toBe('this is not HTTP at all\r\n\r\n');
    expect(garbage.closed).toBe(true);
    const hangUp = await exchange(proxy.port, upgradeRequest('/wt/close'));
    expect(hangUp.text).toBe('');
    expect(hangUp.closed).toBe(true);
  });
});
